"""translator: offline machine translation for newsrooms (translate, detect, models, languages)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from . import __version__
from .errors import InputError, TranslatorError
from .formats import registry
from .fsutil import atomic_write
from .settings import SETTINGS, Settings

# -- choices: each list in one place ----------------------------------------------------

#: ``--format`` of each command
# the output formats of results, jobs, alignments and glossaries (formats/registry.py)
TRANSLATE_FORMATS = registry.names("result")
BATCH_FORMATS = registry.names("batch")
ALIGN_FORMATS = registry.names("alignment")
GLOSSARY_FORMATS = registry.names("glossary")
# listings, as text for people or JSON for scripts
DETECT_FORMATS = LANGUAGES_FORMATS = GLOSSARY_LIST_FORMATS = ("text", "json")
SUGGEST_FORMATS = ("tsv", "pair", "json")
PROGRESS_CHOICES = ["auto", "bar", "log", "none"]
#: alignment.api.MT_MODES, restated: importing the aligner costs the CLI's start 0.3 s
#: (tests/test_align.py checks they agree)
MT_CHOICES = ("auto", "on", "off")

#: The settings every engine command takes as flags too (``--models-dir``...); their type
#: and help come from the setting (translator/settings.py), declared once there.
COMMON_SETTINGS = ("models_dir", "index_url", "max_chars", "beam_size", "engine",
                   "inter_threads", "intra_threads", "glossary_dir", "glossary_db")
_CHOICES = {"engine": ["auto", "ctranslate2", "apertium"]}
#: the settings each kind of command uses (the others of COMMON_SETTINGS are accepted,
#: hidden from its help, so that command lines written for earlier versions still work)
ENGINE = ("models_dir", "max_chars", "beam_size", "engine", "inter_threads", "intra_threads",
          "glossary_dir", "glossary_db")
GLOSSARIES = ("glossary_dir", "glossary_db")

#: What the exit status says (the codes of translator/errors.py and of the stores'
#: errors; tests/test_cli_golden.py checks that every error's code is listed).
EXIT_CODES = (
    (0, "success"),
    (1, "partly done: a batch finished but some articles failed, two folders were "
        "aligned with pairs skipped, or glossary check found problems"),
    (2, "bad input or usage: empty, too large or not UTF-8, unknown language code, "
        "missing file, bad option or setting value"),
    (3, "language problem: unsupported pair, undetectable language"),
    (4, "model package problem (or the package index is unavailable)"),
    (5, "engine failure (or the Ray cluster cannot be reached)"),
    (6, "a database (the service's store, the glossaries, a batch ledger) or an output "
        "cannot be written"),
    (130, "interrupted"),
)

EXAMPLES = (
    ("translator translate story.txt --to en", "the translation only"),
    ("translator translate story.txt --to en --format json", "aligned, as JSON"),
    ("echo 'Xin chào' | translator translate --to en", "standard input"),
    ("translator translate story.docx --to en", "story.en.docx, same layout"),
    ("translator batch archive.zip --to en --out out/", "resumable"),
    ("translator align story.vi.txt story.fr.txt", "an existing translation"),
    ("translator models install fr-en", "from the Argos index"),
    ("translator serve --port 8080", "the HTTP service"),
)

TRANSLATE, MANAGE, SERVE = "Translate", "Manage", "Serve"
SETTINGS_SECTION = "Settings (also TRANSLATOR_* environment variables)"
SERVICE_SECTION = "Service settings"


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


# -- the click layer: sections in the help, abbreviations, one-line usage errors ---------

class _PathType(click.ParamType):
    """A path, as given (nothing checked at parse time: the command says what is wrong)."""

    name = "path"

    def convert(self, value, param, ctx):
        return value if isinstance(value, Path) else Path(value)


PATH = _PathType()
_SETTING_TYPES = {Path: PATH, str: click.STRING, int: click.INT, float: click.FLOAT,
                  bool: click.BOOL}


class Option(click.Option):
    """An option listed under ``section`` in its command's help; options that share an
    ``exclusive`` group cannot be given together."""

    def __init__(self, *args, section: str = "Options", exclusive: str | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        self.exclusive = exclusive


class Argument(click.Argument):
    """A positional argument with a help text, listed under "Arguments"."""

    def __init__(self, *args, help: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help = help

    def help_record(self) -> tuple[str, str]:
        if self.metavar:
            return self.metavar, self.help or ""
        name = self.name.upper() + ("..." if self.nargs != 1 else "")
        return (name if self.required else f"[{name}]"), self.help or ""


def option(*decls, **kwargs):
    return click.option(*decls, cls=Option, **kwargs)


def argument(*decls, **kwargs):
    return click.argument(*decls, cls=Argument, **kwargs)


def _long_options(command: click.Command, ctx: click.Context) -> list[str]:
    return [name for param in command.get_params(ctx) if isinstance(param, click.Option)
            for name in (*param.opts, *param.secondary_opts) if name.startswith("--")]


def _expand_abbreviations(command: click.Command, ctx: click.Context, args: list[str],
                          until_positional: bool) -> list[str]:
    """``--form json`` as ``--format json``: a unique prefix of a long option stands for
    it, as it did with argparse (command lines written for it keep working)."""
    names = _long_options(command, ctx)
    out = []
    for index, arg in enumerate(args):
        if arg == "--" or (until_positional and not arg.startswith("-")):
            return out + args[index:]
        if arg.startswith("--") and len(arg) > 2:
            name, equals, value = arg.partition("=")
            if name not in names:
                found = [n for n in names if n.startswith(name)]
                if len(found) > 1:
                    raise click.UsageError(f"ambiguous option: {name} could match "
                                           f"{', '.join(found)}", ctx)
                if found:
                    arg = found[0] + equals + value
        out.append(arg)
    return out


@contextlib.contextmanager
def _naming(ctx: click.Context):
    """A usage error raised without its command (``--to`` without a value) names it."""
    try:
        yield
    except click.UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


class Command(click.Command):
    """A subcommand: its options in sections, abbreviations, exclusive options checked."""

    def __init__(self, *args, section: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section

    def parse_args(self, ctx, args):
        with _naming(ctx):
            rest = super().parse_args(ctx, _expand_abbreviations(self, ctx, args, False))
        given: dict[str, str] = {}
        for param in self.get_params(ctx):
            group = getattr(param, "exclusive", None)
            if group and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
                if group in given:
                    raise click.UsageError(f"{param.opts[-1]} is not allowed with "
                                           f"{given[group]}", ctx)
                given[group] = param.opts[-1]
        return rest

    def format_arguments(self, ctx, formatter):
        pass  # in format_options, with the other sections

    def format_options(self, ctx, formatter):
        sections: dict[str, list] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            if isinstance(param, Argument):
                sections["Arguments"].append(param.help_record())
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                sections.setdefault(getattr(param, "section", "Options"), []).append(record)
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Group(click.Group):
    """A group of subcommands (``translator models ...``)."""

    command_class = Command

    def __init__(self, *args, section: str | None = None, **kwargs):
        kwargs.setdefault("no_args_is_help", False)  # "Missing command", one line, exit 2
        super().__init__(*args, **kwargs)
        self.section = section

    def parse_args(self, ctx, args):
        with _naming(ctx):
            return super().parse_args(ctx, _expand_abbreviations(self, ctx, args, True))

    def list_commands(self, ctx):
        return list(self.commands)  # in the order they are declared


Group.group_class = Group


class Translator(Group):
    """``translator``: its help groups the subcommands, gives examples and the exit codes;
    errors are one line on stderr and an exit status."""

    def format_commands(self, ctx, formatter):
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands
                    if command is not None and not command.hidden]
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        sections: dict[str, list] = {}
        for name, command in commands:
            sections.setdefault(command.section or "Commands", []).append(
                (name, command.get_short_help_str(limit)))
        for title, rows in sections.items():
            with formatter.section(title):
                formatter.write_dl(rows)

    def format_epilog(self, ctx, formatter):
        with formatter.section("Examples"):
            width = max(len(command) for command, _ in EXAMPLES) + 2
            for command, what in EXAMPLES:
                formatter.write(f"{'':>{formatter.current_indent}}{command:<{width}}# {what}\n")
        with formatter.section("Exit codes"):
            formatter.write_dl([(str(code), meaning) for code, meaning in EXIT_CODES])
        formatter.write_paragraph()
        formatter.write_text("Errors are one line on stderr. 'translator COMMAND --help' "
                             "gives a command's options; README.md the settings.")

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TranslatorError as exc:
            print(f"translator: error: {exc.message}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            print("translator: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            return 0

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """The exit status (``standalone_mode``: exits with it): a usage error is one line
        naming what is wrong, and exit status 2."""
        try:
            code = super().main(args, prog_name or "translator", complete_var,
                                standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "translator"
            message = " ".join(exc.format_message().split())
            print(f"translator: error: {message.rstrip('.')} (see '{where} --help')",
                  file=sys.stderr)
            code = 2
        except click.ClickException as exc:
            print(f"translator: error: {' '.join(exc.format_message().split())}",
                  file=sys.stderr)
            code = exc.exit_code
        except click.Abort:
            print("translator: interrupted", file=sys.stderr)
            code = 130
        code = code if isinstance(code, int) else 0
        if standalone_mode:
            sys.exit(code)
        return code


# -- options declared once ---------------------------------------------------------------

def _setting_option(name: str, *, flag: str | None = None, metavar: str | None = None,
                    section: str = SETTINGS_SECTION, hidden: bool = False):
    """One flag for a setting, typed and explained by the setting's own declaration; None
    when not given (``Settings.from_env`` then takes the environment or the default)."""
    setting = next(s for s in SETTINGS if s.name == name)
    choices = _CHOICES.get(name)
    return option(flag or "--" + name.replace("_", "-"), name,
                  type=click.Choice(choices) if choices else _SETTING_TYPES[setting.type],
                  default=None, metavar=metavar, help=setting.help, section=section,
                  hidden=hidden)


def settings_options(*shown: str):
    """The flags of :data:`COMMON_SETTINGS`; those a command does not use (not in
    ``shown``) are accepted but left out of its help."""
    def decorate(f):
        for name in reversed(COMMON_SETTINGS):
            f = _setting_option(name, hidden=name not in shown)(f)
        return f
    return decorate


def service_options(f):
    """``--config FILE`` and ``--db-path``: the service's settings and store."""
    f = _setting_option("db_path", section=SERVICE_SECTION)(f)
    return option("--config", type=PATH, section=SERVICE_SECTION,
                  help="TOML file of settings (keys: setting names)")(f)


