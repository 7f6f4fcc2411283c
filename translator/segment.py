"""Split a document into paragraphs and sentences, with exact character offsets.

Every offset is a Python ``str`` index (code points) into the document. Sentence
spans never start or end with whitespace, never overlap and come in document
order; what lies between two sentences (and before the first / after the last) is
whitespace only, so :func:`pieces` gives back the input exactly::

    >>> doc = "M. Poutine est arrivé. Il a parlé.\\n\\nKHANH MINH\\n"
    >>> sents = segment(doc, "fr")
    >>> [s.text for s in sents]
    ['M. Poutine est arrivé.', 'Il a parlé.', 'KHANH MINH']
    >>> "".join(pieces(doc, sents)) == doc
    True

Paragraphs (:func:`split_paragraphs`)
-------------------------------------
A paragraph is a run of lines. Line breaks are ``\\n``, ``\\r\\n``, ``\\r`` and the
other breaks of :meth:`str.splitlines` (``\\v \\f \\x1c-\\x1e \\x85 \\u2028 \\u2029``).

* A blank (empty or whitespace-only) line always ends a paragraph.
* A single line break also ends a paragraph -- news pasted from the web has one
  paragraph per line, bylines and ``Source : ...`` lines included -- *unless* it
  is a soft wrap of hard-wrapped text (e-mail, Markdown). Within a block of
  lines between blank lines, ``W`` being the length of its longest line, a break
  after line *i* is

  - *hard* when ``W`` is outside ``40..120`` (text is wrapped at a fixed width;
    lines of web news are longer), when line *i* ends a sentence
    (``. ! ? … : » "``) and the next line starts with a capital letter, an
    opening quote or a dash, when either line is Markdown structure (``#``
    heading, ``|`` table row), when the next line starts with a list or quote
    marker (``- * + • > 1.``), or when the break is a ``\\f``, ``\\x1c-\\x1e`` or
    ``\\u2029`` (paragraph breaks by definition);
  - otherwise *full* when line *i* is filled: its length + 1 + the length of the
    next line's first word exceeds ``W`` (a wrapping tool would not have broken
    it otherwise), else *short*.

  The block is hard-wrapped when at least two thirds of its non-hard breaks are
  full (greedy wrapping makes them all full); then its full breaks are soft wraps
  and every other break ends a paragraph. In any other block every line break
  ends a paragraph. A block of one full line and one short line (a long headline
  over a shorter lede without a blank line) is therefore taken as one wrapped
  paragraph: the known false positive of the rule.

  Soft-wrapped lines stay in one paragraph; the newlines inside it are plain
  whitespace inside a sentence (offsets stay exact; engines should normalise
  whitespace if they care).

Sentences (:func:`split_sentences`)
-----------------------------------
Boundaries come from `sentencex <https://github.com/wikimedia/sentencex>`_
(Wikimedia, ~300 languages through fallback chains, a compiled Rust core, no
dependencies). Its output is mapped back to offsets without trusting it to keep
whitespace, then a thin layer of our own rules corrects what it gets wrong on
news text (see :data:`_TITLES`, :func:`_keep_boundary`, :data:`_EXTRA_BREAK`):

* start a sentence before, not after, an opening quote (sentencex leaves an
  unclosed ``«`` at the end of the previous sentence);
* never break where no whitespace follows an ASCII ``. ! ?`` (``TP.HCM``,
  ``av. J.-C.``, ``É.-U.``, ``PGS.TS.``, URLs, e-mail addresses, ``19.06.2024``);
* never break before a lowercase word (``etc. et``, ``p. ex. la``, ``Rép. tchèque``),
  nor before closing punctuation (``»``, ``)``, ``,`` ...);
* never break inside a quotation followed by an incise (``« Nous sommes prêts.
  Pour ce faire, ... », a déclaré Poutine.`` is one sentence);
* never break after a title or prefix abbreviation of the language (fr ``M.``,
  ``MM.``, ``Mme``, ``Dr``, ``Pr``, ``Me``, ``av.``, ``cf.``; en ``Mr.``, ``Ms.``,
  ``Gen.``; vi ``TS.``, ``PGS.TS.``, ``ThS.``, ``TP.`` ...), nor after a single
  capital initial followed by a capitalised word (``J. R. R. Tolkien``);
* never break between ``No.``, ``art.``, ``p.``, ``janv.`` ... and a number;
* do break after ``…``, after ``etc.`` and after a closing quote that follows a
  terminator (``prêts… » Le``) when a capitalised word follows.

How sentencex (1.0.32) is called, to work around what it does badly: it gets
each paragraph in chunks of at most 4000 characters, cut after a terminator when
possible (it is quadratic in the number of unbalanced quotes: 1 MB of ``«`` takes
minutes); non-ASCII spaces are replaced by ASCII ones (it panics on
``"A\\u00a0."``) and ``« »`` by ``“ ”`` (it pairs ``» ... «`` as a German
quotation), one character for one so offsets do not move. Should it still fail
(a Rust panic surfaces as a ``BaseException``), that chunk goes to the built-in
splitter and a warning is logged.

Run-on guard: no sentence is longer than ``max_chars`` (:data:`MAX_SENTENCE_CHARS`,
1000). A longer one is cut, in its second half, after the last ``, ; :`` followed
by whitespace, else at the last whitespace before the limit, else (a single
1000-character "word", e.g. Chinese without punctuation) right at the limit, never
inside a combining sequence. Each cut piece is a sentence of its own, so an
engine never receives a giant input. All of this runs in linear time.

Languages: codes are canonicalised with :mod:`translator.languages` (``fra``,
``fr-FR`` -> ``fr``). A code we do not know is passed to sentencex as is (it has
its own fallback chains, English rules in the end) and gets only the generic
rules here; it never raises. Without sentencex installed a small built-in
splitter (terminators followed by whitespace) is used with the same rules.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .languages import maybe_canonical

try:  # pragma: no cover - exercised through BACKEND
    import sentencex as _sentencex
except ImportError:  # pragma: no cover
    _sentencex = None

__all__ = [
    "Sentence",
    "split_paragraphs",
    "split_sentences",
    "segment",
    "pieces",
    "MAX_SENTENCE_CHARS",
    "BACKEND",
]

_log = logging.getLogger(__name__)

#: Longest sentence handed to an engine, in characters (see the run-on guard).
MAX_SENTENCE_CHARS = 1000

#: Which sentence splitter is in use: ``"sentencex"`` or ``"builtin"``.
BACKEND = "sentencex" if _sentencex is not None else "builtin"

MIN_WRAP_WIDTH = 40
MAX_WRAP_WIDTH = 120


@dataclass(frozen=True)
class Sentence:
    start: int  # offset into the document (Python str index)
    end: int  # exclusive
    paragraph: int  # 0-based paragraph index
    text: str  # == document[start:end]


# --------------------------------------------------------------------------- paragraphs

_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_HARD_BREAKS = frozenset("\f\x1c\x1d\x1e\u2029")
_NON_SPACE = re.compile(r"\S")
_FIRST_WORD = re.compile(r"\S+")
_LIST_MARKER = re.compile(r"(?:[-*+•>]|\d{1,3}[.)])(?:\s|$)")
_SENTENCE_END = frozenset(".!?…:»\"”")


def _content(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Span of ``text[start:end]`` without surrounding whitespace, None if blank."""
    m = _NON_SPACE.search(text, start, end)
    if m is None:
        return None
    s = m.start()
    e = end
    while text[e - 1].isspace():
        e -= 1
    return s, e


