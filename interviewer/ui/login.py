"""Logins to the browser app: passwords compared in constant time, and failed attempts throttled
per user name and per client address, in the store so a restart does not reset them.

Gradio's `auth=` callable receives only (username, password), not the request, so the throttle
sits in front of Gradio's POST /login as a small ASGI middleware (`LoginGuard`): it refuses a
locked user or client before Gradio checks anything, and counts the outcome Gradio answers with
(200 in, 400 wrong). Gradio's login page shows any 400 as "Incorrect Credentials", so the app's
login message (`POLICY`) says up front what happens after repeated failures; the 400's JSON detail
names the wait for API clients, and Retry-After carries it too.

The client is the TCP peer. Behind a proxy that is the proxy, so the per-user limit is what still
holds there; X-Forwarded-For is not trusted, since any client can write it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

FREE_FAILURES = 5  # wrong passwords allowed before the first lock
FIRST_LOCK = 30.0  # seconds; doubles with each further failure
LONGEST_LOCK = 15 * 60.0
FORGET_AFTER = 60 * 60.0  # a streak with no failure for an hour starts over
MAX_LOGIN_BODY = 64 * 1024  # a login form is a user name and a password
POLICY = (f"After {FREE_FAILURES} wrong passwords for a user or from one address, logins wait "
          f"{FIRST_LOCK:.0f} s, then twice as long after each further failure (up to {LONGEST_LOCK / 60:.0f} min).")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LoginLedger(Protocol):
    """Where failed logins are counted (store.Store; a shared database for several app processes)."""

    def login_failure(self, key: str, now: float, forget_after: float) -> int: ...
    def lock_login(self, key: str, until: float) -> None: ...
    def login_locked_until(self, keys: list[str]) -> float: ...
    def clear_logins(self, keys: list[str]) -> None: ...


def password_check(accounts: list[tuple[str, SecretStr]]) -> Callable[[str, str], bool]:
    """Gradio's `auth` callable. Every account is compared, with digests of equal length, so the
    time taken says neither whether the name exists nor how much of the password was right."""
    digests = [(_digest(user), _digest(password.get_secret_value())) for user, password in accounts]

    def check(username: str, password: str) -> bool:
        user, secret = _digest(username), _digest(password)
        ok = False
        for known_user, known_secret in digests:
            ok |= hmac.compare_digest(user, known_user) & hmac.compare_digest(secret, known_secret)
        return ok

    return check


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class LoginThrottle:
    """Exponential lock-outs after repeated failures, per user name and per client address."""

    def __init__(self, ledger: LoginLedger, clock: Callable[[], float] = time.time):
        self.ledger = ledger
        self.clock = clock

    @staticmethod
    def keys(username: str, client: str) -> list[str]:
        return [f"user:{username.strip()}", f"client:{client}"]

    def wait(self, username: str, client: str) -> float:
        """Seconds until this user may try again from this client; 0 when they may now."""
        return max(0.0, self.ledger.login_locked_until(self.keys(username, client)) - self.clock())

    def failed(self, username: str, client: str) -> None:
        now = self.clock()
        for key in self.keys(username, client):
            failures = self.ledger.login_failure(key, now, FORGET_AFTER)
            if failures >= FREE_FAILURES:
                lock = min(LONGEST_LOCK, FIRST_LOCK * 2 ** (failures - FREE_FAILURES))
                self.ledger.lock_login(key, now + lock)
                log.warning("login locked for %.0f s after %d failures: %s", lock, failures, key)

    def succeeded(self, username: str, client: str) -> None:
        self.ledger.clear_logins(self.keys(username, client))


def locked_message(wait: float) -> str:
    return f"Too many failed logins for this user or from this address; try again in {max(1, round(wait))} s."


class LoginGuard:
    """ASGI middleware: the throttle around Gradio's POST /login; every other request passes."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle):
        self.app = app
        self.throttle = throttle
        # One login at a time: parallel guesses would all pass the check before any was counted.
        # A check takes milliseconds, so honest users do not notice the queue.
        self._one_at_a_time = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await _reply(send, 413, "The login form is too large.")
            return
        username = await _username(scope, body)
        client = (scope.get("client") or ("unknown", 0))[0]
        async with self._one_at_a_time:
            # The ledger is a database: off the event loop, which serves every other user meanwhile.
            wait = await run_in_threadpool(self.throttle.wait, username, client)
            if wait > 0:
                log.info("login refused while locked: user %r from %s", username, client)
                await _reply(send, 400, locked_message(wait), {"retry-after": str(max(1, round(wait)))})
                return

            async def counted(message: Message) -> None:
                # The outcome is on record before the client hears it.
                if message["type"] == "http.response.start" and message["status"] == 200:
                    await run_in_threadpool(self.throttle.succeeded, username, client)
                elif message["type"] == "http.response.start" and message["status"] == 400:
                    await run_in_threadpool(self.throttle.failed, username, client)
                await send(message)

            await self.app(scope, _replay(body), counted)


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_LOGIN_BODY:
            return None
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _username(scope: Scope, body: bytes) -> str:
    """The form's user name (urlencoded from API clients, multipart from Gradio's login page)."""
    from starlette.requests import Request

    try:
        form = await Request(scope, _replay(body)).form()
        return str(form.get("username") or "").strip()
    except Exception:  # noqa: BLE001 - a malformed form: Gradio answers it; it counts for the client only
        return ""


async def _reply(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
