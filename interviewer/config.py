"""Settings: the only module that reads environment variables.

`apply_offline_defaults()` runs when the package is imported, before any heavy library is
imported, so a user never has to set HF_HUB_OFFLINE and friends themselves.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import BaseModel, Field, SecretStr

log = logging.getLogger(__name__)

# Defaults that keep every library off the network. setdefault: an explicit user value wins.
OFFLINE_DEFAULTS: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
}

PACKAGE_DIR = Path(__file__).resolve().parent


def apply_offline_defaults() -> None:
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def _bundled_dir(name: str) -> Path:
    """`corpus/` or `prompts/`: interviewer/data/ in a wheel, the repo root in a checkout."""
    for candidate in (PACKAGE_DIR / "data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name}/ directory not found next to {PACKAGE_DIR}")


def default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "interviewer"


STRUCTURED_OUTPUT_METHODS = ("json_schema", "function_calling", "json_mode")
# The largest reply, in tokens, each kind of model call may produce: a small local model that does
# not stop otherwise holds a turn for minutes. The one place caps are set; INTERVIEWER_COMPLETION_CAPS
# overrides any of them ("judge=900,speaker=200").
COMPLETION_CAPS: dict[str, int] = {
    "speaker": 160,  # a question, follow-up, pivot or clarification: two or three sentences
    "judge": 700,  # the judgement object, whose schema bounds every list and string
    "summary": 400,  # the report's closing feedback
    "candidate": 320,  # a simulated candidate's answer (evals)
    "probe": 48,  # doctor's requests
}
# Which request field carries the cap: OpenAI and llama-server read max_completion_tokens; some
# servers read only the older max_tokens.
CAP_FIELDS = ("max_completion_tokens", "max_tokens")
MODEL_JUDGE_MODES = ("auto", "force", "off")

# A query parameter whose name (lower case, without - and _) contains one of these holds a
# credential: api-key, key, token, access_token, apikey, password, secret, sig, subscription-key...
# Broad on purpose: hiding a harmless parameter costs nothing, showing a key costs a lot.
_SECRET_PARAM = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential|session|code", re.I)
HIDDEN = "***"


def _split(url: str):  # noqa: ANN202 - urllib's SplitResult
    # "user:pass@host:8000/v1" has no scheme: read it as a network location, not as scheme "user".
    return urlsplit(url if "://" in url else f"//{url}")


def redacted_url(url: str) -> str:
    """The URL safe to show, log or store: no user:password@, no credential-like query values,
    no fragment. The real URL is still what the model client connects to."""
    try:
        parts = _split(url.strip())
    except ValueError:
        return "(an unreadable URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{HIDDEN}@{netloc.rpartition('@')[2]}"
    query = "&".join(
        f"{name}={HIDDEN}" if _SECRET_PARAM.search(unquote(name).replace("-", "").replace("_", "")) else f"{name}{eq}{value}"
        for name, eq, value in (piece.partition("=") for piece in parts.query.split("&") if piece)
    )
    shown = urlunsplit((parts.scheme, netloc, parts.path, query, ""))
    return shown if "://" in url else shown.removeprefix("//")


def url_secrets(url: str) -> list[str]:
    """The credential pieces of a URL (userinfo, its password, secret query values), raw and
    decoded, longest first: what `llm.redact` removes from error messages that quote the URL."""
    try:
        parts = _split(url.strip())
    except ValueError:
        return [url]
    found: set[str] = set()
    if "@" in parts.netloc:
        userinfo = parts.netloc.rpartition("@")[0]
        found.update({userinfo, userinfo.partition(":")[2]})
    for piece in parts.query.split("&"):
        name, _, value = piece.partition("=")
        if value and _SECRET_PARAM.search(unquote(name).replace("-", "").replace("_", "")):
            found.add(value)
    if parts.fragment:
        found.add(parts.fragment)
    found |= {unquote(s) for s in found}
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


def _number(env: dict[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {text!r}") from exc
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {text!r}")
    return value


def _port(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name) or str(default)
    try:
        port = int(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a port number, got {text!r}") from exc
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be between 1 and 65535, got {port}")
    return port


def _os_user(env: dict[str, str]) -> str:
    """The login name, as getpass finds it, from the given environment first (tests pass one)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if env.get(name):
            return env[name]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return "local"


