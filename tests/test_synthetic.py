"""The synthetic models: accepted by the package reader, loaded by CTranslate2, copying their input."""

from __future__ import annotations

import json
import os
import random
import shutil
import zipfile
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from translator import testing
from translator.errors import BadModelPackage
from translator.packages import read_package
from translator.settings import Settings


def _processor(model: Path) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(model))


def _random_sentences(sp_model: Path, count: int, max_len: int = 60, seed: int = 0) -> list[list[str]]:
    """Random piece sequences (no control pieces), so the copy cannot rely on real text."""
    processor = _processor(sp_model)
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())
              if not processor.is_control(i)]
    rng = random.Random(seed)
    return [[rng.choice(pieces) for _ in range(rng.randint(1, max_len))] for _ in range(count)]


def _translator(model_dir: Path, compute_type: str = "int8") -> ctranslate2.Translator:
    # One thread: on a model this small, thread hand-offs cost more than the maths.
    return ctranslate2.Translator(str(model_dir), device="cpu", compute_type=compute_type,
                                  intra_threads=1)


def _news_sentences(sp_model: Path) -> list[list[str]]:
    return _processor(sp_model).encode(list(testing.TRAINING_TEXT), out_type=str)


# --------------------------------------------------------------------------- environment


def test_user_folders_point_into_a_sandbox():
    home = Path.home().resolve()
    settings = Settings.from_env()
    for folder in (settings.models_dir, settings.argos_packages_dir,
                   Path(os.environ["XDG_DATA_HOME"]), Path(os.environ["ARGOS_PACKAGES_DIR"])):
        assert not folder.resolve().is_relative_to(home / ".local")
        assert "translator-tests-" in str(folder)


# --------------------------------------------------------------------------- SentencePiece


def test_sentencepiece_has_the_tokens_ctranslate2_needs(sp_model):
    processor = _processor(sp_model)
    assert [processor.id_to_piece(i) for i in range(3)] == ["<unk>", "<s>", "</s>"]


def test_sentencepiece_round_trips_unseen_characters(sp_model):
    processor = _processor(sp_model)
    text = "Xin chào, 你好 — Ünïcødé!"
    pieces = processor.encode(text, out_type=str)
    assert "<unk>" not in pieces
    assert processor.decode_pieces(pieces) == text


def test_sentencepiece_needs_some_text(tmp_path):
    with pytest.raises(ValueError):
        testing.train_sentencepiece(["", "  "], tmp_path / "spm", 100)


# --------------------------------------------------------------------------- Argos packages


