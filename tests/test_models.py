"""The model store: install / list / remove with real files, hostile zips, the index client
against a local HTTP server. Nothing here touches the home folder or the network."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from translator.errors import (BadModelPackage, IndexUnavailable, ModelError, ModelExists,
                               ModelNotFound)
from translator.models import ModelStore, parse_index, safe_unzip
from translator.settings import Settings


# --------------------------------------------------------------------------- builders


def make_package(parent: Path, from_code="fr", to_code="en", version="1.9", *, folder=None,
                 marker="v1", ptype="translate", tokenizer="sentencepiece.model") -> Path:
    """An Argos package folder with a placeholder model (read_package checks only structure)."""
    folder = parent / (folder or f"pkg-{from_code}-{to_code}-{version}")
    (folder / "model").mkdir(parents=True)
    (folder / "model" / "model.bin").write_bytes(b"placeholder " + marker.encode())
    (folder / tokenizer).write_bytes(b"spm placeholder")
    (folder / "metadata.json").write_text(json.dumps({
        "type": ptype, "package_version": version, "argos_version": "1.9",
        "from_code": from_code, "from_name": from_code, "to_code": to_code, "to_name": to_code,
    }))
    return folder


def zip_folder(folder: Path, archive: Path, *, top: str | None = None) -> Path:
    """Zip ``folder`` as an .argosmodel: one top-level folder (``top``, default its name)."""
    top = folder.name if top is None else top
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            zf.write(path, f"{top}/{rel}" if top else rel)
    return archive


def tree(folder: Path) -> list[str] | None:
    """Every path under ``folder`` (hidden ones included), or None if it does not exist."""
    if not folder.exists():
        return None
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")] if folder.exists() else []


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(models_dir=tmp_path / "data" / "models",
                    argos_packages_dir=tmp_path / "argos" / "packages",
                    index_url="http://127.0.0.1:9/index.json")


@pytest.fixture
def store(settings) -> ModelStore:
    return ModelStore(settings)


@pytest.fixture
def src(tmp_path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


# --------------------------------------------------------------------------- listing


def test_missing_folders_list_empty_and_are_not_created(store, settings):
    assert store.installed() == []
    assert store.problems() == []
    assert not settings.models_dir.exists()
    assert not settings.argos_packages_dir.exists()


def test_lists_both_folders_ours_first_and_reports_invalid(store, settings):
    make_package(settings.models_dir, "fr", "en", folder="translate-fr_en-1_9")
    make_package(settings.models_dir, "de", "en", folder="translate-de_en-1_0")
    make_package(settings.argos_packages_dir, "es", "en", folder="translate-es_en-1_0")
    make_package(settings.argos_packages_dir, "ar", "en", folder="translate-ar_en-1_0")
    broken = settings.models_dir / "broken"
    broken.mkdir()
    (broken / "metadata.json").write_text("{not json")
    (settings.models_dir / "notes").mkdir()
    make_package(settings.argos_packages_dir, "en", "en", folder="sbd-en", ptype="sbd")

    packages = store.installed()
    assert [p.name for p in packages] == ["translate-de_en-1_0", "translate-fr_en-1_9",
                                          "translate-ar_en-1_0", "translate-es_en-1_0"]
    assert [store.owner(p) for p in packages] == ["translator"] * 2 + ["argospm"] * 2
    problems = store.problems()
    assert len(problems) == 2
    assert any("broken" in p and "invalid JSON" in p for p in problems)
    assert any("notes" in p and "not a model package" in p for p in problems)
    assert all("\n" not in p for p in problems)


# --------------------------------------------------------------------------- install


def test_install_argosmodel(store, settings, src, tmp_path):
    archive = zip_folder(make_package(src, folder="whatever"), tmp_path / "fr_en.argosmodel")
    package = store.install(archive)
    assert package.path == settings.models_dir / "translate-fr_en-1_9"
    assert package.pairs == (("fr", "en"),)
    assert package.version == "1.9"
    assert (package.path / "model" / "model.bin").read_bytes() == b"placeholder v1"
    assert [p.name for p in store.installed()] == ["translate-fr_en-1_9"]
    assert leftovers(settings.models_dir) == []
    assert archive.exists()


def test_install_string_path_and_zip_suffix(store, settings, src, tmp_path):
    archive = zip_folder(make_package(src, "de", "en", "1.0"), tmp_path / "de_en.zip")
    package = store.install(str(archive))
    assert package.name == "translate-de_en-1_0"


def test_install_folder_copies(store, settings, src):
    folder = make_package(src, "es", "en", "1.0")
    before = tree(folder)
    package = store.install(folder)
    assert package.path == settings.models_dir / "translate-es_en-1_0"
    assert tree(folder) == before  # the source is untouched
    assert tree(package.path) == before
    assert leftovers(settings.models_dir) == []


def test_install_flat_zip_goes_into_folder_named_after_zip(store, settings, src, tmp_path):
    folder = src / "nllb"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"placeholder")
    (folder / "sentencepiece.model").write_bytes(b"spm")
    (folder / "shared_vocabulary.json").write_text(json.dumps(["<s>", "fra_Latn", "eng_Latn", "vie_Latn"]))
    archive = zip_folder(folder, tmp_path / "my-nllb.zip", top="")
    package = store.install(archive)
    assert package.path == settings.models_dir / "my-nllb"
    assert package.kind == "nllb"
    assert ("vi", "en") in package.pairs


def test_install_flat_argos_zip_is_named_from_metadata(store, settings, src, tmp_path):
    archive = zip_folder(make_package(src, "it", "en", "1.1"), tmp_path / "x.argosmodel", top="")
    assert store.install(archive).name == "translate-it_en-1_1"


def test_already_installed_and_replace(store, settings, src, tmp_path):
    old = zip_folder(make_package(src, folder="a", marker="old"), tmp_path / "a.argosmodel")
    new = zip_folder(make_package(src, folder="b", marker="new"), tmp_path / "b.argosmodel")
    store.install(old)
    before = tree(settings.models_dir)
    with pytest.raises(ModelExists, match="translate-fr_en-1_9 is already installed"):
        store.install(new)
    assert tree(settings.models_dir) == before
    package = store.install(new, replace=True)
    assert (package.path / "model" / "model.bin").read_bytes() == b"placeholder new"
    assert tree(settings.models_dir) == before
    assert leftovers(settings.models_dir) == []


def test_other_version_of_same_pair_conflicts(store, settings, src, tmp_path):
    store.install(zip_folder(make_package(src, version="1.0", folder="a"), tmp_path / "a.argosmodel"))
    newer = zip_folder(make_package(src, version="1.9", folder="b"), tmp_path / "b.argosmodel")
    with pytest.raises(ModelExists, match="conflicts with installed translate-fr_en-1_0"):
        store.install(newer)
    store.install(newer, replace=True)
    assert [p.name for p in store.installed()] == ["translate-fr_en-1_9"]


def test_failed_swap_restores_old_package(store, settings, src, tmp_path, monkeypatch):
    store.install(zip_folder(make_package(src, folder="a", marker="old"), tmp_path / "a.argosmodel"))
    before = tree(settings.models_dir)
    new = zip_folder(make_package(src, folder="b", marker="new"), tmp_path / "b.argosmodel")
    real_rename = os.rename

    def failing_rename(a, b):
        if Path(a).parent.name == "new":  # moving the new package into place
            raise OSError(28, "No space left on device")
        return real_rename(a, b)

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(ModelError, match="No space left on device"):
        store.install(new, replace=True)
    monkeypatch.undo()
    assert tree(settings.models_dir) == before
    assert (settings.models_dir / "translate-fr_en-1_9" / "model" / "model.bin").read_bytes() \
        == b"placeholder old"


def test_concurrent_installs_of_one_package(settings, src, tmp_path):
    archive = zip_folder(make_package(src), tmp_path / "p.argosmodel")
    outcomes = []

    def worker():
        try:
            outcomes.append(ModelStore(settings).install(archive).name)
        except ModelExists:
            outcomes.append("exists")

    settings.models_dir.mkdir(parents=True)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["exists"] * 3 + ["translate-fr_en-1_9"]
    assert [p.name for p in settings.models_dir.iterdir()] == ["translate-fr_en-1_9"]


def test_stale_temp_folders_are_cleaned(store, settings, src, tmp_path):
    stale = settings.models_dir / ".translator-tmp-crashed"
    (stale / "new").mkdir(parents=True)
    (stale / "new" / "junk").write_bytes(b"x")
    store.install(zip_folder(make_package(src), tmp_path / "p.argosmodel"))
    assert leftovers(settings.models_dir) == []


def test_missing_source(store):
    with pytest.raises(ModelNotFound, match="no such file"):
        store.install("./nope.argosmodel")


def test_folder_containing_models_dir_is_refused(store, settings, tmp_path):
    settings.models_dir.mkdir(parents=True)
    with pytest.raises(ModelError, match="contains the models folder"):
        store.install(tmp_path)


def test_invalid_folder_is_refused_and_nothing_created(store, settings, src):
    folder = make_package(src)
    (folder / "model" / "model.bin").unlink()
    with pytest.raises(BadModelPackage, match="model.bin missing"):
        store.install(folder)
    assert not settings.models_dir.exists()


# --------------------------------------------------------------------------- hostile zips


def _zip_with(archive: Path, members: dict[str, bytes], *, symlink: str | None = None,
              compression=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(archive, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return archive


def _valid_members(top="pkg") -> dict[str, bytes]:
    meta = {"package_version": "1.0", "from_code": "fr", "to_code": "en"}
    return {f"{top}/metadata.json": json.dumps(meta).encode(),
            f"{top}/model/model.bin": b"placeholder",
            f"{top}/sentencepiece.model": b"spm"}


def _hostile(kind: str, path: Path) -> tuple[Path, str, dict]:
    members = _valid_members()
    bounds = {}
    if kind == "traversal":
        members["pkg/../../evil"] = b"pwned"
        match = r"leaves the package folder"
    elif kind == "traversal-top":
        members["../evil"] = b"pwned"
        match = r"leaves the package folder"
    elif kind == "absolute":
        members["/tmp/evil"] = b"pwned"
        match = "absolute path"
    elif kind == "backslash":
        members["pkg\\..\\..\\evil"] = b"pwned"
        match = "backslash"
    elif kind == "drive":
        members["C:/evil"] = b"pwned"
        match = "drive letter"
    elif kind == "symlink":
        return _zip_with(path, members, symlink="pkg/link"), "symbolic link", bounds
    elif kind == "bomb-size":
        members["pkg/model/big.bin"] = b"\0" * (512 * 1024)
        bounds = {"max_unpacked_bytes": 256 * 1024}
        match = "unpacks to more than"
    elif kind == "bomb-ratio":
        members["pkg/model/big.bin"] = b"\0" * (4 * 1024 * 1024)
        match = r"compressed \d+:1"
    elif kind == "too-many":
        members.update({f"pkg/extra/{i}": b"" for i in range(20)})
        bounds = {"max_members": 10}
        match = "more than the 10 allowed"
    elif kind == "two-tops":
        members.update(_valid_members("other"))
        match = "2 top-level folders"
    elif kind == "empty":
        members = {}
        match = "no files"
    elif kind == "not-zip":
        path.write_bytes(b"this is not a zip archive at all")
        return path, "not a zip archive", bounds
    elif kind == "truncated":
        good = _zip_with(path.with_suffix(".good"), members)
        path.write_bytes(good.read_bytes()[:-60])
        return path, "not a zip archive", bounds
    elif kind == "corrupt-member":
        good = _zip_with(path.with_suffix(".good"), {**members, "pkg/model/model.bin": b"a" * 5000})
        data = bytearray(good.read_bytes())
        start = data.find(b"pkg/model/model.bin") + len("pkg/model/model.bin")
        data[start + 2:start + 10] = b"\xff" * 8  # garble the deflate stream
        path.write_bytes(bytes(data))
        return path, "corrupt member", bounds
    elif kind == "bad-metadata":
        members["pkg/metadata.json"] = b"{corrupt"
        match = "invalid JSON"
    elif kind == "no-model":
        del members["pkg/model/model.bin"]
        match = "model.bin missing"
    else:  # pragma: no cover
        raise AssertionError(kind)
    return _zip_with(path, members), match, bounds


HOSTILE = ["traversal", "traversal-top", "absolute", "backslash", "drive", "symlink", "bomb-size",
           "bomb-ratio", "too-many", "two-tops", "empty", "not-zip", "truncated", "corrupt-member",
           "bad-metadata", "no-model"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_zip_is_refused_and_models_dir_unchanged(kind, settings, src, tmp_path):
    store0 = ModelStore(settings)
    store0.install(zip_folder(make_package(src, "de", "en"), tmp_path / "ok.argosmodel"))
    before = tree(settings.models_dir)
    archive, match, bounds = _hostile(kind, tmp_path / f"{kind}.argosmodel")
    store = ModelStore(settings, **bounds)
    with pytest.raises(BadModelPackage, match=match) as info:
        store.install(archive)
    assert "\n" not in info.value.message
    assert str(archive) in info.value.message
    assert ".translator-tmp" not in info.value.message
    assert tree(settings.models_dir) == before
    assert leftovers(settings.models_dir) == []
    assert not (tmp_path / "evil").exists()
    assert not (settings.models_dir.parent / "evil").exists()


def test_hostile_zip_into_missing_models_dir_creates_nothing(settings, tmp_path):
    archive, _, _ = _hostile("traversal", tmp_path / "t.argosmodel")
    with pytest.raises(BadModelPackage):
        ModelStore(settings).install(archive)
    assert not settings.models_dir.exists()


def test_safe_unzip_rejects_before_writing(tmp_path):
    archive, _, _ = _hostile("traversal", tmp_path / "t.zip")
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(BadModelPackage):
        safe_unzip(archive, dest)
    assert list(dest.iterdir()) == []


def test_safe_unzip_valid_archive(tmp_path):
    archive = _zip_with(tmp_path / "ok.zip", _valid_members("top"))
    dest = tmp_path / "dest"
    dest.mkdir()
    root = safe_unzip(archive, dest)
    assert root == dest / "top"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "metadata.json", "model", "model/model.bin", "sentencepiece.model"]


# --------------------------------------------------------------------------- remove


def test_remove_ours(store, settings, src, tmp_path):
    store.install(zip_folder(make_package(src), tmp_path / "p.argosmodel"))
    path = store.remove("translate-fr_en-1_9")
    assert path == settings.models_dir / "translate-fr_en-1_9"
    assert not path.exists()
    assert store.installed() == []
    assert leftovers(settings.models_dir) == []


@pytest.mark.parametrize("name", ["fr-en", "fr_en", "translate-fr_en"])
def test_remove_by_pair_or_argospm_name(name, store, settings, src, tmp_path):
    store.install(zip_folder(make_package(src), tmp_path / "p.argosmodel"))
    assert store.remove(name).name == "translate-fr_en-1_9"


def test_remove_broken_folder_by_name(store, settings):
    broken = settings.models_dir / "broken"
    broken.mkdir(parents=True)
    (broken / "metadata.json").write_text("{")
    store.remove("broken")
    assert not broken.exists()


def test_remove_unknown(store, settings):
    with pytest.raises(ModelNotFound, match="no installed package 'xx-yy'"):
        store.remove("xx-yy")
    with pytest.raises(ModelNotFound):
        store.remove("../data")


def test_argospm_package_is_listed_but_not_removable(store, settings):
    theirs = make_package(settings.argos_packages_dir, "de", "en", "1.0", folder="translate-de_en-1_0")
    before = tree(settings.argos_packages_dir)
    listed = store.installed()
    assert [p.path for p in listed] == [theirs]
    assert store.owner(listed[0]) == "argospm"
    for name in ("translate-de_en-1_0", "de-en", str(theirs)):
        with pytest.raises(ModelError, match=r"belongs to argospm .*`argospm remove translate-de_en`") as info:
            store.remove(name)
        assert not isinstance(info.value, ModelNotFound)
    assert tree(settings.argos_packages_dir) == before
    assert not settings.models_dir.exists()


# --------------------------------------------------------------------------- index


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, bytes]] = {}
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        status, body = self.routes.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """A local HTTP server; set ``routes[path] = (status, body)``."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    handler = type("Handler", (_Handler,), {"routes": {}, "hits": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.routes = handler.routes
    httpd.hits = handler.hits
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/index.json"