def parse_auth(text: str) -> list[tuple[str, SecretStr]]:
    """INTERVIEWER_AUTH: `user:password`, several separated by commas."""
    logins = []
    for i, pair in enumerate(p.strip() for p in text.split(",") if p.strip()):
        user, sep, password = pair.partition(":")
        if not sep or not user.strip() or not password:
            # Never echo the value: it holds a password.
            raise ValueError(f"INTERVIEWER_AUTH entry {i + 1} must look like user:password")
        logins.append((user.strip(), SecretStr(password)))
    return logins


def _flag(env: dict[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value not in ("", "0", "1", "true", "false", "yes", "no"):
        raise ValueError(f"{name} must be 1 or 0 (true/false, yes/no), got {value!r}")
    return value in ("1", "true", "yes")


def parse_caps(text: str) -> dict[str, int]:
    """INTERVIEWER_COMPLETION_CAPS: `purpose=tokens` pairs separated by commas, over the defaults."""
    caps = dict(COMPLETION_CAPS)
    for i, pair in enumerate(p.strip() for p in text.split(",") if p.strip()):
        name, sep, value = (x.strip() for x in pair.partition("="))
        if not sep or name not in COMPLETION_CAPS:
            raise ValueError(f"INTERVIEWER_COMPLETION_CAPS entry {i + 1} ({pair!r}) must be purpose=tokens with purpose "
                             f"one of {', '.join(COMPLETION_CAPS)}")
        if not value.isdigit() or not 1 <= int(value) <= 32768:
            raise ValueError(f"INTERVIEWER_COMPLETION_CAPS entry {i + 1} ({pair!r}): tokens must be a whole number from 1 to 32768")
        caps[name] = int(value)
    return caps


def _choice(env: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


class Settings(BaseModel):
    """Everything configurable, read once from the environment by `Settings.from_env()`."""

    home: Path = Field(description="data directory: index, sessions, reports")
    corpus_dir: Path = Field(description="the built-in corpus")
    prompts_dir: Path
    extra_corpus_dirs: list[Path] = Field(default_factory=list)
    chroma_host: str | None = None
    chroma_port: int = 8000
    # Sessions, turns, the story bank and login throttling: SQLite under `home` unless set.
    database_url: SecretStr | None = Field(None, description="postgresql://user:password@host:port/db")
    ranker: str = "hybrid"
    log_level: str = "WARNING"
    # Model mode: any OpenAI-compatible server. No key and no base URL: offline mode.
    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    judge_model: str | None = None
    structured_output: str = "json_schema"
    timeout_seconds: float = 30.0  # one request, waiting for the server's next bytes
    deadline_seconds: float = 60.0  # one call, all in: waiting for a slot, retries, the whole reply
    max_retries: int = 2
    token_budget: int = 3000
    completion_caps: dict[str, int] = Field(default_factory=lambda: dict(COMPLETION_CAPS))
    cap_field: str = "max_completion_tokens"
    model_concurrency: int = Field(0, description="requests at once to one server; 0: 1 on this machine, 4 elsewhere")
    breaker_seconds: float = 30.0  # after a server stops answering, calls go offline this long
    model_judge: str = Field("auto", description="auto: the model judge scores once it qualifies; force; off")
    # The browser app.
    ui_host: str = "127.0.0.1"
    ui_port: int = 7860
    ui_auth: list[tuple[str, SecretStr]] = Field(default_factory=list, description="logins; empty means no login")
    ui_shared: bool = Field(False, description="several people use the app (a proxy in front of 127.0.0.1, say)")
    os_user: str = Field("local", description="who runs the program: the terminal's sessions are theirs")

    def __repr_args__(self):  # noqa: ANN204 - pydantic's hook: a logged Settings shows no URL credentials
        for name, value in super().__repr_args__():
            yield name, redacted_url(value) if name == "base_url" and value else value

    def redact(self, text: str) -> str:
        """The text without the API key or the credentials in OPENAI_BASE_URL: for error messages
        and log lines, which may quote the URL (httpx logs every request's)."""
        if self.base_url:
            text = text.replace(self.base_url, redacted_url(self.base_url))
        secrets = [self.api_key.get_secret_value()] if self.api_key else []
        if self.database_url:
            secrets += url_secrets(self.database_url.get_secret_value())
        for secret in [*secrets, *(url_secrets(self.base_url) if self.base_url else [])]:
            text = text.replace(secret, HIDDEN) if secret else text
        return text

    @property
    def shown_base_url(self) -> str:
        """Where the model is, as shown, logged and stored: the base URL without credentials."""
        return redacted_url(self.base_url) if self.base_url else "the OpenAI API"

    @property
    def single_user(self) -> bool:
        """The browser app serves only this machine's user: on 127.0.0.1, without logins, not marked
        shared. The browser is then the same person as the terminal, and both see one history;
        otherwise each login, or each browser, has its own."""
        return self.ui_host in ("127.0.0.1", "localhost", "::1") and not self.ui_auth and not self.ui_shared

    @property
    def local_server(self) -> bool:
        """The model server runs on this machine (llama-server, Ollama...): it shares two cores."""
        host = _split(self.base_url).hostname if self.base_url else None
        return host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")

    @property
    def concurrency(self) -> int:
        """Requests at once to the model server: a local server's context is shared by its slots."""
        return self.model_concurrency or (1 if self.local_server else 4)

    @property
    def model_mode(self) -> bool:
        return self.api_key is not None or self.base_url is not None

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def database(self) -> str:
        """Where the store is: the database URL (its password included: for the store alone), else
        the SQLite file under the data directory."""
        return self.database_url.get_secret_value() if self.database_url else str(self.home / "sessions.db")

    @property
    def server_mode(self) -> bool:
        return self.chroma_host is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ) if env is None else env
        extra = [Path(p) for p in env.get("INTERVIEWER_CORPUS_PATH", "").split(os.pathsep) if p.strip()]
        port = _port(env, "CHROMA_PORT", 8000)
        values: dict[str, object] = {
            "home": Path(env["INTERVIEWER_HOME"]).expanduser() if env.get("INTERVIEWER_HOME") else default_home(),
            "corpus_dir": _bundled_dir("corpus"),
            "prompts_dir": _bundled_dir("prompts"),
            "extra_corpus_dirs": extra,
            "chroma_host": env.get("CHROMA_HOST") or None,
            "chroma_port": port,
            "database_url": SecretStr(env["INTERVIEWER_DATABASE_URL"]) if env.get("INTERVIEWER_DATABASE_URL") else None,
            "ranker": env.get("INTERVIEWER_RANKER", "hybrid"),
            "log_level": env.get("INTERVIEWER_LOG_LEVEL", "WARNING").upper(),
            "api_key": SecretStr(env["OPENAI_API_KEY"]) if env.get("OPENAI_API_KEY") else None,
            "base_url": env.get("OPENAI_BASE_URL") or None,
            "model": env.get("INTERVIEWER_MODEL") or "gpt-4o-mini",
            "judge_model": env.get("INTERVIEWER_JUDGE_MODEL") or None,
            "structured_output": _choice(env, "INTERVIEWER_STRUCTURED_OUTPUT", "json_schema", STRUCTURED_OUTPUT_METHODS),
            "timeout_seconds": _number(env, "INTERVIEWER_TIMEOUT", 30.0),
            "deadline_seconds": _number(env, "INTERVIEWER_DEADLINE", 60.0),
            "max_retries": int(_number(env, "INTERVIEWER_MAX_RETRIES", 2)),
            "token_budget": int(_number(env, "INTERVIEWER_TOKEN_BUDGET", 3000)),
            "completion_caps": parse_caps(env.get("INTERVIEWER_COMPLETION_CAPS", "")),
            "cap_field": _choice(env, "INTERVIEWER_CAP_FIELD", "max_completion_tokens", CAP_FIELDS),
            "model_concurrency": int(_number(env, "INTERVIEWER_MODEL_CONCURRENCY", 0)),
            "breaker_seconds": _number(env, "INTERVIEWER_BREAKER_SECONDS", 30.0),
            "model_judge": _choice(env, "INTERVIEWER_MODEL_JUDGE", "auto", MODEL_JUDGE_MODES),
            "ui_host": env.get("INTERVIEWER_HOST") or "127.0.0.1",
            "ui_port": _port(env, "INTERVIEWER_PORT", 7860),
            "ui_auth": parse_auth(env.get("INTERVIEWER_AUTH", "")),
            "ui_shared": _flag(env, "INTERVIEWER_SHARED"),
            "os_user": _os_user(env),
        }
        values.update(overrides)
        return cls(**values)


class RedactingFilter(logging.Filter):
    """On a log handler: every record it writes, from any library, without the model credentials."""

    def __init__(self, settings: Settings):
        super().__init__()
        self.settings = settings

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = self.settings.redact(message)
        if safe != message:
            record.msg, record.args = safe, ()
        return True
