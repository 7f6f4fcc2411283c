"""Batch INPUTs as articles: files, folders, globs, HTML, JSONL feeds and archives, with real
files in tmp_path. Paths are given relative to tmp_path (the test changes into it), as a
user types them, so keys and ids can be checked literally."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from translator.archive import ArchiveLimits
from translator.batch.inputs import Article, expand_inputs, html_text, iter_articles
from translator.errors import (BadArchive, EmptyInput, InputError, InputTooLarge,
                               InvalidEncoding)

MAX = 10_000


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: str, data: str | bytes) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    file.write_bytes(data)
    return file


def make_zip(path: str, members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (members.items() if isinstance(members, dict) else members):
            zf.writestr(name, data)
    return Path(path)


def make_tgz(path: str, members: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    Path(path).write_bytes(gzip.compress(buffer.getvalue()))
    return Path(path)


def articles(*inputs: str, max_chars: int = MAX, **options) -> list[Article]:
    return list(iter_articles(list(inputs), max_chars=max_chars, **options))


def summary(found: list[Article]) -> list[tuple]:
    """(key, text or error code) of each article."""
    return [(a.key, a.text if a.error is None else a.error.code) for a in found]


# --------------------------------------------------------------------------- expansion


def test_a_folder_is_walked_in_name_order_without_hidden_entries():
    for name in ["news/b.txt", "news/a/z.md", "news/a/y.htm", "news/a-1.txt", "news/c.jsonl",
                 "news/.draft.txt", "news/.git/x.txt", "news/sub/.hidden/x.txt", "news/B.txt"]:
        write(name, "x")
    assert [str(p) for p in expand_inputs(["news"])] == [
        "news/B.txt", "news/a/y.htm", "news/a/z.md", "news/a-1.txt", "news/b.txt", "news/c.jsonl"]
    assert [str(p) for p in expand_inputs(["./news/"])] == [
        "news/B.txt", "news/a/y.htm", "news/a/z.md", "news/a-1.txt", "news/b.txt", "news/c.jsonl"]


def test_unsupported_files_in_folders_are_noted_and_skipped():
    write("news/a.txt", "x")
    write("news/photo.JPG", b"\xff\xd8")
    write("news/notes.pdf", b"%PDF")
    skipped: list[str] = []
    assert expand_inputs(["news"], skipped=skipped) == [Path("news/a.txt")]
    assert skipped == ["news/notes.pdf: unsupported type", "news/photo.JPG: unsupported type"]


def test_extensions_are_case_insensitive():
    for name in ["in/A.TXT", "in/b.Html", "in/c.JSONL", "in/d.ZIP", "in/e.Tar.Gz", "in/f.TGZ", "in/g.MD"]:
        write(name, "x")
    assert len(expand_inputs(["in"])) == 7


def test_linked_folders_are_not_followed():
    write("elsewhere/secret.txt", "x")
    write("elsewhere/file.txt", "x")
    write("news/a.txt", "x")
    os.symlink(Path("elsewhere").absolute(), "news/link")
    os.symlink(Path("elsewhere/file.txt").absolute(), "news/b-link.txt")  # a linked file is read
    skipped: list[str] = []
    assert [str(p) for p in expand_inputs(["news"], skipped=skipped)] == [
        "news/a.txt", "news/b-link.txt"]
    assert skipped == ["news/link: link to a folder, not followed"]


def test_linked_file_reached_twice_is_read_once():
    write("news/a.txt", "x")
    os.symlink(Path("news/a.txt").absolute(), "news/b.txt")
    skipped: list[str] = []
    assert expand_inputs(["news"], skipped=skipped) == [Path("news/a.txt")]
    assert skipped == ["news/b.txt: the same file as news/a.txt; read once"]


def test_exclude_keeps_the_output_folder_out():
    write("news/a.txt", "x")
    write("news/out/translations.txt", "x")
    write("news/out/deep/x.txt", "x")
    assert expand_inputs(["news"], exclude=[Path("news/out")]) == [Path("news/a.txt")]
    assert expand_inputs(["news/out/translations.txt", "news"],
                         exclude=[Path("news/out").absolute()]) == [Path("news/a.txt")]
    assert expand_inputs(["news/*/*.txt"], exclude=[Path("news/out")]) == []


def test_globs_are_expanded_sorted_and_recursively():
    for name in ["n/2024/b.txt", "n/2024/a.txt", "n/2023/c.txt", "n/2023/deep/d.txt", "n/x.jpg",
                 "n/.hidden.txt"]:
        write(name, "x")
    assert [str(p) for p in expand_inputs(["n/*/*.txt"])] == [
        "n/2023/c.txt", "n/2024/a.txt", "n/2024/b.txt"]
    assert [str(p) for p in expand_inputs(["n/**/*.txt"])] == [
        "n/2023/c.txt", "n/2023/deep/d.txt", "n/2024/a.txt", "n/2024/b.txt"]
    skipped: list[str] = []
    assert [str(p) for p in expand_inputs(["n/*"], skipped=skipped)] == [
        "n/2023/c.txt", "n/2023/deep/d.txt", "n/2024/a.txt", "n/2024/b.txt"]
    assert skipped == ["n/x.jpg: unsupported type"]
    assert [str(p) for p in expand_inputs(["n/**"])] == [  # folders and files: each once
        "n/2023/c.txt", "n/2023/deep/d.txt", "n/2024/a.txt", "n/2024/b.txt"]


def test_inputs_keep_command_line_order():
    write("b.txt", "x")
    write("a.txt", "x")
    write("dir/c.txt", "x")
    assert [str(p) for p in expand_inputs(["b.txt", "dir", "a.txt"])] == ["b.txt", "dir/c.txt", "a.txt"]


@pytest.mark.parametrize("given, message", [
    ("missing.txt", "missing.txt: no such file or folder"),
    ("missing/", "missing/: no such file or folder"),
    ("news/*.txt", r"news/\*.txt: no file matches this pattern"),
    ("", "an empty INPUT"),
])
def test_missing_inputs_are_one_clear_error(given, message):
    write("news/a.md", "x")
    with pytest.raises(InputError, match=message) as info:
        expand_inputs(["news", given])
    assert "\n" not in info.value.message


def test_an_explicit_unsupported_file_names_the_supported_types():
    write("report.pdf", b"%PDF")
    with pytest.raises(InputError, match=r"report\.pdf: unsupported file type; supported: \.txt, "
                                         r"\.md, \.html, \.htm, \.docx, \.odt, \.pptx, \.jsonl and "
                                         r"archives \.zip, "
                                         r"\.tar\.gz, \.tgz"):
        expand_inputs(["report.pdf"])


def test_iter_articles_raises_before_the_first_article():
    write("a.txt", "x")
    with pytest.raises(InputError, match="nope.txt"):
        iter_articles(["a.txt", "nope.txt"], max_chars=MAX)  # not even iterated


# --------------------------------------------------------------------------- plain files


def test_text_files_as_they_are():
    write("a.txt", "Premier paragraphe.\n\n  Deuxième.\n")
    write("b.md", "# Titre\n\n*Texte*")
    write("c.txt", b"\xef\xbb\xbfAvec BOM.")
    found = articles("a.txt", "b.md", "c.txt")
    assert found == [
        Article("a.txt", "a.txt", "a.txt", "Premier paragraphe.\n\n  Deuxième.\n"),
        Article("b.md", "b.md", "b.md", "# Titre\n\n*Texte*"),
        Article("c.txt", "c.txt", "c.txt", "Avec BOM.")]


def test_not_utf8_says_the_byte_offset():
    write("latin1.txt", "Le café".encode("latin-1"))
    write("bom-latin1.txt", b"\xef\xbb\xbf" + "Le café".encode("latin-1"))
    write("utf16.txt", "Le cafe".encode("utf-16-le"))
    first, second, third = articles("latin1.txt", "bom-latin1.txt", "utf16.txt")
    assert first.text is None and isinstance(first.error, InvalidEncoding)
    assert first.error.message == "input is not valid UTF-8 (byte 6)"
    assert second.error.message == "input is not valid UTF-8 (byte 9)"  # offsets count the BOM
    assert isinstance(third.error, InvalidEncoding) and "NUL" in third.error.message


def test_empty_and_blank_files():
    write("empty.txt", "")
    write("blank.md", " \n\t\n")
    write("bom-only.txt", b"\xef\xbb\xbf")
    found = articles("empty.txt", "blank.md", "bom-only.txt")
    assert [type(a.error) for a in found] == [EmptyInput] * 3
    assert all(a.text is None for a in found)


def test_too_large_texts():
    write("eleven.txt", "é" * 11)
    write("ten.txt", "é" * 10)
    write("huge.txt", "x" * 100_000)
    eleven, ten, huge = articles("eleven.txt", "ten.txt", "huge.txt", max_chars=10)
    assert isinstance(eleven.error, InputTooLarge)
    assert eleven.error.message == "text has 11 characters; the limit is 10"
    assert ten.text == "é" * 10
    assert isinstance(huge.error, InputTooLarge)  # refused after reading 43 bytes, not 100 KB
    assert huge.error.message == "text has more than 10 characters (100000 bytes); the limit is 10"


def test_a_vanished_file_is_an_article_error_and_the_rest_goes_on():
    write("a.txt", "A.")
    write("b.txt", "B.")
    found = iter_articles(["a.txt", "b.txt"], max_chars=MAX)  # expanded now
    os.unlink("a.txt")
    a, b = found
    assert type(a.error) is InputError and a.error.message == "cannot read (No such file or directory)"
    assert b.text == "B."


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_an_article_error():
    write("a.txt", "A.").chmod(0)
    (a,) = articles("a.txt")
    assert type(a.error) is InputError and "Permission denied" in a.error.message


# --------------------------------------------------------------------------- HTML


def test_html_visible_text_in_paragraphs():
    write("a.html", """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Le  titre &amp; plus</title>
