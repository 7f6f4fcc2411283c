"""One settings object, built from defaults, environment variables and flags.

Each setting is declared once, as a field of :class:`Settings` with its type, default and
help (:func:`setting`); :data:`SETTINGS`, which the environment, the settings file, the
CLI and the docs' tables read, is derived from those fields. Nothing here touches the disk.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path


def _xdg_data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _default_models_dir() -> Path:
    return _xdg_data_home() / "translator" / "models"


def _default_db_path() -> Path:
    return _xdg_data_home() / "translator" / "translator.db"


def _default_jobs_dir() -> Path:
    return _xdg_data_home() / "translator" / "jobs"


def _default_files_dir() -> Path:
    return _xdg_data_home() / "translator" / "files"


def _default_glossary_dir() -> Path:
    # The repository's glossary/ folder (a source checkout or an editable install).
    shipped = Path(__file__).resolve().parent.parent / "glossary"
    return shipped if shipped.is_dir() else _xdg_data_home() / "translator" / "glossary"


def _default_glossary_db() -> Path:
    return _xdg_data_home() / "translator" / "glossaries.sqlite3"


def _default_argos_dir() -> Path:
    # argostranslate's own environment variable wins, as it does for argospm.
    explicit = os.environ.get("ARGOS_PACKAGES_DIR")
    return Path(explicit) if explicit else _xdg_data_home() / "argos-translate" / "packages"


ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"


_TYPES = {"Path": Path, "str": str, "int": int, "float": float, "bool": bool}
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    help: str

    @property
    def variable(self) -> str:
        return "TRANSLATOR_" + self.name.upper()

    def parse(self, raw: str, origin: str | None = None):
        """``raw`` (an environment variable's or a file's text) as this setting's type; a
        value that is not one is a one-line :class:`SettingError` naming ``origin``
        (default: the environment variable) and what was expected."""
        from .errors import SettingError

        where = origin or self.variable
        text = str(raw).strip()
        if self.type is bool:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise SettingError(f"{where}={raw!r}: not a boolean (true or false, yes or no, "
                               "on or off, 1 or 0)")
        if self.type in (int, float):
            try:
                return self.type(text)
            except ValueError:
                expected = "an integer" if self.type is int else "a number"
                raise SettingError(f"{where}={raw!r}: not {expected}") from None
        return self.type(raw)




def setting(default=dataclasses.MISSING, *, help: str, factory=dataclasses.MISSING):
    """A field of :class:`Settings`: its default (or ``factory``) and its help, the one
    place a setting is declared (the environment, the settings file, the CLI's help and
    the docs' tables read it from there: :data:`SETTINGS`)."""
    return field(default=default, default_factory=factory, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of the translator. Build with :meth:`from_env`; override with :meth:`replace`."""

    models_dir: Path = setting(factory=_default_models_dir, help=(
        "Folder where `translator models install` puts packages."))
    argos_packages_dir: Path = setting(factory=_default_argos_dir, help=(
        "argostranslate's package folder, read as well (ARGOS_PACKAGES_DIR)."))
    index_url: str = setting(ARGOS_INDEX_URL, help=(
        "URL of the Argos package index used by `models available/install NAME`."))
    max_chars: int = setting(200_000, help="Largest text accepted in one request, in characters.")
    beam_size: int = setting(2, help="Beam size of CTranslate2 decoding (1 = greedy).")
    max_batch_tokens: int = setting(2048, help="Tokens per CTranslate2 batch (sorted by length).")
    compute_type: str = setting("int8", help=(
        "CTranslate2 compute type: int8, int8_float32, float32, auto..."))
    inter_threads: int = setting(0, help=(
        "CTranslate2 batches decoded in parallel (0 = one per core)."))
    intra_threads: int = setting(0, help=(
        "Threads per CTranslate2 batch (0 = cores / inter_threads)."))
    batch_split: int = setting(0, help=(
        "Parts a small CTranslate2 input is split into, so parallel replicas share it (0 = "
        "one per inter thread). Ray actors take the driver's, so a chunk is batched alike "
        "wherever it runs."))
    device: str = setting("cpu", help="CTranslate2 device: cpu or cuda.")
    apertium: bool = setting(True, help="Use Apertium pairs installed on the system.")
    apertium_bin: str = setting("apertium", help=(
        "The apertium command (its folder holds the programs of the modes)."))
    apertium_data: str = setting("", help=(
        "Apertium's data folder, with modes/*.mode (empty: $APERTIUM_DATADIR or "
        "/usr/share/apertium)."))
    pivot: str = setting("en,es", help=(
        "Pivot languages in order of preference, comma-separated: among routes of equal cost, "
        "the one through the earliest listed pivot wins (others follow, alphabetically)."))
    pair_pivot: str = setting("", help=(
        "Pivots for given pairs, before `pivot` and the measured defaults (fr-en through es, "
        "en-fr through ca): e.g. `fr-en:ca,en-fr:es`."))
    engine: str = setting("auto", help=(
        "Prefer this engine when several serve a pair: ctranslate2, apertium or auto."))
    detect_seed: int = setting(0, help="Seed of langdetect, so detection is deterministic.")
    glossary_dir: Path = setting(factory=_default_glossary_dir, help=(
        "Folder of the default glossary files (*.tsv, *.csv, *.tbx)."))
    glossary_db: Path = setting(factory=_default_glossary_db, help=(
        "SQLite file of the named glossaries (translator glossary import)."))
    glossary: str = setting("default", help=(
        "Glossary applied by default: 'default' (every file of glossary_dir), a stored name, "
        "a file, or 'none'."))
    host: str = setting("127.0.0.1", help=(
        "Address `translator serve` listens on (0.0.0.0: every interface)."))
    port: int = setting(5000, help="Port `translator serve` listens on.")
    workers: int = setting(1, help=(
        "Worker processes of `translator serve`; each loads the models once."))
    worker_threads: int = setting(16, help=(
        "Threads per worker: concurrent requests sharing that worker's models."))
    timeout: int = setting(300, help=(
        "Seconds one request may take before its worker is restarted."))
    db_path: Path = setting(factory=_default_db_path, help=(
        "SQLite file of the service: translation memory, review documents, API keys."))
    api_keys_required: bool = setting(False, help=(
        "Refuse API requests without a valid key (`translator keys add`)."))
    rate_limit: int = setting(0, help=(
        "Requests per minute per API key, or per client address without one (0 = no limit)."))
    cors_origins: str = setting("", help=(
        "Origins allowed to call the API from a browser: comma-separated, or *; empty = CORS "
        "off."))
    max_request_bytes: int = setting(4 * 1024 * 1024, help=(
        "Largest HTTP request body accepted, in bytes (413 above)."))
    batch_wait_ms: float = setting(20.0, help=(
        "Milliseconds the service waits to batch sentences of concurrent requests together (0 "
        "= off)."))
    decode_options: str = setting("", help=(
        "Extra CTranslate2 decoding options as a JSON object (a benchmarking knob: forced "
        "lengths)."))
    batch_chunk_chars: int = setting(40_000, help=(
        "Characters of source text a batch job translates and commits at a time."))
    jobs_dir: Path = setting(factory=_default_jobs_dir, help=(
        "Folder of the service's batch jobs (uploaded archives, ledgers, results)."))
    max_upload_bytes: int = setting(512 * 1024 * 1024, help=(
        "Largest archive accepted by POST /v1/jobs, in bytes."))
    jobs_chunk_chars: int = setting(6_000, help=(
        "Characters a service batch job translates at a time: small, so an interactive "
        "request never waits long behind a job."))
    ray_address: str = setting("", help=(
        "Ray cluster of `translator batch --ray` and the service's jobs: an address "
        "(host:port or ray://...), `auto` (the cluster of `ray start`), `local` (a Ray "
        "started on this machine); empty: batch jobs run in this process."))
    ready_check_seconds: float = setting(60.0, help=(
        "Seconds between the service's checks that every engine step still translates a test "
        "sentence (/health/ready); 0 = only at start."))
    max_request_chars: int = setting(400_000, help=(
        "Characters one service request may hold over all its texts (413 above)."))
    max_request_sentences: int = setting(5_000, help=(
        "Sentences one service request may hold over all its texts (413 above)."))
    desk_concurrency: int = setting(0, help=(
        "Translation requests one desk may have running at once in a worker (429 above; 0 = "
        "no limit)."))
    suggestions: bool = setting(False, help=(
        "Accept LibreTranslate's POST /suggest: a suggestion is stored as a reviewed segment "
        "in the memory of the key's desk (off: 403, like LibreTranslate's default)."))
    files_translation: bool = setting(True, help=(
        "Serve POST /translate_file and /download_file (LibreTranslate's "
        "--disable-files-translation turns it off)."))
    files_dir: Path = setting(factory=_default_files_dir, help=(
        "Folder of the documents translated by /translate_file, until downloaded or "
        "`files_keep_hours` old."))
    files_keep_hours: float = setting(24.0, help=(
        "Hours a translated document waits in `files_dir` for its download."))
    max_file_bytes: int = setting(16 * 1024 * 1024, help=(
        "Largest document accepted by /translate_file and POST /v1/translate, in bytes."))

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        """Defaults, then ``TRANSLATOR_<NAME>`` environment variables, then ``overrides``
        (a variable that an override replaces is not read: a bad value there is no error)."""
        environ = os.environ if environ is None else environ
        values = {k: v for k, v in overrides.items() if v is not None}
        for setting in SETTINGS:
            raw = environ.get(setting.variable)
            if raw is not None and raw != "" and setting.name not in values:
                values[setting.name] = setting.parse(raw)
        return cls(**values)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def threads(self) -> tuple[int, int]:
        """(inter, intra) CTranslate2 threads. One replica per core measured fastest for
        batches here (benchmarks/throughput.py); the engine splits small inputs so every
        replica gets work."""
        cores = os.cpu_count() or 1
        inter = self.inter_threads or cores
        intra = self.intra_threads or max(1, cores // inter)
        return inter, intra

    def split(self) -> int:
        """Parts a small CTranslate2 input is split into (``batch_split``, else one per
        replica). It decides how sentences are padded together, so it travels with a batch
        job's settings to every Ray actor."""
        return self.batch_split or self.threads()[0]

    def pivots(self) -> tuple[str, ...]:
        """``pivot`` as canonical language codes, in order."""
        from . import languages

        return tuple(languages.canonical(code.strip()) for code in self.pivot.split(",")
                     if code.strip())

    def pair_pivots(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """``pair_pivot`` (``fr-en:ca,en-fr:es``) as {(source, target): (pivot,)}."""
        from . import languages
        from .errors import InputError

        found = {}
        for entry in filter(None, (e.strip() for e in self.pair_pivot.split(","))):
            pair, _, pivot = entry.partition(":")
            source, _, target = pair.partition("-")
            if not (source and target and pivot.strip()):
                raise InputError(f"pair_pivot entry {entry!r} is not SOURCE-TARGET:PIVOT, "
                                 "e.g. fr-en:ca")
            found[(languages.canonical(source), languages.canonical(target))] = \
                (languages.canonical(pivot),)
        return found

    def signature(self) -> dict:
        """The settings that change a translation, recorded on every result."""
        signature = {"beam_size": self.beam_size, "compute_type": self.compute_type}
        if self.decode_options.strip():
            signature["decode_options"] = self.extra_decode_options()
        return signature

    def extra_decode_options(self) -> dict:
        """``decode_options`` (a JSON object) as keyword arguments of ``translate_batch``."""
        import json

        from .errors import InputError

        if not self.decode_options.strip():
            return {}
        try:
            options = json.loads(self.decode_options)
        except ValueError as exc:
            raise InputError(f"decode_options is not valid JSON: {exc}") from None
        if not isinstance(options, dict):
            raise InputError("decode_options must be a JSON object, e.g. "
                             '{"min_decoding_length": 32, "max_decoding_length": 32}')
        return options


#: Every setting (name, type, help), read from the fields of :class:`Settings`.
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, _TYPES[f.type], f.metadata["help"]) for f in dataclasses.fields(Settings))