def _lines(text: str):
    """Yield ``(line_start, line_end, break_chars)`` for every line of ``text``."""
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        yield pos, m.start(), m.group()
        pos = m.end()
    yield pos, len(text), ""


def _break_kind(text: str, cur, nxt, width: int) -> str:
    """Classify the break between lines ``cur`` and ``nxt`` of one block.

    ``"hard"``: structurally a paragraph break; otherwise ``"full"`` when line
    ``cur`` is filled up to the block width (what a wrapping tool leaves), else
    ``"short"``.
    """
    line_start, (cs, ce), brk = cur
    _, (ns, ne), _ = nxt
    if brk in _HARD_BREAKS or not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return "hard"
    if text[cs] in "#|" or text[ns] in "#|" or _LIST_MARKER.match(text, ns, ne):
        return "hard"
    nxt_char = text[ns]
    if text[ce - 1] in _SENTENCE_END and (nxt_char.isupper() or nxt_char in "«“\"—–-"):
        return "hard"
    first = _FIRST_WORD.match(text, ns, ne)
    if (ce - line_start) + 1 + (first.end() - first.start()) > width:
        return "full"  # the next word would not have fitted on this line
    return "short"


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the non-blank paragraphs of ``text``, in order.

    Spans exclude leading and trailing whitespace. See the module documentation
    for the rule (blank lines and single line breaks separate paragraphs, except
    soft wraps of hard-wrapped text).
    """
    paragraphs: list[tuple[int, int]] = []
    block: list = []  # (line_start, (content_start, content_end), break_after)

    def flush() -> None:
        if not block:
            return
        width = max(ce - ls for ls, (_, ce), _ in block)
        kinds = [_break_kind(text, block[i], block[i + 1], width) for i in range(len(block) - 1)]
        candidates = [k for k in kinds if k != "hard"]
        wrapped = bool(candidates) and 3 * candidates.count("full") >= 2 * len(candidates)
        para_start = block[0][1][0]
        for i, kind in enumerate(kinds):
            if not (wrapped and kind == "full"):
                paragraphs.append((para_start, block[i][1][1]))
                para_start = block[i + 1][1][0]
        paragraphs.append((para_start, block[-1][1][1]))
        block.clear()

    for ls, le, brk in _lines(text):
        span = _content(text, ls, le)
        if span is None:
            flush()
            continue
        block.append((ls, span, brk))
        if brk in _HARD_BREAKS:
            flush()
    flush()
    return paragraphs


# --------------------------------------------------------------------------- sentences

# Title and prefix abbreviations (without their final period): a period after them
# never ends a sentence, whatever follows. Case-sensitive.
_TITLES: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "M MM Mme Mmes Mlle Mlles Mgr Mgrs Me Mes Dr Drs Pr Prs St Ste Sts Stes "
        "Gén Col Cdt Lt Sgt Cne Adj Vve av apr cf Cf p pp ex c.-à-d "
        "env resp vs Mr Mrs Ms".split()
    ),
    "en": frozenset(
        "Mr Mrs Ms Mx Messrs Mmes Dr Drs Prof Gen Lt Col Maj Capt Cmdr Adm Sgt Cpl "
        "Gov Sen Rep Rev Hon Pres Supt Insp Det St Mt Ft vs cf Cf approx".split()
    ),
    "vi": frozenset(
        "GS PGS TS ThS Th.S TSKH BS BSCKI BSCKII ThBS KS CN LS NSND NSƯT NS NXB "
        "TP Tp TX TT Q P H X Mr Mrs Ms Dr".split()
    ),
    "generic": frozenset("Dr Prof Mr Mrs Ms St".split()),
}

# Abbreviations that do not end a sentence when a number follows (``No. 5``,
# ``art. 3``, ``1er janv. 2024``).
_BEFORE_NUMBER: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "n no No nº Nº nos art Art chap vol p pp fig t éd env janv févr fév avr juil "
        "sept oct nov déc".split()
    ),
    "en": frozenset(
        "No no Nos nos Art art Vol vol Ch ch Sec sec Fig fig p pp para approx ca "
        "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
    ),
    "vi": frozenset("Q P số Số".split()),
    "generic": frozenset("No no Nr nr Art art p pp".split()),
}

_OPENERS = "«“‘\"'([{—–-¿¡ \u00a0\u202f\t"
_CLOSERS = frozenset("»”)]}.,;:!?…")
_TOKEN_TAIL = re.compile(r"\S{1,64}\Z")
_APOSTROPHES = re.compile(r"^.*['’]")

# Breaks the library misses: after a terminator and a closing quote (``prêts… » Le``),
# after ``…`` or ``...``, after ``etc.`` -- when a capitalised word follows.
_EXTRA_BREAK = re.compile(
    r"(?:[.!?…][ \u00a0\u202f]*[»”]|…|\.\.\.|\betc\.)"
    r"(?=\s+[«“\"—–-]?[ \u00a0\u202f]?([^\W\d_]))"
)

# A quotation followed by an incise (``« ... », a déclaré Poutine.``) is one sentence.
_QUOTATION = re.compile(r"«[^«»]{0,2000}»|“[^“”]{0,2000}”")
_INCISE_START = frozenset(",;:)")


def _incise_quotations(region: str) -> list[tuple[int, int]]:
    """Spans of quotations followed by an incise: no sentence starts inside them."""
    spans = []
    for m in _QUOTATION.finditer(region):
        nxt = _NON_SPACE.search(region, m.end())
        if nxt is not None and (nxt.group() in _INCISE_START or nxt.group().islower()):
            spans.append((m.start(), m.end()))
    return spans


def _outside(candidates: list[int], spans: list[tuple[int, int]]) -> list[int]:
    """Candidates (sorted) not strictly inside any of the (sorted, disjoint) spans."""
    if not spans:
        return candidates
    out, i = [], 0
    for b in candidates:
        while i < len(spans) and spans[i][1] <= b:
            i += 1
        if i < len(spans) and spans[i][0] < b:
            continue
        out.append(b)
    return out


# Built-in splitter (only when sentencex is not installed).
_BUILTIN_BREAK = re.compile(
    r"[.!?…‼⁇⁈⁉][.!?…\u00a0\u202f»”’\")\]]*(?=\s)|[。！？｡][」』”’)）]*"
)


@lru_cache(maxsize=256)
def _resolve(lang: str) -> tuple[str, str]:
    """(code for sentencex, key of our rule tables) for a user-supplied code."""
    code = maybe_canonical(lang)
    if code is not None:
        return ("zh-hant" if code == "zt" else code), (code if code in _TITLES else "generic")
    m = re.match(r"[a-z]{2,3}\b", lang.strip().lower().replace("_", "-"))
    return (m.group() if m else "en"), "generic"


# sentencex gets text whose exotic whitespace is replaced by ASCII space / newline,
# one character for one (offsets are unchanged): 1.0.32 panics on ``"A\u00a0."``.
_LIBRARY_SPACES = {ord(c): " " for c in "\u00a0\u1680\u202f\u205f\u3000"}
_LIBRARY_SPACES.update({c: " " for c in range(0x2000, 0x200B)})
_LIBRARY_SPACES.update({ord(c): "\n" for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})

# ... and whose guillemets are curly quotes, same orientation: sentencex also knows
# the German »quote« pairing and would take ``…» Le lendemain, « …`` (the end of a
# quotation, then the start of another, e.g. cut by a paragraph or chunk border)
# for one long quotation, suppressing every break in between.
_LIBRARY_QUOTES = {**_LIBRARY_SPACES, ord("«"): "“", ord("»"): "”"}
_REVERSED_GUILLEMETS = frozenset("de da cs sk sl hr hu pl sr".split())

# sentencex is quadratic in the number of unbalanced quotes of its input (1 MB of
# "«" takes minutes), so it gets paragraphs in chunks of at most this many
# characters, cut after a terminator when possible.
_LIBRARY_CHUNK = 4000
_TERMINATOR_BACK = re.compile(r".*[.!?…。！？»”](?=\s)", re.S)


def _chunks(region: str, size: int = _LIBRARY_CHUNK):
    """Yield ``(start, end, after_terminator)`` pieces of ``region`` for the library."""
    pos, after_terminator = 0, True
    while len(region) - pos > size:
        lo, hi = pos + size // 2, pos + size
        m = _TERMINATOR_BACK.match(region, lo, hi)
        if m is not None:
            cut, terminator = m.end(), True
        else:
            m = _WS_BACK.match(region, lo, hi)
            cut, terminator = (m.end() if m is not None else hi), False
        yield pos, cut, after_terminator
        pos, after_terminator = cut, terminator
    yield pos, len(region), after_terminator


def _builtin_starts(region: str, offset: int = 0) -> list[int]:
    starts = []
    for m in _BUILTIN_BREAK.finditer(region):
        nxt = _NON_SPACE.search(region, m.end())
        if nxt is not None:
            starts.append(offset + nxt.start())
    return starts


def _sentencex_starts(chunk: str, lib_code: str, offset: int) -> list[int]:
    """Where sentencex starts sentences in ``chunk`` (all of them, first included)."""
    table = _LIBRARY_SPACES if lib_code in _REVERSED_GUILLEMETS else _LIBRARY_QUOTES
    plain = chunk.translate(table)
    try:
        parts = _sentencex.segment(lib_code, plain)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic surfaces as pyo3's PanicException
        _log.warning("sentencex failed on a %d-character text; using the built-in splitter",
                     len(chunk), exc_info=True)
        first = _NON_SPACE.search(chunk)
        return [offset + first.start()] + _builtin_starts(chunk, offset) if first else []
    starts = []
    if "".join(parts) == plain:  # the library returns slices of its input
        pos = 0
        for part in parts:
            nxt = _NON_SPACE.search(chunk, pos, pos + len(part))
            if nxt is not None:
                starts.append(offset + nxt.start())
            pos += len(part)
    else:  # defensive: locate each (stripped) sentence, moving forward only
        cursor = 0
        for part in parts:
            body = part.strip()
            found = plain.find(body, cursor) if body else -1
            if found >= 0:
                starts.append(offset + found)
                cursor = found + len(body)
    return starts


def _library_starts(region: str, lib_code: str) -> list[int]:
    """Offsets in ``region`` where the library starts a sentence (first excluded)."""
    if _sentencex is None:
        return _builtin_starts(region)
    starts: list[int] = []
    for cs, ce, after_terminator in _chunks(region):
        found = _sentencex_starts(region[cs:ce], lib_code, cs)
        starts += found if after_terminator else found[1:]
    return starts[1:]


def _is_title(token: str, titles: frozenset[str]) -> bool:
    word = token[:-1]
    if word in titles:
        return True
    parts = word.split(".")  # PGS.TS., GS.TSKH.
    return len(parts) > 1 and all(p in titles for p in parts)


def _keep_boundary(region: str, b: int, rules: str) -> bool:
    """Our corrections: should a sentence start at ``region[b]``?"""
    le = b
    while le > 0 and region[le - 1].isspace():
        le -= 1
    if le == 0:
        return False
    last = region[le - 1]
    if le == b and last in ".!?":
        return False  # TP.HCM, J.-C., e-mail, URL, 19.06.2024
    if region[b] in _CLOSERS:
        return False  # stray closing quote or punctuation: belongs to the left
    # first letter of the right side, after opening quotes / dashes
    i = b
    limit = min(len(region), b + 4)
    while i < limit and region[i] in _OPENERS:
        i += 1
    first = region[i] if i < len(region) else ""
    if first.islower():
        return False  # etc. et, p. ex. la, Rép. tchèque
    if last != ".":
        return True
    m = _TOKEN_TAIL.search(region, max(0, le - 64), le)
    token = m.group() if m else "."
    token = _APOSTROPHES.sub("", token).lstrip(_OPENERS)
    if _is_title(token, _TITLES[rules]):
        return False  # M. Poutine, MM. Poutine et Kim, PGS.TS. Trần, av. J.-C.
    if len(token) == 2 and token[0].isupper() and first.isupper():
        return False  # J. R. R. Tolkien
    if first.isdigit() and token[:-1] in _BEFORE_NUMBER[rules]:
        return False  # No. 5, art. 3, janv. 2024
    return True


_OPENING_MARKS = frozenset("«“„‘([{¿¡")


def _before_openers(region: str, b: int) -> int:
    """Move a sentence start back over opening quotes the library left on the left.

    sentencex ends ``Il a dit. « Nous`` after the ``«`` when the quotation does not
    close in the same paragraph (multi-paragraph quotations do not).
    """
    le = b
    while le > 0 and region[le - 1].isspace():
        le -= 1
    while le > 0 and region[le - 1] in _OPENING_MARKS:
        b = le = le - 1
        while le > 0 and region[le - 1].isspace():
            le -= 1
    return b


def _extra_starts(region: str) -> list[int]:
    starts = []
    for m in _EXTRA_BREAK.finditer(region):
        if m.group(1).isupper():
            starts.append(_NON_SPACE.search(region, m.end()).start())
    return starts


_WS_BACK = re.compile(r".*\s", re.S)
_CLAUSE_BACK = re.compile(r".*[,;:](?=\s)", re.S)


def _cap(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut the (trimmed) span into pieces of at most ``max_chars`` characters."""
    out = []
    while end - start > max_chars:
        limit = start + max_chars
        half = start + max_chars // 2
        m = _CLAUSE_BACK.match(text, half, limit)
        if m is not None:
            cut = m.end()
        else:
            m = _WS_BACK.match(text, start + 1, limit + 1)
            if m is not None:
                cut = m.end() - 1
            else:
                cut = limit
                while cut > start + 1 and (
                    unicodedata.combining(text[cut]) or text[cut] in "\u200d\ufe0f\ufe0e"
                ):
                    cut -= 1
        piece_end = cut
        while text[piece_end - 1].isspace():
            piece_end -= 1
        out.append((start, piece_end))
        start = _NON_SPACE.search(text, cut, end).start()
    out.append((start, end))
    return out


