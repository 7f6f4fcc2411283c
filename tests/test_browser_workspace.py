"""The review page as a translator's workspace (issue 13), in a real browser: Debian's
chromium driven by Playwright against one real server (the copy model, a real SQLite file).
The fixtures are in browser_fixtures.py: one server for this module, one browser for the session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser_fixtures import needs_chromium
from test_browser import (ARTICLE, SAMPLE, expect, focused_segment, status_of, submit,
                          wait_for_review, xliff_is_valid)

pytest_plugins = ["browser_fixtures"]  # server, base_url, browser, page
pytestmark = needs_chromium

XLIFF = "{urn:oasis:names:tc:xliff:document:2.0}"


def export_json(page) -> dict:
    return page.request.get(page.url.split("?")[0] + "/export.json").json()


# -- defects -----------------------------------------------------------------------------

def test_an_edit_keeps_the_segments_glossary_terms(page, base_url):
    submit(page, base_url, ARTICLE)
    before = export_json(page)["segments"][2]
    assert [t["target"] for t in before["terms"]] == ["Russia", "North Korea"]
    area = "#s2 textarea"
    page.fill(area, "Extra words. " + page.input_value(area).replace("North Korea", "Pyongyang"))
    expect(page.locator("#s2 ul.terms li.missing")).to_have_count(1)
    page.focus("#s1 textarea")  # leaving the segment saves the draft
    expect(page.locator("#s2")).to_have_attribute("data-status", "edited")
    expect(page.locator("#s2 ul.warnings li")).to_contain_text(["'North Korea' not rendered"])
    page.reload()
    # after a reload: terms still listed and highlighted, the lost one red, with its warning
    assert page.locator("#s2 ul.terms li").count() == 2
    expect(page.locator("#s2 ul.terms li.missing")).to_have_text(["Corée du Nord → North Korea"])
    assert page.locator("#s2 td.src mark.term").count() == 2
    assert "'North Korea' not rendered" in page.inner_text("#s2 ul.warnings")
    seg = export_json(page)["segments"][2]
    russia, korea = seg["terms"]
    assert seg["target"][slice(*russia["target_span"])] == "Russia"
    assert korea["target_span"] == [-1, -1]
    assert any("not rendered" in w for w in seg["warnings"])
    xliff = xliff_is_valid(page.request.get(page.url + "/export.xliff").text())
    unit = next(s for s in xliff.iter(XLIFF + "segment") if s.get("id") == "s2")
    target_terms = [m.text for m in unit.find(XLIFF + "target").iter(XLIFF + "mrk")]
    assert target_terms == ["Russia"]
    # writing the term back makes the warning go away
    page.fill(area, page.input_value(area).replace("Pyongyang", "North Korea"))
    page.press(area, "Control+s")
    expect(page.locator("#s2 ul.warnings li")).to_have_count(0)
    assert all(t["target_span"] != [-1, -1] for t in export_json(page)["segments"][2]["terms"])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_layout_at_390(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    submit(page, base_url, SAMPLE)
    assert no_sideways_scroll(page)
    for index in (0, 3, 12):
        box = page.locator(f"#s{index} textarea").bounding_box()
        assert box["width"] >= 300, box  # the whole width of the card, not a 59 px column
        source = page.locator(f"#s{index} td.src").bounding_box()
        assert source["width"] >= 300, source
        # lines of whole words: the box is a few lines tall, not one word a line
        assert box["height"] < 14 * 22, box
        styles = page.locator(f"#s{index} textarea").evaluate(
            "a => [getComputedStyle(a).wordBreak, getComputedStyle(a).overflowWrap]")
        assert styles[0] == "normal"
    # the segments stack as cards: source above target, status beside the number
    src, tgt = page.locator("#s3 td.src").bounding_box(), page.locator("#s3 td.tgt").bounding_box()
    assert tgt["y"] >= src["y"] + src["height"] - 1
    # deep in the article, the header and its export links are still on screen
    page.focus("#s12 textarea")
    page.locator("#s12").scroll_into_view_if_needed()
    for link in ("#export-tmx", "#export-xliff", "#export-json"):
        box = page.locator(link).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844 and box["x"] + box["width"] <= 390, box
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 120, header
    assert no_sideways_scroll(page)
    # and the desktop layout has no sideways scroll either
    page.set_viewport_size({"width": 1400, "height": 900})
    assert no_sideways_scroll(page)


def test_the_tick_button_moves_to_the_next_segment(page, base_url):
    submit(page, base_url, "Le premier point. Le deuxième point. Le troisième point.")
    page.click("#s0 button.mark")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    expect(page.locator("#s1 textarea")).to_be_focused()


def test_ctrl_s_on_a_reviewed_segment_keeps_it_reviewed(page, base_url):
    submit(page, base_url, "Une phrase revue. Une autre phrase.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    page.fill("#s0 textarea", "A reviewed sentence, corrected.")
    page.press("#s0 textarea", "Control+s")
    expect(page.locator("#status")).to_contain_text("stays reviewed")
    assert status_of(page, 0) == "reviewed"
    page.reload()
    assert status_of(page, 0) == "reviewed"
    assert page.input_value("#s0 textarea") == "A reviewed sentence, corrected."
    assert page.inner_text("#progress").startswith("1 / 2")


def test_ctrl_enter_on_the_last_segment_says_so(page, base_url):
    submit(page, base_url, "Un début. Une fin.")
    page.press("#s1 textarea", "Control+Enter")
    expect(page.locator("#status")).to_contain_text("last segment")
    expect(page.locator("#s0 textarea")).to_be_focused()
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#status")).to_contain_text("Every segment shown is reviewed")
    assert focused_segment(page) == "s0"


def test_export_right_after_an_edit_saves_it_without_a_leave_page_prompt(page, base_url):
    submit(page, base_url, "Le texte exporté. Une autre phrase.")
    page.fill("#s0 textarea", "The exported text, edited.")
    with page.expect_download() as download:
        page.click("#export-json")
    assert page.dialogs == []
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["segments"][0]["target"] == "The exported text, edited."
    assert status_of(page, 0) == "edited"


def test_a_file_and_pasted_text_together_get_a_clear_error(page, base_url, tmp_path):
    article = tmp_path / "article.txt"
    article.write_text("Le fichier dit ceci.", encoding="utf-8")
    page.goto(base_url + "/")
    page.fill("#text", "Le texte collé dit cela.")
    page.set_input_files("#file", str(article))
    page.click("#translate")
    page.wait_for_selector("#form-error")
    assert "both a file (article.txt) and pasted text" in page.inner_text("#form-error")
    assert page.input_value("#text") == "Le texte collé dit cela."


def test_rows_never_show_through_the_sticky_header(page, base_url):
    page.set_viewport_size({"width": 1400, "height": 700})
    submit(page, base_url, SAMPLE)
    expect(page.locator("#s0 textarea")).to_be_focused()
    page.wait_for_load_state("networkidle")
    page.evaluate("document.activeElement.blur()")
    shots = []
    for y in (900, 1250, 1600):
        page.evaluate(f"window.scrollTo(0, {y})")
        header = page.locator("header.top").bounding_box()
        titles = page.locator("table#segments thead th").nth(1).bounding_box()
        assert abs(titles["y"] - (header["y"] + header["height"])) <= 1.5, (header, titles)
        # the header and the column titles (over the table's width) look the same whatever
        # scrolls beneath them
        table = page.locator("table#segments").bounding_box()
        shots.append(page.screenshot(clip={"x": table["x"] + 1, "y": 0, "width": table["width"] - 2,
                                           "height": int(titles["y"] + titles["height"]) - 3}))
    assert shots[0] == shots[1] == shots[2]


# -- translation memory: typography, fuzzy matches, repeats ----------------------------------

def test_memory_ignores_typography_and_offers_fuzzy_matches_with_provenance(page, base_url):
    submit(page, base_url, "L’équipe de Hanoï a gagné le match de dimanche. Rien d’autre.")
    page.fill("#s0 textarea", "The Hanoi team won Sunday's match.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    title = page.inner_text("h1")
    # the same sentence with a straight apostrophe and a no-break space: an exact match
    submit(page, base_url, "L'équipe de Hanoï a gagné le match de\u00a0dimanche. Une phrase neuve.")
    assert status_of(page, 0) == "memory"
    assert page.input_value("#s0 textarea") == "The Hanoi team won Sunday's match."
    # one word changed: a fuzzy match, with the difference and where it came from
    submit(page, base_url, "Zébulon joue du xylophone. L’équipe de Hanoï a perdu le match de dimanche.")
    assert status_of(page, 1) == "engine"
    page.focus("#s1 textarea")
    match = page.locator("#m1 li.match").first
    expect(match).to_be_visible()
    similarity = int(match.locator(".similarity").inner_text().rstrip("%"))
    assert 80 <= similarity < 100
    expect(match.locator("del")).to_have_text(["perdu"])
    expect(match.locator("ins")).to_have_text(["gagné"])
    assert match.locator(".match-target").inner_text() == "The Hanoi team won Sunday's match."
    assert title in match.locator(".provenance").inner_text()
    assert "UTC" in match.locator(".provenance").inner_text()
    # keyboard first: Ctrl+I puts the best match in the target, to be fixed and saved
    page.press("#s1 textarea", "Control+i")
    assert page.input_value("#s1 textarea") == "The Hanoi team won Sunday's match."
    page.fill("#s1 textarea", "The Hanoi team lost Sunday's match.")
    page.press("#s1 textarea", "Control+Enter")
    expect(page.locator("#s1")).to_have_attribute("data-status", "reviewed")
    # a segment with nothing like it in the memory shows no panel
    page.focus("#s0 textarea")
    page.wait_for_timeout(200)
    assert page.locator("#m0").is_hidden()


def test_a_reviewed_segment_goes_to_its_identical_repeats(page, base_url):
    text = ("Le match est reporté. La pluie tombe depuis hier.\n"
            "Le match est reporté. Les joueurs attendent.\n"
            "Le match est reporté.")
    submit(page, base_url, text)
    assert page.locator("tr.seg").count() == 5
    page.fill("#s2 textarea", "The match is postponed, again.")  # touched by hand: left alone
    page.press("#s2 textarea", "Control+s")
    expect(page.locator("#s2")).to_have_attribute("data-status", "edited")
    page.fill("#s0 textarea", "The match is postponed.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s4")).to_have_attribute("data-status", "reviewed")
    assert page.input_value("#s4 textarea") == "The match is postponed."
    expect(page.locator("#status")).to_contain_text("segment 5")
    page.reload()
    assert status_of(page, 4) == "reviewed" and page.input_value("#s4 textarea") == "The match is postponed."
    assert status_of(page, 2) == "edited" and page.input_value("#s2 textarea") == "The match is postponed, again."
    assert page.inner_text("#progress").startswith("2 / 5")
    # the original corrected later: the copy follows it on the page, the hand-edited one not
    page.fill("#s0 textarea", "The match has been postponed.")
    page.press("#s0 textarea", "Control+s")
    expect(page.locator("#s4 textarea")).to_have_value("The match has been postponed.")
    assert status_of(page, 4) == "reviewed"
    assert page.input_value("#s2 textarea") == "The match is postponed, again."
    page.press("#s0 textarea", "Control+Alt+u")  # un-reviewed: the copy with it
    expect(page.locator("#s4")).to_have_attribute("data-status", "edited")
    assert page.inner_text("#progress").startswith("0 / 5")


# -- the workspace ----------------------------------------------------------------------------

def test_filters_by_status_warnings_and_confidence_are_kept_in_the_address(page, base_url):
    submit(page, base_url, ARTICLE + " Le ministre arrive demain.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    page.select_option("#status-filter", "reviewed")
    assert shown(page) == [0]
    page.select_option("#status-filter", "todo")
    assert 0 not in shown(page) and len(shown(page)) == 3
    page.select_option("#status-filter", "")
    page.fill("#s1 textarea", "A dog plays.")
    page.press("#s1 textarea", "Control+s")
    expect(page.locator("#s1")).to_have_attribute("data-status", "edited")
    page.select_option("#status-filter", "edited")
    assert shown(page) == [1]
    page.select_option("#status-filter", "")
    # warnings: drop a term's rendering and save: only that segment has a warning
    page.fill("#s2 textarea", "Russia and Pyongyang cooperate.")
    page.press("#s2 textarea", "Control+s")
    expect(page.locator("#s2 ul.warnings li")).to_have_count(1)
    page.check("#warnings-only")
    assert shown(page) == [2]
    page.uncheck("#warnings-only")
    page.check("#low-only")
    page.fill("#threshold", "100")
    assert 0 not in shown(page)  # reviewed: 100%
    page.fill("#threshold", "80")
    page.uncheck("#low-only")
    page.select_option("#status-filter", "edited")
    assert "status=edited" in page.evaluate("location.search")
    page.reload()
    assert page.locator("#status-filter").input_value() == "edited" and shown(page) == [1, 2]


def shown(page) -> list[int]:
    return page.eval_on_selector_all("tr.seg", "rs => rs.filter(r => !r.hidden).map(r => +r.dataset.index)")


def test_find_and_replace_over_the_document(page, base_url):
    submit(page, base_url, "Le chat dort. Le chien dort aussi. Rien ici.")
    expect(page.locator("#s0 textarea")).to_be_focused()
    page.keyboard.press("Control+Shift+F")
    expect(page.locator("#find")).to_be_focused()
    page.keyboard.type("dort")
    assert shown(page) == [0, 1]  # found in the source (the copy model keeps it in the target too)
    page.fill("#replace-with", "sleeps")
    page.click("#replace-all")
    expect(page.locator("#status")).to_contain_text("Replaced 2 occurrences in 2 segments")
    assert "sleeps" in page.input_value("#s0 textarea") and "dort" not in page.input_value("#s1 textarea")
    page.fill("#find", "")
    expect(page.locator("#s1")).to_have_attribute("data-status", "edited")
    page.reload()
    assert "sleeps" in page.input_value("#s1 textarea")
    assert page.locator("tr.seg:not([hidden])").count() == 3


def test_word_counts_and_progress(page, base_url):
    submit(page, base_url, "Un deux trois. Quatre cinq. Six.")
    assert page.inner_text("#words") == "0 of 6 source words reviewed (0%)"
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#words")).to_have_text("3 of 6 source words reviewed (50%)")
    assert page.inner_text("#progress") == "1 / 3 reviewed"
    assert page.evaluate("document.getElementById('progress-bar').value") == 0.5


def test_restore_the_machine_translation_and_un_review(page, base_url):
    submit(page, base_url, "Le bateau arrive. Le train part.")
    machine = page.input_value("#s0 textarea")
    page.fill("#s0 textarea", "The boat arrives.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    page.focus("#s0 textarea")
    page.keyboard.press("Control+Alt+u")  # un-review: the text stays, the mark goes
    expect(page.locator("#s0")).to_have_attribute("data-status", "edited")
    assert page.input_value("#s0 textarea") == "The boat arrives."
    assert page.inner_text("#progress") == "0 / 2 reviewed"
    page.keyboard.press("Control+Alt+m")  # the machine's translation back
    expect(page.locator("#s0 textarea")).to_have_value(machine)
    expect(page.locator("#s0")).to_have_attribute("data-status", "engine")
    page.reload()
    assert page.input_value("#s0 textarea") == machine and status_of(page, 0) == "engine"
    # the buttons do the same
    page.fill("#s1 textarea", "The train leaves.")
    page.click("#s1 button.mark")
    expect(page.locator("#s1")).to_have_attribute("data-status", "reviewed")
    page.click("#s1 button.unreview")
    expect(page.locator("#s1")).to_have_attribute("data-status", "edited")
    page.click("#s1 button.restore")
    expect(page.locator("#s1")).to_have_attribute("data-status", "engine")
    # approved as the machine wrote it, then un-reviewed: the machine's again, not "edited"
    page.click("#s1 button.mark")
    expect(page.locator("#s1")).to_have_attribute("data-status", "reviewed")
    page.click("#s1 button.unreview")
    expect(page.locator("#s1")).to_have_attribute("data-status", "engine")


def test_concordance_search_in_the_memory(page, base_url):
    submit(page, base_url, "Le Premier ministre vietnamien a reçu son homologue. Autre chose.")
    page.fill("#s0 textarea", "The Vietnamese Prime Minister received his counterpart.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s0")).to_have_attribute("data-status", "reviewed")
    page.fill("#concordance", "premier ministre")
    page.press("#concordance", "Enter")
    results = page.locator("#concordance-results li")
    expect(results.first).to_be_visible()
    assert "The Vietnamese Prime Minister received his counterpart." in results.all_inner_texts()[0]
    assert "(1)" in page.inner_text("#concordance-results h2")
    assert results.first.locator(".provenance").inner_text().startswith("in the source · ")
    # the translation's side is searched too
    page.fill("#concordance", "his counterpart")
    page.press("#concordance", "Enter")
    expect(results.first.locator(".provenance")).to_contain_text("in the translation · ")


def test_delete_a_document_from_the_recent_list(page, base_url):
    submit(page, base_url, "Un document à supprimer bientôt.")
    doc_url = page.url
    page.goto(base_url + "/")
    entry = page.locator(".recent li", has_text="Un document à supprimer bientôt.")
    expect(entry).to_have_count(1)
    entry.locator("button.delete").click()
    expect(page.locator("#deleted")).to_be_visible()
    expect(page.locator(".recent li", has_text="Un document à supprimer bientôt.")).to_have_count(0)
    assert page.request.get(doc_url).status == 404


# Where the textarea draws a word: a hidden copy of the textarea's box and text styles at
# its place, the word in a span of its own.
TYPED_WORD_AT = """([row, word]) => {
  const area = document.querySelector(row + " textarea");
  const style = getComputedStyle(area), rect = area.getBoundingClientRect();
  const copy = document.createElement("div");
  for (const name of ["boxSizing", "width", "paddingTop", "paddingRight", "paddingBottom",
      "paddingLeft", "borderTopWidth", "borderRightWidth", "borderBottomWidth", "borderLeftWidth",
      "borderStyle", "fontFamily", "fontSize", "fontWeight", "fontStyle", "lineHeight",
      "letterSpacing", "wordSpacing", "whiteSpace", "overflowWrap", "wordBreak", "tabSize"]) {
    copy.style[name] = style[name];
  }
  Object.assign(copy.style, {position: "absolute", visibility: "hidden", margin: "0",
                             left: rect.left + scrollX + "px", top: rect.top + scrollY + "px"});
  const at = area.value.indexOf(word);
  const span = document.createElement("span");
  span.textContent = word;
  copy.append(area.value.slice(0, at), span, area.value.slice(at + word.length));
  document.body.appendChild(copy);
  const box = span.getBoundingClientRect();
  copy.remove();
  return {x: box.x, y: box.y};
}"""


def test_target_side_terms_are_highlighted_as_typed(page, base_url):
    submit(page, base_url, ARTICLE)
    expect(page.locator("#s2 .backdrop mark.term")).to_have_text(["Russia", "North Korea"])
    typed = "North Korea and Russia work together, North Korea says; Russia agrees."
    page.fill("#s2 textarea", typed)
    marks = page.locator("#s2 .backdrop mark.term")
    expect(marks).to_have_text(["North Korea", "Russia"])
    # each highlight sits on the word as the textarea draws it (a padded mark pushed every
    # later one 2 px to the right)
    for n, word in enumerate(["North Korea", "Russia"]):
        mark = marks.nth(n).bounding_box()
        at = page.evaluate(TYPED_WORD_AT, ["#s2", word])
        assert abs(mark["x"] - at["x"]) <= 1 and abs(mark["y"] - at["y"]) <= 1, (word, mark, at)


def test_glossary_picker_on_the_start_page(page, base_url, server):
    put = page.request.put(base_url + "/v1/glossaries/house?format=tsv",
                           data="fr\ten\nchat\tmoggy\n".encode(),
                           headers={"Content-Type": "text/tab-separated-values"})
    assert put.status in (200, 201), put.text()
    page.goto(base_url + "/")
    page.select_option("#glossary", "house")
    page.fill("#text", "Le chat dort.")
    page.click("#translate")
    wait_for_review(page)
    assert "moggy" in page.input_value("#s0 textarea")
    page.goto(base_url + "/")
    page.select_option("#glossary", "none")
    page.fill("#text", "La Corée du Nord répond.")
    page.click("#translate")
    wait_for_review(page)
    assert page.locator("#s0 mark.term").count() == 0


# -- accessibility ----------------------------------------------------------------------------

AXE = Path(__file__).resolve().parent / "data" / "axe" / "axe.min.js"  # axe-core 4.14.1 (MPL-2.0)


def axe_violations(page) -> list:
    """What axe-core finds wrong on the page as it is now (rule id and the elements)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # run by the driver: no CSP
    return page.evaluate("""() => axe.run(document).then(r => r.violations.map(
        v => [v.id, v.nodes.slice(0, 3).map(n => n.target.join(' '))]))""")