<style>p { color: red }</style><script>var x = "<p>not text</p>";</script>
<link rel="stylesheet" href="x.css"></head>
<body><noscript>Activez JavaScript</noscript>
<h1>Grand   titre</h1>
<p>Premier
   paragraphe, <b>gras</b> et <a href="#">lien</a>.</p><p>Caf&eacute; &lt;noir&gt; &#8212; fin&nbsp;!</p>
<ul><li>un</li><li>deux</li></ul><div>Ligne<br>suivante</div>
<table><tr><td>A1</td><td>B1</td></tr><tr><th>A2</th><td>B2</td></tr></table>
<template><p>modèle</p></template><svg><title>Partager</title></svg>
<blockquote>Citation</blockquote><!-- un commentaire -->
</body></html>""")
    (article,) = articles("a.html")
    assert article.text == "\n\n".join([
        "Le titre & plus", "Grand titre", "Premier paragraphe, gras et lien.",
        "Café <noir> — fin !", "un", "deux", "Ligne", "suivante", "A1 B1", "A2 B2", "Citation"])


def test_html_without_a_closed_head_keeps_the_body():
    assert html_text("<html><head><title>T</title><p>Corps du texte</p>") == "T\n\nCorps du texte"
    assert html_text("Texte <i>sans</i> balises") == "Texte sans balises"
    assert html_text("<p>Un <noscript><div>caché</div></noscript> paragraphe</p>") == "Un paragraphe"
    assert html_text("<![foo bar]>Après une section inconnue") == "Après une section inconnue"


def test_html_with_no_visible_text_is_empty():
    write("a.htm", "<html><head><title> </title></head><body><script>x()</script></body></html>")
    (article,) = articles("a.htm")
    assert isinstance(article.error, EmptyInput)


def test_html_size_limit_applies_to_the_text_not_the_markup():
    write("a.html", "<div>" * 5000 + "court" + "</div>" * 5000)
    (article,) = articles("a.html", max_chars=10)
    assert article.text == "court"


# --------------------------------------------------------------------------- JSONL


def test_jsonl_lines_are_articles():
    write("feed.jsonl", b"\xef\xbb\xbf" + "\n".join([
        json.dumps({"id": "a-1", "text": "Premier.", "title": "ignored"}),
        "",
        "   ",
        json.dumps({"id": 42, "text": "Deuxième."}),
        json.dumps({"text": "Troisième.", "id": "z"}),
    ]).encode() + b"\r\n")
    found = articles("feed.jsonl")
    assert found == [
        Article("feed.jsonl#a-1", "a-1", "feed.jsonl line 1", "Premier."),
        Article("feed.jsonl#42", "42", "feed.jsonl line 4", "Deuxième."),
        Article("feed.jsonl#z", "z", "feed.jsonl line 5", "Troisième.")]


def test_bad_jsonl_lines_are_reported_and_the_rest_goes_on():
    lines = [
        '{"id": "ok", "text": "Bon."}',
        'not json',
        '["id", "text"]',
        '{"text": "no id"}',
        '{"id": true, "text": "bool id"}',
        '{"id": 1.5, "text": "float id"}',
        '{"id": "  ", "text": "blank id"}',
        '{"id": "notext"}',
        '{"id": "numtext", "text": 3}',
        '{"id": "ok", "text": "Encore."}',
        '{"id": "empty", "text": "  "}',
        '{"id": "big", "text": "' + "x" * 50 + '"}',
        '{"id": "last", "text": "Fin."}',
    ]
    data = "\n".join(lines).encode()
    data = data.replace(b'"Fin."', '"Fé."'.encode("latin-1"))  # the last line is not UTF-8
    write("feed.jsonl", data)
    latin = data.index("é".encode("latin-1"))
    found = articles("feed.jsonl", max_chars=20)
    assert [(a.key, a.id, a.input, a.error and (type(a.error), a.error.message)) for a in found] == [
        ("feed.jsonl#ok", "ok", "feed.jsonl line 1", None),
        ("feed.jsonl:line 2", "feed.jsonl:line 2", "feed.jsonl line 2",
         (InputError, "line 2: not valid JSON (Expecting value at column 1)")),
        ("feed.jsonl:line 3", "feed.jsonl:line 3", "feed.jsonl line 3",
         (InputError, 'line 3: expected a JSON object with "id" and "text", not an array')),
        ("feed.jsonl:line 4", "feed.jsonl:line 4", "feed.jsonl line 4", (InputError, 'line 4: no "id"')),
        ("feed.jsonl:line 5", "feed.jsonl:line 5", "feed.jsonl line 5",
         (InputError, 'line 5: "id" must be a string or an integer, not a boolean')),
        ("feed.jsonl:line 6", "feed.jsonl:line 6", "feed.jsonl line 6",
         (InputError, 'line 6: "id" must be a string or an integer, not a number')),
        ("feed.jsonl:line 7", "feed.jsonl:line 7", "feed.jsonl line 7",
         (InputError, 'line 7: "id" is empty')),
        ("feed.jsonl#notext", "notext", "feed.jsonl line 8", (InputError, 'line 8: no "text"')),
        ("feed.jsonl#numtext", "numtext", "feed.jsonl line 9",
         (InputError, 'line 9: "text" must be a string, not a number')),
        ("feed.jsonl:line 10", "feed.jsonl:line 10", "feed.jsonl line 10",
         (InputError, "line 10: duplicate id 'ok' (first on line 1)")),
        ("feed.jsonl#empty", "empty", "feed.jsonl line 11", (EmptyInput, "line 11: text is empty")),
        ("feed.jsonl#big", "big", "feed.jsonl line 12",
         (InputTooLarge, "line 12: text has 50 characters; the limit is 20")),
        ("feed.jsonl:line 13", "feed.jsonl:line 13", "feed.jsonl line 13",
         (InvalidEncoding, f"line 13: not valid UTF-8 (byte {latin} of the file)")),
    ]
    assert len({a.key for a in found}) == len(found)


def test_an_over_long_jsonl_line_is_skipped_whole():
    write("feed.jsonl", json.dumps({"id": "long", "text": "x" * 2_000_000}) + "\n"
          + json.dumps({"id": "next", "text": "Suivant."}) + "\n")
    long, following = articles("feed.jsonl", max_chars=10)
    assert long.key == "feed.jsonl:line 1" and isinstance(long.error, InputTooLarge)
    assert long.error.message.startswith("line 1: longer than ")
    assert following == Article("feed.jsonl#next", "next", "feed.jsonl line 2", "Suivant.")


def test_an_empty_jsonl_file_is_reported():
    write("feed.jsonl", "\n\n")
    (article,) = articles("feed.jsonl")
    assert article.key == "feed.jsonl" and isinstance(article.error, EmptyInput)


# --------------------------------------------------------------------------- archives


def test_zip_members_become_articles_in_name_order():
    make_zip("news.zip", [
        ("2024/b.txt", "Bé."), ("2024/a.html", "<p>Ah.</p>"), ("2023/", ""), ("2023/z.md", "Zed."),
        ("photos/p.jpg", b"\xff\xd8"), ("inner.zip", b"PK"), ("old.tar.gz", b"x"),
        ("__MACOSX/2024/._b.txt", "fork"), (".DS_Store", "x"), ("feed.jsonl", '{"id": 7, "text": "Sept."}\n'),
    ])
    skipped: list[str] = []
    found = articles("news.zip", skipped=skipped)
    assert found == [
        Article("news.zip:2023/z.md", "news.zip:2023/z.md", "news.zip:2023/z.md", "Zed."),
        Article("news.zip:2024/a.html", "news.zip:2024/a.html", "news.zip:2024/a.html", "Ah."),
        Article("news.zip:2024/b.txt", "news.zip:2024/b.txt", "news.zip:2024/b.txt", "Bé."),
        Article("news.zip:feed.jsonl#7", "7", "news.zip:feed.jsonl line 1", "Sept."),
    ]
    assert skipped == ["news.zip:inner.zip: nested archive not read",
                       "news.zip:old.tar.gz: nested archive not read",
                       "news.zip:photos/p.jpg: unsupported type"]


def test_tar_members_become_articles_in_archive_order():
    make_tgz("news.tgz", {"./b.txt": b"B.", "./a.txt": b"A.", "./c/.hidden.txt": b"no",
                          "./d.bin": b"x", "./inner.tgz": b"x"})
    skipped: list[str] = []
    assert summary(articles("news.tgz", skipped=skipped)) == [
        ("news.tgz:b.txt", "B."), ("news.tgz:a.txt", "A.")]
    assert skipped == ["news.tgz:d.bin: unsupported type", "news.tgz:inner.tgz: nested archive not read"]


def test_unsafe_members_are_failed_articles():
    with zipfile.ZipFile("evil.zip", "w") as zf:
        zf.writestr("ok.txt", "Bien.")
        zf.writestr("../escape.txt", "x")
        zf.writestr("/abs.txt", "x")
        zf.writestr("a\\b.txt", "x")
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("../escape.sh", "x")
    skipped: list[str] = []
    found = articles("evil.zip", skipped=skipped)
    assert [(a.key, a.text, a.error and a.error.message) for a in found] == [
        ("evil.zip:../escape.txt", None, "member '../escape.txt' leaves the archive (..)"),
        ("evil.zip:/abs.txt", None, "member '/abs.txt' has an absolute path"),
        ("evil.zip:a\\b.txt", None, "member 'a\\\\b.txt' has a backslash in its path"),
        ("evil.zip:link.txt", None, "member 'link.txt' is a symbolic link"),
        ("evil.zip:ok.txt", "Bien.", None)]
    assert all(isinstance(a.error, BadArchive) for a in found[:4])
    assert skipped == ["evil.zip:../escape.sh: not read (member '../escape.sh' leaves the archive (..))"]


def test_tar_links_and_devices_are_failed_articles():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        for name, kind in [("sym.txt", tarfile.SYMTYPE), ("hard.txt", tarfile.LNKTYPE),
                           ("dev.txt", tarfile.CHRTYPE), ("fifo.txt", tarfile.FIFOTYPE)]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, "ok.txt"
            tf.addfile(info)
    Path("a.tgz").write_bytes(gzip.compress(buffer.getvalue()))
    assert [a.error.message for a in articles("a.tgz")] == [
        "member 'sym.txt' is a symbolic link", "member 'hard.txt' is a hard link",
        "member 'dev.txt' is a special file (device or fifo)",
        "member 'fifo.txt' is a special file (device or fifo)"]


def test_duplicate_members_keep_unique_keys():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_zip("dup.zip", [("a.txt", "Un."), ("a.txt", "Deux.")])
    found = articles("dup.zip")
    assert summary(found) == [("dup.zip:a.txt", "Un."), ("dup.zip:a.txt (member 2)", "bad_archive")]
    assert found[1].error.message == "member 'a.txt' appears twice"


def test_a_bomb_member_fails_alone():
    with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", "Avant.")
        zf.writestr("bomb.html", bytes(20 * 1024 * 1024))
        zf.writestr("noise.bin", os.urandom(300 * 1024), compress_type=zipfile.ZIP_STORED)
        zf.writestr("z.txt", "Après.")
    limits = ArchiveLimits(max_member_bytes=256 * 1024)
    found = articles("bomb.zip", limits=limits)
    assert summary(found) == [("bomb.zip:a.txt", "Avant."), ("bomb.zip:bomb.html", "input_too_large"),
                              ("bomb.zip:z.txt", "Après.")]  # refused on its declared size
    with zipfile.ZipFile("liar.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.html", bytes(20 * 1024 * 1024))
        zf.writestr("noise.bin", os.urandom(300 * 1024), compress_type=zipfile.ZIP_STORED)
    data = bytearray(Path("liar.zip").read_bytes())  # now declare 1000 bytes
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset:at + offset + 4] = (1000).to_bytes(4, "little")
    Path("liar.zip").write_bytes(bytes(data))
    (liar,) = articles("liar.zip", limits=limits)
    assert isinstance(liar.error, BadArchive) and "member 'bomb.html'" in liar.error.message


def test_an_archive_that_cannot_be_opened_is_one_failed_article():
    write("broken.zip", b"not a zip")
    good = make_tgz("good.tgz", {"a.txt": os.urandom(5000)})
    Path("cut.tgz").write_bytes(good.read_bytes()[:2000])
    write("z.txt", "Zed.")
    found = articles("broken.zip", "cut.tgz", "z.txt")
    assert summary(found) == [("broken.zip", "bad_archive"), ("cut.tgz", "bad_archive"),
                              ("z.txt", "Zed.")]
    assert found[0].id == found[0].input == "broken.zip"
    assert found[0].error.message.startswith("not a zip archive")
    assert found[1].error.message == "truncated (the compressed stream ends early)"


def test_member_text_checks_apply():
    make_zip("a.zip", {"bad.txt": "café".encode("latin-1"), "empty.txt": "", "big.txt": "x" * 50,
                       "ok.txt": "Bon."})
    assert summary(articles("a.zip", max_chars=10)) == [
        ("a.zip:bad.txt", "invalid_encoding"), ("a.zip:big.txt", "input_too_large"),
        ("a.zip:empty.txt", "empty_input"), ("a.zip:ok.txt", "Bon.")]


def test_archives_found_in_folders_are_read():
    Path("in").mkdir()
    make_zip("in/news.zip", {"a.txt": "A."})
    write("in/b.txt", "B.")
    assert summary(articles("in")) == [("in/b.txt", "B."), ("in/news.zip:a.txt", "A.")]


# --------------------------------------------------------------------------- stability


def test_the_same_inputs_give_the_same_keys_every_run():
    for n in range(30):
        write(f"in/{n % 4}/{n:02d}.txt", f"Article {n}.")
    make_zip("in/news.zip", {f"m/{n}.txt": f"Membre {n}." for n in reversed(range(20))})
    make_tgz("in/news.tgz", {f"t/{n}.txt": f"Tar {n}.".encode() for n in range(20)})
    write("in/feed.jsonl", "\n".join(json.dumps({"id": n, "text": f"Ligne {n}."}) for n in range(20)))
    first = [a.key for a in articles("in", "in/0/*.txt")]
    second = [a.key for a in articles("in", "in/0/*.txt")]
    assert first == second and len(first) == 30 + 20 + 20 + 20
    assert len(set(first)) == len(first)


def test_documents_are_articles_of_their_paragraphs(tmp_path):
    """.docx and .odt (the test documents of tests/test_documents.py: headings, a list, a
    table, marked runs, a link) become articles of their paragraphs; a broken one fails
    alone, with the documents' own error."""
    from test_documents import write_docx, write_odt

    folder = tmp_path / "docs"
    folder.mkdir()
    write_docx(folder / "a.docx")
    write_odt(folder / "b.odt")
    (folder / "c.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    found = articles(str(folder))
    assert [a.key for a in found] == [str(folder / n) for n in ("a.docx", "b.odt", "c.docx")]
    for article in found[:2]:
        assert article.error is None
        paragraphs = article.text.split("\n\n")
        assert len(paragraphs) >= 5 and all(p.strip() == p and p for p in paragraphs)
        assert "<" not in article.text  # marks are the document's, not the text's
    assert found[2].error is not None and found[2].error.code == "bad_document"