def glossary_options(f):
    """``--glossary NAME|FILE`` or ``--no-glossary`` (not both)."""
    f = option("--no-glossary", is_flag=True, exclusive="glossary",
               help="apply no glossary at all")(f)
    return option("--glossary", "extra_glossary", metavar="NAME|FILE", exclusive="glossary",
                  help="a stored glossary or a glossary file, over the default glossary")(f)


def source_option(f):
    return option("--from", "source", default="auto",
                  help="source language (default: detect)")(f)


# -- settings ----------------------------------------------------------------------------

def _settings(flags: dict) -> Settings:
    """Defaults < TRANSLATOR_* variables < flags."""
    return Settings.from_env(**flags)


def _service_settings(config: Path | None, flags: dict) -> Settings:
    """Defaults < TRANSLATOR_* variables < --config file < flags."""
    settings = Settings.from_env()
    if config:
        from .web.server import settings_from_file

        settings = settings_from_file(config, settings)
    return settings.replace(**flags)


def _open_pipeline(settings):
    """The pipeline of ``settings``, closed (its engines' processes stopped) when the
    command ends, as it would be by the process's exit (the same when run in-process)."""
    from .pipeline import Pipeline

    pipeline = Pipeline.from_settings(settings)
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(pipeline.close)
    return pipeline


