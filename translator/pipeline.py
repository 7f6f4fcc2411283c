"""detect -> segment -> glossary -> batched translation -> aligned result."""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple, Protocol, Sequence

from . import __version__, languages, quality
from .detect import Detection, Detector
from .engines.base import CancelSignal, Engine, cancellable
from .glossary import Glossary, GlossaryLayer
from .glossary.enforce import Enforced
from .errors import (Cancelled, EmptyInput, InputError, InputTooLarge, InvalidEncoding,
                     TranslatorError)
from .result import Segment, TranslationResult
from .router import Route, Router
from .segment import Sentence, pieces, segment, split_paragraphs
from .settings import Settings

AUTO = "auto"


class _PipelineGlossary:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT = _PipelineGlossary()  # translate_many(glossary=DEFAULT): the pipeline's own glossary
# A paragraph overrides the document's language only when it is long enough for
# langdetect to be trusted and the detection is near certain.
PARAGRAPH_MIN_LETTERS = 40
PARAGRAPH_MIN_CONFIDENCE = 0.95


#: sentences sent to the engines at a time when a translation can be cancelled: two
#: Apertium pipelines' worth (Apertium also stops within a chunk: it is killed), a few
#: seconds of a transformer-base model on two cores
CANCEL_CHUNK = 128
#: control characters within a sentence (tab aside; line and paragraph breaks separate
#: sentences): engines leave them out (Apertium reads them as spaces), so a segment whose
#: translation lost some says so
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


class TranslationMemory(Protocol):
    """Stored translations (reviewed segments) reused instead of the engine."""

    def lookup(self, source: str, target: str, sentences: list[str]) -> dict[str, str]:
        """The stored translation of each sentence that has one."""


class SentenceTranslation(NamedTuple):
    """One distinct sentence's translation, as every segment with that source reuses it."""

    text: str
    terms: list[dict]
    warnings: list[str]
    origin: str  # engine | memory
    untranslated: Sequence[dict] = ()
    confidence: float | None = None


class SegmentCache(Protocol):
    """Translations made earlier in the same job (a batch's repeated datelines and bylines),
    kept whole (terms, warnings, origin) so a reused segment is identical to a fresh one."""

    def get(self, source: str, target: str, sentences: list[str]) -> dict[str, SentenceTranslation]:
        """The cached translation of each sentence that has one."""

    def put(self, source: str, target: str, translations: dict[str, SentenceTranslation]) -> None:
        """Remember new translations."""


@dataclass
class PreparedDocument:
    """One document detected and segmented, ready to be translated with others."""

    text: str
    source_lang: str
    detection: Detection | None
    sentences: list[Sentence]
    sentence_langs: list[str]
    warnings: list[str]
    started: float
    detect_ms: float


