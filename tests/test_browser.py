"""The review page in a real browser: Debian's chromium driven by Playwright, against a
real server (werkzeug in a thread) with the copy model, real Apertium and a real SQLite file.

Never run `playwright install`: the tests use /usr/bin/chromium (scripts/setup.sh installs it).
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from test_web import tmx_is_valid, wait_ready, web_settings, xliff_is_valid

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python package) not installed")
expect = sync_api.expect
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
ARTICLE = ("Le chat dort sur le canapé. Le chien joue dans le jardin.\n"
           "La Russie et la Corée du Nord coopèrent.")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, argos_fr_en):
    from werkzeug.serving import make_server

    from translator.web import create_app

    app = create_app(web_settings(tmp_path_factory.mktemp("browser"), argos_fr_en))
    wait_ready(app.test_client())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["translator"].close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def submit(page, base_url, text, target="en"):
    page.goto(base_url + "/")
    page.fill("#text", text)
    page.select_option("#target", target)
    page.click("#translate")
    page.wait_for_selector("table#segments")


def status_of(page, index):
    return page.get_attribute(f"#s{index}", "data-status")


def test_submit_review_edit_and_export(page, base_url, tmp_path):
    submit(page, base_url, ARTICLE)
    rows = page.locator("tr.seg")
    assert rows.count() == 3
    assert "detected French" in page.inner_text("#detection")
    assert "%" in page.inner_text("#detection")
    assert page.inner_text("#s0 td.src").startswith("Le chat dort sur le canapé.")
    # glossary terms of the default news glossary are highlighted in the source
    assert page.locator("#s2 mark.term").all_inner_texts() == ["Russie", "Corée du Nord"]
    # the first segment has the focus; edit it and save as reviewed: focus goes on
    assert page.evaluate("document.activeElement.closest('tr').id") == "s0"
    page.fill("#s0 textarea", "The cat sleeps on the sofa.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    assert page.inner_text("#progress") == "1 / 3 reviewed"
    expect(page.locator("#s1 textarea")).to_be_focused()
    # keyboard navigation between segments
    page.keyboard.press("Alt+ArrowDown")
    assert page.evaluate("document.activeElement.closest('tr').id") == "s2"
    page.keyboard.press("Alt+ArrowUp")
    assert page.evaluate("document.activeElement.closest('tr').id") == "s1"
    # Escape drops unsaved edits
    page.keyboard.type(" extra words")
    page.keyboard.press("Escape")
    assert page.input_value("#s1 textarea") == "Le chien joue dans le jardin."
    # dropping a glossary term's rendering is flagged while typing
    page.fill("#s2 textarea", "Russia and Korea cooperate.")
    assert page.locator("#s2 ul.terms li.missing").count() == 1
    page.click("#s2 button.mark")
    expect(page.locator("#s2")).to_have_attribute("data-status", "reviewed")
    assert page.inner_text("#progress") == "2 / 3 reviewed"

    with page.expect_download() as download:
        page.click("#export-tmx")
    tmx = tmx_is_valid(Path(download.value.path()).read_text(encoding="utf-8"))
    segs = [seg.text for seg in tmx.iter("seg")]
    assert "The cat sleeps on the sofa." in segs and "Russia and Korea cooperate." in segs
    with page.expect_download() as download:
        page.click("#export-xliff")
    assert download.value.suggested_filename.endswith(".fr-en.xlf")
    xliff = xliff_is_valid(Path(download.value.path()).read_text(encoding="utf-8"))
    ns = "{urn:oasis:names:tc:xliff:document:2.0}"
    states = {seg.get("id"): seg.get("state") for seg in xliff.iter(ns + "segment")}
    assert states == {"s0": "reviewed", "s1": "translated", "s2": "reviewed"}

    # the reviewed page survives a reload, and a new article reuses the memory
    page.reload()
    assert status_of(page, 0) == "reviewed" and page.input_value("#s0 textarea") == "The cat sleeps on the sofa."
    submit(page, base_url, "Le chat dort sur le canapé. Un autre chat dort.")
    assert status_of(page, 0) == "memory" and page.input_value("#s0 textarea") == "The cat sleeps on the sofa."
    assert status_of(page, 1) == "engine"


def test_draft_is_saved_when_leaving_a_segment(page, base_url):
    submit(page, base_url, "Le ministre a parlé. Le sénat a voté la loi.")
    page.fill("#s0 textarea", "The minister spoke.")
    page.click("#s1 textarea")
    expect(page.locator("#s0")).to_have_attribute("data-status", "edited")
    page.reload()
    assert page.input_value("#s0 textarea") == "The minister spoke." and status_of(page, 0) == "edited"
    assert page.inner_text("#progress") == "0 / 2 reviewed"


def test_hostile_article_text_is_shown_not_run(page, base_url):
    hostile = ('Le titre <img src=x onerror="window.pwned=1;alert(1)"> dit ceci. '
               "La suite </textarea><script>window.pwned=2;alert(2)</script> arrive.")
    submit(page, base_url, hostile)
    assert page.evaluate("window.pwned === undefined")
    assert page.dialogs == []
    assert page.locator("img").count() == 0 and page.locator("tbody script").count() == 0
    assert '<img src=x onerror="window.pwned=1;alert(1)">' in page.inner_text("#s0 td.src")
    assert "</textarea><script>" in page.input_value("#s1 textarea")


def test_upload_a_file_and_see_a_clear_error_for_bad_bytes(page, base_url, tmp_path):
    good = tmp_path / "article.txt"
    good.write_text("Le gouvernement a annoncé une réforme. Le vote aura lieu mardi.", encoding="utf-8")
    page.goto(base_url + "/")
    page.set_input_files("#file", str(good))
    page.click("#translate")
    page.wait_for_selector("table#segments")
    assert page.locator("tr.seg").count() == 2

    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Le président a parlé à la télé.".encode("latin-1"))
    page.goto(base_url + "/")
    page.fill("#text", "texte gardé")
    page.set_input_files("#file", str(bad))
    page.click("#translate")
    page.wait_for_selector("#form-error")
    assert "latin1.txt is not UTF-8 text" in page.inner_text("#form-error")
    assert page.input_value("#text") == "texte gardé"
