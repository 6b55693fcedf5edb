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
        if schema is not None and "criteria" not in json.dumps(schema) or (schema is None and "criteria" not in user):
            return {"json": _fill(schema, user)}
        answer = re.search(r"<(answer-[0-9a-f]+)>\n(.*?)\n</\1>", user, re.S)  # the tag is new for every call
        text = answer.group(2) if answer else ""
        quote = " ".join(text.split()[:6])
        behavioral = "Signals of a strong story" in user
        names = ["star_structure", "specificity", "ownership", "lp_alignment"] if behavioral else ["coverage", "accuracy", "depth", "structure"]
        return {"json": {
            "criteria": [{"name": n, "score": 3, "rationale": f"{n} is solid.", "evidence": [quote] if quote else []} for n in names],
            "key_points_covered": [1, 2], "star_missing": [], "injection_detected": False,
        }}
    planned = re.findall(r'"([^"]{10,})"', user)
    return {"text": f"Thanks. {planned[-1] if planned else 'Tell me more.'}"}


def _schema(request: dict) -> dict | None:
    if request.get("tools"):
        return request["tools"][0]["function"].get("parameters")
    fmt = request.get("response_format") or {}
    return (fmt.get("json_schema") or {}).get("schema")


def _fill(schema: dict | None, user: str) -> dict:
    """A minimal object for a schema that is not the judge's (e.g. `doctor`'s probe)."""
    if schema is None:  # json_mode: the field names are in the prompt
        names = re.search(r"fields: ([\w, ]+)\.", user)
        return {n.strip(): "yes" for n in (names.group(1).split(",") if names else [])}
    values = {"boolean": True, "string": "yes", "integer": 1, "number": 1.0, "array": []}
    return {k: values.get(v.get("type"), "yes") for k, v in schema.get("properties", {}).items()}


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()
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
                if "default" in reply:
                    reply = default_reply(body)
                fake._respond(self, body, reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next_reply(self, request: dict) -> Reply:
        """The first scripted reply meant for this kind of request ("for": "stream" or "judge"), else the default."""
        kind = "stream" if request.get("stream") else "judge"
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
        if request.get("stream"):
            self._stream(h, model, reply)
            return
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        if "json" in reply or "raw_content" in reply:
            content = json.dumps(reply["json"]) if "json" in reply else reply["raw_content"]
            if request.get("tools"):
                name = request["tools"][0]["function"]["name"]
                message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": content}}]
                finish = "tool_calls"
            else:
                message["content"] = content
        else:
            message["content"] = reply.get("text", "")
        payload = json.dumps({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)

    def _stream(self, h: BaseHTTPRequestHandler, model: str, reply: Reply) -> None:
        text = reply.get("text", "")
        words = [w + " " for w in text.split(" ")] if text else []
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Connection", "close")
        h.end_headers()
        cut_after = reply.get("cut_after")
        for i, w in enumerate(words):
            if cut_after is not None and i >= cut_after:
                h.wfile.flush()
                h.connection.shutdown(2)  # the stream breaks off midway
                return
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": w} if i == 0 else {"content": w}, "finish_reason": None}]}
            h.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            h.wfile.flush()
        end = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
               "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        h.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
        h.wfile.flush()
        h.close_connection = True
