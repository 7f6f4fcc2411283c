"""Shared test fixtures: an isolated environment and synthetic models built once per session.

The models come from :mod:`translator.testing`: real CTranslate2 and SentencePiece
files with hand-set weights. The Argos and NLLB fixtures are *copy models*: they
translate a sentence into itself, so a test can check which output belongs to
which input. Fixture folders are shared by the whole session: copy one before
changing it (``shutil.copytree(argos_fr_en, tmp_path / "pkg")``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from translator import testing
from warm_apertium import warm_apertium  # noqa: F401  (a fixture for the modules that ask)

# Variables of the user's environment that change what the translator (or argostranslate,
# Apertium, Ray) does: the user's folders, a Ray cluster, the terminal's size.
_USER_FOLDERS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR",
                 "APERTIUM_DATADIR", "RAY_USAGE_STATS_ENABLED", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER",
                 "RAY_ADDRESS", "COLUMNS", "LINES")
# The Apertium modes scripts/setup.sh installs: the only ones tests see, whatever else the
# machine has (another pivot such as fra-cat must not change what the tests check).
APERTIUM_MODES = ("fr-es", "es-fr", "spa-eng", "eng-spa")
SYSTEM_APERTIUM = Path("/usr/share/apertium")
# The cache folder of a run, set by its first pytest process (not a TRANSLATOR_ name: the
# settings refuse unknown ones).
_RUN_CACHE = "NEWSROOM_TESTS_RUN_CACHE"
_saved_environment: dict[str, str | None] = {}
_sandbox: list[Path] = []


def pytest_configure(config):
    """Point every user folder at a temporary one before any test module is imported.

    Done here rather than in a fixture so that code run at collection time sees
    the sandbox too; ``TRANSLATOR_*`` settings of the developer's shell are dropped.
    """
    root = Path(tempfile.mkdtemp(prefix="translator-tests-"))
    run_cache = os.environ.get(_RUN_CACHE) if os.environ.get("PYTEST_XDIST_WORKER") else None
    _sandbox.append(root)
    names = set(_USER_FOLDERS) | {_RUN_CACHE} | {k for k in os.environ if k.startswith("TRANSLATOR_")}
    _saved_environment.update({name: os.environ.get(name) for name in names})
    for name in names:
        os.environ.pop(name, None)
    os.environ["XDG_DATA_HOME"] = str(root / "data")
    os.environ["XDG_CONFIG_HOME"] = str(root / "config")
    # What is built once per machine (the Apertium tagger fix, langdetect's tables) is
    # built once per run: pytest-xdist workers share the cache folder of the run's sandbox.
    os.environ["XDG_CACHE_HOME"] = run_cache or str(root / "cache")
    os.environ[_RUN_CACHE] = os.environ["XDG_CACHE_HOME"]
    os.environ["ARGOS_PACKAGES_DIR"] = str(root / "data" / "argos-translate" / "packages")
    os.environ["APERTIUM_DATADIR"] = str(apertium_modes(root / "apertium", APERTIUM_MODES))
    # Ray (tests/test_ray.py): no usage report, and every node of the test cluster on
    # loopback (Ray otherwise resolves 127.0.0.1 to the machine's outward address).
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    # side-by-side views fit the terminal: the same width wherever the tests run (a
    # terminal, a pipe, a pytest-xdist worker)
    os.environ["COLUMNS"], os.environ["LINES"] = "120", "40"


def apertium_modes(folder: Path, modes) -> Path:
    """An Apertium data folder whose ``modes/`` holds just ``modes`` (those installed)."""
    (folder / "modes").mkdir(parents=True, exist_ok=True)
    for mode in modes:
        installed = SYSTEM_APERTIUM / "modes" / f"{mode}.mode"
        if installed.exists():
            (folder / "modes" / installed.name).symlink_to(installed)
    return folder


def pytest_unconfigure(config):
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_environment.clear()
    while _sandbox:
        shutil.rmtree(_sandbox.pop(), ignore_errors=True)


@pytest.fixture(scope="session")
def models_root(tmp_path_factory) -> Path:
    """Session folder holding the synthetic models."""
    return tmp_path_factory.mktemp("synthetic-models")


@pytest.fixture(scope="session")
def sp_model(models_root) -> Path:
    """SentencePiece model (unigram, byte fallback) trained on the built-in fr/en/vi/es text."""
    return testing.train_sentencepiece(None, models_root / "spm" / "spm", vocab_size=1000)


@pytest.fixture(scope="session")
def argos_fr_en(models_root, sp_model) -> Path:
    """Unpacked Argos package folder fr->en holding a copy model."""
    return testing.build_argos_package(models_root / "translate-fr_en", "fr", "en", sp_model=sp_model)


@pytest.fixture(scope="session")
def argos_en_fr(models_root, sp_model) -> Path:
    """Unpacked Argos package folder en->fr holding a copy model."""
    return testing.build_argos_package(models_root / "translate-en_fr", "en", "fr", sp_model=sp_model)


@pytest.fixture(scope="session")
def argos_fr_en_zip(models_root, argos_fr_en) -> Path:
    """The fr->en package as an ``.argosmodel`` zip (one top-level folder)."""
    return testing.zip_package(argos_fr_en, models_root / "zips" / "translate-fr_en.argosmodel")


@pytest.fixture(scope="session")
def argos_random(models_root, sp_model) -> Path:
    """Unpacked Argos package folder fr->en with seeded random weights: meaningless output
    whose every token is a near tie, so any dependence on the batch would show."""
    return testing.build_argos_package(models_root / "translate-fr_en-random", "fr", "en",
                                         sp_model=sp_model, copy=False, seed=11)


@pytest.fixture(scope="session")
def nllb_model(models_root) -> Path:
    """Bare NLLB-style CTranslate2 model folder (fr, en, vi tokens) holding a copy model."""
    return testing.build_nllb_model(models_root / "nllb", ("fr", "en", "vi"))


@pytest.fixture(scope="session")
def ray_cluster():
    """A real Ray cluster of two nodes (one CPU each) on 127.0.0.1, with this process
    connected as its driver: started once, on first use."""
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False})
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, log_to_driver=False)
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()
