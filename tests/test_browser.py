"""The review page in a real browser: Debian's chromium driven by Playwright, against a
real server (werkzeug in a thread) with the copy model, real Apertium and a real SQLite file;
the same server also serves, under /apertium, a service that has only Apertium. The fixtures
are in browser_fixtures.py: one server for this module, one browser for the session.

Never run `playwright install`: the tests use /usr/bin/chromium (scripts/setup.sh installs it).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from test_web import tmx_is_valid, xliff_is_valid
from translator.engines.apertium import ApertiumEngine

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python package) not installed")
pytest.register_assert_rewrite("browser_fixtures")
from browser_fixtures import needs_chromium  # noqa: E402

# the fixtures: server, base_url, apertium_url, browser, page (one Chromium for the session)
pytest_plugins = ["browser_fixtures"]
expect = sync_api.expect
pytestmark = needs_chromium
needs_apertium = pytest.mark.skipif(not ApertiumEngine.available(), reason="apertium not installed")
ARTICLE = ("Le chat dort sur le canapé. Le chien joue dans le jardin.\n"
           "La Russie et la Corée du Nord coopèrent.")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "examples" / "sggp-putin-dprk.fr.txt").read_text(encoding="utf-8")
# What Apertium (fr -> es -> en) leaves untranslated in the sample, by segment: Spanish words
# the es->en step did not know, and French ones the fr->es step did not.
SAMPLE_LEFTOVERS = {3: ["oponían", "fermement", "multipolaire"], 4: ["contreraient"],
                    5: ["opondremos", "façonnerons"]}


def submit(page, base_url, text, target="en"):
    page.goto(base_url + "/")
    page.fill("#text", text)
    page.select_option("#target", target)
    page.click("#translate")
    wait_for_review(page)


def wait_for_review(page):
    """The review page, with its script running: the table is there as soon as it is
    parsed, but the keys, the highlights and the autosave are bound once the document is
    loaded (pressing Ctrl+Enter before that did nothing, on a slow machine)."""
    page.wait_for_selector("table#segments")
    page.wait_for_load_state("load")


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
    expect(page.locator("#s2 td.src mark.term")).to_have_text(["Russie", "Corée du Nord"])
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
    wait_for_review(page)
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


def marked(page, index) -> list[str]:
    """The words marked as left untranslated in a segment's target, in reading order."""
    return page.locator(f"#s{index} .backdrop mark.leftover").all_inner_texts()


def shown_order(page) -> list[int]:
    """The indexes of the segments shown, top to bottom."""
    return page.eval_on_selector_all("tr.seg", "rs => rs.filter(r => !r.hidden).map(r => +r.dataset.index)")


# What places the characters of a text box: equal on the textarea and the copy behind it.
LAYOUT = ("fontFamily", "fontSize", "fontWeight", "lineHeight", "letterSpacing", "wordSpacing",
          "whiteSpace", "overflowWrap", "wordBreak", "tabSize", "textIndent", "paddingTop",
          "paddingRight", "paddingBottom", "paddingLeft", "borderTopWidth", "borderRightWidth",
          "borderBottomWidth", "borderLeftWidth", "boxSizing")


def marks_lie_on_the_text(page, index) -> None:
    """The marked copy of the text behind a target lays its text out as the textarea does,
    in the same box, and neither scrolls: the marks sit under the words they mark."""
    backdrop = page.locator(f"#s{index} .backdrop")
    area = page.locator(f"#s{index} textarea")
    style = "(e, names) => names.map(n => getComputedStyle(e)[n])"
    assert backdrop.evaluate(style, LAYOUT) == area.evaluate(style, LAYOUT)
    back, front = backdrop.bounding_box(), area.bounding_box()
    assert all(abs(back[k] - front[k]) < 0.5 for k in ("x", "y", "width", "height")), (back, front)
    assert area.evaluate("a => a.scrollHeight <= a.clientHeight + 1")
    assert backdrop.evaluate("b => b.scrollHeight <= b.clientHeight + 1")


def focused_segment(page) -> str:
    return page.evaluate("document.activeElement.closest('tr').id")


def shown_percent(confidence: float) -> str:
    """A confidence as the page writes it: whole percents, 100% only when certain."""
    shown = math.floor(confidence * 100 + 0.5)
    return f"{min(shown, 99) if confidence < 1 else shown}%"


