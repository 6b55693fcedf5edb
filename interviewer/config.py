"""Settings: the only module that reads environment variables.

`apply_offline_defaults()` runs when the package is imported, before any heavy library is
imported, so a user never has to set HF_HUB_OFFLINE and friends themselves.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from pydantic import BaseModel, Field

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
    """`corpus/` or `prompts/`: inside the package in a wheel, at the repo root in a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {name}/ directory not found next to {PACKAGE_DIR}")


def default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "interviewer"


class Settings(BaseModel):
    """Everything configurable, read once from the environment by `Settings.from_env()`."""

    home: Path = Field(description="data directory: index, sessions, reports")
    corpus_dir: Path = Field(description="the built-in corpus")
    prompts_dir: Path
    extra_corpus_dirs: list[Path] = Field(default_factory=list)
    chroma_host: str | None = None
    chroma_port: int = 8000
    ranker: str = "hybrid"
    log_level: str = "WARNING"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def server_mode(self) -> bool:
        return self.chroma_host is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ) if env is None else env
        extra = [Path(p) for p in env.get("INTERVIEWER_CORPUS_PATH", "").split(os.pathsep) if p.strip()]
        port_text = env.get("CHROMA_PORT", "8000")
        try:
            port = int(port_text)
        except ValueError as exc:
            raise ValueError(f"CHROMA_PORT must be a port number, got {port_text!r}") from exc
        values: dict[str, object] = {
            "home": Path(env["INTERVIEWER_HOME"]).expanduser() if env.get("INTERVIEWER_HOME") else default_home(),
            "corpus_dir": _bundled_dir("corpus"),
            "prompts_dir": _bundled_dir("prompts"),
            "extra_corpus_dirs": extra,
            "chroma_host": env.get("CHROMA_HOST") or None,
            "chroma_port": port,
            "ranker": env.get("INTERVIEWER_RANKER", "hybrid"),
            "log_level": env.get("INTERVIEWER_LOG_LEVEL", "WARNING").upper(),
        }
        values.update(overrides)
        return cls(**values)
