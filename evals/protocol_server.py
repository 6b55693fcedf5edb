"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions protocol.

JSON replies, SSE streaming, json_schema / json_object and tool-call structured replies, with
scripted replies and injected faults. The real `openai` client and `langchain-openai` talk to it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = dict[str, Any]


CANDIDATE_ANSWER = (
    "Last year I owned the demand forecast for our grocery launch. The baseline missed holiday peaks, so I "
    "added calendar features and a quantile loss, validated on a time split, and shipped it in three weeks. "
    "As a result stock-outs fell by 18% and the team adopted the approach; I learned to check peaks first."
)


def default_reply(request: dict) -> Reply:
    """Speaker: a short question built from the quoted planned text. Judge: a valid judgement.
    Simulated candidate (evals in model mode): a specific STAR answer."""
    messages = request.get("messages", [])
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    if any("You are playing a candidate" in str(m.get("content", "")) for m in messages if m["role"] == "system"):
        return {"text": CANDIDATE_ANSWER}
    if request.get("tools") or request.get("response_format"):
        schema = _schema(request)
        if schema is None:  # json_mode: the schema is in the prompt
            found = re.search(r"JSON schema: (\{.*\})\s*$", user, re.S)
            schema = json.loads(found.group(1)) if found else None
        if schema is None or "criteria" not in schema.get("properties", {}):
            return {"json": _fill(schema, user)}
        answer = re.search(r"<(answer-[0-9a-f]+)>\n(.*?)\n</\1>", user, re.S)  # the tag is new for every call
        text = answer.group(2) if answer else ""
        quote = " ".join(text.split()[:6])
        ref = schema["properties"]["criteria"].get("$ref", "").rsplit("/", 1)[-1]
        names = list((schema.get("$defs", {}).get(ref) or schema["properties"]["criteria"]).get("properties", {}))
        most = schema["properties"]["key_points_covered"].get("maxItems", 2)
        return {"json": {
            "on_topic": True,
            "criteria": {n: {"score": 3, "rationale": f"{n} is solid.", "evidence": [quote] if quote else []} for n in names},
            "key_points_covered": [1, 2][:most], "star_missing": [], "injection_detected": False,
        }}
    # The planned text: the quoted line after the prompt's own lead-in (prompts/question.md,
    # follow_up.md, pivot.md); quotes inside it (a contradiction quoted back) are part of it.
    found = re.search(r'(?:contains:|A suggested follow-up:|The planned pivot question:)\n"(.*?)"\s*\n\n', user, re.S)
    planned = [found.group(1)] if found else []
    return {"text": f"Thanks. {planned[-1] if planned else 'Tell me more.'}"}


def _schema(request: dict) -> dict | None:
    if request.get("tools"):
        return request["tools"][0]["function"].get("parameters")
    fmt = request.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("schema")


def _fill(schema: dict | None, user: str) -> dict:
    """A minimal object for a schema that is not the judge's (e.g. `doctor`'s probe)."""
    if schema is None:
        return {}
    values = {"boolean": True, "string": "yes", "integer": 1, "number": 1.0, "array": []}
    return {k: values.get(v.get("type"), "yes") for k, v in schema.get("properties", {}).items()}


def prompt_tokens(request: dict) -> int:
    """What the fake reports as the prompt's size: about four characters a token, like a real server."""
    return max(1, sum(len(str(m.get("content", ""))) for m in request.get("messages", [])) // 4)


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
        self.closed_early = 0
        self.active = self.max_active = 0  # requests being answered now, and the most at once
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with fake.lock:
                    fake.requests.append(body)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    reply = fake.next_reply(body)
                    fake.active += 1
                    fake.max_active = max(fake.max_active, fake.active)
                if "default" in reply:
                    reply = default_reply(body)
                try:
                    fake._respond(self, body, reply)
                finally:
                    with fake.lock:
                        fake.active -= 1

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next_reply(self, request: dict) -> Reply:
        """The first scripted reply meant for this kind of request ("for": "stream" for text, "judge" for
        structured output), else the default."""
        kind = "judge" if request.get("response_format") or request.get("tools") else "stream"
        for i, reply in enumerate(self.script):
            if reply.get("for", kind) == kind:
                del self.script[i]
                return reply
        return default_reply(request)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- replies

    def _respond(self, h: BaseHTTPRequestHandler, request: dict, reply: Reply) -> None:
        if "status" in reply:
            payload = json.dumps({"error": {"message": reply.get("message", "scripted error"), "type": "server_error"}}).encode()
            h.send_response(reply["status"])
            for k, v in reply.get("headers", {}).items():
                h.send_header(k, v)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        if "delay" in reply:
            time.sleep(reply["delay"])
            reply = default_reply(request)
        if "malformed" in reply:
            reply = {"raw_content": "{not json at all"}
        model = request.get("model", "fake")
        content = json.dumps(reply["json"]) if "json" in reply else reply.get("raw_content", reply.get("text", ""))
        tool = bool(request.get("tools")) and ("json" in reply or "raw_content" in reply)
        # The cap a real server honours: a reply longer than it stops at it, finish_reason "length".
        cap = request.get("max_completion_tokens") or request.get("max_tokens")
        words = [w + " " for w in content.split(" ")] if content else []
        finish = "tool_calls" if tool else "stop"
        if cap is not None and len(words) > cap and not reply.get("ignore_cap"):
            words, finish = words[:cap], "length"
        if words:
            words[-1] = words[-1][:-1]
        if request.get("stream"):
            self._stream(h, request, model, reply, words, finish, tool)
            return
        text = "".join(words)
        message: dict[str, Any] = {"role": "assistant", "content": None if tool else text}
        if tool:
            name = request["tools"][0]["function"]["name"]
            message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}]
        payload = json.dumps({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_tokens(request), "completion_tokens": len(words),
                      "total_tokens": prompt_tokens(request) + len(words)},
        }).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    @staticmethod
    def _chunk(model: str, delta: dict, finish: str | None = None, usage: dict | None = None) -> bytes:
        chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if usage is None else []}
        if usage is not None:
            chunk["usage"] = usage
        return f"data: {json.dumps(chunk)}\n\n".encode()

    def _stream(self, h: BaseHTTPRequestHandler, request: dict, model: str, reply: Reply, words: list[str],
                finish: str, tool: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        cut_after = reply.get("cut_after")
        name = request["tools"][0]["function"]["name"] if tool else ""
        try:
            for i, w in enumerate(words):
                if cut_after is not None and i >= cut_after:
                    h.wfile.flush()
                    h.connection.shutdown(2)  # the stream breaks off midway
                    return
                if tool:
                    call = {"index": 0, "function": {"arguments": w}}
                    if i == 0:
                        call.update(id="call_1", type="function", function={"name": name, "arguments": w})
                    delta: dict[str, Any] = {"tool_calls": [call]}
                else:
                    delta = {"content": w}
                if i == 0:
                    delta["role"] = "assistant"
                h.wfile.write(self._chunk(model, delta))
                h.wfile.flush()
                if reply.get("pace"):
                    time.sleep(reply["pace"])
            h.wfile.write(self._chunk(model, {}, finish))
            if (request.get("stream_options") or {}).get("include_usage"):
                h.wfile.write(self._chunk(model, {}, usage={"prompt_tokens": prompt_tokens(request),
                                                            "completion_tokens": len(words),
                                                            "total_tokens": prompt_tokens(request) + len(words)}))
            h.wfile.write(b"data: [DONE]\n\n")
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.closed_early += 1  # the client closed the stream: a real server stops generating
        h.close_connection = True