def _index(base: str, *, links=None) -> list[dict]:
    return [
        {"type": "translate", "from_code": "fr", "to_code": "en", "from_name": "French",
         "to_name": "English", "package_version": "1.9", "argos_version": "1.9",
         "links": links if links is not None else [f"{base}/translate-fr_en-1_9.argosmodel"]},
        {"type": "translate", "from_code": "fr", "to_code": "en", "package_version": "1.0",
         "links": [f"{base}/old.argosmodel"]},
        {"type": "translate", "from_code": "de", "to_code": "en", "package_version": "1.0",
         "links": [f"{base}/de.argosmodel"], "size": 1234},
        {"type": "sbd", "from_code": "fr", "package_version": "1.0", "links": [f"{base}/sbd.argosmodel"]},
        "garbage",
    ]


@pytest.fixture
def index_server(server, src, tmp_path):
    archive = zip_folder(make_package(src, "fr", "en", "1.9", folder="translate-fr_en-1_9"),
                         tmp_path / "served.argosmodel")
    server.routes["/index.json"] = (200, json.dumps(_index(server.base)).encode())
    server.routes["/translate-fr_en-1_9.argosmodel"] = (200, archive.read_bytes())
    return server


def _store(settings, url, **kw) -> ModelStore:
    return ModelStore(settings.replace(index_url=url), timeout=5, **kw)