def _pipeline(flags: dict):
    """The engines, without the default glossary (for commands that translate nothing: a
    broken glossary file must not stop them)."""
    return _open_pipeline(_settings(flags).replace(glossary="none"))


def _glossary_pipeline(flags: dict, extra_glossary: str | None, no_glossary: bool):
    """The pipeline and the glossary to apply: the default one (``DEFAULT``), a named one
    over it (``--glossary``), or None (``--no-glossary``)."""
    from .glossary import open_glossary
    from .pipeline import DEFAULT

    settings = _settings(flags)
    if no_glossary:
        settings = settings.replace(glossary="none")
    pipeline = _open_pipeline(settings)
    if no_glossary:
        return pipeline, None
    if not extra_glossary:
        return pipeline, DEFAULT
    extra = open_glossary(extra_glossary, settings)
    if pipeline.glossary is None:
        return pipeline, extra
    return pipeline, pipeline.glossary.merged(extra)


# -- translator --------------------------------------------------------------------------

@click.group("translator", cls=Translator,
             help="Offline machine translation and alignment for newsrooms.",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="translator",
                      message="%(prog)s %(version)s")
def app() -> None:
    pass


def main(argv: list[str] | None = None) -> int:
    """``translator ARGV`` (default: this process's arguments); the exit status."""
    return app.main(argv, "translator", standalone_mode=False)


#: formats only ever translated as documents (binary): written to a file, NAME.<to>.EXT
#: by default; HTML is always translated as a document too, to stdout without --output
DOCUMENT_ONLY = (".docx", ".odt", ".pptx")
MARKUP = (".html", ".htm")


@app.command(section=TRANSLATE)
@argument("file", required=False, default="-",
          help="UTF-8 text file, or - for stdin; a .html/.htm, .docx, .odt or .pptx (or, "
               "with --output, .txt) is translated in its own format")
@option("-o", "--output", help="where the translated document goes (default: .docx/.odt/.pptx "
                                "NAME.<to>.EXT beside it; .html/.htm and .txt stdout)")
@option("--to", required=True, help="target language code (en, fr, vi, ...)")
@source_option
@option("--format", "fmt", default="text", type=click.Choice(TRANSLATE_FORMATS),
        help="text: the translation (a document: the file written, or the HTML itself); "
             "json, tmx, xliff, html: the aligned results (of a document too)")
@glossary_options
@settings_options(*ENGINE)
def translate(file: str, output: str | None, to: str, source: str, fmt: str,
              extra_glossary: str | None, no_glossary: bool, **flags) -> int:
    """Translate a document."""
    from .documents import FORMATS
    from .formats import render

    suffix = Path(file).suffix.lower()
    if suffix in DOCUMENT_ONLY or suffix in MARKUP or (output and suffix in FORMATS):
        return _translate_document(file, output, to, source, fmt, extra_glossary, no_glossary,
                                   flags)
    if output:
        raise InputError(f"--output takes a document ({', '.join(FORMATS)}), not {file}")
    pipeline, glossary = _glossary_pipeline(flags, extra_glossary, no_glossary)
    result = pipeline.translate(_read_input(file), target=to, source=source, glossary=glossary)
    sys.stdout.write(render(result, fmt))
    if fmt == "text" and not result.target_text.endswith("\n"):
        sys.stdout.write("\n")
    return 0