def check_text(text, max_chars: int) -> str:
    """Validate a document: a non-empty str (UTF-8 if bytes) within the size limit."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidEncoding(f"input is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(text, str):
        raise InputError(f"text must be a string, not {type(text).__name__}")
    if len(text) > max_chars:
        raise InputTooLarge(f"text has {len(text)} characters; the limit is {max_chars}",
                            limit=max_chars, size=len(text))
    if not text.strip():
        raise EmptyInput("text is empty")
    return text


class Pipeline:
    """Translates documents into aligned results. Build once; share across threads."""

    def __init__(self, engines: Sequence[Engine], settings: Settings | None = None,
                 detector: Detector | None = None, glossary: Glossary | None = None,
                 memory: TranslationMemory | None = None):
        self.settings = settings or Settings()
        self.engines = list(engines)
        self.router = Router(self.engines, prefer=self.settings.engine, pivots=self.settings.pivots(),
                             pair_pivots=self.settings.pair_pivots())
        self.detector = detector or Detector(seed=self.settings.detect_seed)
        self.glossary = glossary
        self.memory = memory

    @classmethod
    def from_settings(cls, settings: Settings | None = None, *,
                      memory: TranslationMemory | None = None,
                      wrap: Callable[[Engine], Engine] | None = None) -> "Pipeline":
        """Engines for every installed model package, plus Apertium when it is installed,
        and the default glossary (setting ``glossary``: the files of ``glossary_dir``).
        ``wrap`` decorates each engine (the service's micro-batcher)."""
        from .glossary.store import default_glossary

        settings = settings or Settings.from_env()
        engines = load_engines(settings)
        if wrap is not None:
            engines = [wrap(engine) for engine in engines]
        return cls(engines, settings, glossary=default_glossary(settings), memory=memory)

    # -- languages and routes -------------------------------------------------

    def languages(self) -> list[str]:
        return sorted(self.router.languages())

    def route(self, source: str, target: str) -> Route:
        return self.router.route(languages.canonical(source), languages.canonical(target))

    def detect(self, text: str, target: str | None = None, routable: bool = True) -> Detection:
        """Detect the language of ``text``: among languages that have a route (to ``target``),
        or among every language the detector knows when ``routable`` is false."""
        text = check_text(text, self.settings.max_chars)
        if target is not None:
            target = languages.canonical(target)
        return self.detector.detect(text, candidates=self._candidates(target) if routable else None)

    def _candidates(self, target: str | None) -> set[str]:
        if target is None:
            return set(self.router.languages())
        return set(self.router.sources(target)) | {target}

    # -- translation ----------------------------------------------------------

    def translate(self, text, target: str, source: str = AUTO,
                  glossary: Glossary | _PipelineGlossary | None = DEFAULT) -> TranslationResult:
        """Translate one document; the same path as a batch of one."""
        return self.translate_many([text], target, source, glossary)[0]

    def translate_many(self, texts: Iterable, target: str, source: str = AUTO,
                       glossary: Glossary | _PipelineGlossary | None = DEFAULT,
                       memory: TranslationMemory | None = DEFAULT,
                       max_sentences: int | None = None,
                       cancelled: CancelSignal | None = None) -> list[TranslationResult]:
        """Translate documents together: every distinct sentence of a route is one engine batch.

        ``glossary``: the pipeline's own glossary by default, another one, or None for none;
        ``memory`` likewise (a desk's view of the service's memory). More than
        ``max_sentences`` sentences over all documents is refused before any translation.
        With ``cancelled``, the work stops (:class:`Cancelled`) once it is set: between
        documents while they are prepared, between chunks of :data:`CANCEL_CHUNK` sentences
        sent to the engines, and within a chunk on engines that can stop there (Apertium).
        """
        target = languages.canonical(target)
        source = AUTO if source in (None, "", AUTO) else languages.canonical(source)
        if source != AUTO and source != target:
            self.route(source, target)  # fail before any work when the pair is unsupported
        jobs = []
        for text in texts:
            if cancelled is not None and cancelled.is_set():
                raise Cancelled(f"stopped after preparing {len(jobs)} texts: the client is gone")
            jobs.append(self.prepare(text, target, source))
        count = sum(len(job.sentences) for job in jobs)
        if max_sentences is not None and count > max_sentences:
            raise InputTooLarge(f"the texts hold {count} sentences; the limit is {max_sentences} "
                                "per request", limit=max_sentences, size=count, unit="sentences")
        return self.translate_prepared(jobs, target, glossary, memory=memory, cancelled=cancelled)

    def translate_prepared(self, jobs: Sequence[PreparedDocument], target: str,
                           glossary: Glossary | _PipelineGlossary | None = DEFAULT,
                           cache: SegmentCache | None = None,
                           memory: TranslationMemory | None = DEFAULT,
                           cancelled: CancelSignal | None = None) -> list[TranslationResult]:
        """Translate prepared documents together (see :meth:`translate_many`); ``cache``
        answers sentences translated earlier in the same job and keeps the new ones."""
        if glossary is DEFAULT:
            glossary = self.glossary
        if memory is DEFAULT:
            memory = self.memory
        target = languages.canonical(target)
        translations, translate_ms = self._translate_sentences(jobs, target, glossary, cache,
                                                               memory, cancelled)
        return [self._assemble(job, target, translations, translate_ms, glossary) for job in jobs]

    def prepare(self, text, target: str, source: str = AUTO) -> PreparedDocument:
        """Check, detect and segment one document; raises its own error (bad text,
        undetectable or unroutable language) so a batch can set just that document aside."""
        started = time.perf_counter()
        target = languages.canonical(target)
        source = AUTO if source in (None, "", AUTO) else languages.canonical(source)
        text = check_text(text, self.settings.max_chars)
        detection = None
        warnings: list[str] = []
        paragraph_langs: dict[int, str] = {}
        if source == AUTO:
            detection = self.detector.detect(text, candidates=self._candidates(target))
            source = detection.language
            paragraph_langs = self._paragraph_languages(text, source, target)
        detect_ms = (time.perf_counter() - started) * 1000
        sentences = segment(text, source)
        langs = [paragraph_langs.get(s.paragraph, source) for s in sentences]
        if source == target and not paragraph_langs:
            warnings.append(f"source and target are both {target}: text passed through unchanged")
        for lang in sorted(set(langs) - {target}):
            self.router.route(lang, target)  # an unroutable paragraph fails this document only
        return PreparedDocument(text, source, detection, sentences, langs, warnings, started,
                                detect_ms)

    def _paragraph_languages(self, text: str, document_lang: str, target: str) -> dict[int, str]:
        """Paragraphs confidently in another language than the document (a quote, a byline)."""
        found = {}
        candidates = self._candidates(target)
        for index, (start, end) in enumerate(split_paragraphs(text)):
            chunk = text[start:end]
            if sum(ch.isalpha() for ch in chunk) < PARAGRAPH_MIN_LETTERS:
                continue
            try:
                detection = self.detector.detect(chunk, candidates=candidates)
            except TranslatorError:  # an undetectable paragraph keeps the document's language
                continue
            if (detection.language != document_lang
                    and detection.confidence >= PARAGRAPH_MIN_CONFIDENCE):
                found[index] = detection.language
        return found

    def _translate_sentences(self, jobs: Sequence[PreparedDocument], target: str,
                             glossary: Glossary | None, cache: SegmentCache | None = None,
                             memory: TranslationMemory | None = None,
                             cancelled: CancelSignal | None = None):
        """Translate every distinct (language, sentence) once, one batch per route."""
        started = time.perf_counter()
        translations, todo = self.plan(jobs, target, cache, memory)
        for lang, sentences in todo.items():
            fresh = self.translate_sentences(lang, target, sentences, glossary, cancelled)
            translations.update(((lang, sentence), done) for sentence, done in fresh.items())
            if cache is not None and fresh:
                cache.put(lang, target, fresh)
        return translations, (time.perf_counter() - started) * 1000

    def plan(self, jobs: Sequence[PreparedDocument], target: str,
             cache: SegmentCache | None = None, memory: TranslationMemory | None = None
             ) -> tuple[dict[tuple[str, str], SentenceTranslation], dict[str, list[str]]]:
        """What translating ``jobs`` takes: the translations already known (``memory``,
        then ``cache``), keyed by (language, sentence), and per language the distinct
        sentences left for the engines, in order of first appearance (each language's list
        is one engine batch: :meth:`translate_sentences`)."""
        by_lang: dict[str, dict[str, None]] = {}
        for job in jobs:
            for sentence, lang in zip(job.sentences, job.sentence_langs):
                if lang != target:
                    by_lang.setdefault(lang, {})[sentence.text] = None
        known: dict[tuple[str, str], SentenceTranslation] = {}
        todo: dict[str, list[str]] = {}
        for lang, unique in by_lang.items():
            self.router.route(lang, target)
            sentences = list(unique)
            stored = memory.lookup(lang, target, sentences) if memory else {}
            for sentence, text in stored.items():
                known[(lang, sentence)] = SentenceTranslation(text, [], [], "memory", [],
                                                              quality.CERTAIN)
            sentences = [s for s in sentences if s not in stored]
            if cache is not None and sentences:
                for sentence, done in cache.get(lang, target, sentences).items():
                    known[(lang, sentence)] = done
                sentences = [s for s in sentences if (lang, s) not in known]
            todo[lang] = sentences
        return known, todo

    def translate_sentences(self, lang: str, target: str, sentences: list[str],
                            glossary: Glossary | _PipelineGlossary | None = DEFAULT,
                            cancelled: CancelSignal | None = None
                            ) -> dict[str, SentenceTranslation]:
        """Distinct sentences of ``lang`` through its route to ``target`` as one batch,
        with the glossary: the engine work of one language of :meth:`plan`'s ``todo``."""
        if glossary is DEFAULT:
            glossary = self.glossary
        route = self.router.route(lang, target)
        layer = (GlossaryLayer(glossary, lang, target)
                 if glossary is not None and glossary.covers(lang, target) else None)
        return {sentence: _engine_translation(done, route)
                for sentence, done in zip(sentences, self._run_chunks(route, sentences, layer,
                                                                      cancelled))}

    def assemble(self, job: PreparedDocument, target: str,
                 translations: dict[tuple[str, str], SentenceTranslation],
                 glossary: Glossary | _PipelineGlossary | None = DEFAULT,
                 translate_ms: float = 0.0) -> TranslationResult:
        """One document's aligned result from the translations of its sentences."""
        if glossary is DEFAULT:
            glossary = self.glossary
        return self._assemble(job, languages.canonical(target), translations, translate_ms,
                              glossary)

    def _run_chunks(self, route: Route, sentences: list[str], layer: GlossaryLayer | None,
                    cancelled: CancelSignal | None) -> list[Enforced]:
        """The route over ``sentences``, checking ``cancelled`` between chunks and letting
        the engines check it within one (each sentence is translated alone, so chunks
        change no translation)."""
        if cancelled is None:
            return self._run_route(route, sentences, layer)
        out: list[Enforced] = []
        for start in range(0, len(sentences), CANCEL_CHUNK):
            try:
                if cancelled.is_set():
                    raise Cancelled("the client is gone")
                with cancellable(cancelled):
                    out += self._run_route(route, sentences[start:start + CANCEL_CHUNK], layer)
            except Cancelled:
                raise Cancelled(f"stopped after {start} of {len(sentences)} sentences: "
                                "the client is gone") from None
        return out

    @staticmethod
    def _run_route(route: Route, sentences: list[str], layer: GlossaryLayer | None
                   ) -> list[Enforced]:
        if not sentences:
            return []
        if layer is not None:
            return layer.translate(sentences, route.translate)
        return [Enforced(output, [], []) for output in route.translate(sentences)]

    def _assemble(self, job: PreparedDocument, target: str, translations, translate_ms: float,
                  glossary: Glossary | None) -> TranslationResult:
        segments: list[Segment] = []
        out: list[str] = []
        offset = 0
        separators = pieces(job.text, job.sentences)[0::2]
        routes_used: dict[str, Route] = {}
        for index, (sentence, lang) in enumerate(zip(job.sentences, job.sentence_langs)):
            out.append(separators[index])
            offset += len(separators[index])
            if lang == target:
                text, terms, warnings, origin, untranslated, confidence = (
                    sentence.text, [], [], "passthrough", [], quality.CERTAIN)
                if lang != job.source_lang:
                    warnings = [f"paragraph is already in {languages.name(target)}; left unchanged"]
            else:
                text, terms, warnings, origin, untranslated, confidence = \
                    translations[(lang, sentence.text)]
                terms, warnings, untranslated = list(terms), list(warnings), list(untranslated)
                routes_used.setdefault(lang, self.router.route(lang, target))
                if lang != job.source_lang:
                    warnings.append(f"paragraph detected as {languages.name(lang)}; "
                                    f"translated from {lang}")
                if not text.strip():
                    warnings.append("the engine returned an empty translation")
                if _CONTROL.search(sentence.text):
                    warnings.extend(_controls_warning(sentence.text, text))
            segments.append(Segment(index, sentence.paragraph, sentence.text, text,
                                    (sentence.start, sentence.end), (offset, offset + len(text)),
                                    lang, origin, terms, warnings, untranslated, confidence))
            out.append(text)
            offset += len(text)
        out.append(separators[-1])
        main_route = routes_used.get(job.source_lang) or next(iter(routes_used.values()), None)
        total_ms = (time.perf_counter() - job.started) * 1000
        return TranslationResult(
            source_text=job.text,
            target_text="".join(out),
            source_lang=job.source_lang,
            target_lang=target,
            segments=segments,
            route=main_route.to_dict() if main_route else
            {"source": job.source_lang, "target": target, "pivots": [], "steps": []},
            detection=job.detection.to_dict() if job.detection else None,
            warnings=job.warnings,
            timings={"detect_ms": round(job.detect_ms, 2), "translate_ms": round(translate_ms, 2),
                     "total_ms": round(total_ms, 2)},
            signature=self._signature(routes_used.values(), glossary),
        )

    def _signature(self, routes, glossary: Glossary | None) -> dict:
        models = models_signature({step.engine for route in routes for step in route.steps})
        return {"translator": __version__, "models": models,
                "glossary": f"{glossary.name}@{glossary.digest()}" if glossary else None,
                **self.settings.signature()}

    def close(self) -> None:
        for engine in self.engines:
            engine.close()


def models_signature(engines: Iterable[Engine]) -> list[str]:
    """``kind:name@version`` of each engine, sorted: what a result or a job depends on."""
    return sorted({e.signature() for e in engines})


def _engine_translation(done: Enforced, route: Route) -> SentenceTranslation:
    """A sentence as the engines and the glossary left it, with its leftovers and confidence."""
    return SentenceTranslation(done.output.text, done.terms, done.problems, "engine",
                               quality.untranslated(done.output, route),
                               quality.confidence(done.output, len(done.problems)))


def load_engines(settings: Settings) -> list[Engine]:
    """One engine per installed model package (not loaded until used), then Apertium."""
    from .engines.apertium import ApertiumEngine
    from .engines.ctranslate2 import CTranslate2Engine
    from .models import ModelStore

    options = settings.extra_decode_options()
    engines: list[Engine] = [CTranslate2Engine(package, settings, decode_options=options)
                             for package in ModelStore(settings).installed()]
    if settings.apertium and ApertiumEngine.available(settings.apertium_bin):
        # as many warm pipelines per mode as CTranslate2 has replicas (one per core by default)
        engines.append(ApertiumEngine(settings.apertium_bin, data_dir=settings.apertium_data or None,
                                      max_pipelines=settings.threads()[0]))
    return engines


def _controls_warning(source: str, target: str) -> list[str]:
    """What a segment says of the control characters of its source its translation lacks."""
    have = Counter(_CONTROL.findall(target))
    lost = [ch for ch, n in Counter(_CONTROL.findall(source)).items() for _ in range(n - have[ch])]
    if not lost:
        return []
    names = ", ".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(lost))
    return [f"{len(lost)} control character{'s' if len(lost) > 1 else ''} of the source "
            f"({names}) left out of the translation"]