def test_available_lists_translate_entries_and_caches(index_server, settings):
    store = _store(settings, index_server.base + "/index.json")
    listing = store.available()
    assert not listing.cached
    assert [(e.name, e.version) for e in listing] == [
        ("translate-de_en", "1.0"), ("translate-fr_en", "1.0"), ("translate-fr_en", "1.9")]
    fr = listing[2]
    assert fr.versioned_name == "translate-fr_en-1_9"
    assert fr.pair == ("fr", "en")
    assert fr.links == (index_server.base + "/translate-fr_en-1_9.argosmodel",)
    assert listing[0].size == 1234 and fr.size is None
    cache = settings.models_dir.parent / "index.json"
    assert cache.is_file()
    assert not settings.models_dir.exists()  # listing the index creates no models folder

    # offline afterwards: the cached copy, saying so and how old it is
    index_server.routes["/index.json"] = (500, b"oops")
    os.utime(cache, (time.time() - 7200, time.time() - 7200))
    offline = store.available()
    assert offline.cached and [e.name for e in offline] == [e.name for e in listing]
    assert "HTTP 500" in offline.error
    assert "cached" in offline.note() and index_server.base in offline.note()

    # no refresh: straight from the cache, no request
    hits = len(index_server.hits)
    assert store.available(refresh=False).cached
    assert len(index_server.hits) == hits


