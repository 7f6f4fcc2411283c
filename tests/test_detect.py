"""Language detection: real-looking news text, short phrases, mixed documents,
candidates, determinism (threads and processes) and speed."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from translator import detect as detect_module
from translator.detect import Detection, Detector
from translator.errors import LanguageError, UndetectableLanguage, UnknownLanguage

SAMPLE = Path("/work/shared/samples/sggp-putin-dprk.fr.txt")
NEWSROOM = ["fr", "en", "vi", "es"]


def _sample_lines() -> list[str]:
    if not SAMPLE.exists():
        pytest.skip(f"sample article {SAMPLE} not available")
    return [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def french_paragraphs() -> list[str]:
    # the body of the article: the long lines (byline, source and comment counter excluded)
    return [line for line in _sample_lines() if len(line) > 200]


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


ENGLISH = [
    "Russian President Vladimir Putin arrived in Pyongyang early on Wednesday for his first "
    "visit to North Korea in 24 years, state media reported.",
    "The two leaders are expected to sign agreements on trade, security and energy, officials "
    "said, as Western governments voice growing concern over military ties between the two "
    "countries.",
    "Heavy rain caused flooding across several northern provinces on Tuesday, forcing thousands "
    "of residents to leave their homes, local authorities said.",
]

VIETNAMESE = [
    "Chiều 18-6, tại Hà Nội, Thủ tướng Chính phủ đã chủ trì cuộc họp với các bộ, ngành để bàn "
    "giải pháp thúc đẩy tăng trưởng kinh tế trong những tháng cuối năm.",
    "Theo Sở Giao thông vận tải TPHCM, dự án mở rộng đường Vành đai 3 sẽ được khởi công vào quý "
    "III năm nay, giúp giảm ùn tắc giao thông ở cửa ngõ phía đông thành phố.",
    "Tổng thống Nga Vladimir Putin đến Bình Nhưỡng trong chuyến thăm chính thức Triều Tiên, lần "
    "đầu tiên sau 24 năm, theo hãng thông tấn trung ương Triều Tiên.",
    "Người dân các tỉnh miền Tây đang khẩn trương thu hoạch lúa hè thu trước khi mùa mưa lũ "
    "đến, trong khi giá lúa tại nhiều địa phương tiếp tục tăng nhẹ.",
]

SHORT = {
    "fr": ["Bonjour", "Merci", "Merci beaucoup", "Bonsoir", "Oui", "Non", "Au revoir",
           "Bonne année", "Je t'aime", "Mise à jour", "S'il vous plaît",
           "Le président a déclaré"],
    "en": ["Thank you", "Hello", "Good morning", "Thanks", "Yes", "Breaking news",
           "Happy new year", "Please", "Welcome", "Sorry", "Good night", "The president said"],
    "vi": ["Xin chào", "Cảm ơn", "Hà Nội", "Việt Nam", "Tạm biệt", "Hôm nay", "Tin tức",
           "Thế giới", "Chúc mừng năm mới", "Người dân", "Không", "Đà Nẵng"],
}


# --- long news text ---------------------------------------------------------------------


def test_french_news_paragraphs(detector, french_paragraphs):
    assert len(french_paragraphs) >= 5
    for paragraph in french_paragraphs:
        for candidates in (None, NEWSROOM):
            result = detector.detect(paragraph, candidates)
            assert result.language == "fr"
            assert result.confidence > 0.99


@pytest.mark.parametrize("text", ENGLISH)
def test_english_news(detector, text):
    for candidates in (None, NEWSROOM):
        result = detector.detect(text, candidates)
        assert result.language == "en"
        assert result.confidence > 0.99


@pytest.mark.parametrize("text", VIETNAMESE)
def test_vietnamese_news(detector, text):
    for candidates in (None, NEWSROOM):
        result = detector.detect(text, candidates)
        assert result.language == "vi"
        assert result.confidence > 0.99


def test_decomposed_vietnamese_is_normalised(detector):
    import unicodedata

    text = unicodedata.normalize("NFD", VIETNAMESE[0])
    assert text != VIETNAMESE[0]
    assert detector.detect(text) == detector.detect(VIETNAMESE[0])


def test_whole_french_article(detector, french_paragraphs):
    result = detector.detect("\n".join(french_paragraphs), ["fr", "en", "vi"])
    assert result.language == "fr" and result.confidence > 0.999


def test_vietnamese_name_in_french_sentence_stays_french(detector):
    text = "Le Premier ministre Phạm Minh Chính est arrivé à Hanoï mardi pour des entretiens."
    assert detector.detect(text, NEWSROOM).language == "fr"
    assert detector.detect(text).language == "fr"


def test_langdetect_codes_are_canonical(detector):
    assert detector.detect("俄罗斯总统普京周三抵达平壤，开始对朝鲜进行为期两天的国事访问。").language == "zh"
    languages = detector.languages
    assert {"zh", "zt", "nb", "fr", "vi", "en"} <= set(languages)
    assert not {"zh-cn", "zh-tw", "no"} & set(languages)


# --- short texts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language,text", [(lang, text) for lang, texts in SHORT.items() for text in texts]
)
def test_short_phrases_with_newsroom_candidates(detector, language, text):
    result = detector.detect(text, NEWSROOM)
    assert result.language == language, result
    # honest: a few words never reach the confidence of a paragraph
    assert 0.25 < result.confidence < 0.999


def test_short_text_confidence_is_lower_than_long(detector, french_paragraphs):
    short = detector.detect("Bonjour", NEWSROOM)
    long = detector.detect(french_paragraphs[0], NEWSROOM)
    assert short.language == long.language == "fr"
    assert short.confidence < 0.8 < 0.99 < long.confidence
    # the other candidates keep some probability and are reported
    assert {code for code, _ in short.alternatives} == {"en", "vi", "es"}
    assert abs(short.confidence + sum(p for _, p in short.alternatives) - 1.0) < 1e-6


def test_short_text_without_candidates_is_low_confidence(detector):
    # Among all 55 languages a single word is a guess, and says so.
    for text in ("Bonjour", "Hello", "Merci", "Oui"):
        assert detector.detect(text).confidence < 0.5


def test_vietnamese_diacritic_prior():
    prior = Detector._prior
    scripts = {"LATIN": 5}
    # ộ (U+1ED9) is only Vietnamese: a strong prior
    assert prior("Hà Nội", scripts, ["fr", "en", "vi", "es"])["vi"] > 0.75
    # ă and đ are shared with Romanian and Croatian: a weaker one
    weak = prior("đa năng", scripts, ["fr", "en", "vi", "es"])["vi"]
    strong = prior("Hà Nội", scripts, ["fr", "en", "vi", "es"])["vi"]
    none = prior("Ha Noi", scripts, ["fr", "en", "vi", "es"])["vi"]
    assert none == pytest.approx(0.25)
    assert none < weak < strong
    # French spelling and common words
    assert max((p, c) for c, p in prior("ça va", scripts, NEWSROOM).items())[1] == "fr"
    assert max((p, c) for c, p in prior("l'Ukraine", scripts, NEWSROOM).items())[1] == "fr"
    assert max((p, c) for c, p in prior("thank you", scripts, NEWSROOM).items())[1] == "en"


def test_prior_decides_when_langdetect_is_wrong(detector):
    # langdetect alone says Spanish for "Merci" and English for "Non"; the prior wins
    # because the text is short, and the confidence stays modest.
    assert detector._langdetect("Merci", NEWSROOM)["es"] > 0.9
    merci = detector.detect("Merci", NEWSROOM)
    assert merci.language == "fr" and merci.confidence < 0.6
    assert dict(merci.alternatives)["es"] > 0.2


def test_script_prior_refuses_foreign_script(detector):
    with pytest.raises(UndetectableLanguage, match="Cyrillic script.*available: en, fr, vi"):
        detector.detect("Спасибо", ["fr", "en", "vi"])
    # without candidates Cyrillic languages are fine
    assert detector.detect("Спасибо").language in {"ru", "bg", "uk", "mk"}
    with pytest.raises(UndetectableLanguage, match="Georgian"):
        detector.detect("გამარჯობა")


# --- empty and letterless text ----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t \n"])
def test_empty_text(detector, text):
    with pytest.raises(UndetectableLanguage, match="empty"):
        detector.detect(text)


@pytest.mark.parametrize("text", [
    "12345 678",
    "18/06/2024 — 10:45",
    "https://www.sggp.org.vn/nga-va-trieu-tien-hop-tac-vuot-qua-cam-van-post745114.html",
    "contact@sggp.org.vn",
    "www.example.com (0) !!! ???",
    "--- * --- « » …",
])
def test_no_letters(detector, text):
    with pytest.raises(UndetectableLanguage, match="no letters") as info:
        detector.detect(text, NEWSROOM)
    assert info.value.code == "undetectable_language"
    assert isinstance(info.value, LanguageError) and info.value.http_status == 422


def test_urls_emails_and_digits_are_ignored(detector, french_paragraphs):
    noisy = ("https://en.wikipedia.org/wiki/North_Korea 2024 2025 contact@example.com "
             + french_paragraphs[3] + " https://twitter.com/some_user/status/1803008112 1234567")
    assert detector.detect(noisy, NEWSROOM) == detector.detect(french_paragraphs[3], NEWSROOM)


def test_all_capitals(detector):
    # langdetect skips all-capital words; the detector lower-cases an all-capital text
    result = detector.detect("LE PRÉSIDENT RUSSE EST ARRIVÉ À PYONGYANG POUR UNE VISITE OFFICIELLE",
                             NEWSROOM)
    assert result.language == "fr"


def test_not_a_string(detector):
    with pytest.raises(TypeError):
        detector.detect(None)  # type: ignore[arg-type]


# --- candidates -------------------------------------------------------------------------


def test_french_without_french_route_is_refused(detector, french_paragraphs):
    # Decision: a text long enough to be reliable that langdetect gives to a language
    # without a route (< 0.1 left for the candidates) raises, naming both.
    for paragraph in french_paragraphs:
        with pytest.raises(UndetectableLanguage) as info:
            detector.detect(paragraph, ["en", "vi"])
        assert str(info.value) == "text looks like French (fr), which has no route; available: en, vi"
        assert info.value.details["detected"] == "fr"
        assert info.value.details["available"] == ["en", "vi"]


def test_other_language_without_route(detector):
    spanish = ("El presidente ruso Vladimir Putin llegó a Pyongyang el miércoles para una "
               "visita oficial de dos días.")
    with pytest.raises(UndetectableLanguage, match=r"Spanish \(es\).*available: en, fr, vi"):
        detector.detect(spanish, ["fr", "en", "vi"])
    assert detector.detect(spanish, NEWSROOM).language == "es"


def test_short_text_without_route_is_low_confidence(detector):
    # A few words are not enough to refuse: the nearest candidate, with low confidence.
    result = detector.detect("Bonjour", ["en", "vi"])
    assert result.language in {"en", "vi"}
    assert result.confidence < 0.8


def test_candidates_restrict_and_renormalise(detector):
    result = detector.detect(ENGLISH[0], ["en", "vi"])
    assert result.language == "en"
    codes = {result.language} | {code for code, _ in result.alternatives}
    assert codes <= {"en", "vi"}
    # only candidates appear, and they sum to one
    short = detector.detect("Hello", ["en", "fr"])
    assert {short.language} | {c for c, _ in short.alternatives} <= {"en", "fr"}
    assert short.confidence + sum(p for _, p in short.alternatives) == pytest.approx(1.0)


def test_candidates_are_canonicalised(detector):
    assert detector.detect(VIETNAMESE[1], ["fra", "eng", "vie"]).language == "vi"
    assert detector.detect(VIETNAMESE[1], iter(["fr-FR", "vi_VN"])).language == "vi"
    with pytest.raises(UnknownLanguage):
        detector.detect(VIETNAMESE[1], ["fr", "klingon"])


def test_no_candidates(detector):
    with pytest.raises(UndetectableLanguage, match="no source language"):
        detector.detect(ENGLISH[0], [])


def test_candidates_langdetect_does_not_know(detector):
    with pytest.raises(UndetectableLanguage, match=r"\(eo, gl\).*explicitly"):
        detector.detect(ENGLISH[0], ["eo", "gl"])
    # unknown-to-langdetect candidates are simply ignored next to known ones
    assert detector.detect(ENGLISH[0], ["eo", "en"]).language == "en"


def test_chinese_variants_as_candidates(detector):
    result = detector.detect("俄罗斯总统普京周三抵达平壤，开始对朝鲜进行为期两天的国事访问。", ["zh", "zt", "en"])
    assert result.language in {"zh", "zt"}


# --- mixed documents --------------------------------------------------------------------


def test_detect_paragraphs(detector):
    paragraphs = [ENGLISH[0], VIETNAMESE[0], "Le président russe est arrivé à Pyongyang mercredi."]
    results = detector.detect_paragraphs(paragraphs, NEWSROOM)
    assert [r.language for r in results] == ["en", "vi", "fr"]


def test_mixed_document_french_with_english_byline(detector, french_paragraphs):
    lines = ["By Minh Khanh, with reporting from Reuters in Seoul"] + french_paragraphs
    lines.append("Photo: Reuters. Updated on June 19")
    lines.append("18/06/2024 10:45")
    text = "\n\n".join(lines) + "\n"
    document, paragraphs = detector.detect_document(text, NEWSROOM)
    assert document.language == "fr"
    assert document.confidence > 0.9
    assert len(paragraphs) == len(lines)  # empty lines are not paragraphs
    assert paragraphs[0].language == "en"
    assert [p.language for p in paragraphs[1:-2]] == ["fr"] * len(french_paragraphs)
    assert paragraphs[-2].language == "en"
    # the dateline has no letters: it takes the document's language, says so
    assert paragraphs[-1].language == "fr"
    assert paragraphs[-1].confidence == 0.0
    assert "no letters" in paragraphs[-1].note


def test_mixed_document_vietnamese_with_french_quote(detector):
    quote = ("« Nous sommes prêts à collaborer étroitement pour instaurer davantage de "
             "démocratie et de stabilité dans les relations internationales », a déclaré Poutine.")
    text = "\n".join([VIETNAMESE[2], quote, VIETNAMESE[0], VIETNAMESE[3]])
    document, paragraphs = detector.detect_document(text, NEWSROOM)
    assert document.language == "vi"
    assert [p.language for p in paragraphs] == ["vi", "fr", "vi", "vi"]
    assert dict(document.alternatives)["fr"] > 0.1  # the quote shows in the alternatives


def test_paragraph_without_route_inherits(detector, french_paragraphs):
    spanish = ("El presidente ruso Vladimir Putin llegó a Pyongyang el miércoles para una "
               "visita oficial de dos días.")
    results = detector.detect_paragraphs([french_paragraphs[0], spanish], ["fr", "en", "vi"])
    assert results[0].language == "fr"
    assert results[1].language == "fr" and results[1].confidence == 0.0
    assert "Spanish (es), which has no route" in results[1].note


def test_document_nothing_detectable(detector):
    with pytest.raises(UndetectableLanguage, match="no letters"):
        detector.detect_document("2024\n\n---\n12:45\n")
    with pytest.raises(UndetectableLanguage, match="empty"):
        detector.detect_document("\n  \n")
    with pytest.raises(UndetectableLanguage):
        detector.detect_paragraphs([])


def test_module_level_helpers(french_paragraphs):
    assert detect_module.detect(french_paragraphs[0]).language == "fr"
    document, paragraphs = detect_module.detect_document("\n".join(french_paragraphs[:2]))
    assert document.language == "fr" and len(paragraphs) == 2
    assert detect_module.get_detector() is detect_module.get_detector()


# --- results ----------------------------------------------------------------------------


def test_to_dict(detector):
    result = detector.detect("Bonjour", NEWSROOM)
    body = result.to_dict()
    assert body["language"] == "fr" and body["name"] == "French"
    assert 0 < body["confidence"] < 1
    assert [a["language"] for a in body["alternatives"]] == [c for c, _ in result.alternatives]
    assert "note" not in body
    json.dumps(body)
    inherited = Detection("fr", 0.0, (), note="no letters")
    assert inherited.to_dict()["note"] == "no letters"
    with pytest.raises(Exception):
        result.language = "en"  # frozen


def test_alternatives_best_first(detector):
    result = detector.detect("Hello", None)
    probabilities = [result.confidence] + [p for _, p in result.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert len(result.alternatives) <= 5
    assert all(p >= 0.01 for _, p in result.alternatives)


# --- determinism ------------------------------------------------------------------------

_PROBE = ["Bonjour", "Hello", "Merci", "Hôm nay", "Je t'aime", "Par AFP", "Good night"]


def _probe_texts() -> list[str]:
    return _PROBE + ENGLISH + VIETNAMESE + _sample_lines()


def _signature(detector: Detector, texts, candidates) -> list[dict]:
    out = []
    for text in texts:
        try:
            out.append(detector.detect(text, candidates).to_dict())
        except UndetectableLanguage as exc:
            out.append({"error": exc.message})
    return out


def test_repeatable_in_process(detector):
    texts = _probe_texts()
    first = [_signature(detector, texts, c) for c in (None, NEWSROOM)]
    again = [_signature(Detector(), texts, c) for c in (None, NEWSROOM)]
    assert first == again
    # exact floats too, not only the rounded dictionaries
    assert [detector.detect(t) for t in _PROBE] == [Detector().detect(t) for t in _PROBE]


def test_deterministic_across_processes(tmp_path):
    texts = _probe_texts()
    (tmp_path / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from translator.detect import Detector\n"
        "from translator.errors import UndetectableLanguage\n"
        "texts = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "d = Detector()\n"
        "out = []\n"
        "for cands in (None, ['fr', 'en', 'vi', 'es']):\n"
        "    for t in texts:\n"
        "        try:\n"
        "            r = d.detect(t, cands)\n"
        "            out.append([r.language, repr(r.confidence), [[c, repr(p)] for c, p in r.alternatives]])\n"
        "        except UndetectableLanguage as e:\n"
        "            out.append(['error', e.message])\n"
        "print(json.dumps(out))\n"
    )
    outputs = []
    for hash_seed in ("1", "4242"):  # different hash seeds: dict/set order must not matter
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path / "texts.json")],
                             capture_output=True, text=True, env=env, timeout=120, check=True)
        outputs.append(json.loads(run.stdout))
    assert outputs[0] == outputs[1]
    # and the same as this process
    here = Detector()
    for i, text in enumerate(texts):
        r = here.detect(text)
        assert outputs[0][i] == [r.language, repr(r.confidence), [[c, repr(p)] for c, p in r.alternatives]]


def test_thread_safe_including_lazy_load(monkeypatch, french_paragraphs):
    texts = _probe_texts() + french_paragraphs
    expected = _signature(Detector(), texts, NEWSROOM)
    # force the lazy profile load to happen under contention
    monkeypatch.setattr(detect_module, "_profiles", None)
    shared = Detector()
    jobs = [(text, i) for i in range(4) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: _signature(shared, [job[0]], NEWSROOM)[0], jobs))
    assert got == expected * 4


# --- speed ------------------------------------------------------------------------------


def test_speed_on_sample_paragraphs(detector, french_paragraphs):
    detector.detect("warm up")  # profiles are loaded on first use
    for candidates in (None, ["fr", "en", "vi"]):
        timings = []
        for _ in range(3):
            for paragraph in french_paragraphs:
                start = time.perf_counter()
                detector.detect(paragraph, candidates)
                timings.append(time.perf_counter() - start)
        median_ms = statistics.median(timings) * 1000
        print(f"detect() median {median_ms:.2f} ms per paragraph (candidates={candidates})")
        assert median_ms < 50  # a few ms on a developer machine; generous for slow CI


def test_the_cached_profile_tables_are_the_built_ones(tmp_path, monkeypatch):
    """langdetect's tables are read from the user's cache folder after the first build:
    the same tables (so the same detections); a broken cache file is rebuilt and stored."""
    import marshal

    from translator import detect as module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = module._build_profiles(module._profile_files())
    assert all(type(probs) is tuple for probs in built[0].values())  # not GC-tracked lists
    builds = []
    monkeypatch.setattr(module, "_build_profiles", lambda files: builds.append(files) or built)
    assert module._cached_profiles() == built and len(builds) == 1  # built, and stored
    (stored,) = (tmp_path / "translator").glob("langdetect-profiles-*.marshal")
    builds.clear()
    assert module._cached_profiles() == built and builds == []  # read back, not built
    for broken in (b"\x00 not a table", marshal.dumps(({"xx": (1.0,)}, ["xx"]))):
        stored.write_bytes(broken)
        assert module._cached_profiles() == built and len(builds) == 1
        assert marshal.loads(stored.read_bytes()) == built  # stored again
        builds.clear()


# -- short texts in a language with no route (issue 12) ---------------------------------------

# Short real sentences: greetings, headlines, phrase-book lines. The candidates are the
# languages Debian's Apertium pairs route to English here (ca, en, es, fr).
ROUTED_CANDIDATES = ["ca", "en", "es", "fr"]
SHORT_ROUTED = {
    "fr": ["Bonjour à tous.", "Merci beaucoup.", "Le chat dort.", "Il pleut ce matin.", "Bonne nuit",
           "Où est la gare ?", "Je suis désolé.", "Le président parle.", "La réunion est annulée.",
           "Bon anniversaire !", "Salut les amis", "C'est la vie.", "Au revoir", "Bonsoir madame",
           "Merci", "Bonjour", "Incendie à Lyon", "Le gouvernement démissionne"],
    "en": ["Good morning", "Thank you", "The cat sleeps.", "It is raining today.", "Good night",
           "Where is the station?", "I am sorry.", "The president speaks.",
           "The meeting is cancelled.", "Happy birthday!", "Hello everyone", "See you tomorrow",
           "Breaking news", "Hello", "Fire in London", "The government resigns"],
    "es": ["Buenos días", "Gracias", "El gato duerme.", "Está lloviendo hoy.", "Buenas noches",
           "¿Dónde está la estación?", "Lo siento.", "El presidente habla.",
           "La reunión está cancelada.", "¡Feliz cumpleaños!", "Hola a todos", "Hasta mañana", "Hola",
           "Incendio en Madrid", "El gobierno dimite", "Muchas gracias"],
    "ca": ["Bon dia a tothom", "Moltes gràcies", "El gat dorm.", "Avui plou.", "Bona nit"],
}
SHORT_UNROUTED = {
    "de": ["Guten Morgen", "Danke schön", "Die Katze schläft.", "Es regnet heute.", "Gute Nacht",
           "Wo ist der Bahnhof?", "Es tut mir leid.", "Der Präsident spricht.",
           "Alles Gute zum Geburtstag!", "Hallo zusammen", "Bis morgen", "Guten Tag", "Vielen Dank"],
    "cs": ["Dobrý den", "Děkuji", "Kočka spí.", "Dnes prší.", "Dobrou noc", "Kde je nádraží?",
           "Promiňte.", "Prezident mluví.", "Všechno nejlepší k narozeninám!", "Ahoj všichni",
           "Na shledanou", "Děkuji moc"],
    "vi": ["Xin chào các bạn.", "Cảm ơn", "Con mèo đang ngủ.", "Hôm nay trời mưa.", "Chúc ngủ ngon",
           "Nhà ga ở đâu?", "Tôi xin lỗi.", "Tổng thống phát biểu.", "Chúc mừng sinh nhật!",
           "Hẹn gặp lại"],
    "pl": ["Dzień dobry", "Dziękuję bardzo", "Kot śpi.", "Dziś pada deszcz.", "Dobranoc",
           "Gdzie jest dworzec?", "Przepraszam.", "Prezydent przemawia.", "Wszystkiego najlepszego!",
           "Cześć wszystkim", "Do jutra"],
    "nl": ["Goedemorgen", "Dank je wel", "De kat slaapt.", "Het regent vandaag.", "Welterusten"],
    "it": ["Buongiorno a tutti", "Grazie mille", "Il gatto dorme.", "Oggi piove.", "Buonanotte"],
    "pt": ["Bom dia a todos", "Muito obrigado", "O gato dorme.", "Hoje está chovendo.", "Boa noite"],
    "sv": ["God morgon", "Tack så mycket", "Katten sover.", "Det regnar idag."],
    "tr": ["Günaydın", "Çok teşekkürler", "Kedi uyuyor.", "Bugün yağmur yağıyor."],
}


def _says_no_route(detector: Detector, text: str) -> bool:
    """Whether ``text`` is refused (long enough) or looks like a language with no route."""
    try:
        detector.detect(text, ROUTED_CANDIDATES)
    except UndetectableLanguage:
        return True
    return detector.unrouted_look(text, ROUTED_CANDIDATES) is not None


def test_short_texts_of_languages_without_a_route_are_told_apart_from_routed_ones(detector):
    """Measured on 55 short routed texts and 69 unrouted ones (seeded, so exact): before,
    the comparison of a confidence among every language with one among the candidates
    (higher by construction) flagged 16 of 69 unrouted texts; on one scale, 66. The texts
    of 10 letters or fewer that langdetect takes for another language still misfire."""
    flagged = [t for texts in SHORT_ROUTED.values() for t in texts if _says_no_route(detector, t)]
    missed = [t for texts in SHORT_UNROUTED.values() for t in texts if not _says_no_route(detector, t)]
    assert len(flagged) <= 3, flagged  # "Lo siento." (it), "Avui plou." (cs), "Bona nit" (tl)
    assert len(missed) <= 3, missed  # "Es tut mir leid." (ca), "Bis morgen", "Dobranoc" (es)
    assert all(len(t) <= 10 for t in flagged)


def test_the_look_of_a_short_text_names_its_language_against_the_closest_routed_one(detector):
    look = detector.unrouted_look("Guten Morgen", ROUTED_CANDIDATES)
    assert look.language == "de" and look.confidence > 0.4
    closest, chance = look.alternatives[0]
    assert closest in ROUTED_CANDIDATES and look.confidence >= detect_module.UNROUTED_RATIO * chance
    # the candidates' own confidence is higher than the German one: the old comparison
    assert detector.detect("Guten Morgen", ROUTED_CANDIDATES).confidence > look.confidence
    assert detector.unrouted_look("Bonjour à tous.", ROUTED_CANDIDATES) is None
    assert detector.unrouted_look("Xin chào các bạn.", ROUTED_CANDIDATES + ["vi"]) is None
