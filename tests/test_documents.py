"""Documents translated in their own format (.docx, .odt, .html, .txt): written here with
python-docx and odfpy (headings, a list, a table, bold and italic runs, a link), translated
by real Apertium (fr->es->en) through /translate_file + /download_file, POST /v1/translate
with a file, and `translator translate FILE`, then read back with the same libraries."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cli_runner import run_cli
from test_web import needs_apertium, ready_app, web_settings

pytestmark = [needs_apertium, pytest.mark.usefixtures("warm_apertium")]

LINK = "https://example.org/chat"


def write_docx(path: Path) -> Path:
    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document()
    doc.add_heading("Le chat noir", level=1)
    p = doc.add_paragraph("Le ")
    p.add_run("chat").bold = True
    p.add_run(" noir dort.")
    doc.add_paragraph("Le chien dort.", style="List Bullet")
    doc.add_paragraph("La maison est grande.", style="List Bullet")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Le chat"
    cell = table.cell(0, 1).paragraphs[0]
    cell.add_run("La maison ")
    cell.add_run("blanche").italic = True
    linked = doc.add_paragraph("Le ")
    rel = doc.part.relate_to(LINK, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "chat"
    run.append(text)
    hyperlink.append(run)
    linked._p.append(hyperlink)
    linked.add_run(" dort.")
    doc.save(path)
    return path


def read_docx(data: bytes) -> dict:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))
    paragraphs = doc.paragraphs
    links = []
    for p in paragraphs:
        for h in p._p.iter(qn("w:hyperlink")):
            target = doc.part.rels[h.get(qn("r:id"))].target_ref
            links.append(("".join(t.text for t in h.iter(qn("w:t"))), target))
    cell = doc.tables[0].cell(0, 1).paragraphs[0]
    return {
        "styles": [(p.style.name, p.text) for p in paragraphs],
        "bold": [r.text for p in paragraphs for r in p.runs if r.bold],
        "table": [[c.text for c in row.cells] for row in doc.tables[0].rows],
        "italic": [r.text for r in cell.runs if r.italic],
        "links": links,
    }


def write_odt(path: Path) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import A, H, List, ListItem, P, Span

    doc = OpenDocumentText()
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    italic = Style(name="Italic", family="text")
    italic.addElement(TextProperties(fontstyle="italic"))
    doc.automaticstyles.addElement(bold)
    doc.automaticstyles.addElement(italic)
    doc.text.addElement(H(outlinelevel=1, text="Le chat noir"))
    p = P(text="Le ")
    p.addElement(Span(stylename=bold, text="chat"))
    p.addText(" noir dort.")
    doc.text.addElement(p)
    items = List()
    for sentence in ("Le chien dort.", "La maison est grande."):
        item = ListItem()
        item.addElement(P(text=sentence))
        items.addElement(item)
    doc.text.addElement(items)
    table = Table(name="T")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    row = TableRow()
    first = TableCell()
    first.addElement(P(text="Le chat"))
    second = TableCell()
    cell = P(text="La maison ")
    cell.addElement(Span(stylename=italic, text="blanche"))
    second.addElement(cell)
    row.addElement(first)
    row.addElement(second)
    table.addElement(row)
    doc.text.addElement(table)
    linked = P(text="Le ")
    linked.addElement(A(href=LINK, text="chat"))
    linked.addText(" dort.")
    doc.text.addElement(linked)
    doc.save(str(path))
    return path


def read_odt(data: bytes) -> dict:
    from odf import teletype
    from odf.opendocument import load
    from odf.table import TableCell
    from odf.text import A, H, List, P, Span

    doc = load(io.BytesIO(data))
    spans = {}
    for span in doc.getElementsByType(Span):
        spans.setdefault(span.getAttribute("stylename"), []).append(teletype.extractText(span))
    return {
        "headings": [teletype.extractText(h) for h in doc.getElementsByType(H)],
        "list": [teletype.extractText(p) for lst in doc.getElementsByType(List)
                 for p in lst.getElementsByType(P)],
        "table": [teletype.extractText(c) for c in doc.getElementsByType(TableCell)],
        "bold": spans.get("Bold", []),
        "italic": spans.get("Italic", []),
        "links": [(teletype.extractText(a), a.getAttribute("href")) for a in doc.getElementsByType(A)],
    }


EXPECTED_DOCX = {
    "styles": [("Heading 1", "The black cat"), ("Normal", "The black cat sleeps."),
               ("List Bullet", "The dog sleeps."), ("List Bullet", "The house is big."),
               ("Normal", "The cat sleeps.")],
    "bold": ["cat"],
    "table": [["The cat", "The white house"]],
    "italic": ["white"],
    "links": [("cat", LINK)],
}

EXPECTED_ODT = {
    "headings": ["The black cat"],
    "list": ["The dog sleeps.", "The house is big."],
    "table": ["The cat", "The white house"],
    "bold": ["cat"],
    "italic": ["white"],
    "links": [("cat", LINK)],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Apertium alone: fr->en goes fr->es->en, which reorders "chat noir" -> "black cat"."""
    with ready_app(web_settings(tmp_path_factory.mktemp("documents"))) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("documents-in")
    return {"docx": write_docx(root / "article.docx"), "odt": write_odt(root / "article.odt")}