def test_argos_package_is_read(argos_fr_en, sp_model):
    package = read_package(argos_fr_en)
    assert package.kind == "argos"
    assert package.pairs == (("fr", "en"),)
    assert package.sp_model == argos_fr_en / "sentencepiece.model"
    assert package.model_dir == argos_fr_en / "model"
    metadata = json.loads((argos_fr_en / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["type"] == "translate"
    assert (metadata["from_name"], metadata["to_name"]) == ("French", "English")
    assert (argos_fr_en / "README.md").is_file()
    vocabulary = json.loads((argos_fr_en / "model" / "shared_vocabulary.json").read_text(encoding="utf-8"))
    processor = _processor(sp_model)
    assert vocabulary == [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def test_argos_en_fr_is_read(argos_en_fr):
    assert read_package(argos_en_fr).pairs == (("en", "fr"),)


@pytest.mark.parametrize("beam_size", [1, 2, 4])
def test_copy_model_returns_its_input(argos_fr_en, sp_model, beam_size):
    translator = _translator(argos_fr_en / "model")
    sentences = _random_sentences(sp_model, 60) + _news_sentences(sp_model)
    # Token batches sort sentences by length: a mix-up would show as a wrong copy.
    results = translator.translate_batch(sentences, beam_size=beam_size,
                                         max_batch_size=256, batch_type="tokens")
    assert [r.hypotheses[0] for r in results] == sentences


def test_copy_model_survives_an_explicit_end_token_and_float32(argos_fr_en, sp_model):
    translator = _translator(argos_fr_en / "model", "float32")
    sentences = _random_sentences(sp_model, 10, seed=1)
    results = translator.translate_batch([s + ["</s>"] for s in sentences])
    assert [r.hypotheses[0] for r in results] == sentences


def test_copy_model_attention_is_the_diagonal(argos_fr_en, sp_model):
    translator = _translator(argos_fr_en / "model")
    sentence = _news_sentences(sp_model)[0]
    attention = translator.translate_batch([sentence], return_attention=True)[0].attention[0]
    assert [row.index(max(row)) for row in attention] == list(range(len(sentence)))


def test_copy_model_round_trips_text(argos_fr_en):
    processor = _processor(argos_fr_en / "sentencepiece.model")
    translator = _translator(argos_fr_en / "model")
    texts = ["Le gouvernement a présenté mardi un projet de loi.", "Chính phủ đã công bố.", "你好"]
    results = translator.translate_batch(processor.encode(texts, out_type=str), replace_unknowns=True)
    assert [processor.decode(r.hypotheses[0]) for r in results] == texts


def test_copy_model_with_target_prefix(tmp_path, sp_model):
    package = testing.build_argos_package(tmp_path / "pkg", "en", "de", sp_model=sp_model,
                                            target_prefix="__de__", quantization=None)
    assert read_package(package).target_prefix == "__de__"
    translator = _translator(package / "model")
    sentences = _random_sentences(sp_model, 10, seed=2)
    results = translator.translate_batch(sentences, target_prefix=[["__de__"]] * len(sentences),
                                         beam_size=2)
    assert [r.hypotheses[0] for r in results] == [["__de__", *s] for s in sentences]


def test_random_model_loads_and_decodes(tmp_path, sp_model):
    package = testing.build_argos_package(tmp_path / "pkg", "vi", "en", sp_model=sp_model,
                                            copy=False, seed=3)
    assert read_package(package).pairs == (("vi", "en"),)
    translator = _translator(package / "model")
    result = translator.translate_batch(_news_sentences(sp_model)[:2], min_decoding_length=7,
                                        max_decoding_length=7)
    assert [len(r.hypotheses[0]) for r in result] == [7, 7]


def test_builder_refuses_a_non_empty_folder(tmp_path, sp_model):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        testing.build_argos_package(tmp_path / "pkg", "fr", "en", sp_model=sp_model)
    assert (tmp_path / "pkg" / "keep.txt").read_text() == "mine"


def test_zip_holds_one_top_level_folder(argos_fr_en_zip, argos_fr_en, tmp_path):
    with zipfile.ZipFile(argos_fr_en_zip) as archive:
        assert {Path(name).parts[0] for name in archive.namelist()} == {argos_fr_en.name}
        archive.extractall(tmp_path)
    assert read_package(tmp_path / argos_fr_en.name).pairs == (("fr", "en"),)


def test_base_model_layout_small(tmp_path):
    # The real benchmark model is 6+6 layers, d_model 512; a small one checks the layout fast.
    package = testing.build_base_model(tmp_path / "base", num_layers=1, d_model=64, num_heads=4,
                                         ffn=128, vocab_size=2000)
    assert read_package(package).pairs == (("fr", "en"),)
    vocabulary = json.loads((package / "model" / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert len(vocabulary) == 2000 and vocabulary[:3] == ["<unk>", "<s>", "</s>"]
    assert vocabulary[-1] == "tok01999"
    translator = _translator(package / "model")
    result = translator.translate_batch([["▁Le", "▁gouvernement"]], min_decoding_length=5,
                                        max_decoding_length=5)
    assert len(result[0].hypotheses[0]) == 5


# --------------------------------------------------------------------------- NLLB model


def test_nllb_model_is_read(nllb_model):
    package = read_package(nllb_model)
    assert package.kind == "nllb"
    assert package.lang_tokens == {"fr": "fra_Latn", "en": "eng_Latn", "vi": "vie_Latn"}
    assert set(package.pairs) == {(s, t) for s in ("fr", "en", "vi") for t in ("fr", "en", "vi") if s != t}
    assert package.sp_model == nllb_model / "sentencepiece.bpe.model"


@pytest.mark.parametrize("beam_size", [1, 4])
def test_nllb_copy_model_returns_its_input_after_the_language_token(nllb_model, beam_size):
    processor = _processor(nllb_model / "sentencepiece.bpe.model")
    pieces = processor.encode(list(testing.TRAINING_TEXT), out_type=str)
    translator = _translator(nllb_model)
    results = translator.translate_batch([["fra_Latn", *p, "</s>"] for p in pieces],
                                         target_prefix=[["vie_Latn"]] * len(pieces), beam_size=beam_size)
    assert [r.hypotheses[0] for r in results] == [["vie_Latn", *p] for p in pieces]


# --------------------------------------------------------------------------- malformed packages


def _break_missing_model(package: Path) -> None:
    (package / "model" / "model.bin").unlink()


def _break_metadata_json(package: Path) -> None:
    (package / "metadata.json").write_text('{"from_code": "fr", "to_code": ', encoding="utf-8")


def _break_metadata_not_object(package: Path) -> None:
    (package / "metadata.json").write_text('["fr", "en"]', encoding="utf-8")


def _break_language(package: Path) -> None:
    metadata = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    metadata["from_code"] = "klingon"
    (package / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


def _break_missing_language(package: Path) -> None:
    metadata = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    del metadata["to_code"]
    (package / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


def _break_tokenizer(package: Path) -> None:
    (package / "sentencepiece.model").unlink()


def _break_type(package: Path) -> None:
    metadata = json.loads((package / "metadata.json").read_text(encoding="utf-8"))
    metadata["type"] = "sbd"
    (package / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


@pytest.mark.parametrize("damage", [_break_missing_model, _break_metadata_json, _break_metadata_not_object,
                                    _break_language, _break_missing_language, _break_tokenizer,
                                    _break_type])
def test_malformed_argos_package_is_rejected(argos_fr_en, tmp_path, damage):
    package = Path(shutil.copytree(argos_fr_en, tmp_path / "pkg"))
    damage(package)
    with pytest.raises(BadModelPackage):
        read_package(package)


def _break_nllb_tokenizer(model: Path) -> None:
    (model / "sentencepiece.bpe.model").unlink()


def _break_nllb_vocabulary_json(model: Path) -> None:
    (model / "shared_vocabulary.json").write_text("[\"<s>\", ", encoding="utf-8")


def _break_nllb_language_tokens(model: Path) -> None:
    vocabulary = json.loads((model / "shared_vocabulary.json").read_text(encoding="utf-8"))
    kept = [t for t in vocabulary if t not in ("eng_Latn", "vie_Latn")]
    (model / "shared_vocabulary.json").write_text(json.dumps(kept), encoding="utf-8")


def _break_nllb_vocabulary_missing(model: Path) -> None:
    (model / "shared_vocabulary.json").unlink()


@pytest.mark.parametrize("damage", [_break_nllb_tokenizer, _break_nllb_vocabulary_json,
                                    _break_nllb_language_tokens, _break_nllb_vocabulary_missing])
def test_malformed_nllb_model_is_rejected(nllb_model, tmp_path, damage):
    model = Path(shutil.copytree(nllb_model, tmp_path / "nllb"))
    damage(model)
    with pytest.raises(BadModelPackage):
        read_package(model)


def test_folder_that_is_no_package_is_rejected(tmp_path):
    with pytest.raises(BadModelPackage):
        read_package(tmp_path)
    with pytest.raises(BadModelPackage):
        read_package(tmp_path / "missing")


def test_no_module_of_the_product_imports_translator_testing():
    """translator.testing is for tests, benchmarks and users' tests: the product never
    imports it (read from every module's import statements)."""
    import ast

    import translator

    package = Path(translator.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if path.name == "testing.py" and path.parent == package:
            continue
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: resolve against the importing module's package
                    parts = module.split(".")[:-node.level]  # (a package's is its __init__)
                    base = ".".join(parts + ([base] if base else []))
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            assert "translator.testing" not in names, f"{module} imports translator.testing"
