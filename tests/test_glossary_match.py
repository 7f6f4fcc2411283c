"""Finding glossary terms in source text."""

import random
import time

from translator.glossary import Entry, Glossary
from translator.glossary.enforce import rendering_for, takes_the
from translator.glossary.match import matcher_for


def entries():
    return [
        Entry("putin", {"fr": ("Vladimir Poutine", "Poutine"), "en": ("Vladimir Putin", "Putin")},
              type="person"),
        Entry("kp", {"fr": ("Corée du Nord",), "en": ("North Korea",)}, type="country"),
        Entry("kim", {"fr": ("Kim Jong-un", "Kim Jong Un"), "en": ("Kim Jong Un",)}, type="person"),
        Entry("un", {"fr": ("ONU", "Nations unies"), "en": ("UN", "United Nations")},
              type="organization"),
        Entry("unsc", {"fr": ("Conseil de sécurité des Nations unies",),
                       "en": ("UN Security Council",)}, type="organization"),
        Entry("ua", {"fr": ("Ukraine",), "en": ("Ukraine",)}, type="country"),
        Entry("tass", {"fr": ("TASS", "Tass"), "en": ("TASS",)}, type="agency"),
        Entry("us", {"fr": ("États-Unis",), "en": ("United States",)}, type="country"),
        Entry("helmet", {"fr": ("casque bleu",), "en": ("blue helmet",)}),
        Entry("afp", {"fr": ("AFP",), "en": ("AFP",)}, dnt=True, type="agency"),
        Entry("hn", {"vi": ("Hà Nội",), "fr": ("Hanoï",), "en": ("Hanoi",)}, type="place"),
    ]


def found(text, source="fr", target="en"):
    matcher = matcher_for(Glossary("t", entries()), source, target)
    return [(m.text, rendering_for(m)) for m in matcher.find(text)]


def test_longest_match_first_and_surname_alone():
    assert found("Le Conseil de sécurité des Nations unies et les Nations unies.") == [
        ("Conseil de sécurité des Nations unies", "UN Security Council"), ("Nations unies", "UN")]
    assert found("Vladimir Poutine, puis M. Poutine.") == [
        ("Vladimir Poutine", "Vladimir Putin"), ("Poutine", "Putin")]


def test_elision_hyphens_case_and_accents():
    assert found("l'Ukraine, d'Ukraine et qu'Ukraine") == [("Ukraine", "Ukraine")] * 3
    assert found("Kim Jong Un et Kim Jong-un et KIM JONG-UN") == [
        ("Kim Jong Un", "Kim Jong Un"), ("Kim Jong-un", "Kim Jong Un"), ("KIM JONG-UN", "KIM JONG UN")]
    assert found("les Etats-Unis, les ÉTATS-UNIS") == [
        ("Etats-Unis", "United States"), ("ÉTATS-UNIS", "UNITED STATES")]
    assert found("Selon Tass et TASS") == [("Tass", "TASS"), ("TASS", "TASS")]


def test_never_inside_a_word_and_acronyms_only_in_capitals():
    assert found("Ukrainiens, tassé, un accord, onu") == []
    assert found("l'ONU et un tas") == [("ONU", "UN")]


def test_plurals_of_common_nouns_and_do_not_translate():
    assert found("des casques bleus et un casque bleu") == [
        ("casques bleus", "blue helmet"), ("casque bleu", "blue helmet")]
    assert found("selon l'AFP") == [("AFP", "AFP")]


def test_vietnamese_accents_tell_words_apart():
    assert found("Thủ đô Hà Nội", source="vi", target="fr") == [("Hà Nội", "Hanoï")]
    assert found("Ha Noi, Hà Nói", source="vi", target="fr") == []
    assert found("à Hanoi et à Hanoï", source="fr", target="vi") == [
        ("Hanoi", "Hà Nội"), ("Hanoï", "Hà Nội")]


def test_english_articles():
    assert takes_the("United States", "country") and takes_the("UN", "organization")
    assert takes_the("Russian Far East", "place") and takes_the("Kremlin", "organization")
    assert not takes_the("Russia", "country") and not takes_the("NATO", "organization")
    assert not takes_the("TASS", "agency") and not takes_the("Vladimir Putin", "person")
    # events: the Cold War, the special military operation; but World War II
    assert takes_the("special military operation", "event") and takes_the("Cold War", "event")
    assert takes_the("Shangri-La Dialogue", "event") and takes_the("one-China policy", "other")
    assert not takes_the("World War II", "event") and not takes_the("Tet", "event")


def test_a_hundred_thousand_terms_match_in_linear_time():
    rng = random.Random(0)
    syllables = ["ka", "lo", "mi", "ren", "tas", "vu", "zel", "por", "dia", "nok"]
    big = [Entry(f"e{i}", {"fr": (" ".join("".join(rng.choice(syllables) for _ in range(3)).title()
                                             for _ in range(rng.randint(1, 3))),),
                           "en": (f"Name{i}",)}, type="person") for i in range(100_000)]
    glossary = Glossary("big", big + entries())
    started = time.perf_counter()
    matcher = matcher_for(glossary, "fr", "en")
    text = "Selon Tass, le président Vladimir Poutine est arrivé en Corée du Nord. " * 2000
    matches = matcher.find(text)
    assert len(matches) == 6000
    assert time.perf_counter() - started < 60  # a sanity bound, not a benchmark


def test_capitalised_terms_match_only_capitalised_words():
    glossary = Glossary("t", [
        Entry("fr", {"vi": ("Pháp",), "en": ("France",)}, type="country"),
        Entry("tr", {"en": ("Turkey",), "fr": ("Turquie",)}, type="country"),
        Entry("bush", {"en": ("George W. Bush",), "fr": ("George W. Bush",)}, type="person"),
        Entry("vi", {"en": ("U.S. Virgin Islands",), "fr": ("Îles Vierges des États-Unis",)},
              type="territory"),
        Entry("ze", {"en": ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "Zelenskyy"),
                     "fr": ("Volodymyr Zelensky",)}, type="person")])
    vi = matcher_for(glossary, "vi", "en")
    assert [m.text for m in vi.find("Các biện pháp của Pháp; PHÁP")] == ["Pháp", "PHÁP"]
    en = matcher_for(glossary, "en", "fr")
    assert [m.text for m in en.find("roast turkey in Turkey")] == ["Turkey"]
    assert [(m.text, rendering_for(m)) for m in en.find(
        "George W. Bush visited the U.S. Virgin Islands; Zelenskyy spoke.")] == [
        ("George W. Bush", "George W. Bush"),
        ("U.S. Virgin Islands", "Îles Vierges des États-Unis"), ("Zelenskyy", "Zelensky")]
