"""A real browser against `interviewer ui` as its own process: the process dies just before the
candidate sends an answer, a new one starts on the same address, the page is reloaded: the
interview is there and the answer that never arrived is back in the box, said so, sent once."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.servers import app_env, free_port, start_app
from interviewer.store import Store
from tests.browser.test_ui_browser import CHROMIUM, CHROMIUM_ARGS

ANSWER = "I would check the variance of each arm first, then use Welch's t-test and report a confidence interval."


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make test` (it installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_an_answer_lost_with_its_process_comes_back_after_the_reload(page, tmp_path):
    env = app_env(tmp_path / "home", None, None)
    port = free_port()
    first = start_app(env, tmp_path / "app.log", port=port)
    second = None
    try:
        page.goto(first.url)
        page.wait_for_selector("#start")
        page.locator("#start").click()
        page.wait_for_selector("#chat .message")
        first.kill()  # dies between two answers: the next one has nowhere to go
        page.locator("#answer textarea").fill(ANSWER)
        page.locator("#answer textarea").press("Enter")
        page.wait_for_timeout(1500)
        second = start_app(env, tmp_path / "app.log", port=port)  # the same address, as behind a proxy
        page.reload()
        page.wait_for_selector("#chat .message")
        page.wait_for_function("document.querySelector('#answer textarea').value.length > 0", timeout=30_000)
        assert page.locator("#answer textarea").input_value() == ANSWER
        assert "did not reach the interview" in page.locator("#notice").inner_text()
        page.locator("#answer textarea").press("Enter")
        page.wait_for_function("document.querySelector('#answer textarea').value === ''", timeout=60_000)
        page.wait_for_function("!document.querySelector('.pending, .generating')", timeout=60_000)
        store = Store(tmp_path / "home" / "sessions.db")
        (session,) = store.sessions()
        assert [t.text for t in store.turns(session.id) if t.speaker == "candidate"] == [ANSWER]
        page.reload()  # stored now: nothing comes back
        page.wait_for_selector("#chat .message")
        page.wait_for_timeout(1500)
        assert page.locator("#answer textarea").input_value() == ""
    finally:
        for app in (first, second):
            if app is not None:
                app.stop()
