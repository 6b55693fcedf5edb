"""Red-team findings, contained (the pure parts; the running app is in tests/integration/test_redteam_app.py):
an oversized answer, resume bombs, login guessing, credentials in OPENAI_BASE_URL, open file modes."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from interviewer.config import RedactingFilter, Settings, redacted_url
from interviewer.datadir import secure_tree, write_private
from interviewer.interview.engine import (
    MAX_ANSWER_CHARS,
    Interview,
    MessageTooLong,
    check_length,
)
from interviewer.interview.resume import (
    MAX_TEXT_CHARS,
    ResumeError,
    extract_text,
    projects_from_text,
)
from interviewer.interview.services import Services
from interviewer.store import Store
from interviewer.ui.controller import Controller, SetupChoice, UserError
from interviewer.ui.login import (
    FIRST_LOCK,
    FREE_FAILURES,
    LoginThrottle,
    password_check,
)
from tests.conftest import REPO
from tests.fakes import FakeJudge, FakeSpeaker

FIVE_MB = "word " * 1_000_000 + "abc"  # 5,000,003 characters, as in the review (a 5 MB answer)


@pytest.fixture()
def services(settings: Settings, corpus) -> Services:
    return Services(settings=settings, corpus=corpus, judge=FakeJudge(), store=Store(settings.home / "sessions.db"),
                    make_speaker=lambda seed, client: FakeSpeaker())


# ---- 1. an oversized answer -------------------------------------------------------------------


def test_the_limit_message_says_how_long_the_answer_is_and_what_the_limit_is():
    with pytest.raises(MessageTooLong) as caught:
        check_length("x" * 5_000_123)
    assert str(caught.value).startswith(f"Your answer is 5,000,123 characters; the limit is {MAX_ANSWER_CHARS:,}. Shorten")
    check_length("x" * MAX_ANSWER_CHARS)  # the limit itself is allowed


def test_a_5_mb_answer_is_refused_at_once_and_changes_nothing(services):
    interview = Interview.start(services, "phone-screen", "RS", seed=3)
    store = services.store
    before = (store.session(interview.session_id).state_json, len(store.turns(interview.session_id)))
    state = interview.state.model_dump_json()
    cpu = time.process_time()
    with pytest.raises(MessageTooLong, match="5,000,003 characters"):
        interview.respond(FIVE_MB)
    assert time.process_time() - cpu < 0.5  # was 246 s of CPU
    assert services.judge.scored == []  # the judge never saw it
    assert (store.session(interview.session_id).state_json, len(store.turns(interview.session_id))) == before
    assert interview.state.model_dump_json() == state  # not even the clock moved
    assert interview.respond("Could you repeat the question?")  # the candidate goes on, nothing lost
    assert len(store.turns(interview.session_id)) == before[1] + 2


def test_the_browser_path_refuses_it_before_echoing_it_and_code_has_its_own_cap(services):
    ctl = Controller(services)
    screen = ctl.start("ann", SetupChoice(plan_id="coding", seed=1))
    turns = len(services.store.turns(screen.session_id))
    with pytest.raises(UserError, match="Your answer is 5,000,003 characters"):
        next(ctl.send("ann", screen.session_id, FIVE_MB))  # raises before the first (echoing) screen
    with pytest.raises(UserError, match="Your code is 25,000 characters; the limit is 20,000"):
        ctl.run_code("ann", screen.session_id, "x" * 25_000)
    assert len(services.store.turns(screen.session_id)) == turns
    assert list(ctl.send("ann", screen.session_id, "Can I assume the input fits in memory?"))


# ---- 2. resume bombs ---------------------------------------------------------------------------

DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
              'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
              '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
              'document.main+xml"/></Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
             '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def zip_bomb_docx(path: Path, megabytes: int = 400) -> Path:
    """A real DOCX whose document.xml unzips to `megabytes` MB of paragraphs, streamed into the zip."""
    paragraph = b"<w:p><w:r><w:t>Built a forecasting model that reduced stock-outs.</w:t></w:r></w:p>" * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", DOCX_TYPES)
        z.writestr("_rels/.rels", DOCX_RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>'.encode())
            for _ in range(megabytes * 1024 * 1024 // len(paragraph)):
                f.write(paragraph)
            f.write(b"</w:body></w:document>")
    return path


def memory_to_read(path: Path) -> tuple[str, float]:
    """(the error, MB of resident memory added) for reading the file, in a fresh process."""
    code = f"""