def split_sentences(
    text: str,
    lang: str,
    start: int = 0,
    end: int | None = None,
    *,
    max_chars: int = MAX_SENTENCE_CHARS,
) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text[start:end]``, as offsets into ``text``.

    Spans exclude surrounding whitespace; the text between them is whitespace.
    Meant for one paragraph (see :func:`segment` for a whole document). Unknown
    language codes get generic rules. No span is longer than ``max_chars``.
    """
    if end is None:
        end = len(text)
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"bad region {start}:{end} for a text of {len(text)} characters")
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    region = text[start:end]
    first = _NON_SPACE.search(region)
    if first is None:
        return []
    lib_code, rules = _resolve(lang if isinstance(lang, str) else "")
    candidates = _library_starts(region, lib_code) + _extra_starts(region)
    candidates = sorted({_before_openers(region, b) for b in candidates})
    candidates = _outside(candidates, _incise_quotations(region))
    starts = [first.start()]
    starts += [b for b in candidates if b > starts[0] and _keep_boundary(region, b, rules)]
    spans: list[tuple[int, int]] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(region)
        while region[e - 1].isspace():
            e -= 1
        spans.extend(_cap(text, start + s, start + e, max_chars))
    return spans


def segment(text: str, lang: str, *, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Paragraphs and sentences of ``text``; empty or blank text gives ``[]``."""
    out = []
    for index, (ps, pe) in enumerate(split_paragraphs(text)):
        for s, e in split_sentences(text, lang, ps, pe, max_chars=max_chars):
            out.append(Sentence(s, e, index, text[s:e]))
    return out


def pieces(text: str, sentences: list[Sentence]) -> list[str]:
    """Alternating separators and sentence texts: ``[sep, sent, sep, ..., sent, sep]``.

    ``"".join(pieces(text, sentences)) == text``; with no sentences, ``[text]``.
    Raises ValueError when the sentences are out of order, overlap, fall outside
    ``text`` or do not match it.
    """
    out = []
    pos = 0
    for s in sentences:
        if not pos <= s.start <= s.end <= len(text):
            raise ValueError(
                f"sentence {s.start}:{s.end} overlaps, is out of order or outside the text")
        if text[s.start : s.end] != s.text:
            raise ValueError(f"sentence {s.start}:{s.end} does not match the text")
        out.append(text[pos : s.start])
        out.append(s.text)
        pos = s.end
    out.append(text[pos:])
    return out