def translate_file(client, path: Path, source: str = "fr") -> bytes:
    response = client.post("/translate_file", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "source": source, "target": "en"})
    assert response.status_code == 200, response.get_json()
    url = response.get_json()["translatedFileUrl"]
    assert url.endswith(path.name)
    with client.get("/download_file/" + url.rsplit("/", 1)[1]) as download:  # closes the file
        assert download.status_code == 200
        assert f"filename={path.name}" in download.headers["Content-Disposition"]
        return download.data


def test_docx_through_translate_file_keeps_structure_and_marks_on_the_right_words(client, files):
    assert read_docx(translate_file(client, files["docx"])) == EXPECTED_DOCX


def test_odt_through_translate_file_keeps_structure_and_marks_on_the_right_words(client, files):
    assert read_odt(translate_file(client, files["odt"], source="auto")) == EXPECTED_ODT


def test_html_and_text_files(client, tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<!DOCTYPE html><html><head><style>p{color:red}</style></head><body>'
                    '<h1 class="t">Le chat noir</h1><p>Le <b>chat</b> noir dort.</p>'
                    '<script>var chat = "<b>noir</b>";</script></body></html>', encoding="utf-8")
    assert translate_file(client, page).decode() == (
        '<!DOCTYPE html><html><head><style>p{color:red}</style></head><body>'
        '<h1 class="t">The black cat</h1><p>The black <b>cat</b> sleeps.</p>'
        '<script>var chat = "<b>noir</b>";</script></body></html>')
    text = tmp_path / "note.txt"
    text.write_text("Le chat noir dort.\n\nLe chien dort.\n", encoding="utf-8")
    assert translate_file(client, text).decode() == "The black cat sleeps.\n\nThe dog sleeps.\n"


def test_v1_translate_with_a_file_gives_the_document_or_its_aligned_result(client, files):
    path = files["docx"]
    document = client.post("/v1/translate", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "source": "fr", "target": "en"})
    assert document.status_code == 200, document.get_json()
    assert document.mimetype.endswith("wordprocessingml.document")
    assert read_docx(document.data) == EXPECTED_DOCX
    aligned = client.post("/v1/translate", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "source": "fr", "target": "en",
        "format": "json"})
    results = aligned.get_json()["results"]
    assert any(seg["target"] == "The black cat sleeps." for r in results for seg in r["segments"])
    tmx = client.post("/v1/translate", data={
        "file": (io.BytesIO(path.read_bytes()), path.name), "source": "fr", "target": "en",
        "format": "tmx"})
    assert tmx.status_code == 200 and b"The dog sleeps." in tmx.data


def test_an_inline_mark_that_cannot_be_placed_stays_on_the_whole_paragraph_with_a_warning(client):
    from docx import Document

    doc = Document()
    p = doc.add_paragraph("Le chat ")
    p.add_run("dort").bold = True  # alone, "dort" gives "Sleeps"... or not: see the warning
    p.add_run(" sur le canapé.")
    data = io.BytesIO()
    doc.save(data)
    response = client.post("/v1/translate", data={
        "file": (io.BytesIO(data.getvalue()), "x.docx"), "source": "fr", "target": "en"})
    assert response.status_code == 200
    out = Document(io.BytesIO(response.data)).paragraphs[0]
    bold = [r.text for r in out.runs if r.bold]
    warnings = json.loads(response.headers.get("X-Translator-Warnings", "[]"))
    # either placed on the very word that translates "dort", or on the whole paragraph, warned
    assert bold == ["sleeps"] or (bold == [out.text] and warnings), (bold, out.text, warnings)


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_cli_translates_a_document_in_its_own_format(tmp_path, files, kind):
    out = tmp_path / f"out.{kind}"
    settings = web_settings(tmp_path)
    done = run_cli("translate", files[kind], "--from", "fr", "--to", "en", "--output", out,
                   "--format", "json", "--models-dir", settings.models_dir)
    assert done.returncode == 0, done.stderr
    read = read_docx if kind == "docx" else read_odt
    assert read(out.read_bytes()) == (EXPECTED_DOCX if kind == "docx" else EXPECTED_ODT)
    results = json.loads(done.stdout)
    assert {r["target_lang"] for r in results} == {"en"}