def _translate_document(file: str, output: str | None, to: str, source: str, fmt: str,
                        extra_glossary: str | None, no_glossary: bool, flags: dict) -> int:
    """A document in its own format to ``--output`` (default: NAME.<to>.EXT beside it; an
    HTML page to stdout); the aligned results to stdout with ``--format json``, ``tmx``,
    ``xliff`` or ``html``, the document's warnings on them."""
    from .documents import attach_warnings
    from .documents.local import default_output, pipeline_translator, translate_file
    multi = registry.names("results")
    if fmt not in ("text", *multi):
        raise InputError(f"a document's aligned results come as {', '.join(sorted(multi))}, "
                         f"not {fmt}")
    path = Path(file)
    data = _read_input(file)
    output_path = (Path(output) if output else
                   default_output(path, to) if path.suffix.lower() in DOCUMENT_ONLY else None)
    pipeline, glossary = _glossary_pipeline(flags, extra_glossary, no_glossary)
    results: list = []
    translated = translate_file(path, output_path, data,
                                pipeline_translator(pipeline, to, source, glossary, results))
    for warning in translated.warnings:
        print(f"translator: warning: {warning}", file=sys.stderr)
    attach_warnings(results, translated.warnings)
    if fmt == "text":
        if output_path is not None:
            print(output_path)
        else:  # an HTML page: the translated page itself
            sys.stdout.write(translated.data.decode("utf-8"))
    elif results:  # JSON: the list of results alone, one line
        sys.stdout.write(json.dumps([r.to_dict() for r in results], ensure_ascii=False) + "\n"
                         if fmt == "json" else registry.FORMATS[fmt].write("results", results))
    return 0


@app.command(section=TRANSLATE)
@argument("inputs", nargs=-1, required=True, metavar="INPUT...",
          help=".txt/.md/.html/.docx/.odt/.pptx/.jsonl files, folders, globs, .zip/.tar.gz "
               "archives")
@option("--to", required=True, help="target language code")
@source_option
@option("--out", required=True, type=PATH,
        help="output folder; it holds the job's ledger, so the same command resumes")
@option("--format", "fmt", default="jsonl", type=click.Choice(BATCH_FORMATS),
        help="jsonl: one aligned result per article; tmx: one translation memory; txt: one "
             "translated text per article")
@option("--documents/--no-documents", default=True,
        help="write the inputs that are documents (.docx, .odt, .pptx, .html) back in "
             "their own format under OUT/documents (default: on)")
@option("--workers", type=int,
        help="parallel CTranslate2 workers (replicas of the model; default: one per core); "
             "Apertium runs one pipeline per chunk in flight")
@option("--ray", is_flag=False, flag_value="", default=None, metavar="[ADDRESS]",
        help="run the engine work on a Ray cluster: an ADDRESS (host:port, ray://...), "
             "'auto' (the cluster of `ray start`), or none: the setting ray_address, else a "
             "Ray started on this machine. A non-empty ray_address setting implies --ray "
             "(docs/batch.md)")
@option("--actors", type=int, metavar="N",
        help="with --ray: translation actors (default: the cluster's CPUs / --actor-cpus)")
@option("--actor-cpus", type=float, default=1.0, metavar="N",
        help="with --ray: CPUs per actor, and its CTranslate2 threads (default 1)")
@option("--actor-gpus", type=float, default=0.0, metavar="N",
        help="with --ray: GPUs per actor; CTranslate2 then decodes on cuda (default 0)")
@option("--ship-models", is_flag=True,
        help="with --ray: send this machine's model packages to the actors through Ray's "
             "object store (otherwise every node reads models_dir itself)")
@option("--retry-failed", is_flag=True,
        help="translate the articles that failed in earlier runs again")
@option("--restart", is_flag=True,
        help="discard the job already in --out (made with other settings) and start over")
@option("--progress", default="auto", type=click.Choice(PROGRESS_CHOICES),
        help="auto: a bar on a terminal, log lines otherwise")
@option("--log-every", type=float, default=30.0, metavar="SECONDS",
        help="seconds between progress log lines")
@glossary_options
@settings_options(*ENGINE)
def batch(inputs: tuple[str, ...], to: str, source: str, out: Path, fmt: str,
          documents: bool, workers: int | None, ray: str | None, actors: int | None, actor_cpus: float,
          actor_gpus: float, ship_models: bool, retry_failed: bool, restart: bool,
          progress: str, log_every: float, extra_glossary: str | None, no_glossary: bool,
          **flags) -> int:
    """Translate many articles (files, folders, globs, .jsonl, .zip, .tar.gz) into a
    folder; resumable (see docs/batch.md)."""
    import signal
    import threading

    from .batch import BatchJob, progress as progress_bars

    if workers is not None and workers < 1:
        raise InputError("--workers must be at least 1")
    flags["inter_threads"] = workers or flags["inter_threads"]
    options = None
    address = ray if ray else _settings(flags).ray_address
    if ray is not None or address:
        from .batch.cluster import RayOptions

        if actors is not None and actors < 1:
            raise InputError("--actors must be at least 1")
        if actor_cpus <= 0 or actor_gpus < 0:
            raise InputError("--actor-cpus must be positive and --actor-gpus at least 0")
        options = RayOptions(address=address or "local", actors=actors, actor_cpus=actor_cpus,
                             actor_gpus=actor_gpus, ship_models=ship_models)
    elif actors is not None or ship_models:
        raise InputError("--actors and --ship-models need --ray")
    pipeline, glossary = _glossary_pipeline(flags, extra_glossary, no_glossary)
    job = BatchJob(out, pipeline, target=to, source=source, glossary=glossary, fmt=fmt,
                   ray=options, documents=documents)
    if options is not None:
        job.connect_ray()  # on the main thread, where Ray installs its signal handlers
    reporter = {"bar": progress_bars.BarProgress,
                "log": lambda: progress_bars.LogProgress(every=log_every),
                "none": progress_bars.NullProgress,
                "auto": lambda: progress_bars.for_stream(sys.stderr, log_every)}[progress]()
    stop = threading.Event()
    outcome: dict = {}

    def work() -> None:
        try:
            outcome["summary"] = job.run(list(inputs), retry_failed=retry_failed,
                                         restart=restart, progress=reporter, stop=stop)
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
    for failure in summary_failures(out):
        print(f"failed: {failure.input}: {failure.message}", file=sys.stderr)
    return 1 if summary.counts.failed or summary.document_failures else 0


