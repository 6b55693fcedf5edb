"""In a real browser (Debian's Chromium through Playwright): a story bank built, scored and mapped,
the 16 x 2 grid filling, practice on the weakest LPs, a story drill and the export; then a
timed online assessment taken to its report. Screenshots go to artefacts/ui/."""

from __future__ import annotations

from tests.browser.test_ui_browser import ARTEFACTS, chromium_present, page  # noqa: F401 - fixtures
from tests.integration.test_ui_app import app  # noqa: F401 - the app launched in-process, as a fixture

STORIES = [
    ("Fraud alert nobody owned",
     "Last spring the fraud model started flagging twice as many orders after a holiday sale, and nobody owned the "
     "alert because the team that built it had moved on. I took it on myself. I pulled two weeks of flagged orders and "
     "found that a new payment method had no history, so its features were all null. I wrote a fix that imputed them "
     "from the customer's past payments, retrained the model and added a drift alert on every input feature. False "
     "positives fell from 9% to 4% within three weeks and the review queue dropped by 300 orders a day. I learned to "
     "monitor every feature a model depends on, not just its score."),
    ("Churn labels",
     "We had a problem with a churn model once and the whole team worked on it together. We looked at the data and we "
     "found some issues with the labels. We fixed them and we retrained everything over a few weeks. In the end it "
     "worked much better and the stakeholders were happy with what we delivered. We learned a lot about working together."),
]


def add_story(page, title: str, text: str, lp: str | None = None) -> None:  # noqa: ANN001, F811
    before = page.locator("#story-table").inner_text()
    page.locator("#story-title input, #story-title textarea").first.fill(title)
    page.locator("#story-text textarea").fill(text)
    if lp:
        page.get_by_label("LPs it evidences (optional: leave empty to use the suggestion)").click()
        page.get_by_role("option", name=lp, exact=True).click()
        page.keyboard.press("Escape")
    page.locator("#story-add").click()
    page.wait_for_function(f"document.querySelector('#story-table').innerText.includes({title!r})"
                           f" && document.querySelector('#story-table').innerText !== {before!r}", timeout=90_000)


def test_a_story_bank_in_the_browser(app, page):  # noqa: F811
    services, url = app
    page.goto(url)
    page.get_by_role("tab", name="Story bank").click()
    page.wait_for_selector("#story-add")
    add_story(page, *STORIES[0], lp="Ownership")
    add_story(page, *STORIES[1])
    # The add form empties, its LPs too: the next story is not filed under the last one's.
    assert page.locator("#story-text textarea").input_value() == ""
    assessment = page.locator("#story-assessment").inner_text()
    assert "Churn labels" in assessment and "the action is the team's, not yours" in assessment
    grid = page.locator("#story-grid").inner_text()
    assert "LPs have two strong stories" in grid and "Fraud alert nobody owned (strong)" in grid
    page.screenshot(path=str(ARTEFACTS / "stories-1-bank.png"), full_page=True)

    # The export downloads the bank as Markdown.
    with page.expect_download() as info:
        page.locator("#story-export-md").click()
    exported = info.value.path().read_text(encoding="utf-8")
    assert "## Fraud alert nobody owned" in exported and "## Churn labels" in exported

    # Practice: a behavioural drill on the weakest LPs opens in the Interview tab.
    page.locator("#story-practice").click()
    page.wait_for_selector("#chat .message")
    assert "Behavioural drill" in page.locator("#chat .message").first.inner_text()
    page.screenshot(path=str(ARTEFACTS / "stories-2-practice.png"), full_page=True)

    # A drill on one story: the Bar Raiser asks for that story first.
    page.get_by_role("tab", name="Story bank").click()
    page.get_by_label("Your stories").click()
    page.get_by_role("option").filter(has_text="Churn labels").click()
    page.wait_for_function("document.querySelector('#story-assessment').innerText.includes('Churn labels')")
    page.locator("#story-drill").click()
    page.wait_for_function("[...document.querySelectorAll('#chat .message')].some(m => m.innerText.includes('\"Churn labels\"'))",
                           timeout=60_000)


def test_an_online_assessment_in_the_browser(app, page):  # noqa: F811
    services, url = app
    page.goto(url)
    page.get_by_role("tab", name="Online assessment").click()
    page.wait_for_selector("#oa-start")
    page.locator("#oa-start").click()
    page.wait_for_function("document.querySelector('#oa-countdown').innerText.includes('Time left in this section')"
                           " && document.querySelector('#oa-item').innerText.includes('item 1 of 12')", timeout=60_000)
    first = page.locator("#oa-item").inner_text()
    assert "SQL multiple choice" in first and "item 1 of 12" in first
    # The countdown runs while the candidate reads.
    shown = page.locator("#oa-countdown").inner_text()
    page.wait_for_function(f"document.querySelector('#oa-countdown').innerText !== {shown!r}", timeout=10_000)
    page.screenshot(path=str(ARTEFACTS / "assessment-1-item.png"), full_page=True)

    page.locator("#oa-choice").get_by_label("B", exact=True).check()
    page.locator("#oa-submit").click()
    page.wait_for_function("document.querySelector('#oa-item').innerText.includes('item 2 of 12')", timeout=30_000)
    # A reload finds the running assessment (its tab opens), and Start does not throw it away.
    page.goto(url)
    page.wait_for_function("document.querySelector('#oa-item')?.innerText.includes('item 2 of 12')", timeout=60_000)
    page.locator("#oa-start").click()
    page.wait_for_function("document.querySelector('#oa-notice').innerText.includes('still running')", timeout=30_000)
    assert "item 2 of 12" in page.locator("#oa-item").inner_text()
    page.locator("#oa-submit").click()  # nothing chosen: a clear message, nothing recorded
    page.wait_for_function("document.querySelector('#oa-notice').innerText.includes('one letter')", timeout=30_000)
    page.locator("#oa-skip").click()
    page.wait_for_function("document.querySelector('#oa-item').innerText.includes('item 3 of 12')", timeout=30_000)
    page.locator("#oa-end").click()
    page.wait_for_function("document.querySelector('#oa-report').innerText.includes('What to review')", timeout=60_000)
    report = page.locator("#oa-report").inner_text()
    assert "SQL multiple choice" in report and "skipped" in report and "unanswered" in report
    page.screenshot(path=str(ARTEFACTS / "assessment-2-report.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#oa-download").click()
    assert "Online assessment" in info.value.path().read_text(encoding="utf-8")

    # After a reload, History lists it with its share of points, and a click opens its report.
    from playwright.sync_api import expect

    session_id = max(services.store.sessions(), key=lambda r: r.created_at).id
    page.goto(url)
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#sessions")).to_contain_text(session_id, timeout=30_000)
    expect(page.locator("#sessions")).to_contain_text("% of points")
    page.locator("#sessions .body-cell").filter(has_text=session_id).filter(visible=True).first.click()
    page.wait_for_function("document.querySelector('#oa-report')?.innerText.includes('What to review')", timeout=60_000)
