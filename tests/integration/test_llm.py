"""The model boundary against a real local protocol server: streaming, structured output, faults."""

from __future__ import annotations

import logging

import pytest

from evals.protocol_server import FakeOpenAI, prompt_tokens
from interviewer.config import Settings
from interviewer.judge.model import judgement_schema
from interviewer.llm import ModelClient, ModelError

Judgement = judgement_schema("technical", 4)

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
    # The cap for the purpose goes with the request; usage is the server's own count.
    assert fake.requests[0]["max_completion_tokens"] == 160
    assert client.usage.calls == 1 and client.usage.prompt_tokens == prompt_tokens(fake.requests[0]) and client.usage.completion_tokens == 7
    assert client.usage.estimated == 0


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_structured_output_each_method(fake, method):
    client = ModelClient(settings_for(fake, INTERVIEWER_STRUCTURED_OUTPUT=method))
    result = client.structured([("system", "judge"), ("user", "<answer>\nan answer with words\n</answer>")], Judgement)
    assert isinstance(result, Judgement) and result.criteria.coverage.score == 3
    request = fake.requests[-1]
    assert request["stream"] is True and request["max_completion_tokens"] == 700
    if method == "function_calling":
        assert request["tools"]
    else:
        assert request["response_format"]["type"] == ("json_schema" if method == "json_schema" else "json_object")


def test_malformed_json_gets_one_repair_then_fails(fake):
    client = ModelClient(settings_for(fake))
    fake.script.extend([{"malformed": True}, {"default": True}])
    assert client.structured([("user", "x")], Judgement).criteria  # repaired on the second try
    assert "not valid" in fake.requests[-1]["messages"][-1]["content"]
    assert client.usage.calls == 2 and client.usage.failures == 1  # the reply that did not parse counts as failed
    fake.script.extend([{"malformed": True}, {"malformed": True}])
    with pytest.raises(ModelError, match="invalid twice"):
        client.structured([("user", "x")], Judgement)


def test_429_with_retry_after_and_5xx_are_retried(fake):
    fake.script.extend([{"status": 429, "headers": {"Retry-After": "0.2"}}, {"status": 503}, {"text": "Recovered fine."}])
    assert "Recovered" in "".join(ModelClient(settings_for(fake)).stream([("user", "x")]))
    assert len(fake.requests) == 3


def test_persistent_errors_raise_with_the_servers_words_without_leaking_the_key(fake, caplog):
    caplog.set_level(logging.DEBUG)
    fake.script.extend([{"status": 500, "message": f"boom {KEY}"}] * 5)
    client = ModelClient(settings_for(fake))
    with pytest.raises(ModelError) as info:
        list(client.stream([("user", "x")]))
    assert KEY not in str(info.value) and KEY not in caplog.text
    assert "boom" in str(info.value)  # the server's own text reaches the user
    assert len(fake.requests) == 3  # one try and two retries
    assert client.usage.calls == 3 and client.usage.failures == 3  # every request counted


def test_a_client_error_says_what_the_server_said_and_is_not_retried(fake):
    fake.script.append({"status": 400, "message": "Context size has been exceeded."})
    with pytest.raises(ModelError, match="Context size has been exceeded"):
        list(ModelClient(settings_for(fake)).stream([("user", "x")]))
    assert len(fake.requests) == 1


def test_a_timeout_is_not_retried(fake):
    fake.script.extend([{"delay": 1.5}, {"delay": 1.5}, {"delay": 1.5}])
    with pytest.raises(ModelError, match="time-out"):
        ModelClient(settings_for(fake, INTERVIEWER_TIMEOUT="0.5", INTERVIEWER_BREAKER_SECONDS="0")).structured(
            [("user", "x")], Judgement)
    assert len(fake.requests) == 1  # the same deterministic request would time out again


def test_a_server_that_ignores_the_cap_is_cut_by_the_client(fake):
    fake.script.append({"text": " ".join(f"word{i}" for i in range(2000)), "ignore_cap": True})
    client = ModelClient(settings_for(fake, INTERVIEWER_COMPLETION_CAPS="speaker=20"))
    text = "".join(client.stream([("user", "x")]))
    assert fake.requests[-1]["max_completion_tokens"] == 20
    assert client.last.cut == "length" and 20 * 6 < len(text) <= 20 * 6 + 20


def test_the_cap_field_can_be_the_older_max_tokens(fake):
    fake.script.append({"text": " ".join(f"word{i}" for i in range(50))})
    client = ModelClient(settings_for(fake, INTERVIEWER_CAP_FIELD="max_tokens", INTERVIEWER_COMPLETION_CAPS="speaker=5"))
    text = "".join(client.stream([("user", "x")]))
    assert fake.requests[-1]["max_tokens"] == 5 and "max_completion_tokens" not in fake.requests[-1]
    assert text.split() == [f"word{i}" for i in range(5)] and client.last.cut == "length"


def test_a_runaway_reply_is_cut_and_the_stream_closed(fake):
    import time

    fake.script.append({"text": "Thank you. " * 300, "pace": 0.002})
    client = ModelClient(settings_for(fake))
    text = "".join(client.stream([("user", "x")]))
    assert client.last.cut == "repetition" and len(text) < 400
    deadline = time.monotonic() + 3
    while fake.closed_early == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.closed_early == 1  # the server saw the connection close before the reply ended


def test_the_deadline_bounds_a_slow_stream(fake):
    import time

    fake.script.append({"text": " ".join(f"slow{i}" for i in range(100)), "pace": 0.1})
    client = ModelClient(settings_for(fake, INTERVIEWER_DEADLINE="1"))
    start = time.monotonic()
    with pytest.raises(ModelError, match="deadline"):
        list(client.stream([("user", "x")]))
    assert time.monotonic() - start < 2.5


def test_a_dead_server_opens_the_breaker_and_calls_fail_at_once(caplog):
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings.from_env(env={"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "INTERVIEWER_MAX_RETRIES": "1",
                                      "INTERVIEWER_BREAKER_SECONDS": "30"})
    client = ModelClient(settings)
    with pytest.raises(ModelError, match="could not connect"):
        list(client.stream([("user", "x")]))
    start = time.monotonic()
    for _ in range(5):
        with pytest.raises(ModelError, match="not answering"):
            list(client.stream([("user", "x")]))
    assert time.monotonic() - start < 0.5
    assert client.usage.calls == 2  # one try and one retry; the breaker then sends nothing
    assert caplog.text.count("is not answering") == 1  # said once


def test_requests_at_once_are_bounded_per_server(fake):
    import threading

    active, peak = [0], [0]
    lock = threading.Lock()
    fake.script.extend([{"text": "one two three four", "pace": 0.05} for _ in range(4)])
    client = ModelClient(settings_for(fake, INTERVIEWER_MODEL_CONCURRENCY="1"))

    def call():  # noqa: ANN202
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        list(client.fork().stream([("user", "x")]))
        with lock:
            active[0] -= 1

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake.requests) == 4 and client.usage.calls == 4
    assert fake.max_active == 1


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


def test_a_reply_the_caller_stops_reading_is_closed_and_counted_as_closed_not_failed(fake):
    import time

    fake.script.append({"text": " ".join(f"w{i}" for i in range(300)), "pace": 0.002})
    client = ModelClient(settings_for(fake))
    pieces = client.stream([("user", "x")])
    next(pieces)
    pieces.close()  # what the speaker does when its guard rejects the reply
    assert client.last.cut == "closed" and client.usage.failures == 0 and client.usage.calls == 1
    deadline = time.monotonic() + 3
    while fake.closed_early == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.closed_early == 1
