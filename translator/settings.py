"""One settings object, built from defaults, environment variables and flags.

Settings are declared once as data (name, type, default, help); the CLI, the web
app factory and the docs all read this table. Nothing here touches the disk.
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
                raise SettingError(f"{where}={raw!r}: not {'an integer' if self.type is int else 'a number'}") from None
        return self.type(raw)


SETTINGS: tuple[Setting, ...] = (
    Setting("models_dir", Path, "Folder where `translator models install` puts packages."),
    Setting("argos_packages_dir", Path, "argostranslate's package folder, read as well (ARGOS_PACKAGES_DIR)."),
    Setting("index_url", str, "URL of the Argos package index used by `models available/install NAME`."),
    Setting("max_chars", int, "Largest text accepted in one request, in characters."),
    Setting("beam_size", int, "Beam size of CTranslate2 decoding (1 = greedy)."),
    Setting("max_batch_tokens", int, "Tokens per CTranslate2 batch (sorted by length)."),
    Setting("compute_type", str, "CTranslate2 compute type: int8, int8_float32, float32, auto..."),
    Setting("inter_threads", int, "CTranslate2 batches decoded in parallel (0 = one per core)."),
    Setting("intra_threads", int, "Threads per CTranslate2 batch (0 = cores / inter_threads)."),
    Setting("batch_split", int, "Parts a small CTranslate2 input is split into, so parallel replicas "
            "share it (0 = one per inter thread). Ray actors take the driver's, so a chunk is "
            "batched alike wherever it runs."),
    Setting("device", str, "CTranslate2 device: cpu or cuda."),
    Setting("apertium", bool, "Use Apertium pairs installed on the system."),
    Setting("apertium_bin", str, "The apertium command (its folder holds the programs of the modes)."),
    Setting("apertium_data", str, "Apertium's data folder, with modes/*.mode "
            "(empty: $APERTIUM_DATADIR or /usr/share/apertium)."),
    Setting("pivot", str, "Pivot languages in order of preference, comma-separated: among routes of "
            "equal cost, the one through the earliest listed pivot wins (others follow, alphabetically)."),
    Setting("pair_pivot", str, "Pivots for given pairs, before `pivot` and the measured defaults "
            "(fr-en through es, en-fr through ca): e.g. `fr-en:ca,en-fr:es`."),
    Setting("engine", str, "Prefer this engine when several serve a pair: ctranslate2, apertium or auto."),
    Setting("detect_seed", int, "Seed of langdetect, so detection is deterministic."),
    Setting("glossary_dir", Path, "Folder of the default glossary files (*.tsv, *.csv, *.tbx)."),
    Setting("glossary_db", Path, "SQLite file of the named glossaries (translator glossary import)."),
    Setting("glossary", str, "Glossary applied by default: 'default' (every file of glossary_dir), "
            "a stored name, a file, or 'none'."),
    Setting("host", str, "Address `translator serve` listens on (0.0.0.0: every interface)."),
    Setting("port", int, "Port `translator serve` listens on."),
    Setting("workers", int, "Worker processes of `translator serve`; each loads the models once."),
    Setting("worker_threads", int, "Threads per worker: concurrent requests sharing that worker's models."),
    Setting("timeout", int, "Seconds one request may take before its worker is restarted."),
    Setting("db_path", Path, "SQLite file of the service: translation memory, review documents, API keys."),
    Setting("api_keys_required", bool, "Refuse API requests without a valid key (`translator keys add`)."),
    Setting("rate_limit", int, "Requests per minute per API key, or per client address without one (0 = no limit)."),
    Setting("cors_origins", str, "Origins allowed to call the API from a browser: comma-separated, or *; empty = CORS off."),
    Setting("max_request_bytes", int, "Largest HTTP request body accepted, in bytes (413 above)."),
    Setting("batch_wait_ms", float, "Milliseconds the service waits to batch sentences of concurrent requests together (0 = off)."),
    Setting("decode_options", str, "Extra CTranslate2 decoding options as a JSON object (a benchmarking knob: forced lengths)."),
    Setting("batch_chunk_chars", int, "Characters of source text a batch job translates and commits at a time."),
    Setting("jobs_dir", Path, "Folder of the service's batch jobs (uploaded archives, ledgers, results)."),
    Setting("max_upload_bytes", int, "Largest archive accepted by POST /v1/jobs, in bytes."),
    Setting("ray_address", str, "Ray cluster of `translator batch --ray` and the service's jobs: "
            "an address (host:port or ray://...), `auto` (the cluster of `ray start`), `local` (a "
            "Ray started on this machine); empty: batch jobs run in this process."),
    Setting("jobs_chunk_chars", int, "Characters a service batch job translates at a time: small, "
            "so an interactive request never waits long behind a job."),
    Setting("ready_check_seconds", float, "Seconds between the service's checks that every engine "
            "step still translates a test sentence (/health/ready); 0 = only at start."),
    Setting("max_request_chars", int, "Characters one service request may hold over all its texts (413 above)."),
    Setting("max_request_sentences", int, "Sentences one service request may hold over all its texts (413 above)."),
    Setting("desk_concurrency", int, "Translation requests one desk may have running at once in a worker (429 above; 0 = no limit)."),
    Setting("suggestions", bool, "Accept LibreTranslate's POST /suggest: a suggestion is stored as a "
            "reviewed segment in the memory of the key's desk (off: 403, like LibreTranslate's default)."),
    Setting("files_translation", bool, "Serve POST /translate_file and /download_file (LibreTranslate's "
            "--disable-files-translation turns it off)."),
    Setting("files_dir", Path, "Folder of the documents translated by /translate_file, until downloaded "
            "or `files_keep_hours` old."),
    Setting("files_keep_hours", float, "Hours a translated document waits in `files_dir` for its download."),
    Setting("max_file_bytes", int, "Largest document accepted by /translate_file and POST /v1/translate, in bytes."),
)


@dataclass(frozen=True)
class Settings:
    """Every knob of the translator. Build with :meth:`from_env`; override with :meth:`replace`."""

    models_dir: Path = field(default_factory=_default_models_dir)
    argos_packages_dir: Path = field(default_factory=_default_argos_dir)
    index_url: str = ARGOS_INDEX_URL
    max_chars: int = 200_000
    beam_size: int = 2
    max_batch_tokens: int = 2048
    compute_type: str = "int8"
    inter_threads: int = 0
    intra_threads: int = 0
    batch_split: int = 0
    device: str = "cpu"
    apertium: bool = True
    apertium_bin: str = "apertium"
    apertium_data: str = ""
    pivot: str = "en,es"
    pair_pivot: str = ""
    engine: str = "auto"
    detect_seed: int = 0
    glossary_dir: Path = field(default_factory=_default_glossary_dir)
    glossary_db: Path = field(default_factory=_default_glossary_db)
    glossary: str = "default"
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    worker_threads: int = 16
    timeout: int = 300
    db_path: Path = field(default_factory=_default_db_path)
    api_keys_required: bool = False
    rate_limit: int = 0
    cors_origins: str = ""
    max_request_bytes: int = 4 * 1024 * 1024
    batch_wait_ms: float = 20.0
    decode_options: str = ""
    batch_chunk_chars: int = 40_000
    jobs_dir: Path = field(default_factory=_default_jobs_dir)
    max_upload_bytes: int = 512 * 1024 * 1024
    jobs_chunk_chars: int = 6_000
    ray_address: str = ""
    ready_check_seconds: float = 60.0
    max_request_chars: int = 400_000
    max_request_sentences: int = 5_000
    desk_concurrency: int = 0
    suggestions: bool = False
    files_translation: bool = True
    files_dir: Path = field(default_factory=_default_files_dir)
    files_keep_hours: float = 24.0
    max_file_bytes: int = 16 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        """Defaults, then ``TRANSLATOR_<NAME>`` environment variables, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values = {}
        for setting in SETTINGS:
            raw = environ.get(setting.variable)
            if raw is not None and raw != "":
                values[setting.name] = setting.parse(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
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