import resource, json
from pathlib import Path
import docx, pypdf  # loaded before measuring: the libraries are not the file
from interviewer.interview.resume import ResumeError, extract_text
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    extract_text(Path({str(path)!r})); error = ""
except ResumeError as exc:
    error = str(exc)
print(json.dumps([error, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    error, grown = json.loads(done.stdout.strip().splitlines()[-1])
    return error, grown


def test_a_docx_zip_bomb_is_refused_from_its_directory_without_extracting(tmp_path):
    bomb = zip_bomb_docx(tmp_path / "cv-bomb.docx")
    assert bomb.stat().st_size < 2 * 1024 * 1024  # well under the 5 MB upload limit (the review's: 0.48 MB)
    error, grown = memory_to_read(bomb)
    assert error.startswith("cv-bomb.docx: part word/document.xml unpacks to 400.0 MB; the limit is 5.0 MB"), error
    assert grown < 20, f"{grown:.0f} MB"  # was +457 MB


def test_docx_compression_ratio_member_count_and_method_are_checked(tmp_path):
    ratio = tmp_path / "ratio.docx"
    with zipfile.ZipFile(ratio, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/media/image1.png", b"\0" * (8 * 1024 * 1024))  # under 10 MB, but 1,000x compressed
    with pytest.raises(ResumeError, match=r"ratio.docx: part word/media/image1.png is compressed [\d,]+ times"):
        extract_text(ratio)
    many = tmp_path / "many.docx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(501):
            z.writestr(f"word/p{i}.xml", "<x/>")
    with pytest.raises(ResumeError, match="many.docx: 501 parts in the DOCX; the limit is 500"):
        extract_text(many)
    total = tmp_path / "total.docx"
    # Three 9 MB images compressed about 30 times: each within its limits, 27 MB together.
    image = b"".join(bytes([b]) + b"\0" * 99 for b in os.urandom(9 * 1024 * 1024 // 100))
    with zipfile.ZipFile(total, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(3):
            z.writestr(f"word/media/image{i}.bin", image)
    assert total.stat().st_size < 5 * 1024 * 1024
    with pytest.raises(ResumeError, match="total.docx: the DOCX unpacks to more than 25.0 MB"):
        extract_text(total)
    bz = tmp_path / "bzip.docx"
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("word/document.xml", "<x/>")
    with pytest.raises(ResumeError, match="bzip.docx: part word/document.xml uses a compression Word never writes"):
        extract_text(bz)
    with pytest.raises(ResumeError, match="fake.docx: not a DOCX file"):
        extract_text(_write(tmp_path / "fake.docx", "plain text"))


def test_a_real_docx_still_reads(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("Projects")
    doc.add_paragraph("- Built a demand forecasting model that reduced stock-outs by 18%")
    doc.save(tmp_path / "cv.docx")
    assert projects_from_text(extract_text(tmp_path / "cv.docx")) == [
        "Built a demand forecasting model that reduced stock-outs by 18%"]


def test_pdf_pages_and_resume_text_length_are_capped(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(25):
        writer.add_blank_page(612, 792)
    with open(tmp_path / "thesis.pdf", "wb") as f:
        writer.write(f)
    with pytest.raises(ResumeError, match="thesis.pdf: 25 pages; a resume has at most 20"):
        extract_text(tmp_path / "thesis.pdf")
    with pytest.raises(ResumeError, match=f"long.txt: over 150,000 characters of text; a resume has at most {MAX_TEXT_CHARS:,}"):
        extract_text(_write(tmp_path / "long.txt", "x" * 150_000))
    with pytest.raises(ResumeError, match="huge.md: 6,144 KB is too large; the limit is 5 MB"):
        extract_text(_write(tmp_path / "huge.md", "x" * (6 * 1024 * 1024)))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---- 3. login guessing -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_failed_logins_lock_with_doubling_waits_and_the_lock_survives_a_restart(tmp_path):
    clock = Clock()
    throttle = LoginThrottle(Store(tmp_path / "s.db"), clock)
    for _ in range(FREE_FAILURES - 1):
        throttle.failed("ana", "10.0.0.9")
    assert throttle.wait("ana", "10.0.0.9") == 0
    throttle.failed("ana", "10.0.0.9")
    assert throttle.wait("ana", "10.0.0.9") == FIRST_LOCK
    throttle.failed("ana", "10.0.0.9")
    assert throttle.wait("ana", "10.0.0.9") == 2 * FIRST_LOCK  # doubles
    restarted = LoginThrottle(Store(tmp_path / "s.db"), clock)  # a new process on the same data directory
    assert restarted.wait("ana", "10.0.0.9") == 2 * FIRST_LOCK
    assert restarted.wait("ana", "10.9.9.9") == 2 * FIRST_LOCK  # per user: from another address too
    assert restarted.wait("bob", "10.0.0.9") == 2 * FIRST_LOCK  # per client: for another user too
    assert restarted.wait("bob", "10.9.9.9") == 0
    clock.now += 2 * FIRST_LOCK
    assert restarted.wait("ana", "10.0.0.9") == 0
    restarted.succeeded("ana", "10.0.0.9")
    restarted.failed("ana", "10.0.0.9")
    assert restarted.wait("ana", "10.0.0.9") == 0  # a success starts the count over


def test_many_addresses_guessing_one_user_are_locked_by_the_user_limit(tmp_path):
    throttle = LoginThrottle(Store(tmp_path / "s.db"), Clock())
    for k in range(FREE_FAILURES):
        throttle.failed("ana", f"10.0.0.{k}")
    assert throttle.wait("ana", "10.0.0.200") > 0


def test_password_check_takes_every_account_and_only_exact_pairs():
    check = password_check([("ana", _secret("s3cret")), ("bob", _secret("hunter2"))])
    assert check("ana", "s3cret") and check("bob", "hunter2")
    assert not check("ana", "hunter2") and not check("ana", "s3cret ") and not check("eve", "s3cret")
    assert not check("", "")


def _secret(text: str):  # noqa: ANN202
    from pydantic import SecretStr

    return SecretStr(text)


# ---- 4. credentials in OPENAI_BASE_URL ------------------------------------------------------------

LEAKY = "https://alice:pa55w0rd@llm.example.com:8443/v1?api-key=SEKRET1&api-version=2024-06-01&sig=SIG777#tok=FRAG9"
SECRETS = ("alice", "pa55w0rd", "SEKRET1", "SIG777", "FRAG9")


@pytest.mark.parametrize(("url", "shown"), [
    (LEAKY, "https://***@llm.example.com:8443/v1?api-key=***&api-version=2024-06-01&sig=***"),
    ("http://localhost:11434/v1", "http://localhost:11434/v1"),
    ("http://TOKEN123@host/v1", "http://***@host/v1"),
    ("user:pass@host:8000/v1", "***@host:8000/v1"),
    ("https://h/v1?key=a1&token=b2&access_token=c3&apikey=d4&password=e5&secret=f6&Ocp-Apim-Subscription-Key=g7",
     "https://h/v1?key=***&token=***&access_token=***&apikey=***&password=***&secret=***&Ocp-Apim-Subscription-Key=***"),
])
def test_redacted_url_strips_userinfo_and_secret_parameters(url, shown):
    assert redacted_url(url) == shown


def test_settings_repr_error_text_and_log_lines_never_show_them():
    s = Settings.from_env(env={"OPENAI_BASE_URL": LEAKY, "OPENAI_API_KEY": "sk-REALKEY"})
    assert s.base_url == LEAKY  # the real URL is what the client connects to
    assert not any(x in repr(s) for x in (*SECRETS, "sk-REALKEY"))
    said = s.redact(f"ConnectError: {LEAKY}; Authorization: Bearer sk-REALKEY; at alice:pa55w0rd@ ...")
    assert not any(x in said for x in (*SECRETS, "sk-REALKEY")), said
    record = logging.LogRecord("httpx2", logging.INFO, __file__, 1, "HTTP Request: POST %s", (LEAKY,), None)
    RedactingFilter(s).filter(record)
    assert not any(x in record.getMessage() for x in SECRETS)


class FakeClient:
    """A model client as the engine sees it in model mode, without a server."""

    model_name = "gpt-test"

    def __init__(self) -> None:
        from interviewer.llm import Usage

        self.usage = Usage()

    def fork(self) -> FakeClient:
        return self

    def stream(self, messages, purpose="speaker"):  # noqa: ANN001, ANN201
        from interviewer.llm import ModelError

        raise ModelError("no summary in this test")

    def text(self, messages, purpose):  # noqa: ANN001, ANN201
        return "".join(self.stream(messages, purpose))


def test_the_banner_the_stored_session_and_every_report_show_the_endpoint_without_credentials(home, corpus):
    from interviewer.report.build import report_for_session
    from interviewer.report.render import render

    s = Settings.from_env(env={"INTERVIEWER_HOME": str(home), "OPENAI_BASE_URL": LEAKY})
    services = Services(settings=s, corpus=corpus, judge=FakeJudge(), store=Store(home / "sessions.db"),
                        speaker_client=FakeClient(), make_speaker=lambda seed, client: FakeSpeaker())  # type: ignore[arg-type]
    assert services.mode == "model gpt-test at https://***@llm.example.com:8443/v1?api-key=***&api-version=2024-06-01&sig=***"
    interview = Interview.start(services, "phone-screen", "RS", seed=2)
    interview.respond("I would start from a baseline.")
    interview.end()
    row = services.store.session(interview.session_id)
    report = report_for_session(corpus, services.store, interview.session_id)
    written = [Path(p).read_text(encoding="utf-8") for p in row.meta.reports.values()]
    assert len(written) == 3
    for text in [row.meta.mode or "", *(render(report, f) for f in ("md", "html", "json")), *written]:
        assert "llm.example.com" in text  # the endpoint is there: only its credentials are not
        assert not any(x in text for x in SECRETS), text[:300]


def test_sessions_stored_with_credentials_before_the_fix_are_scrubbed_on_open(tmp_path):
    import sqlite3

    store = Store(tmp_path / "s.db")
    sid = store.create_session("ann", "stats", "RS", 1, "{}")
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute("UPDATE sessions SET mode = ? WHERE id = ?", (f"model gpt-4o at {LEAKY}", sid))
    assert Store(tmp_path / "s.db").session(sid).meta.mode == f"model gpt-4o at {redacted_url(LEAKY)}"


# ---- 6. the port is checked before "listening" is said ----------------------------------------------


def test_port_problem_names_the_port_and_the_way_out():
    from interviewer.cli.browser import port_problem

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        problem = port_problem("127.0.0.1", port)
    assert problem and f"port {port} on 127.0.0.1 is already in use" in problem and "--port N or INTERVIEWER_PORT" in problem
    assert port_problem("127.0.0.1", port) is None  # free again once closed
    assert "192.0.2.1 is not an address of this machine" in (port_problem("192.0.2.1", 7860) or "")


# ---- 7. data at rest -------------------------------------------------------------------------------


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_0700_and_the_database_and_its_wal_are_0600(tmp_path):
    home = tmp_path / "fresh" / "interviewer"
    import sqlite3

    store = Store(home / "sessions.db")
    assert mode_of(home) == 0o700 and mode_of(home.parent) == 0o700  # created by us, so private too
    reader = sqlite3.connect(home / "sessions.db")  # the -wal and -shm live while a connection is open
    try:
        reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
        store.create_session("ann", "stats", "RS", 1, "{}")
        files = [p for p in home.iterdir() if p.name.startswith("sessions.db")]
        assert {p.name for p in files} == {"sessions.db", "sessions.db-wal", "sessions.db-shm"}
        assert {p.name: mode_of(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        reader.close()
    assert mode_of(write_private(home / "r.md", "report")) == 0o600


def test_an_existing_open_data_directory_is_tightened_on_start_with_a_log_line(tmp_path, caplog):
    home = tmp_path / "old-home"
    (home / "reports").mkdir(parents=True)
    (home / "reports" / "x.md").write_text("transcript")
    (home / "ui-secret").write_text("0123456789abcdef")
    for p in (home, home / "reports"):
        p.chmod(0o755)
    for p in (home / "reports" / "x.md", home / "ui-secret"):
        p.chmod(0o644)
    (home / "link").symlink_to(tmp_path)  # not followed
    with caplog.at_level(logging.WARNING, logger="interviewer.datadir"):
        assert secure_tree(home) == 4
    assert "made 4 file(s) and folder(s) in the data directory" in caplog.text
    assert mode_of(home) == mode_of(home / "reports") == 0o700
    assert mode_of(home / "reports" / "x.md") == mode_of(home / "ui-secret") == 0o600
    assert secure_tree(home) == 0  # nothing left to do, and nothing logged again