def test_cli_refuses_a_broken_document_with_one_line(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    done = run_cli("translate", bad, "--to", "en", "--output", tmp_path / "out.docx")
    assert done.returncode == 2 and b"not a readable .docx" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.docx").exists()


def test_bad_documents_on_v1_get_the_api_error_shape(client, tmp_path):
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", b"\0" * (257 * 1024 * 1024))
    for name, data, code in [("bomb.odt", bomb.getvalue(), "bad_document"),
                             ("x.docx", b"PK\x03\x04 broken", "bad_document"),
                             ("x.txt", b"\xff\xfe bad", "bad_document"),
                             ("x.rtf", b"{\\rtf1}", "unsupported_document")]:
        response = client.post("/v1/translate", data={"file": (io.BytesIO(data), name),
                                                      "target": "en"})
        assert response.status_code == 400, (name, response.get_json())
        assert response.get_json()["error"]["code"] == code
    unknown = client.post("/v1/translate", data={"file": (io.BytesIO(b"Le chat."), "a.txt"),
                                                 "target": "en", "colour": "red"})
    assert unknown.get_json()["error"]["code"] == "unknown_field"
    missing = client.post("/v1/translate", data={"file": (io.BytesIO(b"Le chat."), "a.txt")})
    assert missing.get_json()["error"] == {"code": "missing_field", "message": "field 'target' is required",
                                           "details": {"field": "target"}}


def test_the_aligned_results_of_a_document_carry_the_glossary(client):
    from docx import Document

    doc = Document()
    doc.add_heading("Vladimir Poutine à Pyongyang", level=1)
    doc.add_paragraph("Le président Vladimir Poutine est arrivé.")
    data = io.BytesIO()
    doc.save(data)
    response = client.post("/v1/translate", data={
        "file": (io.BytesIO(data.getvalue()), "a.docx"), "source": "fr", "target": "en",
        "format": "json"})
    terms = [t for r in response.get_json()["results"] for s in r["segments"] for t in s["terms"]]
    assert {t["target"] for t in terms} >= {"Vladimir Putin"}, terms
    document = client.post("/v1/translate", data={
        "file": (io.BytesIO(data.getvalue()), "a.docx"), "source": "fr", "target": "en"})
    texts = [p.text for p in Document(io.BytesIO(document.data)).paragraphs]
    assert all("Vladimir Putin" in text for text in texts), texts


def write_pptx(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    slide.shapes.title.text = "Le chat noir"
    body = slide.placeholders[1].text_frame
    first = body.paragraphs[0]
    first.add_run().text = "Le "
    bold = first.add_run()
    bold.text = "chat"
    bold.font.bold = True
    first.add_run().text = " noir dort."
    item = body.add_paragraph()
    item.text = "Le chien dort."
    item.level = 1
    linked = body.add_paragraph()
    linked.add_run().text = "Le "
    link = linked.add_run()
    link.text = "chat"
    link.hyperlink.address = LINK
    linked.add_run().text = " dort."
    table = slide.shapes.add_table(1, 2, Inches(1), Inches(5), Inches(6), Inches(1)).table
    table.cell(0, 0).text = "Le chat"
    table.cell(0, 1).text = "La maison est grande."
    slide.notes_slide.notes_text_frame.text = "Le chien dort."
    deck.save(path)
    return path


def read_pptx(data: bytes) -> dict:
    from pptx import Presentation

    slide = Presentation(io.BytesIO(data)).slides[0]
    body = slide.placeholders[1].text_frame.paragraphs
    table = next(s for s in slide.shapes if s.has_table).table
    return {
        "title": slide.shapes.title.text,
        "body": [(p.level, p.text) for p in body],
        "bold": [r.text for p in body for r in p.runs if r.font.bold],
        "links": [(r.text, r.hyperlink.address) for p in body for r in p.runs if r.hyperlink.address],
        "table": [c.text for c in table.rows[0].cells],
        "notes": slide.notes_slide.notes_text_frame.text,
    }


def test_pptx_through_translate_file_keeps_levels_tables_notes_and_marks(client, tmp_path):
    out = read_pptx(translate_file(client, write_pptx(tmp_path / "slides.pptx")))
    assert out == {
        "title": "The black cat",
        "body": [(0, "The black cat sleeps."), (1, "The dog sleeps."), (0, "The cat sleeps.")],
        "bold": ["cat"],
        "links": [("cat", LINK)],
        "table": ["The cat", "The house is big."],
        "notes": "The dog sleeps.",
    }


def _docx(*runs: tuple[str, bool]) -> bytes:
    from docx import Document

    doc = Document()
    p = doc.add_paragraph()
    for text, italic in runs:
        p.add_run(text).italic = italic
    data = io.BytesIO()
    doc.save(data)
    return data.getvalue()


def test_a_mark_is_never_spread_onto_its_neighbours_words(client):
    """The audit's case: "mangeons" alone is "We eat", which the sentence holds; "We" is
    "Nous", outside the mark. It went on "We eat" with no warning."""
    data = _docx(("Nous ", False), ("mangeons", True), (" des pommes.", False))
    response = client.post("/translate_file", data={
        "file": (io.BytesIO(data), "a.docx"), "source": "fr", "target": "en"})
    with client.get("/download_file/" + response.get_json()["translatedFileUrl"]
                    .rsplit("/", 1)[1]) as download:
        data_out = download.data
    from docx import Document

    out = Document(io.BytesIO(data_out)).paragraphs[0]
    italic = [r.text for r in out.runs if r.italic]
    assert italic in (["eat"], [out.text]), italic
    document = client.post("/v1/translate", data={
        "file": (io.BytesIO(data), "a.docx"), "source": "fr", "target": "en"})
    warnings = json.loads(document.headers["X-Translator-Warnings"])
    if italic == [out.text]:  # kept around the paragraph: said
        assert warnings == ["could not place the formatting (bold, italic, style) around the "
                            "translation of 'mangeons': the tag is kept around the whole block"]


def test_the_aligned_results_of_a_document_carry_its_warnings_and_only_its_texts(client):
    data = _docx(("Nous ", False), ("mangeons", True), (" des pommes.", False))
    document = client.post("/v1/translate", data={
        "file": (io.BytesIO(data), "a.docx"), "source": "fr", "target": "en"})
    warnings = json.loads(document.headers["X-Translator-Warnings"])
    assert warnings and "could not place" in warnings[0]
    aligned = client.post("/v1/translate", data={
        "file": (io.BytesIO(data), "a.docx"), "source": "fr", "target": "en", "format": "json"})
    results = aligned.get_json()["results"]
    # one result per paragraph: the pieces that place the mark have none of their own
    assert [r["source_text"] for r in results] == ["Nous mangeons des pommes."]
    assert results[0]["warnings"] == warnings


def test_non_breaking_spaces_of_an_html_file_stay_entities(client, tmp_path):
    page = tmp_path / "nbsp.html"
    page.write_text("<p>10&nbsp;000 euros et le chien&nbsp;: &laquo;&nbsp;oui&nbsp;&raquo;</p>",
                    encoding="utf-8")
    assert translate_file(client, page).decode() == (
        "<p>10&nbsp;000 euros and the dog&nbsp;: &laquo;&nbsp;yes&nbsp;&raquo;</p>")


PAGE = ('<html><head><title>Le chat</title><script>var chat = "noir";</script></head><body>'
        '<p class="chat" title="Le chat noir">Le <b>chat</b> noir dort.</p></body></html>')


def test_cli_translates_an_html_file_as_a_document_to_stdout(tmp_path):
    """Without --output an .html file went through the text path: tags, attributes and
    the script translated, and with auto the language detected over the tags."""
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    settings = web_settings(tmp_path)
    done = run_cli("translate", page, "--to", "en", "--models-dir", settings.models_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == (
        '<html><head><title>Le chat</title><script>var chat = "noir";</script></head><body>'
        '<p class="chat" title="Le chat noir">The black <b>cat</b> sleeps.</p></body></html>')
    assert not list(tmp_path.glob("page.en.*"))
    aligned = run_cli("translate", page, "--from", "fr", "--to", "en", "--format", "json",
                      "--models-dir", settings.models_dir)
    assert [r["target_text"] for r in json.loads(aligned.stdout)] == ["The black cat sleeps."]
