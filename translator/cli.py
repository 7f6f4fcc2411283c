"""translator: offline machine translation for newsrooms (translate, detect, models, languages)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__
from .errors import InputError, TranslatorError
from .fsutil import atomic_write
from .settings import SETTINGS, Settings


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None


#: The settings every command takes as flags too (``--models-dir``...); their type and
#: help come from the setting (translator/settings.py), declared once there.
COMMON_SETTINGS = ("models_dir", "index_url", "max_chars", "beam_size", "engine",
                   "inter_threads", "intra_threads", "glossary_dir", "glossary_db")
_CHOICES = {"engine": ["auto", "ctranslate2", "apertium"]}


def _settings(args) -> Settings:
    return Settings.from_env(**{name: getattr(args, name) for name in COMMON_SETTINGS})


def _setting_flags(group, names) -> None:
    """One flag per setting, typed and explained by the setting's own declaration."""
    known = {s.name: s for s in SETTINGS}
    for name in names:
        setting = known[name]
        group.add_argument("--" + name.replace("_", "-"), choices=_CHOICES.get(name),
                           type=None if setting.type is str else setting.type,
                           help=setting.help.replace("%", "%%"))


def _pipeline(args):
    from .pipeline import Pipeline

    return Pipeline.from_settings(_settings(args))


def _glossary_pipeline(args):
    """The pipeline and the glossary to apply: the default one (``DEFAULT``), a named one
    over it (``--glossary``), or None (``--no-glossary``)."""
    from .glossary import open_glossary
    from .pipeline import DEFAULT, Pipeline

    settings = _settings(args)
    if args.no_glossary:
        settings = settings.replace(glossary="none")
    pipeline = Pipeline.from_settings(settings)
    if args.no_glossary:
        return pipeline, None
    if not args.extra_glossary:
        return pipeline, DEFAULT
    extra = open_glossary(args.extra_glossary, settings)
    if pipeline.glossary is None:
        return pipeline, extra
    return pipeline, pipeline.glossary.merged(extra)


#: formats only ever translated as documents (binary); .txt and .html are too with --output
DOCUMENT_ONLY = (".docx", ".odt", ".pptx")


def cmd_translate(args) -> int:
    from .documents import FORMATS
    from .formats import render

    suffix = Path(args.file).suffix.lower()
    if suffix in DOCUMENT_ONLY or (args.output and suffix in FORMATS):
        return _translate_document(args)
    if args.output:
        raise InputError(f"--output takes a document ({', '.join(FORMATS)}), not {args.file}")
    pipeline, glossary = _glossary_pipeline(args)
    result = pipeline.translate(_read_input(args.file), target=args.to, source=args.source,
                                glossary=glossary)
    sys.stdout.write(render(result, args.format))
    if args.format == "text" and not result.target_text.endswith("\n"):
        sys.stdout.write("\n")
    return 0


def _translate_document(args) -> int:
    """A document in its own format to ``--output`` (default: NAME.<to>.EXT beside it); the
    aligned results to stdout with ``--format json``, ``tmx``, ``xliff`` or ``html``."""
    from .documents.local import default_output, pipeline_translator, translate_file
    from .web.output import MULTI_DOCUMENT, render_body

    if args.format not in ("text", *MULTI_DOCUMENT):
        raise InputError(f"a document's aligned results come as {', '.join(sorted(MULTI_DOCUMENT))}, "
                         f"not {args.format}")
    path = Path(args.file)
    data = _read_input(args.file)
    output = Path(args.output) if args.output else default_output(path, args.to)
    pipeline, glossary = _glossary_pipeline(args)
    results: list = []
    warnings = translate_file(path, output, data,
                              pipeline_translator(pipeline, args.to, args.source, glossary, results))
    for warning in warnings:
        print(f"translator: warning: {warning}", file=sys.stderr)
    if args.format == "text":
        print(output)
    elif results:
        body = render_body(results, args.format, is_list=True)
        sys.stdout.write(json.dumps(body["results"], ensure_ascii=False) + "\n"
                         if isinstance(body, dict) else body)
    return 0


