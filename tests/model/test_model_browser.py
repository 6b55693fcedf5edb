"""One streamed turn in the browser against the real llama-server: `interviewer ui` in its own
process, Debian's Chromium through Playwright. The reply grows on screen and ends clean."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from interviewer.speaker.guard import TEMPLATE_TOKENS
from tests.browser.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, STORY, pick
from tests.model.conftest import free_port

EXE = Path(sys.executable).with_name("interviewer")


def test_one_streamed_turn_in_the_browser(llama_server, tmp_path):
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "INTERVIEWER_"))}
    env.update({"INTERVIEWER_HOME": str(tmp_path / "home"), "OPENAI_BASE_URL": llama_server.base_url,
                "INTERVIEWER_MODEL": "gemma-3-270m", "INTERVIEWER_DEADLINE": "30",
                # The judge's qualification is the terminal tests' business; here it would share the
                # server's one request slot with this turn (see the README's note on the first start).
                "INTERVIEWER_MODEL_JUDGE": "off"})
    app = subprocess.Popen([str(EXE), "ui", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                assert app.poll() is None and time.monotonic() < deadline, "the app did not start"
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_selector("#start")
            pick(page, "Format", "Behavioural drill")
            page.locator("#start").click()
            page.wait_for_selector("#chat .message")
            before = page.locator("#chat .message").count()
            page.locator("#answer textarea").fill(STORY)
            start, seen = time.monotonic(), []
            page.locator("#answer textarea").press("Enter")
            # The first answer also waits for the offline judge's models to load (10-20 s, more on a busy machine).
            page.wait_for_function(f"document.querySelectorAll('#chat .message').length >= {before + 2}", timeout=120_000)
            while time.monotonic() - start < 90:
                text = page.locator("#chat .message").last.inner_text()
                if not seen or text != seen[-1]:
                    seen.append(text)
                if page.locator(".pending, .generating").count() == 0 and text.strip() and not text.strip().endswith("…"):
                    break
                time.sleep(0.1)
            took = time.monotonic() - start
            final = page.locator("#chat .message").last.inner_text()
            page.screenshot(path=str(tmp_path / "model-turn.png"), full_page=True)
            browser.close()
        assert final.strip() and not TEMPLATE_TOKENS.search(final), final
        assert took < 120, f"the turn took {took:.0f} s"
        # The reply appeared on screen before it was complete, or in one piece when the guard held it
        # back; either way the transcript stored is what the page shows.
        from interviewer.store import Store

        store = Store(tmp_path / "home" / "sessions.db")
        session = max(store.sessions(), key=lambda r: r.created_at)
        last = store.turns(session.id)[-1]
        assert last.speaker == "interviewer" and " ".join(last.text.split())[:80] in " ".join(final.split())
        print(f"\nbrowser turn: {len(seen)} distinct renders in {took:.1f} s; by {session.meta.model_events[-1].by}")
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
