"""translator: offline machine translation for newsrooms (translate, detect, models, languages)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import InputError, TranslatorError
from .settings import Settings


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


def _settings(args) -> Settings:
    return Settings.from_env(
        models_dir=args.models_dir, index_url=args.index_url, max_chars=args.max_chars,
        beam_size=args.beam_size, engine=args.engine, inter_threads=args.inter_threads,
        intra_threads=args.intra_threads)


def _pipeline(args):
    from .pipeline import Pipeline

    return Pipeline.from_settings(_settings(args))


def cmd_translate(args) -> int:
    from .formats import render

    pipeline = _pipeline(args)
    result = pipeline.translate(_read_input(args.file), target=args.to, source=args.source)
    sys.stdout.write(render(result, args.format))
    if args.format == "text" and not result.target_text.endswith("\n"):
        sys.stdout.write("\n")
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


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("settings (also TRANSLATOR_* environment variables)")
    group.add_argument("--models-dir", type=Path, help="folder of installed model packages")
    group.add_argument("--index-url", help="URL of the Argos package index")
    group.add_argument("--max-chars", type=int, help="largest accepted text, in characters")
    group.add_argument("--beam-size", type=int, help="CTranslate2 beam size")
    group.add_argument("--engine", choices=["auto", "ctranslate2", "apertium"],
                       help="prefer this engine when several serve a pair")
    group.add_argument("--inter-threads", type=int, help="CTranslate2 parallel batches")
    group.add_argument("--intra-threads", type=int, help="CTranslate2 threads per batch")

    parser = argparse.ArgumentParser(prog="translator", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("translate", parents=[common], help="translate a document")
    p.add_argument("file", nargs="?", default="-", help="UTF-8 text file, or - for stdin")
    p.add_argument("--to", required=True, help="target language code (en, fr, vi, ...)")
    p.add_argument("--from", dest="source", default="auto", help="source language (default: detect)")
    p.add_argument("--format", default="text", choices=["text", "json", "tsv", "tmx", "side-by-side"])
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("detect", parents=[common], help="detect the language of a document")
    p.add_argument("file", nargs="?", default="-")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.add_argument("--routable", action="store_true",
                   help="only consider languages that have a translation route")
    p.set_defaults(func=cmd_detect)

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