@needs_apertium
def test_leftovers_confidence_and_the_worst_first(page, apertium_url):
    page.set_viewport_size({"width": 1400, "height": 900})
    submit(page, apertium_url, SAMPLE)
    assert "(apertium)" in page.inner_text("#route")
    document = page.request.get(page.url + "/export.json").json()
    segments = document["segments"]
    assert page.locator("tr.seg").count() == len(segments) == 13

    # every word left untranslated is marked in its segment's target, and only those
    for index, words in SAMPLE_LEFTOVERS.items():
        assert marked(page, index) == words
    for seg in segments:
        spans = sorted(lo["target_span"] for lo in seg["untranslated"])
        assert marked(page, seg["index"]) == [seg["target"][start:end] for start, end in spans]
    fermement = page.locator("#s3 ul.leftovers li", has_text="fermement")
    assert fermement.inner_text() == "fermement French · unknown word · step 1 of 2, fr\u00a0→\u00a0es"
    oponian = page.locator("#s3 ul.leftovers li", has_text="oponían").inner_text()
    assert "Spanish · unknown word · step 2 of 2" in oponian
    assert page.locator("#s1 ul.leftovers").is_hidden()
    marks_lie_on_the_text(page, 3)
    # glossary terms are marked in the source, words left untranslated in the target
    assert page.locator("#s3 td.src mark.term").count() > 0
    assert page.locator("#s3 td.src mark.leftover").count() == 0

    # each segment's confidence; those below the threshold (80%) stand out
    confidence = {seg["index"]: seg["confidence"] for seg in segments}
    for index, value in confidence.items():
        assert page.inner_text(f"#s{index} .confidence .value") == shown_percent(value)
        assert ("low" in page.get_attribute(f"#s{index} .confidence", "class")) == (value < 0.8)
    assert page.inner_text("#s10 .confidence .value") == "0%"  # "KHANH MINH": nothing translated
    assert page.inner_text("#s1 .confidence .value") == "100%"

    # lowest confidence first; Alt+arrows follow what is shown
    page.select_option("#order", "confidence")
    order = shown_order(page)
    assert order == sorted(confidence, key=lambda i: (confidence[i], i)) and order[0] == 10
    page.focus(f"#s{order[0]} textarea")
    page.keyboard.press("Alt+ArrowDown")
    assert focused_segment(page) == f"s{order[1]}"

    # only what needs attention: words left untranslated, warnings, low confidence
    page.check("#attention")
    needing = [i for i in order if segments[i]["untranslated"] or segments[i]["warnings"]
               or confidence[i] < 0.8]
    assert shown_order(page) == needing and {3, 4, 5, 10} <= set(needing)
    assert page.locator("#s1").is_hidden() and page.locator("#s6").is_hidden()
    assert page.inner_text("#shown").startswith(f"showing {len(needing)} of 13 segments")
    # Ctrl+Enter saves the worst as reviewed (a person vouched: 100%) and goes to the next shown
    page.focus("#s10 textarea")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#s10")).to_have_attribute("data-status", "reviewed")
    expect(page.locator(f"#s{needing[1]} textarea")).to_be_focused()
    assert page.inner_text("#s10 .confidence .value") == "100%"
    assert "low" not in page.get_attribute("#s10 .confidence", "class")
    # at 100%, every segment short of certain needs attention (but the one now reviewed)
    page.fill("#threshold", "100")
    assert shown_order(page) == [i for i in order if i != 10 and (confidence[i] < 1 or i in needing)]

    # the choice is in the address: a reload keeps it; the reviewed segment no longer needs attention
    page.fill("#threshold", "80")
    assert page.evaluate("location.search") == "?order=confidence&attention=1"
    page.reload()
    assert page.locator("#order").input_value() == "confidence" and page.is_checked("#attention")
    assert shown_order(page) == [i for i in needing if i != 10]
    assert focused_segment(page) == f"s{needing[1]}"


@needs_apertium
def test_fixing_a_leftover_word_unmarks_it_and_the_others_follow(page, apertium_url):
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    hostile = 'Le mot <img src=x onerror="window.pwned=1">zzqx arrive.'
    submit(page, apertium_url, SAMPLE.splitlines()[1] + "\n" + hostile)
    oppose = next(i for i in range(page.locator("tr.seg").count())
                  if "fermement" in marked(page, i))
    assert marked(page, oppose) == SAMPLE_LEFTOVERS[3]
    marks_lie_on_the_text(page, oppose)
    # one card per segment: nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    before = page.inner_text(f"#s{oppose} .confidence .value")
    area = f"#s{oppose} textarea"
    page.fill(area, page.input_value(area).replace("fermement", "firmly"))
    assert marked(page, oppose) == ["oponían", "multipolaire"]  # while typing
    marks_lie_on_the_text(page, oppose)
    assert page.locator(f"#s{oppose} ul.leftovers li", has_text="fermement").is_hidden()
    page.press(area, "Control+s")
    expect(page.locator(f"#s{oppose}")).to_have_attribute("data-status", "edited")
    assert marked(page, oppose) == ["oponían", "multipolaire"]  # as the server says
    assert page.inner_text(f"#s{oppose} .confidence .value") == before  # a draft: the machine's
    page.press(area, "Escape")
    page.reload()
    assert marked(page, oppose) == ["oponían", "multipolaire"]
    assert "firmly" in page.input_value(area)
    # words from the article are text, never markup
    last = page.locator("tr.seg").count() - 1
    assert "zzqx" in marked(page, last) and page.evaluate("window.pwned === undefined")
    assert page.locator("img").count() == 0