def cmd_detect(args) -> int:
    pipeline = _pipeline(args)
    detection = pipeline.detect(_read_input(args.file), routable=args.routable)
    routable = detection.language in pipeline.languages()
    if args.format == "json":
        print(json.dumps({**detection.to_dict(), "routable": routable}, ensure_ascii=False))
    else:
        others = ", ".join(f"{code} {p:.2f}" for code, p in detection.alternatives)
        print(f"{detection.language}\t{detection.confidence:.2f}" + (f"\t({others})" if others else ""))
    if not routable:
        print(f"note: no translation route from {detection.language} is installed "
              "(see translator languages)", file=sys.stderr)
    return 0


def cmd_align(args) -> int:
    """Two texts aligned sentence by sentence, or the files of two folders paired by name;
    with ``--into-memory`` the confident pairs go to a desk's translation memory."""
    from .glossary.store import default_glossary

    source_dir, target_dir = Path(args.source_file), Path(args.target_file)
    folders = args.source_file != "-" and source_dir.is_dir()
    if folders != (args.target_file != "-" and target_dir.is_dir()):
        folder, other = (source_dir, target_dir) if folders else (target_dir, source_dir)
        if str(other) != "-" and not other.exists():
            raise InputError(f"{other}: no such file or folder")
        raise InputError(f"{folder} is a folder but {other} is not: give two files or two folders")
    if not folders and args.source_file == "-" and args.target_file == "-":
        raise InputError("only one of SOURCE and TARGET can be - (standard input)")
    if folders and args.format in ("tsv", "tmx"):
        raise InputError("two folders are aligned as a summary per pair (side-by-side) or as "
                         f"JSON lines (json), not {args.format}")
    if (args.desk or args.newsroom) and not args.into_memory:
        raise InputError("--desk and --newsroom say which memory --into-memory adds to: "
                         "add --into-memory")
    desk = None
    if args.into_memory:
        from .store.db import DEFAULT_DESK, NEWSROOM
        from .store.keys import check_desk

        desk = NEWSROOM if args.newsroom else check_desk(args.desk or DEFAULT_DESK)

    settings = _settings(args)
    pipeline = None
    if args.mt != "off":
        from .pipeline import Pipeline

        pipeline = Pipeline.from_settings(settings)
    glossary = pipeline.glossary if pipeline else default_glossary(settings)
    options = dict(pipeline=pipeline, mt=args.mt, settings=settings, glossary=glossary or ())
    if folders:
        return _align_folders(args, source_dir, target_dir, desk, options)
    alignment = _align_pair(args, _read_input(args.source_file), _read_input(args.target_file),
                            options)
    if desk is None:
        from .align import render_alignment

        sys.stdout.write(render_alignment(alignment, args.format))
        return 0
    names = [_document_name(args.source_file), _document_name(args.target_file)]
    selection = _memory_selection(alignment, names)
    added = _add_to_memory(args, desk, [(alignment, names, selection)])
    print(f"added {added} pairs to the memory of {desk!r} ({alignment.source_lang}-"
          f"{alignment.target_lang}) from {names[0]} and {names[1]}; "
          f"{selection.describe_left_out()}")
    return 0


def _document_name(path: str) -> str:
    return "standard input" if path == "-" else Path(path).name


def _align_pair(args, source: bytes, target: bytes, options: dict):
    from .align import align_texts

    return align_texts(source, target, args.source, args.target, **options)


def _memory_selection(alignment, names: list[str]):
    """The confident pairs of an alignment; an error if a language is unknown (the memory
    is kept by language pair)."""
    from .alignment.intomemory import confident_pairs

    for lang, name, side in ((alignment.source_lang, names[0], "SOURCE"),
                             (alignment.target_lang, names[1], "TARGET")):
        if lang is None:
            flag = "--from" if side == "SOURCE" else "--to"
            raise InputError(f"the language of {name} was not detected, and the memory is kept "
                             f"by language: give it with {flag}")
    if alignment.source_lang == alignment.target_lang:
        raise InputError(f"{names[0]} and {names[1]} are both in {alignment.source_lang}: "
                         "the memory keeps translations from one language into another")
    return confident_pairs(alignment)