def summary_failures(out_dir, limit: int = 20):
    """The first failures recorded in a job folder's ledger, to show after a run."""
    from .batch.ledger import Ledger

    ledger = Ledger.in_folder(out_dir)
    try:
        return ledger.failures(limit)
    finally:
        ledger.close()


@app.command(section=TRANSLATE)
@argument("file", required=False, default="-", help="UTF-8 text file, or - for stdin")
@option("--format", "fmt", default="text", type=click.Choice(DETECT_FORMATS))
@option("--routable", is_flag=True,
        help="only consider languages that have a translation route")
@settings_options("models_dir", "max_chars")
def detect(file: str, fmt: str, routable: bool, **flags) -> int:
    """Detect the language of a document."""
    pipeline = _pipeline(flags)
    detection = pipeline.detect(_read_input(file), routable=routable)
    has_route = detection.language in pipeline.languages()
    if fmt == "json":
        print(json.dumps({**detection.to_dict(), "routable": has_route}, ensure_ascii=False))
    else:
        others = ", ".join(f"{code} {p:.2f}" for code, p in detection.alternatives)
        print(f"{detection.language}\t{detection.confidence:.2f}" + (f"\t({others})" if others else ""))
    if not has_route:
        print(f"note: no translation route from {detection.language} is installed "
              "(see translator languages)", file=sys.stderr)
    return 0


@app.command(section=TRANSLATE)
@argument("source_file", metavar="SOURCE",
          help="UTF-8 text file, - for stdin, or a folder of originals")
@argument("target_file", metavar="TARGET",
          help="its translation (UTF-8), - for stdin, or a folder of translations (files "
               "paired by name: floods.txt or floods.fr.txt with floods.vi.txt)")
@option("--from", "source", default="auto", help="language of SOURCE (default: detect)")
@option("--to", "target", default="auto", help="language of TARGET (default: detect)")
@option("--format", "fmt", default="side-by-side", type=click.Choice(ALIGN_FORMATS))
@option("--mt", default="auto", type=click.Choice(MT_CHOICES),
        help="compare with a machine translation: when a route exists (auto), always, never")
@option("--into-memory", is_flag=True,
        help="add the pairs the aligner is confident about to a desk's translation memory "
             "(and report what was left out) instead of printing them")
@option("--desk", help="with --into-memory: the desk whose memory (default: default)")
@option("--newsroom", is_flag=True, help="with --into-memory: the newsroom-wide memory")
@settings_options(*ENGINE)
@service_options
def align(source_file: str, target_file: str, source: str, target: str, fmt: str, mt: str,
          into_memory: bool, desk: str | None, newsroom: bool, config: Path | None,
          **flags) -> int:
    """Align a text with its existing translation, sentence by sentence (or the files of
    two folders, paired by name); with --into-memory the confident pairs go to a desk's
    translation memory."""
    from .glossary.store import default_glossary

    source_dir, target_dir = Path(source_file), Path(target_file)
    folders = source_file != "-" and source_dir.is_dir()
    if folders != (target_file != "-" and target_dir.is_dir()):
        folder, other = (source_dir, target_dir) if folders else (target_dir, source_dir)
        if str(other) != "-" and not other.exists():
            raise InputError(f"{other}: no such file or folder")
        raise InputError(f"{folder} is a folder but {other} is not: give two files or two folders")
    if not folders and source_file == "-" and target_file == "-":
        raise InputError("only one of SOURCE and TARGET can be - (standard input)")
    if folders and fmt in ("tsv", "tmx"):
        raise InputError("two folders are aligned as a summary per pair (side-by-side) or as "
                         f"JSON lines (json), not {fmt}")
    if (desk or newsroom) and not into_memory:
        raise InputError("--desk and --newsroom say which memory --into-memory adds to: "
                         "add --into-memory")
    memory_desk = None
    if into_memory:
        from .store.db import DEFAULT_DESK, NEWSROOM
        from .store.keys import check_desk

        memory_desk = NEWSROOM if newsroom else check_desk(desk or DEFAULT_DESK)

    settings = _settings(flags)
    pipeline = None
    if mt != "off":
        pipeline = _open_pipeline(settings)
    glossary = pipeline.glossary if pipeline else default_glossary(settings)
    options = dict(pipeline=pipeline, mt=mt, settings=settings, glossary=glossary or ())
    languages = (source, target)
    store = (config, flags)
    if folders:
        return _align_folders(source_dir, target_dir, fmt, languages, memory_desk, store,
                              options)
    alignment = _align_pair(_read_input(source_file), _read_input(target_file), languages,
                            options)
    if memory_desk is None:
        from .align import render_alignment

        sys.stdout.write(render_alignment(alignment, fmt))
        return 0
    names = [_document_name(source_file), _document_name(target_file)]
    selection = _memory_selection(alignment, names)
    added = _add_to_memory(store, memory_desk, [(alignment, names, selection)])
    print(f"added {added} pairs to the memory of {memory_desk!r} ({alignment.source_lang}-"
          f"{alignment.target_lang}) from {names[0]} and {names[1]}; "
          f"{selection.describe_left_out()}")
    return 0