def test_cache_of_another_url_is_not_used(index_server, settings):
    _store(settings, index_server.base + "/index.json").available()
    with pytest.raises(IndexUnavailable):
        _store(settings, _closed_port_url()).available()


@pytest.mark.parametrize("name", ["fr-en", "translate-fr_en", "fr_en", "translate-fr_en-1_9",
                                  "French-English"])
def test_install_by_name_downloads(name, index_server, settings):
    store = _store(settings, index_server.base + "/index.json")
    seen = []
    package = store.install(name, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert package.path == settings.models_dir / "translate-fr_en-1_9"  # the newest version
    assert package.pairs == (("fr", "en"),)
    assert "/translate-fr_en-1_9.argosmodel" in index_server.hits
    assert leftovers(settings.models_dir) == []


def test_download_tries_each_link(server, settings, src, tmp_path):
    archive = zip_folder(make_package(src), tmp_path / "p.argosmodel")
    links = [f"{server.base}/missing.argosmodel", f"{server.base}/mirror.argosmodel"]
    server.routes["/index.json"] = (200, json.dumps(_index(server.base, links=links)).encode())
    server.routes["/mirror.argosmodel"] = (200, archive.read_bytes())
    package = _store(settings, server.base + "/index.json").install("fr-en")
    assert package.name == "translate-fr_en-1_9"


def test_link_404_is_a_clear_error(server, settings):
    server.routes["/index.json"] = (200, json.dumps(_index(server.base)).encode())
    store = _store(settings, server.base + "/index.json")
    with pytest.raises(IndexUnavailable) as info:
        store.install("fr-en")
    message = info.value.message
    assert "\n" not in message
    assert "cannot download translate-fr_en-1_9" in message
    assert f"{server.base}/translate-fr_en-1_9.argosmodel: HTTP 404" in message
    assert tree(settings.models_dir) is None


def test_download_size_bound(index_server, settings):
    store = _store(settings, index_server.base + "/index.json", max_download_bytes=100)
    with pytest.raises(IndexUnavailable, match="over the 100 bytes bound"):
        store.install("fr-en")
    assert tree(settings.models_dir) is None


def test_downloaded_package_must_match_the_index(server, settings, src, tmp_path):
    wrong = zip_folder(make_package(src, "de", "en", "1.9"), tmp_path / "wrong.argosmodel")
    server.routes["/index.json"] = (200, json.dumps(_index(server.base)).encode())
    server.routes["/translate-fr_en-1_9.argosmodel"] = (200, wrong.read_bytes())
    with pytest.raises(BadModelPackage, match="serves de-en, the index says fr-en"):
        _store(settings, server.base + "/index.json").install("fr-en")
    assert tree(settings.models_dir) is None


def test_downloaded_garbage_is_bad_package(server, settings):
    server.routes["/index.json"] = (200, json.dumps(_index(server.base)).encode())
    server.routes["/translate-fr_en-1_9.argosmodel"] = (200, b"<html>rate limited</html>")
    with pytest.raises(BadModelPackage, match=r"translate-fr_en-1_9\.argosmodel: not a zip archive"):
        _store(settings, server.base + "/index.json").install("fr-en")


def test_unknown_name_in_index(index_server, settings):
    with pytest.raises(ModelNotFound, match="no package 'xx-yy' in the index"):
        _store(settings, index_server.base + "/index.json").install("xx-yy")


def test_unreachable_index(settings):
    url = _closed_port_url()
    store = _store(settings, url)
    started = time.monotonic()
    with pytest.raises(IndexUnavailable) as info:
        store.available()
    assert time.monotonic() - started < 5
    assert info.value.message.startswith(f"package index {url} unavailable: ")
    assert "refused" in info.value.message.lower()
    assert "\n" not in info.value.message
    with pytest.raises(IndexUnavailable):
        store.install("fr-en")
    assert not settings.models_dir.exists()


@pytest.mark.parametrize("body, reason", [(b"{not json", "not valid JSON"),
                                          (b'{"packages": []}', "expected a JSON list")])
def test_bad_index_json(body, reason, server, settings):
    server.routes["/index.json"] = (200, body)
    url = server.base + "/index.json"
    with pytest.raises(IndexUnavailable, match=f"package index {url} unavailable: {reason}") as info:
        _store(settings, url).available()
    assert "\n" not in info.value.message
    assert info.value.message.count("unavailable") == 1


def test_index_http_error(server, settings):
    url = server.base + "/index.json"
    with pytest.raises(IndexUnavailable, match=f"{url} unavailable: HTTP 404"):
        _store(settings, url).available()


def test_unsupported_scheme(settings):
    with pytest.raises(IndexUnavailable, match="unsupported URL scheme 'ftp'"):
        _store(settings, "ftp://example.invalid/index.json").available()


def test_file_url_index_works_offline(settings, tmp_path):
    index = tmp_path / "mirror" / "index.json"
    index.parent.mkdir()
    index.write_text(json.dumps(_index("file://" + str(index.parent))))
    listing = _store(settings, index.as_uri()).available()
    assert [e.name for e in listing] == ["translate-de_en", "translate-fr_en", "translate-fr_en"]


def test_parse_index_argospm_format():
    entries = parse_index(json.dumps([
        {"package_version": "1.0", "argos_version": "1.0", "from_code": "en", "to_code": "es",
         "links": "https://example.invalid/en_es.argosmodel"},
        {"from_code": "en"},  # incomplete: skipped
    ]))
    assert len(entries) == 1
    assert entries[0].name == "translate-en_es"
    assert entries[0].links == ("https://example.invalid/en_es.argosmodel",)
    assert entries[0].matches("en-es") and entries[0].matches("eng_spa") and not entries[0].matches("es-en")