def _add_to_memory(args, desk: str, aligned: list) -> int:
    """Store every selected pair in one transaction (all or nothing); the number stored.
    Provenance: ``align:SOURCE | TARGET``, the documents' names."""
    from .store import Store

    store = Store(_service_settings(args).db_path)
    added = 0
    try:
        with store.db.transaction() as conn:
            for alignment, names, selection in aligned:
                by = f"align:{names[0]} | {names[1]}"
                for source, target in dict(selection.pairs).items():
                    store.memory.put(conn, alignment.source_lang, alignment.target_lang,
                                     source, target, None, desk, by=by)
                    added += 1
    finally:
        store.close()
    return added


def _align_folders(args, source_dir: Path, target_dir: Path, desk: str | None,
                   options: dict) -> int:
    """Every pair of files of two folders, paired by name; files on one side only are
    reported (not an error); a pair that cannot be aligned is reported and skipped, and the
    exit status is then 1. With a desk, the confident pairs of every aligned pair are stored
    together at the end."""
    from .align import render_alignment
    from .alignment.intomemory import pair_folders

    found = pair_folders(source_dir, target_dir)
    for path in found.only_source:
        print(f"translator: only in {source_dir}: {path.name} (no file of that name in "
              f"{target_dir})", file=sys.stderr)
    for path in found.only_target:
        print(f"translator: only in {target_dir}: {path.name} (no file of that name in "
              f"{source_dir})", file=sys.stderr)
    for key, paths in found.ambiguous:
        print(f"translator: skipped {key!r}: several files have that name "
              f"({', '.join(str(p) for p in paths)})", file=sys.stderr)
    if not found.pairs:
        raise InputError(f"no file of {source_dir} has a file of the same name in {target_dir}")
    failed = len(found.ambiguous)
    aligned, done = [], 0
    for source, target in found.pairs:
        names = [source.name, target.name]
        try:
            alignment = _align_pair(args, _read_input(str(source)), _read_input(str(target)),
                                    options)
            selection = _memory_selection(alignment, names) if desk is not None else None
        except TranslatorError as exc:
            print(f"translator: skipped {names[0]} and {names[1]}: {exc.message}", file=sys.stderr)
            failed += 1
            continue
        done += 1
        if desk is not None:
            aligned.append((alignment, names, selection))
            print(f"{names[0]}\t{names[1]}\t{len(selection.pairs)} pairs to add; "
                  f"{selection.describe_left_out()}")
        elif args.format == "json":
            body = {"source_file": str(source), "target_file": str(target), **alignment.to_dict()}
            print(json.dumps(body, ensure_ascii=False))
        else:
            print(f"{names[0]}\t{names[1]}\t" + render_alignment(alignment, "side-by-side")
                  .splitlines()[0])
    if desk is not None and aligned:
        added = _add_to_memory(args, desk, aligned)
        left = sum(sum(s.left_out.values()) for _, _, s in aligned)
        print(f"added {added} pairs to the memory of {desk!r} from {len(aligned)} document "
              f"pairs; {left} beads left out")
    only = len(found.only_source) + len(found.only_target)
    print(f"translator: {done} document pairs aligned, {failed} skipped, {only} files without "
          "a counterpart", file=sys.stderr)
    return 1 if failed else 0


