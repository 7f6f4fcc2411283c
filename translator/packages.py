"""Reading model packages from disk: Argos Translate packages and NLLB-style CTranslate2 models.

An Argos package is a folder (or a ``.argosmodel`` zip of one folder) holding
``metadata.json``, ``model/`` (a CTranslate2 model), ``sentencepiece.model`` or
``bpe.model``, and optionally ``target_prefix`` in the metadata.

An NLLB-style model is a CTranslate2 model folder whose vocabulary holds FLORES-200
language tokens (``fra_Latn``); it serves every pair among those languages. It may
sit in a package folder (with ``metadata.json`` of ``"type": "nllb"`` and ``model/``)
or be a bare converted model folder (``model.bin`` next to the SentencePiece model).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

from . import languages
from .errors import BadModelPackage

__all__ = ["ModelPackage", "read_package", "is_package_dir"]

_SPM_NAMES = ("sentencepiece.model", "sentencepiece.bpe.model", "spm.model")
_VOCAB_NAMES = ("shared_vocabulary.json", "shared_vocabulary.txt",
                "source_vocabulary.json", "source_vocabulary.txt")


@dataclass(frozen=True)
class ModelPackage:
    """A model on disk and what it serves. Loading the model is the engine's job."""

    path: Path
    name: str
    kind: str  # "argos" or "nllb"
    model_dir: Path
    pairs: tuple[tuple[str, str], ...]
    version: str = ""
    sp_model: Path | None = None
    bpe_model: Path | None = None
    target_prefix: str = ""
    lang_tokens: dict[str, str] = field(default_factory=dict)  # canonical -> token (nllb)
    metadata: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def languages(self) -> set[str]:
        return {code for pair in self.pairs for code in pair}

    def describe(self) -> dict:
        return {"name": self.name, "kind": self.kind, "version": self.version,
                "path": str(self.path), "pairs": [f"{s}-{t}" for s, t in self.pairs]}


def is_package_dir(path: Path) -> bool:
    """True when ``path`` looks like a model package (not whether it is a valid one)."""
    return path.is_dir() and ((path / "metadata.json").is_file() or (path / "model.bin").is_file())


def read_package(path: Path | str) -> ModelPackage:
    """Read and validate the package folder at ``path``; raise :class:`BadModelPackage`."""
    path = Path(path)
    if not path.is_dir():
        raise BadModelPackage(f"{path}: not a model package folder", path=str(path))
    meta_file = path / "metadata.json"
    if meta_file.is_file():
        metadata = _read_metadata(meta_file)
        if metadata.get("type", "translate") == "nllb":
            return _read_nllb(path, path / "model", metadata)
        return _read_argos(path, metadata)
    if (path / "model.bin").is_file():
        return _read_nllb(path, path, {})
    raise BadModelPackage(f"{path}: no metadata.json and no model.bin", path=str(path))


def _read_metadata(meta_file: Path) -> dict:
    try:
        metadata = json.loads(meta_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadModelPackage(f"{meta_file}: invalid JSON ({exc})", path=str(meta_file)) from None
    if not isinstance(metadata, dict):
        raise BadModelPackage(f"{meta_file}: must hold a JSON object", path=str(meta_file))
    return metadata


def _language(metadata: dict, key: str, where: Path) -> str:
    code = metadata.get(key)
    if not code:
        raise BadModelPackage(f"{where}: metadata.json has no {key}", path=str(where))
    code = languages.maybe_canonical(str(code))
    if code is None:
        raise BadModelPackage(f"{where}: unknown language in {key}: {metadata.get(key)!r}",
                              path=str(where))
    return code


def _check_model_dir(model_dir: Path, where: Path) -> None:
    if not (model_dir / "model.bin").is_file():
        raise BadModelPackage(f"{where}: no CTranslate2 model ({model_dir.name}/model.bin missing)",
                              path=str(where))


def _read_argos(path: Path, metadata: dict) -> ModelPackage:
    kind = metadata.get("type", "translate")
    if kind != "translate":
        raise BadModelPackage(f"{path}: package type {kind!r} is not a translation model",
                              path=str(path))
    source = _language(metadata, "from_code", path)
    target = _language(metadata, "to_code", path)
    model_dir = path / "model"
    _check_model_dir(model_dir, path)
    sp_model = path / "sentencepiece.model"
    bpe_model = path / "bpe.model"
    if not sp_model.is_file() and not bpe_model.is_file():
        raise BadModelPackage(f"{path}: no sentencepiece.model or bpe.model", path=str(path))
    return ModelPackage(
        path=path,
        name=path.name,
        kind="argos",
        model_dir=model_dir,
        pairs=((source, target),),
        version=str(metadata.get("package_version", "")),
        sp_model=sp_model if sp_model.is_file() else None,
        bpe_model=None if sp_model.is_file() else bpe_model,
        target_prefix=str(metadata.get("target_prefix") or ""),
        metadata=metadata,
    )


def _read_nllb(path: Path, model_dir: Path, metadata: dict) -> ModelPackage:
    _check_model_dir(model_dir, path)
    sp_model = next((d / n for d in (model_dir, path) for n in _SPM_NAMES if (d / n).is_file()), None)
    if sp_model is None:
        raise BadModelPackage(f"{path}: no SentencePiece model ({' or '.join(_SPM_NAMES)})",
                              path=str(path))
    vocab = _read_vocabulary(model_dir, path)
    tokens = {}
    for token in vocab:
        if len(token) == 8 and token[3] == "_":
            code = languages.maybe_canonical(token)
            if code and code not in tokens:
                tokens[code] = token
    wanted = metadata.get("languages")
    if wanted:
        tokens = {c: t for c, t in tokens.items() if c in {languages.maybe_canonical(w) for w in wanted}}
    if len(tokens) < 2:
        raise BadModelPackage(f"{path}: vocabulary has fewer than two known language tokens "
                              "(expected NLLB tokens such as fra_Latn)", path=str(path))
    return ModelPackage(
        path=path,
        name=str(metadata.get("name") or path.name),
        kind="nllb",
        model_dir=model_dir,
        pairs=tuple(sorted(permutations(sorted(tokens), 2))),
        version=str(metadata.get("package_version", "")),
        sp_model=sp_model,
        lang_tokens=tokens,
        metadata=metadata,
    )


def _read_vocabulary(model_dir: Path, where: Path) -> list[str]:
    for name in _VOCAB_NAMES:
        file = model_dir / name
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            if name.endswith(".json"):
                try:
                    return list(json.loads(text))
                except json.JSONDecodeError as exc:
                    raise BadModelPackage(f"{file}: invalid JSON ({exc})", path=str(where)) from None
            return text.splitlines()
    raise BadModelPackage(f"{where}: no vocabulary file in {model_dir.name}/", path=str(where))
