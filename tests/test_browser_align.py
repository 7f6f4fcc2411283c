"""The alignment page (issue 13, part 4), in a real browser: Debian's chromium driven by
Playwright against one real server (the real aligner, a real SQLite file). Upload or paste
an original and its translation, review the least certain pairs first, merge / split /
move a sentence from the keyboard, and add the accepted pairs to the desk's memory.
One server for this module, one browser for the session (the fixtures of browser_fixtures.py)."""

from __future__ import annotations

import json
from pathlib import Path

from browser_fixtures import needs_chromium
from test_browser import expect
from test_browser_workspace import axe_violations, no_sideways_scroll

pytest_plugins = ["browser_fixtures"]  # server, base_url, browser, page
pytestmark = needs_chromium

DATA = Path(__file__).resolve().parent / "data" / "align"
NOTE = "Editor's note: this story was updated the next day with the ministry's official figures."


def floods(tmp_path: Path) -> tuple[Path, Path]:
    """floods.fr.txt and floods.en.txt with a sentence the original does not have."""
    source, target = tmp_path / "floods.fr.txt", tmp_path / "floods.en.txt"
    source.write_bytes((DATA / "floods.fr.txt").read_bytes())
    paragraphs = (DATA / "floods.en.txt").read_text(encoding="utf-8").split("\n\n")
    target.write_text("\n\n".join(paragraphs[:2] + [NOTE] + paragraphs[2:]), encoding="utf-8")
    return source, target


def upload(page, base_url, source: Path, target: Path) -> None:
    page.goto(base_url + "/align")
    page.set_input_files("#source_file", str(source))
    page.set_input_files("#target_file", str(target))
    page.click("#align")
    expect(page.locator("li.bead").first).to_be_visible()


def memory(page, base_url, phrase: str) -> list[dict]:
    answer = page.request.get(base_url + "/v1/memory", params={"source": "fr", "target": "en",
                                                                "q": phrase})
    assert answer.ok, answer.text()
    return answer.json()["entries"]


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_upload_review_least_certain_first_and_add_to_memory(page, base_url, tmp_path):
    page.goto(base_url + "/")
    page.click("#align-link")
    source, target = floods(tmp_path)
    upload(page, base_url, source, target)
    assert "floods.fr.txt ↔ floods.en.txt" in page.inner_text("h1")
    beads = page.locator("li.bead")
    assert beads.count() == 13
    # the sentence without a counterpart comes first, not accepted, and has the focus
    first = beads.first
    assert NOTE in first.inner_text()
    assert not first.locator("input.accept").is_checked()
    assert first.locator("input.accept").is_disabled()
    expect(first).to_be_focused()
    assert page.locator("li.bead.accepted").count() == 12
    expect(page.locator("#align-counts")).to_have_text("13 pairs, 12 accepted")
    # leave one pair out from the keyboard, then add the rest with Ctrl+Enter
    page.keyboard.press("ArrowDown")
    second = page.locator("li.bead").nth(1)
    expect(second).to_be_focused()
    left_out = second.locator(".side.source").inner_text().replace("Original: ", "").strip()
    page.keyboard.press(" ")
    expect(page.locator("#align-counts")).to_have_text("13 pairs, 11 accepted")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#align-status")).to_have_text("Added 11 pairs to the memory of default.")
    stored = memory(page, base_url, "inondations")
    assert stored and stored[0]["created_by"] == "align:floods.fr.txt | floods.en.txt"
    assert memory(page, base_url, left_out[:40]) == []


def order_by_document(page) -> None:
    page.select_option("#align-order", "document")


def sides(page, n: int) -> tuple[str, str]:
    bead = page.locator("li.bead").nth(n)
    return (bead.locator(".side.source .sentence").all_inner_texts(),
            bead.locator(".side.target .sentence").all_inner_texts())