def cmd_batch(args) -> int:
    """Translate many articles into --out; resumable (see docs/batch.md)."""
    import signal
    import threading

    from .batch import BatchJob, progress

    if args.workers is not None and args.workers < 1:
        raise InputError("--workers must be at least 1")
    args.inter_threads = args.workers or args.inter_threads
    ray = None
    address = args.ray if args.ray else _settings(args).ray_address
    if args.ray is not None or address:
        from .batch.cluster import RayOptions

        if args.actors is not None and args.actors < 1:
            raise InputError("--actors must be at least 1")
        if args.actor_cpus <= 0 or args.actor_gpus < 0:
            raise InputError("--actor-cpus must be positive and --actor-gpus at least 0")
        ray = RayOptions(address=address or "local",
                         actors=args.actors, actor_cpus=args.actor_cpus,
                         actor_gpus=args.actor_gpus, ship_models=args.ship_models)
    elif args.actors is not None or args.ship_models:
        raise InputError("--actors and --ship-models need --ray")
    pipeline, glossary = _glossary_pipeline(args)
    job = BatchJob(args.out, pipeline, target=args.to, source=args.source, glossary=glossary,
                   fmt=args.format, ray=ray)
    if ray is not None:
        from .batch.cluster import connect

        connect(ray.address)  # on the main thread, where Ray installs its signal handlers
    reporter = {"bar": progress.BarProgress, "log": lambda: progress.LogProgress(every=args.log_every),
                "none": progress.NullProgress,
                "auto": lambda: progress.for_stream(sys.stderr, args.log_every)}[args.progress]()
    stop = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["summary"] = job.run(args.inputs, retry_failed=args.retry_failed,
                                         restart=args.restart, progress=reporter, stop=stop)
        except BaseException as exc:  # handed to the main thread, which reports it
            outcome["error"] = exc

    # The job runs on its own thread so that Ctrl-C (or SIGTERM) is handled at once,
    # even while the engine is busy in native code; what is committed stays committed.
    def terminate(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    worker = threading.Thread(target=work, name="batch", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        stop.set()
        reporter.close()
        print("translator: batch interrupted; finished articles are kept in the ledger. "
              "Run the same command again to resume.", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        # Leave without tearing down the engine under a thread that may still be decoding
        # (CTranslate2 aborts then); every commit is atomic, the next run redoes the rest.
        os._exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if "error" in outcome:
        raise outcome["error"]
    summary = outcome["summary"]
    for line in summary.lines():
        print(line)
    for failure in summary_failures(args.out):
        print(f"failed: {failure.input}: {failure.message}", file=sys.stderr)
    return 1 if summary.counts.failed else 0


def summary_failures(out_dir, limit: int = 20):
    """The first failures recorded in a job folder's ledger, to show after a run."""
    from .batch.ledger import Ledger

    ledger = Ledger.in_folder(out_dir)
    try:
        return ledger.failures(limit)
    finally:
        ledger.close()


def cmd_languages(args) -> int:
    pipeline = _pipeline(args)
    routes = pipeline.router.routes()
    if args.format == "json":
        print(json.dumps({"languages": pipeline.languages(),
                          "routes": [r.to_dict() for r in routes],
                          "engines": [e.describe() for e in pipeline.engines]},
                         ensure_ascii=False, indent=2))
    else:
        for route in routes:
            print(f"{route.source}-{route.target}\t{route.describe()}")
        if not routes:
            print("no translation routes: install a model (translator models install) "
                  "or Apertium language pairs", file=sys.stderr)
    return 0


def cmd_models(args) -> int:
    from .models import ModelStore

    store = ModelStore(_settings(args))
    if args.action == "list":
        packages = store.installed()
        for package in packages:
            pairs = ", ".join(f"{s}-{t}" for s, t in package.pairs)
            print(f"{package.name}\t{package.kind}\t{package.version or '-'}\t{pairs}\t{package.path}")
        for problem in store.problems():
            print(f"warning: {problem}", file=sys.stderr)
        if not packages:
            print("no model packages installed", file=sys.stderr)
    elif args.action == "install":
        package = store.install(args.source, replace=args.replace)
        print(f"installed {package.name} ({', '.join(f'{s}-{t}' for s, t in package.pairs)}) "
              f"in {package.path}")
    elif args.action == "remove":
        print(f"removed {store.remove(args.name)}")
    elif args.action == "available":
        listing = store.available()
        installed = {pair for package in store.installed() for pair in package.pairs}
        for entry in listing:
            mark = "installed" if entry.pair in installed else ""
            size = f"{entry.size / 1e6:.0f} MB" if entry.size else "-"
            print(f"{entry.name}\t{entry.version or '-'}\t{'-'.join(entry.pair)}\t{size}\t{mark}".rstrip())
        print(listing.note(), file=sys.stderr)
    return 0


def _service_settings(args) -> Settings:
    """Defaults < TRANSLATOR_* variables < --config file < flags."""
    import dataclasses

    settings = Settings.from_env()
    if getattr(args, "config", None):
        from .web.server import settings_from_file

        settings = settings_from_file(args.config, settings)
    flags = {f.name: getattr(args, f.name) for f in dataclasses.fields(Settings) if hasattr(args, f.name)}
    return settings.replace(**flags)


def cmd_serve(args) -> int:
    from .web.server import serve

    return serve(_service_settings(args))


def cmd_keys(args) -> int:
    from .store import Store

    keys = Store(_service_settings(args).db_path).keys
    if args.action == "add":
        role = "admin" if args.admin else "memory-writer" if args.memory_writer else "member"
        key, record = keys.create(args.name, args.rate_limit, desk=args.desk, role=role)
        print(key)
        print(f"created API key {record.name!r} of desk {record.desk!r} ({record.role}): "
              "it is shown only now", file=sys.stderr)
    elif args.action == "list":
        for record in keys.list():
            state = "active" if record.active else f"revoked {record.revoked_at}"
            limit = "default" if record.rate_limit is None else f"{record.rate_limit}/min"
            print(f"{record.name}\t{state}\t{limit}\t{record.created_at}\t{record.desk}\t{record.role}")
    elif args.action == "revoke":
        keys.revoke(args.name)
        print(f"revoked {args.name}")
    return 0


def cmd_memory(args) -> int:
    from . import languages
    from .store import Store
    from .store.db import DEFAULT_DESK, NEWSROOM
    from .store.keys import check_desk
    from .store.memory_tmx import export_tmx, import_tmx

    desk = NEWSROOM if args.newsroom else check_desk(args.desk or DEFAULT_DESK)
    store = Store(_service_settings(args).db_path)
    try:
        if args.action == "import":
            path = Path(args.file)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror}") from None
            report = import_tmx(store.memory, data, desk, path.name)
            pairs = ", ".join(f"{pair}: {n}" for pair, n in sorted(report.pairs.items())) or "none"
            print(f"stored {report.stored} pairs in the memory of {desk!r} ({pairs}); "
                  f"skipped {report.skipped} units with fewer than two languages")
        else:
            source = languages.canonical(args.source) if args.source else None
            target = languages.canonical(args.target) if args.target else None
            body = export_tmx(store.memory, desk, source, target)
            if args.output:
                atomic_write(Path(args.output), body)
            else:
                sys.stdout.buffer.write(body)
    finally:
        store.close()
    return 0


def _pair(text: str | None) -> list[str] | None:
    from . import languages

    if not text:
        return None
    parts = text.replace("_", "-").split("-")
    if len(parts) != 2:
        raise InputError(f"--pair {text!r}: write it as SOURCE-TARGET, e.g. fr-en")
    return [languages.canonical(part) for part in parts]


def _only_pair(glossary, pair):
    from .glossary import Glossary

    if pair is None:
        return glossary
    source, target = pair
    return Glossary(glossary.name, [e for e in glossary.entries
                                    if source in e.terms and (target in e.terms or e.dnt)])


def _decode_file(path: str) -> str:
    from .errors import InvalidEncoding

    try:
        return _read_input(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEncoding(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def _glossary_check(spec: str, settings) -> list[str]:
    """Problem lines of a file, a folder (each file alone), a stored name or 'default'."""
    from .errors import GlossaryError
    from .glossary import files, open_glossary, rules

    folder = settings.glossary_dir if spec == "default" else Path(spec) if Path(spec).is_dir() \
        else None
    lines: list[str] = []
    for target in files.glossary_files(folder) if folder is not None else [spec]:
        try:
            glossary = files.read_glossary(target) if folder is not None \
                else open_glossary(spec, settings)
        except GlossaryError as exc:
            if "problems" not in exc.details:
                raise
            lines.extend(exc.details["problems"])
            continue
        lines.extend(rules.check(glossary))
    return lines


def cmd_glossary(args) -> int:
    from .glossary import GlossaryStore, files, open_glossary, writers

    settings = _settings(args)
    store = GlossaryStore(settings.glossary_db)
    if args.action == "list":
        items = [{"kind": "stored", **info.to_dict()} for info in store.list()]
        default = (settings.glossary or "").strip() == "default"
        for path in files.glossary_files(settings.glossary_dir):
            try:
                glossary = files.read_glossary(path)
            except TranslatorError as exc:
                print(f"warning: {exc.message}", file=sys.stderr)
                continue
            items.append({"kind": "default" if default else "file", "name": path.stem,
                          "entries": len(glossary.entries),
                          "languages": sorted(glossary.languages()), "source": str(path)})
        if args.format == "json":
            print(json.dumps(items, ensure_ascii=False, indent=2))
            return 0
        for item in items:
            print(f"{item['name']}\t{item['kind']}\t{item['entries']}\t"
                  f"{','.join(item['languages'])}\t{item.get('updated') or item['source']}")
        if not items:
            print(f"no glossaries: none stored, no file in {settings.glossary_dir}", file=sys.stderr)
    elif args.action in ("show", "export"):
        pair = _pair(args.pair)
        glossary = _only_pair(open_glossary(args.name, settings), pair)
        output = getattr(args, "output", None)
        fmt = args.format or (writers.format_for(output) if output else "tsv")
        if output:
            path = writers.save(glossary, output, fmt, pair)
            print(f"wrote {len(glossary.entries)} entries to {path}", file=sys.stderr)
        else:
            sys.stdout.write(writers.dumps(glossary, fmt, pair))
    elif args.action == "import":
        glossary = files.read_glossary(args.file, name=args.name)
        info = store.put(args.name, glossary, replace=args.replace,
                         accept_conflicts=args.accept_conflicts, source=str(args.file))
        for line in info.warnings[:20]:
            print(f"warning: {line}", file=sys.stderr)
        if len(info.warnings) > 20:
            print(f"warning: {len(info.warnings) - 20} more (translator glossary check "
                  f"{args.file})", file=sys.stderr)
        print(f"imported {info.entries} entries into {info.name} ({', '.join(info.languages)})")
    elif args.action == "remove":
        store.delete(args.name)
        print(f"removed {args.name}")
    elif args.action == "check":
        lines = _glossary_check(args.name, settings)
        for line in lines:
            print(line)
        return 1 if lines else 0
    elif args.action == "suggest":
        from .glossary import suggest

        if args.untranslated < 0:
            raise InputError("--untranslated must be 0 or more")
        texts = [_decode_file(path) for path in args.files]
        pipeline, glossary = _glossary_pipeline(args)
        found = suggest.suggest(pipeline, texts, args.to, args.source, glossary=glossary,
                                check_translation=not args.no_check,
                                untranslated=args.untranslated)
        if args.format == "json":
            print(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
        elif args.format == "pair":
            sys.stdout.write(suggest.to_pair_file(found))
        else:
            sys.stdout.write(suggest.to_tsv(found))
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("settings (also TRANSLATOR_* environment variables)")
    _setting_flags(group, COMMON_SETTINGS)

    choose = argparse.ArgumentParser(add_help=False)
    picked = choose.add_mutually_exclusive_group()
    picked.add_argument("--glossary", dest="extra_glossary", metavar="NAME|FILE",
                        help="a stored glossary or a glossary file, over the default glossary")
    picked.add_argument("--no-glossary", action="store_true", help="apply no glossary at all")

    parser = argparse.ArgumentParser(prog="translator", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("translate", parents=[common, choose], help="translate a document")
    p.add_argument("file", nargs="?", default="-",
                   help="UTF-8 text file, or - for stdin; a .docx or .odt (or, with --output, "
                        ".txt or .html) is translated in its own format")
    p.add_argument("-o", "--output", help="where the translated document goes (default for "
                                          ".docx/.odt: NAME.<to>.EXT beside it)")
    p.add_argument("--to", required=True, help="target language code (en, fr, vi, ...)")
    p.add_argument("--from", dest="source", default="auto", help="source language (default: detect)")
    p.add_argument("--format", default="text",
                   choices=["text", "json", "tsv", "tmx", "xliff", "html", "side-by-side"])
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("batch", parents=[common, choose],
                       help="translate many articles (files, folders, globs, .jsonl, .zip, "
                            ".tar.gz) into a folder; resumable")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help=".txt/.md/.html/.docx/.odt/.pptx/.jsonl files, folders, globs, .zip/.tar.gz archives")
    p.add_argument("--to", required=True, help="target language code")
    p.add_argument("--from", dest="source", default="auto", help="source language (default: detect)")
    p.add_argument("--out", required=True, type=Path,
                   help="output folder; it holds the job's ledger, so the same command resumes")
    p.add_argument("--format", default="jsonl", choices=["jsonl", "tmx", "txt"],
                   help="jsonl: one aligned result per article; tmx: one translation memory; "
                        "txt: one translated text per article")
    p.add_argument("--workers", type=int,
                   help="parallel CTranslate2 workers (replicas of the model; default: one "
                        "per core); Apertium runs one pipeline per chunk in flight")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run the engine work on a Ray cluster: an ADDRESS (host:port, ray://...), "
                        "'auto' (the cluster of `ray start`), or none: the setting ray_address, "
                        "else a Ray started on this machine. A non-empty ray_address setting "
                        "implies --ray (docs/batch.md)")
    p.add_argument("--actors", type=int, metavar="N",
                   help="with --ray: translation actors (default: the cluster's CPUs / --actor-cpus)")
    p.add_argument("--actor-cpus", type=float, default=1.0, metavar="N",
                   help="with --ray: CPUs per actor, and its CTranslate2 threads (default 1)")
    p.add_argument("--actor-gpus", type=float, default=0.0, metavar="N",
                   help="with --ray: GPUs per actor; CTranslate2 then decodes on cuda (default 0)")
    p.add_argument("--ship-models", action="store_true",
                   help="with --ray: send this machine's model packages to the actors through "
                        "Ray's object store (otherwise every node reads models_dir itself)")
    p.add_argument("--retry-failed", action="store_true",
                   help="translate the articles that failed in earlier runs again")
    p.add_argument("--restart", action="store_true",
                   help="discard the job already in --out (made with other settings) and start over")
    p.add_argument("--progress", default="auto", choices=["auto", "bar", "log", "none"],
                   help="auto: a bar on a terminal, log lines otherwise")
    p.add_argument("--log-every", type=float, default=30.0, metavar="SECONDS",
                   help="seconds between progress log lines")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("detect", parents=[common], help="detect the language of a document")
    p.add_argument("file", nargs="?", default="-")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.add_argument("--routable", action="store_true",
                   help="only consider languages that have a translation route")
    p.set_defaults(func=cmd_detect)

    service = argparse.ArgumentParser(add_help=False)
    group = service.add_argument_group("service settings")
    group.add_argument("--config", type=Path, help="TOML file of settings (keys: setting names)")
    _setting_flags(group, ("db_path",))

    p = sub.add_parser("align", parents=[common, service],
                       help="align a text with its existing translation, sentence by sentence "
                            "(or the files of two folders, paired by name)")
    p.add_argument("source_file", metavar="SOURCE",
                   help="UTF-8 text file, - for stdin, or a folder of originals")
    p.add_argument("target_file", metavar="TARGET",
                   help="its translation (UTF-8), - for stdin, or a folder of translations "
                        "(files paired by name: floods.txt or floods.fr.txt with floods.vi.txt)")
    p.add_argument("--from", dest="source", default="auto", help="language of SOURCE (default: detect)")
    p.add_argument("--to", dest="target", default="auto", help="language of TARGET (default: detect)")
    p.add_argument("--format", default="side-by-side", choices=["json", "tsv", "tmx", "side-by-side"])
    p.add_argument("--mt", default="auto", choices=["auto", "on", "off"],
                   help="compare with a machine translation: when a route exists (auto), always, never")
    p.add_argument("--into-memory", action="store_true",
                   help="add the pairs the aligner is confident about to a desk's translation "
                        "memory (and report what was left out) instead of printing them")
    p.add_argument("--desk", help="with --into-memory: the desk whose memory (default: default)")
    p.add_argument("--newsroom", action="store_true",
                   help="with --into-memory: the newsroom-wide memory")
    p.set_defaults(func=cmd_align)

    p = sub.add_parser("languages", parents=[common], help="list translation routes")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(func=cmd_languages)

    p = sub.add_parser("models", help="manage model packages")
    msub = p.add_subparsers(dest="action", required=True)
    m = msub.add_parser("list", parents=[common], help="installed packages")
    m = msub.add_parser("install", parents=[common],
                        help="install a .argosmodel file, a package folder or an index name")
    m.add_argument("source")
    m.add_argument("--replace", action="store_true", help="replace an installed package")
    m = msub.add_parser("remove", parents=[common], help="remove an installed package")
    m.add_argument("name")
    m = msub.add_parser("available", parents=[common], help="packages in the Argos index")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("serve", parents=[common, service],
                       help="run the HTTP service (JSON API, LibreTranslate API, review page)")
    _setting_flags(p, ("host", "port", "workers"))
    p.add_argument("--threads", dest="worker_threads", type=int, metavar="THREADS",
                   help=next(s.help for s in SETTINGS if s.name == "worker_threads"))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("keys", help="manage API keys of the HTTP service")
    ksub = p.add_subparsers(dest="action", required=True)
    k = ksub.add_parser("add", parents=[service], help="create a key (printed once)")
    k.add_argument("name")
    k.add_argument("--rate-limit", type=int, help="requests per minute for this key (0 = unlimited)")
    k.add_argument("--desk", default="default", help="the desk whose work the key sees and owns")
    role = k.add_mutually_exclusive_group()
    role.add_argument("--admin", action="store_true", help="sees and manages every desk's work")
    role.add_argument("--memory-writer", action="store_true",
                      help="its reviews also go to the newsroom-wide translation memory")
    ksub.add_parser("list", parents=[service], help="keys: name, state, limit, created, desk, role")
    k = ksub.add_parser("revoke", parents=[service], help="revoke a key")
    k.add_argument("name")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("memory", help="import and export translation memories (TMX)")
    msub = p.add_subparsers(dest="action", required=True)
    m = msub.add_parser("import", parents=[service], help="store a TMX file's pairs (all or nothing)")
    m.add_argument("file")
    m = msub.add_parser("export", parents=[service], help="write the memory as TMX 1.4b")
    m.add_argument("--source", help="only entries from this language")
    m.add_argument("--target", help="only entries into this language")
    m.add_argument("-o", "--output", help="file to write (default: standard output)")
    for m in msub.choices.values():
        m.add_argument("--desk", help="the desk whose memory (default: default)")
        m.add_argument("--newsroom", action="store_true", help="the newsroom-wide memory")
    p.set_defaults(func=cmd_memory)

    p = sub.add_parser("glossary", help="manage glossaries (term bases)")
    gsub = p.add_subparsers(dest="action", required=True)
    g = gsub.add_parser("list", parents=[common], help="stored glossaries and default files")
    g.add_argument("--format", default="text", choices=["text", "json"])
    g = gsub.add_parser("show", parents=[common], help="print a glossary")
    g.add_argument("name", help="stored name, file, or 'default' (the glossary_dir files)")
    g.add_argument("--pair", help="only the entries of one pair, e.g. fr-en")
    g.add_argument("--format", default="tsv", choices=["tsv", "csv", "tbx", "json"])
    g = gsub.add_parser("import", parents=[common], help="store a TSV/CSV/TBX file under a name")
    g.add_argument("name")
    g.add_argument("file")
    g.add_argument("--replace", action="store_true", help="replace a stored glossary")
    g.add_argument("--accept-conflicts", action="store_true",
                   help="store even with conflicts or duplicate ids (a later entry wins)")
    g = gsub.add_parser("export", parents=[common], help="write a glossary as TSV, CSV or TBX")
    g.add_argument("name", help="stored name, file, or 'default'")
    g.add_argument("--format", choices=["tsv", "csv", "tbx", "json"],
                   help="default: from the -o extension, else tsv")
    g.add_argument("-o", "--output", help="file to write (default: standard output)")
    g.add_argument("--pair", help="only the entries of one pair, e.g. fr-en")
    g = gsub.add_parser("remove", parents=[common], help="delete a stored glossary")
    g.add_argument("name")
    g = gsub.add_parser("check", parents=[common],
                        help="report bad rows, conflicts and duplicates (exit 1 if any)")
    g.add_argument("name", help="file, folder, stored name, or 'default'")
    g = gsub.add_parser("suggest", parents=[common, choose],
                        help="names not in the glossary, with their engine rendering, and the "
                             "words the engines left untranslated")
    g.add_argument("files", nargs="+", help="UTF-8 text files (- for stdin)")
    g.add_argument("--to", required=True, help="target language")
    g.add_argument("--from", dest="source", default="auto", help="source language (default: detect)")
    g.add_argument("--format", default="tsv", choices=["tsv", "pair", "json"],
                   help="tsv: a table; pair: a pair glossary file to edit; json")
    g.add_argument("--no-check", action="store_true",
                   help="do not translate the documents to see whether each rendering is used "
                        "(nor which words stay untranslated)")
    g.add_argument("--untranslated", type=int, default=50, metavar="N",
                   help="list the N most frequent words left untranslated per language "
                        "(default 50; 0: none)")
    p.set_defaults(func=cmd_glossary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TranslatorError as exc:
        print(f"translator: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("translator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
