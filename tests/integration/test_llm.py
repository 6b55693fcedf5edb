"""The model boundary against a real local protocol server: streaming, structured output, faults."""

from __future__ import annotations

import logging

import pytest

from evals.protocol_server import FakeOpenAI
from interviewer.config import Settings
from interviewer.judge.model import Judgement
from interviewer.llm import ModelClient, ModelError

KEY = "sk-test-SECRET-123456"


def settings_for(fake: FakeOpenAI, **extra: str) -> Settings:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.base_url, "INTERVIEWER_MODEL": "fake-model",
           "INTERVIEWER_TIMEOUT": "1", "INTERVIEWER_MAX_RETRIES": "2", **extra}
    return Settings.from_env(env=env)


def test_streams_token_by_token_with_the_key_sent(fake):
    fake.script.append({"text": "Tell me about a model you shipped."})
    client = ModelClient(settings_for(fake))
    pieces = list(client.stream([("system", "be brief"), ("user", "ask")]))
    assert len(pieces) >= 5 and "".join(pieces).strip() == "Tell me about a model you shipped."
    assert fake.requests[0]["stream"] is True
    assert fake.headers[0]["authorization"] == f"Bearer {KEY}"
    assert client.usage.calls == 1 and client.usage.prompt_tokens > 0


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_each_method(fake, method):
    client = ModelClient(settings_for(fake, INTERVIEWER_STRUCTURED_OUTPUT=method))
    result = client.structured([("system", "judge"), ("user", "<answer>\nan answer with words\n</answer>")], Judgement)
    assert isinstance(result, Judgement) and result.criteria
    request = fake.requests[-1]
    if method == "function_calling":
        assert request["tools"]
    else:
        assert request["response_format"]["type"] == ("json_schema" if method == "json_schema" else "json_object")


def test_malformed_json_gets_one_repair_then_fails(fake):
    client = ModelClient(settings_for(fake))
    fake.script.extend([{"malformed": True}, {"default": True}])
    assert client.structured([("user", "x")], Judgement).criteria  # repaired on the second try
    assert "not valid" in fake.requests[-1]["messages"][-1]["content"]
    fake.script.extend([{"malformed": True}, {"malformed": True}])
    with pytest.raises(ModelError, match="invalid twice"):
        client.structured([("user", "x")], Judgement)


def test_429_with_retry_after_and_5xx_are_retried(fake):
    fake.script.extend([{"status": 429, "headers": {"Retry-After": "0.2"}}, {"status": 503}, {"text": "Recovered fine."}])
    assert "Recovered" in "".join(ModelClient(settings_for(fake)).stream([("user", "x")]))
    assert len(fake.requests) == 3


def test_persistent_errors_raise_without_leaking_the_key(fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.script.extend([{"status": 500, "message": f"boom {KEY}"}] * 5)
    with pytest.raises(ModelError) as info:
        list(ModelClient(settings_for(fake)).stream([("user", "x")]))
    assert KEY not in str(info.value) and KEY not in caplog.text
    assert len(fake.requests) == 3  # one try and two retries


def test_timeout_is_retried_then_fails(fake):
    fake.script.extend([{"delay": 1.5}, {"delay": 1.5}, {"delay": 1.5}])
    with pytest.raises(ModelError, match="failed"):
        ModelClient(settings_for(fake, INTERVIEWER_TIMEOUT="0.5")).structured([("user", "x")], Judgement)


def test_stream_cut_midway_raises(fake):
    fake.script.append({"text": "one two three four five six seven eight", "cut_after": 3})
    got = []
    with pytest.raises(ModelError, match="broke off"):
        for piece in ModelClient(settings_for(fake)).stream([("user", "x")]):
            got.append(piece)
    assert got and len(got) <= 3


def test_connection_refused_fails_fast():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings.from_env(env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
                                      "INTERVIEWER_MAX_RETRIES": "1"})
    with pytest.raises(ModelError) as info:
        list(ModelClient(settings).stream([("user", "x")]))
    assert KEY not in str(info.value)


def test_settings_reject_bad_values():
    with pytest.raises(ValueError, match="INTERVIEWER_STRUCTURED_OUTPUT must be one of"):
        Settings.from_env(env={"INTERVIEWER_STRUCTURED_OUTPUT": "xml"})
    with pytest.raises(ValueError, match="INTERVIEWER_TIMEOUT must be a number"):
        Settings.from_env(env={"INTERVIEWER_TIMEOUT": "soon"})
    assert not Settings.from_env(env={}).model_mode
    assert KEY not in repr(Settings.from_env(env={"OPENAI_API_KEY": KEY}))


def test_a_real_provider_url_fails_fast_in_tests():
    import time

    settings = Settings.from_env(env={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://api.openai.com/v1",
                                      "INTERVIEWER_MAX_RETRIES": "0"})
    start = time.monotonic()
    with pytest.raises(ModelError):
        list(ModelClient(settings).stream([("user", "x")]))
    assert time.monotonic() - start < 5