def _document_name(path: str) -> str:
    return "standard input" if path == "-" else Path(path).name


def _align_pair(source: bytes, target: bytes, languages: tuple[str, str], options: dict):
    from .align import align_texts

    return align_texts(source, target, *languages, **options)


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


def _add_to_memory(store_settings: tuple, desk: str, aligned: list) -> int:
    """Store every selected pair in one transaction (all or nothing); the number stored.
    Provenance: ``align:SOURCE | TARGET``, the documents' names."""
    from .store import Store

    store = Store(_service_settings(*store_settings).db_path)
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


def _align_folders(source_dir: Path, target_dir: Path, fmt: str, languages: tuple[str, str],
                   desk: str | None, store_settings: tuple, options: dict) -> int:
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
            alignment = _align_pair(_read_input(str(source)), _read_input(str(target)),
                                    languages, options)
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
        elif fmt == "json":
            body = {"source_file": str(source), "target_file": str(target), **alignment.to_dict()}
            print(json.dumps(body, ensure_ascii=False))
        else:
            print(f"{names[0]}\t{names[1]}\t" + render_alignment(alignment, "side-by-side")
                  .splitlines()[0])
    if desk is not None and aligned:
        added = _add_to_memory(store_settings, desk, aligned)
        left = sum(sum(s.left_out.values()) for _, _, s in aligned)
        print(f"added {added} pairs to the memory of {desk!r} from {len(aligned)} document "
              f"pairs; {left} beads left out")
    only = len(found.only_source) + len(found.only_target)
    print(f"translator: {done} document pairs aligned, {failed} skipped, {only} files without "
          "a counterpart", file=sys.stderr)
    return 1 if failed else 0


@app.command(section=TRANSLATE)
@option("--format", "fmt", default="text", type=click.Choice(LANGUAGES_FORMATS))
@settings_options("models_dir", "engine")
def languages(fmt: str, **flags) -> int:
    """List translation routes."""
    pipeline = _pipeline(flags)
    routes = pipeline.router.routes()
    if fmt == "json":
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


# -- models ------------------------------------------------------------------------------

@app.group(section=MANAGE)
def models() -> None:
    """Manage model packages."""


def _model_store(flags: dict):
    from .models import ModelStore

    return ModelStore(_settings(flags))


@models.command("list")
@settings_options("models_dir")
def models_list(**flags) -> int:
    """Installed packages."""
    store = _model_store(flags)
    packages = store.installed()
    for package in packages:
        pairs = ", ".join(f"{s}-{t}" for s, t in package.pairs)
        print(f"{package.name}\t{package.kind}\t{package.version or '-'}\t{pairs}\t{package.path}")
    for problem in store.problems():
        print(f"warning: {problem}", file=sys.stderr)
    if not packages:
        print("no model packages installed", file=sys.stderr)
    return 0


@models.command("install")
@argument("source", help="a .argosmodel file, a package folder, or a name of the Argos "
                         "index (fr-en)")
@option("--replace", is_flag=True, help="replace an installed package")
@settings_options("models_dir", "index_url")
def models_install(source: str, replace: bool, **flags) -> int:
    """Install a .argosmodel file, a package folder or an index name."""
    package = _model_store(flags).install(source, replace=replace)
    print(f"installed {package.name} ({', '.join(f'{s}-{t}' for s, t in package.pairs)}) "
          f"in {package.path}")
    return 0


@models.command("remove")
@argument("name", help="an installed package (translator models list)")
@settings_options("models_dir")
def models_remove(name: str, **flags) -> int:
    """Remove an installed package."""
    print(f"removed {_model_store(flags).remove(name)}")
    return 0


@models.command("available")
@settings_options("models_dir", "index_url")
def models_available(**flags) -> int:
    """Packages in the Argos index."""
    store = _model_store(flags)
    listing = store.available()
    installed = {pair for package in store.installed() for pair in package.pairs}
    for entry in listing:
        mark = "installed" if entry.pair in installed else ""
        size = f"{entry.size / 1e6:.0f} MB" if entry.size else "-"
        print(f"{entry.name}\t{entry.version or '-'}\t{'-'.join(entry.pair)}\t{size}\t{mark}".rstrip())
    print(listing.note(), file=sys.stderr)
    return 0


# -- serve -------------------------------------------------------------------------------

@app.command(section=SERVE)
@settings_options(*COMMON_SETTINGS)
@service_options
@_setting_option("host", section=SERVICE_SECTION)
@_setting_option("port", section=SERVICE_SECTION)
@_setting_option("workers", section=SERVICE_SECTION)
@_setting_option("worker_threads", flag="--threads", metavar="THREADS", section=SERVICE_SECTION)
def serve(config: Path | None, **flags) -> int:
    """Run the HTTP service (JSON API, LibreTranslate API, review page)."""
    from .web.server import serve as run

    return run(_service_settings(config, flags))


# -- keys --------------------------------------------------------------------------------

@app.group(section=SERVE)
def keys() -> None:
    """Manage API keys of the HTTP service."""