def test_axe_finds_no_violations_on_the_workspace(page, base_url):
    page.goto(base_url + "/")
    assert axe_violations(page) == []
    submit(page, base_url, "Le match est reporté. La pluie tombe.\nLe match est reporté.")
    page.fill("#s0 textarea", "The match is postponed.")
    page.press("#s0 textarea", "Control+Enter")
    expect(page.locator("#s2")).to_have_attribute("data-status", "reviewed")
    submit(page, base_url, "Le match est reporté hier. La pluie tombe.")
    page.focus("#s0 textarea")
    expect(page.locator("#m0 li.match").first).to_be_visible()
    page.fill("#concordance", "match")
    page.press("#concordance", "Enter")
    expect(page.locator("#concordance-results li").first).to_be_visible()
    page.select_option("#status-filter", "todo")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert axe_violations(page) == []
    page.goto(base_url + "/")
    assert axe_violations(page) == []
    # the start page on a phone: no sideways scroll, the form and the recent list within
    # the screen's width, the article box across the card
    assert no_sideways_scroll(page)
    assert page.locator(".recent li").count() >= 3
    for selector in ("#text", "#file", "#source", "#target", "#glossary", "#translate",
                     "#align-link", ".recent li >> nth=0", ".recent li button.delete >> nth=0"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (selector, box)
    assert page.locator("#text").bounding_box()["width"] >= 300
    # and the check does find what is wrong: an image without a text alternative
    page.evaluate("document.querySelector('main').appendChild(document.createElement('img'))")
    assert "image-alt" in [rule for rule, _ in axe_violations(page)]
