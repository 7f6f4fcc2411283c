"""LibreTranslate clients from PyPI and npm, unchanged, against a real `translator serve`
(gunicorn), with API keys off and on: libretranslatepy, deep-translator, libretranslate-aio
(Python) and the `libretranslate` npm package (run by the machine's node from tests/js/,
installed there by `npm ci`)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from test_serve import Server
from translator.store import Store

JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module", params=["keys-off", "keys-on"])
def served(request, tmp_path_factory, argos_fr_en):
    """(server, key): keys required or not; suggestions on. The key belongs to desk sport."""
    required = request.param == "keys-on"
    root = tmp_path_factory.mktemp(request.param)
    server = Server(root, argos_fr_en, env={"TRANSLATOR_API_KEYS_REQUIRED": str(required).lower(),
                                            "TRANSLATOR_SUGGESTIONS": "true",
                                            "TRANSLATOR_FILES_DIR": str(root / "files")})
    store = Store(server.db_path)
    key, _ = store.keys.create("client-tests", desk="sport")
    store.close()
    server.wait_ready()
    yield server, key, required
    assert server.stop() == 0


def test_libretranslatepy(served):
    from libretranslatepy import LibreTranslateAPI

    server, key, required = served
    client = LibreTranslateAPI(server.url, api_key=key)
    assert client.translate("Le chat dort.", "fr", "en") == "Le chat dort."
    assert client.translate("Le chien joue dans le jardin.", "auto", "en") == \
        "Le chien joue dans le jardin."
    assert client.detect("Le président a parlé aux journalistes ce matin.")[0]["language"] == "fr"
    assert "en" in next(lang for lang in LibreTranslateAPI(server.url).languages()
                        if lang["code"] == "fr")["targets"]  # no key needed to list languages
    if required:
        with pytest.raises(Exception):  # the client raises on the 401
            LibreTranslateAPI(server.url).translate("Le chat dort.", "fr", "en")


def test_deep_translator(served):
    from deep_translator import LibreTranslator

    server, key, _ = served
    # deep-translator sends its key in the query string, and needs one even when the server
    # does not: with keys optional a valid key is accepted, a bogus one refused (403)
    translator = LibreTranslator(source="fr", target="en", api_key=key, custom_url=server.url + "/")
    assert translator.translate("Le chat dort sur le canapé.") == "Le chat dort sur le canapé."
    assert translator.translate_batch(["Le chat dort.", "Le chien joue."]) == \
        ["Le chat dort.", "Le chien joue."]
    from deep_translator.exceptions import AuthorizationException

    with pytest.raises(AuthorizationException):
        LibreTranslator(source="fr", target="en", api_key="trk_bogus",
                        custom_url=server.url + "/").translate("Le chat dort.")


def test_libretranslate_aio(served, tmp_path):
    import httpx
    from libretranslate_aio import LibreTranslate

    server, key, required = served
    with LibreTranslate(server.url, api_key=key) as client:
        assert client.health()
        settings = client.frontend_settings()
        assert settings.key_required is required and settings.suggestions
        assert ".docx" in settings.supported_files_format
        done = client.translate("Le chat dort sur le canapé.", "fr", "en", alternatives=2)
        assert done.translated_text == "Le chat dort sur le canapé."
        assert done.alternatives and done.translated_text not in done.alternatives
        many = client.translate(["Le chat dort.", "Le chien joue."], "auto", "en")
        assert many.translated_text == ["Le chat dort.", "Le chien joue."]
        assert [d.language for d in many.detected_language] == ["fr", "fr"]
        assert client.detect("Le président a parlé aux journalistes ce matin.")[0].language == "fr"
        assert any(lang.code == "fr" for lang in client.languages())
        assert client.suggest("Le joueur marque.", "The player scores.", "fr", "en")
        assert client.translate("Le joueur marque.", "fr", "en").translated_text == "The player scores."
        note = tmp_path / "note.txt"
        note.write_text("Le chat dort.\nLe chien joue.\n", encoding="utf-8")
        url = client.translate_file(note, "fr", "en").translated_file_url
    assert url.startswith(server.url + "/download_file/") and url.endswith("note.txt")
    assert httpx.get(url).text == "Le chat dort.\nLe chien joue.\n"


def run_node(calls: list[dict]) -> list:
    node = shutil.which("node")
    assert node, "node is needed for the npm client test"
    assert (JS / "node_modules" / "libretranslate").is_dir(), \
        "run `npm ci` in tests/js to install the npm client"
    done = subprocess.run([node, str(JS / "libretranslate_client.js"), json.dumps(calls)],
                          capture_output=True, text=True, timeout=60, cwd=JS)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_libretranslate_npm_client(served):
    server, key, required = served
    call = {"query": "Le chat dort.", "source": "fr", "target": "en", "apiurl": server.url}
    with_key, auto, keyless = run_node([{**call, "apiKey": key},
                                        {**call, "source": "auto", "apiKey": key}, call])
    assert with_key == "Le chat dort." and auto == "Le chat dort."
    # without a key the client gets the error body and returns its translatedText: nothing
    assert keyless is None if required else keyless == "Le chat dort."