def _keys(config: Path | None, flags: dict):
    from .store import Store

    return Store(_service_settings(config, flags).db_path).keys


@keys.command("add")
@argument("name")
@service_options
@option("--rate-limit", type=int, help="requests per minute for this key (0 = unlimited)")
@option("--desk", default="default", help="the desk whose work the key sees and owns")
@option("--admin", is_flag=True, exclusive="role", help="sees and manages every desk's work")
@option("--memory-writer", is_flag=True, exclusive="role",
        help="its reviews also go to the newsroom-wide translation memory")
def keys_add(name: str, rate_limit: int | None, desk: str, admin: bool, memory_writer: bool,
             config: Path | None, **flags) -> int:
    """Create a key (printed once)."""
    store = _keys(config, flags)
    role = "admin" if admin else "memory-writer" if memory_writer else "member"
    key, record = store.create(name, rate_limit, desk=desk, role=role)
    print(key)
    print(f"created API key {record.name!r} of desk {record.desk!r} ({record.role}): "
          "it is shown only now", file=sys.stderr)
    return 0


@keys.command("list")
@service_options
def keys_list(config: Path | None, **flags) -> int:
    """Keys: name, state, limit, created, desk, role."""
    for record in _keys(config, flags).list():
        state = "active" if record.active else f"revoked {record.revoked_at}"
        limit = "default" if record.rate_limit is None else f"{record.rate_limit}/min"
        print(f"{record.name}\t{state}\t{limit}\t{record.created_at}\t{record.desk}\t{record.role}")
    return 0


@keys.command("revoke")
@argument("name")
@service_options
def keys_revoke(name: str, config: Path | None, **flags) -> int:
    """Revoke a key."""
    _keys(config, flags).revoke(name)
    print(f"revoked {name}")
    return 0


# -- memory ------------------------------------------------------------------------------

@app.group(section=MANAGE)
def memory() -> None:
    """Import and export translation memories (TMX)."""


def desk_options(f):
    f = option("--newsroom", is_flag=True, help="the newsroom-wide memory")(f)
    return option("--desk", help="the desk whose memory (default: default)")(f)


def _memory_store(desk: str | None, newsroom: bool, config: Path | None, flags: dict):
    """The desk (checked before the store is opened) and the service's store."""
    from .store import Store
    from .store.db import DEFAULT_DESK, NEWSROOM
    from .store.keys import check_desk

    desk = NEWSROOM if newsroom else check_desk(desk or DEFAULT_DESK)
    return desk, Store(_service_settings(config, flags).db_path)


@memory.command("import")
@argument("file", help="a TMX file")
@service_options
@desk_options
def memory_import(file: str, desk: str | None, newsroom: bool, config: Path | None,
                  **flags) -> int:
    """Store a TMX file's pairs (all or nothing)."""
    from .store.memory_tmx import import_tmx

    desk, store = _memory_store(desk, newsroom, config, flags)
    try:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror}") from None
        report = import_tmx(store.memory, data, desk, path.name)
        pairs = ", ".join(f"{pair}: {n}" for pair, n in sorted(report.pairs.items())) or "none"
        print(f"stored {report.stored} pairs in the memory of {desk!r} ({pairs}); "
              f"skipped {report.skipped} units with fewer than two languages")
    finally:
        store.close()
    return 0


@memory.command("export")
@service_options
@option("--source", help="only entries from this language")
@option("--target", help="only entries into this language")
@option("-o", "--output", help="file to write (default: standard output)")
@desk_options
def memory_export(source: str | None, target: str | None, output: str | None,
                  desk: str | None, newsroom: bool, config: Path | None, **flags) -> int:
    """Write the memory as TMX 1.4b."""
    from . import languages as codes
    from .store.memory_tmx import export_tmx

    desk, store = _memory_store(desk, newsroom, config, flags)
    try:
        source = codes.canonical(source) if source else None
        target = codes.canonical(target) if target else None
        body = export_tmx(store.memory, desk, source, target)
        if output:
            atomic_write(Path(output), body)
        else:
            sys.stdout.buffer.write(body)
    finally:
        store.close()
    return 0


# -- glossary ----------------------------------------------------------------------------

@app.group(section=MANAGE)
def glossary() -> None:
    """Manage glossaries (term bases)."""


def _glossary_store(flags: dict):
    from .glossary import GlossaryStore

    settings = _settings(flags)
    return settings, GlossaryStore(settings.glossary_db)


def _pair(text: str | None) -> list[str] | None:
    from . import languages as codes

    if not text:
        return None
    parts = text.replace("_", "-").split("-")
    if len(parts) != 2:
        raise InputError(f"--pair {text!r}: write it as SOURCE-TARGET, e.g. fr-en")
    return [codes.canonical(part) for part in parts]


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


@glossary.command("list")
@option("--format", "fmt", default="text", type=click.Choice(GLOSSARY_LIST_FORMATS))
@settings_options(*GLOSSARIES)
def glossary_list(fmt: str, **flags) -> int:
    """Stored glossaries and default files."""
    from .glossary import files

    settings, store = _glossary_store(flags)
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
    if fmt == "json":
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return 0
    for item in items:
        print(f"{item['name']}\t{item['kind']}\t{item['entries']}\t"
              f"{','.join(item['languages'])}\t{item.get('updated') or item['source']}")
    if not items:
        print(f"no glossaries: none stored, no file in {settings.glossary_dir}", file=sys.stderr)
    return 0


