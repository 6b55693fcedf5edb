from __future__ import annotations

import os
import subprocess
import sys

import pytest

from interviewer.config import OFFLINE_DEFAULTS, Settings, default_home
from tests.conftest import REPO


def test_importing_the_package_sets_offline_defaults():
    code = "import os, interviewer; print(os.environ['HF_HUB_OFFLINE'], os.environ['GRADIO_ANALYTICS_ENABLED'])"
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_DEFAULTS}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"]


def test_a_user_value_wins_over_the_default():
    code = "import os, interviewer; print(os.environ['TOKENIZERS_PARALLELISM'])"
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "true"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "true"


def test_from_env_reads_home_corpus_path_and_server(tmp_path):
    env = {
        "INTERVIEWER_HOME": str(tmp_path / "h"),
        "INTERVIEWER_CORPUS_PATH": f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}",
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": "9123",
    }
    s = Settings.from_env(env=env)
    assert s.home == tmp_path / "h" and s.chroma_dir == tmp_path / "h" / "chroma"
    assert s.extra_corpus_dirs == [tmp_path / "a", tmp_path / "b"]
    assert s.server_mode and s.chroma_port == 9123
    assert (s.corpus_dir / "lps").is_dir() and s.prompts_dir.is_dir()


def test_default_home_is_per_user_and_outside_the_repo():
    s = Settings.from_env(env={"HOME": "/home/someone"})
    assert s.home == default_home()
    repo = REPO
    assert repo not in s.home.parents
    assert not s.server_mode


def test_bad_port_is_a_clear_error():
    with pytest.raises(ValueError, match="CHROMA_PORT must be a port number, got 'abc'"):
        Settings.from_env(env={"CHROMA_PORT": "abc"})