def test_merge_split_and_move_sentences_from_the_keyboard(page, base_url):
    page.goto(base_url + "/align")
    page.fill("#source_text", "Le premier ministre est arrivé à Hanoï lundi. Il a rencontré le "
              "président. Les deux hommes ont parlé du commerce.")
    page.fill("#target_text", "The prime minister arrived in Hanoi on Monday. He met the "
              "president. The two men talked about trade.")
    page.select_option("#source", "fr")
    page.select_option("#target", "en")
    page.click("#align")
    expect(page.locator("li.bead")).to_have_count(3)
    order_by_document(page)
    page.focus("li.bead >> nth=0")
    page.keyboard.press("m")  # merge the first two pairs
    expect(page.locator("li.bead")).to_have_count(2)
    assert [len(s) for s in sides(page, 0)] == [2, 2]
    expect(page.locator("li.bead").first).to_be_focused()
    assert page.locator("li.bead").first.locator(".score").inner_text() == "edited"
    page.keyboard.press("]")  # its last translated sentence goes to the next pair
    assert [len(s) for s in sides(page, 0)] == [2, 1]
    assert [len(s) for s in sides(page, 1)] == [1, 2]
    page.keyboard.press("[")  # and comes back
    assert [len(s) for s in sides(page, 0)] == [2, 2]
    page.keyboard.press("Shift+BracketRight")  # the original's last sentence down: }
    assert [len(s) for s in sides(page, 0)] == [1, 2]
    page.keyboard.press("Shift+BracketLeft")
    page.keyboard.press("s")  # split back into one pair a sentence
    expect(page.locator("li.bead")).to_have_count(3)
    assert sides(page, 1) == (["Il a rencontré le président."], ["He met the president."])
    # the buttons do the same
    page.locator("li.bead").nth(1).get_by_role("button", name="Merge with next").click()
    expect(page.locator("li.bead")).to_have_count(2)
    page.locator("li.bead").nth(1).get_by_role("button", name="Split").click()
    expect(page.locator("li.bead")).to_have_count(3)
    # at the end, a clear message instead of nothing
    page.focus("li.bead >> nth=2")
    page.keyboard.press("m")
    expect(page.locator("#align-status")).to_have_text("This is the last pair: nothing to merge it with.")
    page.click("#align-add")
    expect(page.locator("#align-status")).to_have_text("Added 3 pairs to the memory of default.")
    entry = memory(page, base_url, "Il a rencontré le président")[0]
    assert entry["target"] == "He met the president."
    assert entry["created_by"] == "align:pasted original | pasted translation"


def test_bad_inputs_are_clear_errors_and_store_nothing(page, base_url, tmp_path):
    page.goto(base_url + "/align")
    page.fill("#source_text", "Le ministre a parlé.")
    page.click("#align")
    expect(page.locator("#form-error")).to_contain_text("the translation is missing")
    assert page.input_value("#source_text") == "Le ministre a parlé."  # kept for the next try
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00 not text")
    page.set_input_files("#target_file", str(bad))
    page.click("#align")
    expect(page.locator("#form-error")).to_contain_text("bad.txt) is not UTF-8 text")
    page.fill("#target_text", "Le ministre a parlé.")
    page.select_option("#source", "fr")
    page.select_option("#target", "fr")
    page.click("#align")
    expect(page.locator("#form-error")).to_contain_text("both in French")
    # the memory endpoint refuses what is not a list of pairs, naming the field
    for body, message in (({"source_lang": "fr", "target_lang": "en", "source_name": "a",
                            "target_name": "b", "pairs": [["x"]]}, "pairs[0]"),
                          ({"source_lang": "fr", "target_lang": "fr", "source_name": "a",
                            "target_name": "b", "pairs": [["x", "y"]]}, "must differ"),
                          ({"source_lang": "xx", "target_lang": "en", "source_name": "a",
                            "target_name": "b", "pairs": [["x", "y"]]}, "xx"),
                          ({"source_lang": "fr", "target_lang": "en", "source_name": "",
                            "target_name": "b", "pairs": [["x", "y"]]}, "source_name"),
                          ({"source_lang": "fr", "target_lang": "en", "source_name": "a",
                            "target_name": "b", "pairs": [["Une phrase sûre.", "y"], 3]},
                           "pairs[1]")):
        answer = page.request.post(base_url + "/align/memory", data=body,
                                   headers={"Origin": base_url})
        assert answer.status == 400, answer.text()
        assert message in answer.json()["error"]["message"]
    too_many = json.dumps({"source_lang": "fr", "target_lang": "en", "source_name": "a",
                           "target_name": "b", "pairs": [["a", "b"]] * 5001}, separators=(",", ":"))
    for raw, message in (("", "body"), ("[1, 2]", "object"), ("{not json", "JSON"),
                         ('{"pairs": []}', "source_lang"), (too_many, "at most 5000"),
                         ({"extra": 1}, "extra")):
        answer = page.request.post(base_url + "/align/memory", data=raw,
                                   headers={"Origin": base_url, "Content-Type": "application/json"})
        assert answer.status == 400, (raw if isinstance(raw, str) else "", answer.text())
        assert message in answer.json()["error"]["message"]
    assert memory(page, base_url, "Une phrase sûre") == []
    # a form naming an unknown language says which, and keeps the texts
    answer = page.request.post(base_url + "/align", headers={"Origin": base_url}, form={
        "source_text": "Le ministre a parlé.", "target_text": "The minister spoke.",
        "source": "xx", "target": "en"})
    assert answer.status == 400 and "xx" in answer.text() and "Le ministre a parlé." in answer.text()


def test_phone_width_and_accessibility(page, base_url, tmp_path):
    page.goto(base_url + "/align")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    assert page.locator("#source_text").bounding_box()["width"] >= 300
    assert axe_violations(page) == []
    source, target = floods(tmp_path)
    upload(page, base_url, source, target)
    assert no_sideways_scroll(page)
    bead = page.locator("li.bead").nth(1)
    src, tgt = bead.locator(".side.source").bounding_box(), bead.locator(".side.target").bounding_box()
    assert src["width"] >= 300 and tgt["y"] >= src["y"] + src["height"] - 1  # stacked
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 1400, "height": 900})
    assert no_sideways_scroll(page)
    assert axe_violations(page) == []