def _write_glossary(name: str, pair_text: str | None, fmt: str | None, output: str | None,
                    flags: dict) -> int:
    """A glossary (its entries of one pair) to stdout, or to ``output``."""
    from .glossary import open_glossary, writers

    settings, _ = _glossary_store(flags)
    pair = _pair(pair_text)
    glossary = _only_pair(open_glossary(name, settings), pair)
    fmt = fmt or (writers.format_for(output) if output else "tsv")
    if output:
        path = writers.save(glossary, output, fmt, pair)
        print(f"wrote {len(glossary.entries)} entries to {path}", file=sys.stderr)
    else:
        sys.stdout.write(writers.dumps(glossary, fmt, pair))
    return 0


@glossary.command("show")
@argument("name", help="stored name, file, or 'default' (the glossary_dir files)")
@option("--pair", help="only the entries of one pair, e.g. fr-en")
@option("--format", "fmt", default="tsv", type=click.Choice(GLOSSARY_FORMATS))
@settings_options(*GLOSSARIES)
def glossary_show(name: str, pair: str | None, fmt: str, **flags) -> int:
    """Print a glossary."""
    return _write_glossary(name, pair, fmt, None, flags)


@glossary.command("import")
@argument("name", help="the name to store it under")
@argument("file", help="a TSV, CSV or TBX file")
@option("--replace", is_flag=True, help="replace a stored glossary")
@option("--accept-conflicts", is_flag=True,
        help="store even with conflicts or duplicate ids (a later entry wins)")
@settings_options("glossary_db")
def glossary_import(name: str, file: str, replace: bool, accept_conflicts: bool,
                    **flags) -> int:
    """Store a TSV/CSV/TBX file under a name."""
    from .glossary import files

    _, store = _glossary_store(flags)
    glossary = files.read_glossary(file, name=name)
    info = store.put(name, glossary, replace=replace, accept_conflicts=accept_conflicts,
                     source=str(file))
    for line in info.warnings[:20]:
        print(f"warning: {line}", file=sys.stderr)
    if len(info.warnings) > 20:
        print(f"warning: {len(info.warnings) - 20} more (translator glossary check "
              f"{file})", file=sys.stderr)
    print(f"imported {info.entries} entries into {info.name} ({', '.join(info.languages)})")
    return 0


@glossary.command("export")
@argument("name", help="stored name, file, or 'default'")
@option("--format", "fmt", type=click.Choice(GLOSSARY_FORMATS),
        help="default: from the -o extension, else tsv")
@option("-o", "--output", help="file to write (default: standard output)")
@option("--pair", help="only the entries of one pair, e.g. fr-en")
@settings_options(*GLOSSARIES)
def glossary_export(name: str, fmt: str | None, output: str | None, pair: str | None,
                    **flags) -> int:
    """Write a glossary as TSV, CSV or TBX."""
    return _write_glossary(name, pair, fmt, output, flags)


@glossary.command("remove")
@argument("name", help="a stored glossary")
@settings_options("glossary_db")
def glossary_remove(name: str, **flags) -> int:
    """Delete a stored glossary."""
    _, store = _glossary_store(flags)
    store.delete(name)
    print(f"removed {name}")
    return 0


@glossary.command("check")
@argument("name", help="file, folder, stored name, or 'default'")
@settings_options(*GLOSSARIES)
def glossary_check(name: str, **flags) -> int:
    """Report bad rows, conflicts and duplicates (exit 1 if any)."""
    settings, _ = _glossary_store(flags)
    lines = _glossary_check(name, settings)
    for line in lines:
        print(line)
    return 1 if lines else 0


@glossary.command("suggest")
@argument("files", nargs=-1, required=True, help="UTF-8 text files (- for stdin)")
@option("--to", required=True, help="target language")
@source_option
@option("--format", "fmt", default="tsv", type=click.Choice(SUGGEST_FORMATS),
        help="tsv: a table; pair: a pair glossary file to edit; json")
@option("--no-check", is_flag=True,
        help="do not translate the documents to see whether each rendering is used (nor "
             "which words stay untranslated)")
@option("--untranslated", type=int, default=50, metavar="N",
        help="list the N most frequent words left untranslated per language (default 50; "
             "0: none)")
@glossary_options
@settings_options(*ENGINE)
def glossary_suggest(files: tuple[str, ...], to: str, source: str, fmt: str, no_check: bool,
                     untranslated: int, extra_glossary: str | None, no_glossary: bool,
                     **flags) -> int:
    """Names not in the glossary, with their engine rendering, and the words the engines
    left untranslated."""
    from .glossary import suggest

    _glossary_store(flags)
    if untranslated < 0:
        raise InputError("--untranslated must be 0 or more")
    texts = [_decode_file(path) for path in files]
    pipeline, glossary = _glossary_pipeline(flags, extra_glossary, no_glossary)
    found = suggest.suggest(pipeline, texts, to, source, glossary=glossary,
                            check_translation=not no_check, untranslated=untranslated)
    if fmt == "json":
        print(json.dumps([s.to_dict() for s in found], ensure_ascii=False, indent=2))
    elif fmt == "pair":
        sys.stdout.write(suggest.to_pair_file(found))
    else:
        sys.stdout.write(suggest.to_tsv(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
