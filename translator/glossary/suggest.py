"""Names that are not in the glossary, with the rendering the engine gives them.

Reviewers grow the glossary from real articles: :func:`suggest` lists the proper names
of a batch of documents that no glossary entry covers, how often and in how many
documents they occur, and how the route renders each one **alone** (all names of a
source language in one engine batch, so a batch gets one rendering per name), and
whether that rendering is what the documents' translations actually contain.

Names are found by capitalisation (:func:`find_names`):

* runs of capitalised words and acronyms joined by a space, a hyphen or an apostrophe
  (``Kim Jong Un``, ``Extrême-Orient``, ``O'Brien``), with lower-case particles between
  two capitalised words (``Corée du Nord``, ``Côte d'Ivoire``, ``Bashar al-Assad``);
* a single capitalised word counts when it is not the first word of its sentence; an
  acronym (``ONU``, ``AFP``) counts anywhere;
* titles (``M.``, ``Mme``, ``Mr``) and, at the start of a sentence, common words
  (``Selon``, ``The``, ``Le``) or any word the documents also write in lower case are not
  part of a name; elided articles (``l'``, ``d'``) never are; URLs and e-mail addresses,
  and sentences written in capitals (headlines) are skipped;
* names that overlap a glossary match are skipped (a run that only partly overlaps
  keeps its other words: ``Kim Jong Un de Corée du Nord`` -> ``Kim Jong Un``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .. import languages
from ..pipeline import AUTO, DEFAULT, check_text
from ..segment import segment

_TOKEN = re.compile(r"\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)
_JOIN = re.compile(r"[ \u00a0]|[-\u2010\u2011]")
_APOSTROPHE = re.compile(r"['\u2019]")
_ELISIONS = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu",
             "quoiqu", "presqu"}
# Lower-case words that may stand between two capitalised words of a name (a hyphen on
# both sides joins any word: Boulogne-sur-Mer, Stratford-upon-Avon).
_PARTICLES = {
    "fr": {"de", "du", "des", "d"},
    "en": {"of", "of the", "de", "da", "van", "von", "bin", "al", "el"},
    "es": {"de", "del", "de la", "de los"},
    "vi": set(),
}
_INTERNATIONAL = {"al", "el", "bin", "ben", "van", "von", "da", "di", "de"}  # Bashar al-Assad
_PARTICLES = {lang: words | _INTERNATIONAL for lang, words in _PARTICLES.items()}
_DEFAULT_PARTICLES = {"of"} | _INTERNATIONAL
_TITLES = {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "mgr", "mr", "mrs", "ms",
           "prof", "sr", "sra", "ông", "bà"}
_COMMON = {
    "fr": """le la les l un une des du de d au aux ce cet cette ces c il elle ils elles on nous
        vous je j tu selon en dans pour par sur sous avec sans mais et ou donc or ni car si
        quand lorsque lorsqu après avant depuis pendant comme alors ainsi cependant toutefois
        pourtant enfin hier aujourd demain lors parmi entre vers chez contre malgré outre puis
        ensuite encore aussi même tous toutes tout plus moins très son sa ses leur leurs notre
        nos votre vos mon ma mes qui que qu quoi dont où voici voilà cela ceci celui celle
        ceux celles aucun aucune chaque plusieurs certains certaines autre autres d'après
        face grâce afin dès jusqu lundi mardi mercredi jeudi vendredi samedi dimanche
        source photo""",
    "en": """the a an this that these those it its he she they we you i in on at for by with
        from of to as after before since during but and or so if when while however also yet
        there here his her their our my your who what which where why how according about
        under over into all both each many some most more one two three meanwhile earlier
        later last next monday tuesday wednesday thursday friday saturday sunday january
        february march april may june july august september october november december
        source photo""",
    "es": """el la los las un una unos unas de del en por para con sin pero y o si cuando
        según desde durante tras este esta estos estas ese esa su sus nuestro""",
    "vi": """theo trong khi sau trước tại các những một hai ba người ông bà này đó và nhưng
        vì nếu cũng đã sẽ đang""",
}
COMMON = {lang: set(words.split()) for lang, words in _COMMON.items()}


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str


@dataclass
class Suggestion:
    """One name absent from the glossary: its rendering and where it occurs."""

    source: str
    rendering: str
    count: int
    documents: int
    found: int | None = None  # documents whose translation contains the rendering
    source_lang: str = ""
    target_lang: str = ""
    doc_indices: list[int] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {"source": self.source, "rendering": self.rendering, "count": self.count,
                "documents": self.documents, "in_translation": self.found,
                "source_lang": self.source_lang, "target_lang": self.target_lang}


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    first: bool  # the first word of its sentence

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()

    @property
    def acronym(self) -> bool:
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)


def lowercase_words(texts: Sequence[str]) -> set[str]:
    """Words the texts write in lower case somewhere (``selon``, not ``Poutine``)."""
    return {word for text in texts for word in _TOKEN.findall(text) if word.islower()}


def _sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    try:
        return [(s.start, s.end) for s in segment(text, lang)]
    except Exception:  # noqa: BLE001 - a language the segmenter lacks: one span
        return [(0, len(text))]


def find_names(text: str, lang: str, matcher=None,
               lowercase: set[str] | None = None) -> list[Name]:
    """Capitalised names in ``text`` (see the module docstring), in order; ``matcher``: a
    glossary :class:`~translator.glossary.match.Matcher` whose matches are skipped."""
    masked = _URL.sub(lambda m: " " * len(m.group()), text)
    covered: list[tuple[int, int]] = []
    if matcher is not None:
        covered = [(m.start, m.end) for m in matcher.find(text)]
    particles = _PARTICLES.get(lang, _DEFAULT_PARTICLES)
    common = COMMON.get(lang, set())
    lowercase = lowercase if lowercase is not None else lowercase_words([text])
    names: list[Name] = []
    for start, end in _sentence_spans(masked, lang):
        tokens = [_Tok(m.start(), m.end(), m.group(), False)
                  for m in _TOKEN.finditer(masked, start, end)]
        if not tokens:
            continue
        tokens[0].first = True
        words = [t for t in tokens if any(c.isalpha() for c in t.text)]
        if len(words) >= 3 and sum(t.acronym for t in words) * 10 >= len(words) * 6:
            continue  # a headline in capitals
        for run in _runs(masked, tokens, particles):
            for piece in _split_covered(run, covered):
                name = _trim(piece, particles, common, lowercase)
                if name is not None:
                    names.append(Name(name[0].start, name[-1].end,
                                      text[name[0].start:name[-1].end]))
    return names


def _gap(text: str, left: _Tok, right: _Tok) -> str:
    return text[left.end:right.start]


def _runs(text: str, tokens: list[_Tok], particles: set[str]):
    """Maximal runs of capitalised tokens, particles allowed between two of them."""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.capital or _is_elision(text, tok):
            i += 1
            continue
        run = [tok]
        j = i + 1
        while j < len(tokens):
            prev, nxt = run[-1], tokens[j]
            gap = _gap(text, prev, nxt)
            if not _joins(gap, prev):
                break
            if nxt.capital and not _is_elision(text, nxt):
                run.append(nxt)
                j += 1
                continue
            if nxt.text.isdigit() and gap != " " and prev.acronym:  # COVID-19, G-20
                run.append(nxt)
                j += 1
                continue
            # lower-case words between two capitalised ones: a particle (de, of the),
            # or any word between hyphens
            k = j
            while k < len(tokens) and tokens[k].text.islower() and k - j < 2:
                k += 1
            joined = False
            for stop in range(j + 1, k + 1):
                if stop >= len(tokens) or not tokens[stop].capital:
                    continue
                between = tokens[j:stop]
                gaps = [gap] + [_gap(text, a, b) for a, b in zip(tokens[j:stop], tokens[j + 1:stop + 1])]
                hyphens = all(g in "-\u2010\u2011" and g for g in gaps)
                words = " ".join(t.text for t in between)
                spaced = all(_JOIN.fullmatch(g) or (_APOSTROPHE.fullmatch(g) and i > 0
                                                     and between[i - 1].text in _ELISIONS)
                             for i, g in enumerate(gaps))
                if hyphens or (words in particles and spaced):
                    run.extend(between)
                    run.append(tokens[stop])
                    j = stop + 1
                    joined = True
                    break
            if joined:
                continue
            break
        yield run
        i = j


def _joins(gap: str, left: _Tok) -> bool:
    if _JOIN.fullmatch(gap):
        return True
    return bool(_APOSTROPHE.fullmatch(gap)) and left.text.lower() not in _ELISIONS


def _is_elision(text: str, tok: _Tok) -> bool:
    """``L'`` of ``L'Ukraine``: an elided article, never part of a name."""
    return tok.text.lower() in _ELISIONS and bool(_APOSTROPHE.fullmatch(text[tok.end:tok.end + 1]))


def _split_covered(run: list[_Tok], covered: list[tuple[int, int]]):
    if not covered:
        yield run
        return
    piece: list[_Tok] = []
    for tok in run:
        if any(s < tok.end and tok.start < e for s, e in covered):
            if piece:
                yield piece
            piece = []
        else:
            piece.append(tok)
    if piece:
        yield piece


def _trim(run: list[_Tok], particles: set[str], common: set[str], lowercase: set[str]):
    """The name inside a run, or None: no titles, no leading sentence word, no edge particles."""
    run = list(run)
    while run and (run[0].text.lower() in _TITLES
                   or (run[0].first and not run[0].acronym
                       and (run[0].text.lower() in common or run[0].text.lower() in lowercase))):
        rest = run[1:]
        if rest:
            rest[0] = _Tok(rest[0].start, rest[0].end, rest[0].text, False)
        run = rest
    while run and (run[0].text.islower() or run[0].text.lower() in particles and not run[0].capital):
        run = run[1:]
    while run and run[-1].text.islower():
        run = run[:-1]
    if not run:
        return None
    if len(run) == 1:
        tok = run[0]
        if len(tok.text) < 2 or tok.text.isdigit():
            return None
        if tok.first and not tok.acronym:
            return None
        if tok.text.lower() in common and not tok.acronym:
            return None
    return run


def _loose(rendering: str) -> re.Pattern | None:
    words = _TOKEN.findall(rendering)
    if not words:
        return None
    gap = r"[\s\-\u2010\u2011'\u2019]+"
    return re.compile(r"(?<!\w)" + gap.join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)


def _clean_rendering(output: str, name: str) -> str:
    output = " ".join(output.split())
    if not name.endswith(".") and output.endswith("."):
        output = output[:-1].rstrip()
    return output


def render_names(pipeline, names: list[str], source: str, target: str) -> list[str]:
    """Each name translated alone, all in one batch through the pair's route (engines
    translate every sentence of a batch on its own; the full stop makes each a sentence)."""
    if not names:
        return []
    if source == target:
        return list(names)
    route = pipeline.route(source, target)
    outputs = route.translate([n if n.endswith(".") else n + "." for n in names])
    return [_clean_rendering(out.text, name) for out, name in zip(outputs, names)]


def suggest(pipeline, texts: Sequence[str], target: str, source: str = AUTO,
            glossary=DEFAULT, check_translation: bool = True) -> list[Suggestion]:
    """Names of ``texts`` absent from ``glossary``, most frequent first.

    ``glossary``: the pipeline's own (``DEFAULT``), another one, or None; its terms are
    skipped and the documents are translated with it. ``check_translation`` translates
    the documents (one batch) to report whether each rendering appears in them.
    """
    target = languages.canonical(target)
    texts = [check_text(t, pipeline.settings.max_chars) for t in texts]
    if glossary is DEFAULT:
        glossary = pipeline.glossary
    results = None
    if check_translation:
        results = pipeline.translate_many(texts, target, source, glossary)
        langs = [r.source_lang for r in results]
    elif source in (None, "", AUTO):
        langs = [pipeline.detect(t, target).language for t in texts]
    else:
        langs = [languages.canonical(source)] * len(texts)
    by_lang: dict[str, dict[str, Suggestion]] = {}
    vocab: dict[str, set[str]] = {}
    for lang in set(langs):
        vocab[lang] = lowercase_words([t for t, l in zip(texts, langs) if l == lang])
    for index, (text, lang) in enumerate(zip(texts, langs)):
        if lang == target:
            continue
        matcher = glossary.matcher(lang, target) if glossary is not None else None
        found = by_lang.setdefault(lang, {})
        for name in find_names(text, lang, matcher, vocab[lang]):
            key = " ".join(name.text.split())
            item = found.get(key)
            if item is None:
                item = found[key] = Suggestion(key, "", 0, 0, None, lang, target)
            item.count += 1
            if not item.doc_indices or item.doc_indices[-1] != index:
                item.doc_indices.append(index)
                item.documents += 1
    out: list[Suggestion] = []
    for lang, found in by_lang.items():
        items = list(found.values())
        for item, rendering in zip(items, render_names(pipeline, [i.source for i in items],
                                                        lang, target)):
            item.rendering = rendering
            if results is not None:
                pattern = _loose(rendering)
                item.found = sum(1 for i in item.doc_indices
                                 if pattern is not None and pattern.search(results[i].target_text))
        out.extend(items)
    out.sort(key=lambda s: (-s.count, -s.documents, s.source_lang, s.source.casefold()))
    return out


def to_tsv(suggestions: list[Suggestion]) -> str:
    """``source rendering count documents in_translation``, one block per language pair."""
    lines = []
    pairs = sorted({(s.source_lang, s.target_lang) for s in suggestions})
    for source, target in pairs:
        block = [s for s in suggestions if (s.source_lang, s.target_lang) == (source, target)]
        lines.append(f"# {source}-{target}: {len(block)} names not in the glossary")
        lines.append("source\trendering\tcount\tdocuments\tin_translation")
        for s in block:
            found = "" if s.found is None else f"{s.found}/{s.documents}"
            lines.append(f"{s.source}\t{s.rendering}\t{s.count}\t{s.documents}\t{found}")
    return "\n".join(lines) + ("\n" if lines else "")


def to_pair_file(suggestions: list[Suggestion]) -> str:
    """A pair glossary file (``source target note``) to save as ``fr-en.tsv`` and edit."""
    lines = []
    pairs = sorted({(s.source_lang, s.target_lang) for s in suggestions})
    for source, target in pairs:
        lines.append(f"# {source}-{target}.tsv: suggested by translator glossary suggest; "
                     "check every rendering")
        lines.append("source\ttarget\tnote")
        for s in suggestions:
            if (s.source_lang, s.target_lang) != (source, target) or not s.rendering:
                continue
            seen = (f"{s.count} time{'s' if s.count > 1 else ''} in {s.documents} "
                    f"document{'s' if s.documents > 1 else ''}")
            if s.found is not None:
                seen += f"; rendering in {s.found} translation{'s' if s.found != 1 else ''}"
            lines.append(f"{s.source}\t{s.rendering}\t{seen}")
    return "\n".join(lines) + ("\n" if lines else "")


__all__ = ["COMMON", "Name", "Suggestion", "find_names", "lowercase_words", "render_names",
           "suggest", "to_pair_file", "to_tsv"]
