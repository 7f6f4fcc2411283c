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

When the documents are translated (the default), the words the route left untranslated
are suggested too (:func:`untranslated_words`), most frequent first: a word left by the
route's first step is a word of the source language, a candidate entry to fill in; a
word left by a later step is in a pivot language (``norcoreano`` on fr->es->en): not an
entry of the pair, but a sign that the source word behind it needs one. A word that is
part of a suggested name is not repeated. Generation errors (Apertium's ``#``) are not
suggested: the word was translated, only its inflected form is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from .. import languages
from ..formats.marks import is_pivot, leftovers
from ..pipeline import AUTO, DEFAULT, check_text
from ..segment import segment
from .match import matcher_for

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
#: how many untranslated words are suggested per language pair and word language
UNTRANSLATED = 50


@dataclass(frozen=True)
class Name:
    start: int
    end: int
    text: str


@dataclass
class Suggestion:
    """A name absent from the glossary (its rendering and where it occurs), or a word the
    route left untranslated (``kind`` ``untranslated``: no rendering; ``language`` is the
    word's own, a pivot language's when ``pivot``)."""

    source: str
    rendering: str
    count: int
    documents: int
    found: int | None = None  # documents whose translation contains the rendering
    source_lang: str = ""
    target_lang: str = ""
    doc_indices: list[int] = field(default_factory=list, repr=False)
    kind: str = "name"  # name | untranslated
    language: str = ""  # the word's language; the source language for names
    pivot: bool = False  # left by a later step of the route: a word of a pivot language

    def to_dict(self) -> dict:
        return {"kind": self.kind, "source": self.source,
                "rendering": self.rendering if self.kind == "name" else None,
                "count": self.count, "documents": self.documents, "in_translation": self.found,
                "source_lang": self.source_lang, "target_lang": self.target_lang,
                "language": self.language or self.source_lang, "pivot": self.pivot}


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


def untranslated_words(results, names: Sequence[Suggestion] = (),
                       limit: int = UNTRANSLATED) -> list[Suggestion]:
    """The words the translations ``results`` left untranslated, as suggestions: the
    ``limit`` most frequent per language pair and word language, those of the source
    language first; words of a suggested ``names`` (same language) are left out."""
    in_names = {(n.source_lang, word.casefold()) for n in names for word in _TOKEN.findall(n.source)}
    found: dict[tuple[str, str, str, bool, str], Suggestion] = {}
    for index, result in enumerate(results):
        for seg in result.segments:
            for _, _, entry in leftovers(seg.target, seg.untranslated):
                if entry.get("kind") == "generation":
                    continue  # a target-language lemma that could not be inflected, not a gap
                word, language, pivot = entry["word"], str(entry.get("language") or ""), is_pivot(entry)
                if not pivot and (seg.source_lang, word.casefold()) in in_names:
                    continue
                key = (seg.source_lang, result.target_lang, language, pivot, word.casefold())
                item = found.get(key)
                if item is None:
                    item = found[key] = Suggestion(word, "", 0, 0, None, seg.source_lang,
                                                   result.target_lang, kind="untranslated",
                                                   language=language, pivot=pivot)
                item.count += 1
                if not item.doc_indices or item.doc_indices[-1] != index:
                    item.doc_indices.append(index)
                    item.documents += 1
    ranked = sorted(found.values(), key=lambda s: (s.source_lang, s.target_lang, s.pivot,
                                                   s.language, -s.count, -s.documents,
                                                   s.source.casefold()))
    out, seen = [], {}
    for item in ranked:
        block = (item.source_lang, item.target_lang, item.pivot, item.language)
        seen[block] = seen.get(block, 0) + 1
        if seen[block] <= limit:
            out.append(item)
    return out


def suggest(pipeline, texts: Sequence[str], target: str, source: str = AUTO,
            glossary=DEFAULT, check_translation: bool = True,
            untranslated: int = UNTRANSLATED) -> list[Suggestion]:
    """Names of ``texts`` absent from ``glossary``, most frequent first, then the words
    the route left untranslated (see :func:`untranslated_words`).

    ``glossary``: the pipeline's own (``DEFAULT``), another one, or None; its terms are
    skipped and the documents are translated with it. ``check_translation`` translates
    the documents (one batch) to report whether each rendering appears in them, and
    which words stay untranslated (``untranslated``: how many per language, 0 for none).
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
        matcher = matcher_for(glossary, lang, target) if glossary is not None else None
        found = by_lang.setdefault(lang, {})
        for name in find_names(text, lang, matcher, vocab[lang]):
            key = " ".join(name.text.split())
            item = found.get(key)
            if item is None:
                item = found[key] = Suggestion(key, "", 0, 0, None, lang, target, language=lang)
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
    if results is not None and untranslated > 0:
        out += untranslated_words(results, out, untranslated)
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _word_blocks(suggestions: list[Suggestion], source: str, target: str):
    """The pair's untranslated words by block: (pivot, language, words), source first."""
    words = [s for s in suggestions
             if s.kind == "untranslated" and (s.source_lang, s.target_lang) == (source, target)]
    for pivot, language in sorted({(s.pivot, s.language) for s in words}):
        yield pivot, language, [s for s in words if (s.pivot, s.language) == (pivot, language)]


def _word_heading(source: str, target: str, pivot: bool, language: str, n: int) -> str:
    where = (f"in {language}, a pivot language: left by a later step of the route, not "
             f"{source} words" if pivot else f"in {language}, the source language")
    return f"# {source}-{target}: {_plural(n, 'word')} left untranslated {where}"


def to_tsv(suggestions: list[Suggestion]) -> str:
    """Per language pair: the names (``source rendering count documents in_translation``),
    then the words left untranslated (``word language count documents``), one block per
    word language, the source language's first."""
    lines = []
    pairs = sorted({(s.source_lang, s.target_lang) for s in suggestions})
    for source, target in pairs:
        block = [s for s in suggestions if s.kind == "name"
                 and (s.source_lang, s.target_lang) == (source, target)]
        if block:
            lines.append(f"# {source}-{target}: {len(block)} names not in the glossary")
            lines.append("source\trendering\tcount\tdocuments\tin_translation")
        for s in block:
            found = "" if s.found is None else f"{s.found}/{s.documents}"
            lines.append(f"{s.source}\t{s.rendering}\t{s.count}\t{s.documents}\t{found}")
        for pivot, language, words in _word_blocks(suggestions, source, target):
            lines.append(_word_heading(source, target, pivot, language, len(words)))
            lines.append("word\tlanguage\tcount\tdocuments")
            lines += [f"{s.source}\t{s.language}\t{s.count}\t{s.documents}" for s in words]
    return "\n".join(lines) + ("\n" if lines else "")


def _seen(s: Suggestion) -> str:
    return f"{_plural(s.count, 'time')} in {_plural(s.documents, 'document')}"


def to_pair_file(suggestions: list[Suggestion]) -> str:
    """A pair glossary file (``source target note``) to save as ``fr-en.tsv`` and edit.
    Words left untranslated follow as comments: a source-language word becomes an entry
    once its target is written and its ``# `` removed; pivot-language words are listed
    for the reviewer only (they are not words of the pair's source language)."""
    lines = []
    pairs = sorted({(s.source_lang, s.target_lang) for s in suggestions})
    for source, target in pairs:
        lines.append(f"# {source}-{target}.tsv: suggested by translator glossary suggest; "
                     "check every rendering")
        lines.append("source\ttarget\tnote")
        for s in suggestions:
            if (s.kind != "name" or (s.source_lang, s.target_lang) != (source, target)
                    or not s.rendering):
                continue
            seen = _seen(s)
            if s.found is not None:
                seen += f"; rendering in {s.found} translation{'s' if s.found != 1 else ''}"
            lines.append(f"{s.source}\t{s.rendering}\t{seen}")
        for pivot, language, words in _word_blocks(suggestions, source, target):
            lines.append(_word_heading(source, target, pivot, language, len(words)))
            if pivot:
                lines.append(f"# add the {source} words they translate; these are not {source} terms")
                lines += [f"#   {s.source} ({s.language}): {_seen(s)}" for s in words]
            else:
                lines.append("# to add one: write its target after the first tab, remove the '# '")
                lines += [f"# {s.source}\t\tleft untranslated {_seen(s)}" for s in words]
    return "\n".join(lines) + ("\n" if lines else "")


__all__ = ["COMMON", "Name", "Suggestion", "find_names", "lowercase_words", "render_names",
           "suggest", "to_pair_file", "to_tsv", "untranslated_words"]
