"""Translation memories from existing translations (issue 13, part 4): TMX in and out with
`translator memory import/export` and over `/v1/memory` (search, import, export), on a
real SQLite file; a bad file stores nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree

from test_web import web_settings
from translator.store import Store
from translator.web import create_app

TMX = (Path(__file__).resolve().parent / "data" / "archive.tmx").read_bytes()
ROOT = Path(__file__).resolve().parent.parent


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    """`translator memory ARGS` (in this process: tests/cli_runner.py), output as text."""
    from cli_runner import run_cli

    done = run_cli("memory", *args, cwd=ROOT, env_extra={"TRANSLATOR_DB_PATH": str(db)})
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(),
                                       done.stderr.decode())


def test_cli_imports_and_exports_a_tmx_file(tmp_path):
    db, tmx = tmp_path / "translator.db", tmp_path / "archive.tmx"
    tmx.write_bytes(TMX)
    done = cli(db, "import", str(tmx))
    assert done.returncode == 0, done.stderr
    assert "stored 2 pairs" in done.stdout and "vi-fr: 2" in done.stdout and "skipped 1" in done.stdout
    store = Store(db)
    found = store.memory.for_desk("default").fuzzy("vi", "fr", "Tổng thống Nga đến Hà Nội.")
    assert found[0].target == "Le président russe est arrivé à Pyongyang." and found[0].created_by == "hanh"
    store.close()
    out = tmp_path / "out.tmx"
    done = cli(db, "export", "--source", "vi", "-o", str(out))
    assert done.returncode == 0, done.stderr
    units = etree.fromstring(out.read_bytes()).findall("body/tu")
    assert len(units) == 2 and units[0].get("creationid") == "hanh"
    assert [s.text for s in units[1].iter("seg")] == ["Hai nước sẽ hợp tác.", "Les deux pays coopéreront."]
    # a broken file: one clear line, exit 2, nothing stored or changed
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(TMX[:300])
    done = cli(db, "import", str(bad))
    assert done.returncode == 2 and "bad.tmx is not well-formed XML (line" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli(db, "import", str(tmp_path / "missing.tmx"))
    assert done.returncode == 2 and "cannot read" in done.stderr
    store = Store(db)
    assert store.memory.count() == 2
    store.close()


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(web_settings(tmp_path_factory.mktemp("memory")), load_models=False)
    yield app.test_client()
    app.extensions["translator"].close()


def test_v1_memory_import_search_and_export(client):
    imported = client.post("/v1/memory?name=archive.tmx", data=TMX,
                           headers={"Content-Type": "application/x-tmx+xml"})
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json() == {"stored": 2, "skipped": 1, "pairs": {"vi-fr": 2}}
    found = client.get("/v1/memory?source=vi&target=fr&q=hợp tác").get_json()["entries"]
    assert [e["target"] for e in found] == ["Les deux pays coopéreront."]
    fuzzy = client.get("/v1/memory", query_string={"source": "vi", "target": "fra",
                                                   "match": "Tổng thống Nga đến Hà Nội."}).get_json()
    assert fuzzy["entries"][0]["similarity"] >= 60 and fuzzy["entries"][0]["diff"]
    exported = client.get("/v1/memory/export.tmx?source=vi&target=fr")
    assert exported.status_code == 200 and exported.mimetype == "application/x-tmx+xml"
    assert len(etree.fromstring(exported.data).findall("body/tu")) == 2


@pytest.mark.parametrize("method, url, body, code", [
    ("post", "/v1/memory", b"<tmx><body><tu>", "bad_tmx"),
    ("post", "/v1/memory", b"<html><body/></html>", "bad_tmx"),
    ("post", "/v1/memory", b"", "missing_field"),
    ("post", "/v1/memory?into=everyone", TMX, "invalid_field"),
    ("get", "/v1/memory?target=fr&q=x", None, "missing_field"),
    ("get", "/v1/memory?source=xx&target=fr&q=x", None, "unknown_language"),
    ("get", "/v1/memory?source=vi&target=fr", None, "invalid_field"),
    ("get", "/v1/memory?source=vi&target=fr&q=a&match=b", None, "invalid_field"),
    ("get", "/v1/memory/export.tmx?source=zz", None, "unknown_language"),
])
def test_v1_memory_bad_input_is_a_clear_400_and_stores_nothing(client, method, url, body, code):
    before = client.get("/v1/memory/export.tmx").data
    response = getattr(client, method)(url, data=body)
    assert response.status_code == 400, response.data
    assert response.get_json()["error"]["code"] == code
    assert client.get("/v1/memory/export.tmx").data.count(b"<tu ") == before.count(b"<tu ")


def test_cli_refuses_a_bad_desk_name_before_opening_the_store(tmp_path):
    from cli_runner import run_cli

    db = tmp_path / "translator.db"
    proc = run_cli("memory", "export", "--desk", "Sports Desk!", env_extra={
        "TRANSLATOR_DB_PATH": str(db)})
    assert proc.returncode == 2 and not db.exists()
    assert proc.stderr == (b"translator: error: bad desk name 'Sports Desk!': 1-32 lowercase "
                           b"letters, digits, '_' or '-'\n")


def test_cli_exports_what_xml_cannot_carry_left_out_with_a_note(tmp_path):
    # A review or a suggestion may hold U+FFFE, U+FFFF or a control character; the export
    # was a traceback (lxml refuses them) and the HTTP export a 500.
    db, out = tmp_path / "translator.db", tmp_path / "out.tmx"
    store = Store(db)
    store.memory.add("fr", "en", "Le chat dort.", "Cat\ufffe\uffff\x01\x0c sleeps", desk="default",
                     by="night\x02desk")
    store.close()
    done = cli(db, "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    unit = etree.fromstring(out.read_bytes()).find("body/tu")
    assert [s.text for s in unit.iter("seg")] == ["Le chat dort.", "Cat sleeps"]
    assert unit.get("creationid") == "nightdesk"
    assert unit.find("note").text == ("5 characters XML 1.0 cannot carry left out "
                                      "(U+0002, U+FFFE, U+FFFF, U+0001, U+000C)")
