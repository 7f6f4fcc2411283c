"""Model packages that the repository builds itself, for tests and benchmarks
(``translator.testing``, like ``flask.testing``: part of the package so that the tests,
the benchmarks and a user's own tests can build them, never imported by the product).

No real neural translation weights can be downloaded here, so tests run the real
CTranslate2 and SentencePiece code on models whose weights are written by hand:

* a **copy model** (small Argos package or NLLB-style folder) whose weights are set
  so that greedy or beam decoding returns its input: the translation of sentence *i*
  is sentence *i*, which lets tests check that batches are not mixed up;
* a **random model** (``copy=False``) with seeded random weights;
* a **synthetic transformer-base** Argos package (6+6 layers, d_model 512, 32000
  tokens, random int8 weights) whose decoding cost is that of a real model, for
  benchmarks that force output lengths.

How the copy model works (every sub-layer not named here outputs zero, so the
residual stream only holds what the embeddings put in it)::

    d_model = [ position block: (u_i, -u_i) | token block: token code ]
    u_i     = (cos(w_k i), sin(w_k i))  for head_dim/2 frequencies w_k

* Encoder: token code + position block; the final layer norm only rescales it,
  because both blocks have a fixed norm and zero mean (the ``-u_i`` half cancels
  the mean, so layer norm does not smear position into the token block).
* Decoder embeddings are zero: decoder step *i* holds only its position block.
* Decoder layer 0 cross-attention: every head compares ``u_i`` (query) with
  ``u_j`` (key) with a large gain, so step *i* attends to source position
  *i - shift* alone; the values carry that source token's code into the token
  block with a gain that makes it dominate after the final layer norm.
* The output projection scores every vocabulary entry by the cosine of its code
  with the token block, so the attended source token wins by a wide margin.

Step 0 of the decoder is the start token, whose output is the first target token,
so with no target prefix step *i* copies source position *i* (``shift = 0``) and
the source's final ``</s>`` ends the output. Argos sources carry no ``</s>``, so
the Argos copy model sets ``add_source_eos`` in its config and CTranslate2 appends
it (an explicit ``</s>`` from the caller is harmless: it is copied as the end).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from .languages import canonical, name as language_name, nllb_code

__all__ = [
    "TRAINING_TEXT",
    "train_sentencepiece",
    "build_argos_package",
    "build_nllb_model",
    "build_base_model",
    "zip_package",
]

# News-like sentences in four languages, written for this module, so the
# SentencePiece models have realistic pieces (accents, Vietnamese tones).
TRAINING_TEXT: tuple[str, ...] = (
    "Le gouvernement a présenté mardi un projet de loi sur la réforme des retraites.",
    "Les députés examineront le texte en commission avant la fin du mois.",
    "La ville de Lyon a inauguré une nouvelle ligne de tramway ce week-end.",
    "Selon l'Insee, l'inflation a ralenti à 2,3 % sur un an en septembre.",
    "Des orages violents ont provoqué des inondations dans le sud-ouest du pays.",
    "Le ministre de la Santé a annoncé l'ouverture de dix nouveaux centres médicaux.",
    "L'équipe de France s'est qualifiée pour la finale après une victoire 2 à 1.",
    "Les négociations entre les syndicats et la direction reprendront jeudi.",
    "Un incendie a détruit un entrepôt près du port de Marseille dans la nuit.",
    "Le festival de cinéma attire chaque année des milliers de visiteurs.",
    "The government presented a bill on pension reform on Tuesday.",
    "Lawmakers will examine the text in committee before the end of the month.",
    "The city of Lyon opened a new tram line this weekend.",
    "According to official figures, inflation slowed to 2.3% over a year in September.",
    "Violent storms caused flooding in the south-west of the country.",
    "The health minister announced the opening of ten new medical centres.",
    "The national team reached the final after a 2-1 victory.",
    "Talks between the unions and the management will resume on Thursday.",
    "A fire destroyed a warehouse near the port of Marseille overnight.",
    "The film festival attracts thousands of visitors every year.",
    "Chính phủ đã trình dự luật về cải cách lương hưu vào thứ Ba.",
    "Các đại biểu sẽ xem xét văn bản tại ủy ban trước cuối tháng.",
    "Thành phố Hà Nội vừa khánh thành một tuyến tàu điện mới vào cuối tuần.",
    "Theo số liệu chính thức, lạm phát đã giảm xuống 2,3% trong tháng Chín.",
    "Mưa bão lớn đã gây ngập lụt ở nhiều tỉnh miền Trung.",
    "Bộ trưởng Bộ Y tế thông báo mở thêm mười trung tâm y tế mới.",
    "Đội tuyển quốc gia đã vào chung kết sau chiến thắng 2-1.",
    "Cuộc đàm phán giữa công đoàn và ban lãnh đạo sẽ tiếp tục vào thứ Năm.",
    "Một vụ hỏa hoạn đã thiêu rụi một nhà kho gần cảng Hải Phòng trong đêm.",
    "Liên hoan phim thu hút hàng nghìn khách tham quan mỗi năm.",
    "El gobierno presentó el martes un proyecto de ley sobre la reforma de las pensiones.",
    "Los diputados examinarán el texto en comisión antes de que termine el mes.",
    "La ciudad de Sevilla inauguró una nueva línea de tranvía este fin de semana.",
    "Según las cifras oficiales, la inflación bajó al 2,3 % interanual en septiembre.",
    "Fuertes tormentas provocaron inundaciones en el suroeste del país.",
    "El ministro de Sanidad anunció la apertura de diez nuevos centros médicos.",
    "La selección nacional se clasificó para la final tras ganar 2 a 1.",
    "Las negociaciones entre los sindicatos y la dirección se reanudarán el jueves.",
    "Un incendio destruyó un almacén cerca del puerto de Valencia durante la noche.",
    "El festival de cine atrae cada año a miles de visitantes.",
)

_CONTROL = ("<unk>", "<s>", "</s>")
_BYTE_PIECES = 256
_MAX_POSITIONS = 1024  # CTranslate2 truncates sources to 1024 tokens by default.
_ATTENTION_MARGIN = 40.0  # score gap between the aligned source position and any other
_LOGIT_MARGIN = 30.0  # logit gap between the copied token and the nearest other token
_TOKEN_OVER_POSITION = 10.0  # how much the copied token outweighs position after attention


# --------------------------------------------------------------------------- SentencePiece


def train_sentencepiece(texts: Iterable[str] | None, out_prefix: Path, vocab_size: int = 1000,
                        *, model_type: str = "unigram", byte_fallback: bool = True) -> Path:
    """Train a SentencePiece model on ``texts`` (None: :data:`TRAINING_TEXT`); return the .model path.

    ``vocab_size`` is an upper bound: on a small text the trainer stops earlier
    (``hard_vocab_limit=False``), and it is raised to what the text's characters need.
    Pieces 0, 1, 2 are ``<unk>``, ``<s>``, ``</s>``, the tokens CTranslate2 expects.
    Byte fallback spells unseen characters as bytes, so any text round-trips.
    """
    import sentencepiece as spm

    lines = [line for line in (TRAINING_TEXT if texts is None else texts) if line.strip()]
    if not lines:
        raise ValueError("train_sentencepiece needs at least one non-empty line")
    out_prefix = Path(out_prefix)
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=str(out_prefix),
        vocab_size=max(vocab_size, _min_vocab_size(lines, byte_fallback)),
        model_type=model_type,
        hard_vocab_limit=False,
        character_coverage=1.0,
        byte_fallback=byte_fallback,
        # Keep <s> as a piece: it is the Argos models' decoder start token.
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        num_threads=1,  # one thread: the same text always gives the same model
        minloglevel=2,
    )
    return out_prefix.with_suffix(".model")


def _min_vocab_size(lines: Sequence[str], byte_fallback: bool) -> int:
    # Every character must get a piece (character_coverage=1.0), plus "▁", the
    # control pieces and, with byte fallback, the 256 byte pieces.
    chars = {c for line in lines for c in line if not c.isspace()}
    return len(chars) + 1 + len(_CONTROL) + (_BYTE_PIECES if byte_fallback else 0)


def _pieces(sp_model: Path) -> list[str]:
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_file=str(sp_model))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    missing = [t for t in _CONTROL if t not in pieces]
    if missing:
        raise ValueError(f"{sp_model}: SentencePiece model lacks {missing} (CTranslate2 needs them)")
    return pieces


@contextmanager
def _sentencepiece(sp_model: Path | None, vocab_size: int, model_type: str) -> Iterator[Path]:
    """The given SentencePiece model, or one trained on :data:`TRAINING_TEXT` in a temporary folder."""
    if sp_model is not None:
        yield Path(sp_model)
        return
    with tempfile.TemporaryDirectory(prefix="synthetic-spm-") as work_dir:
        yield train_sentencepiece(None, Path(work_dir) / "spm", vocab_size, model_type=model_type)


# --------------------------------------------------------------------------- packages


def build_argos_package(dest: Path, from_code: str, to_code: str, *, sp_model: Path | None = None,
                        num_layers: int = 2, d_model: int = 64, num_heads: int = 4, ffn: int = 128,
                        vocab_size: int = 1000, quantization: str | None = "int8", seed: int = 0,
                        copy: bool = True, target_prefix: str = "") -> Path:
    """Write an unpacked Argos Translate package folder at ``dest`` and return it.

    With ``copy=True`` the model translates a sentence into itself (see the module
    docstring); with ``target_prefix`` the copy skips that forced first token.
    """
    dest = _new_dir(dest)
    from_code, to_code = canonical(from_code), canonical(to_code)
    with _sentencepiece(sp_model, vocab_size, "unigram") as sp_file:
        vocab = _pieces(sp_file)
        _install_sp_model(sp_file, dest / "sentencepiece.model")
    if target_prefix and target_prefix not in vocab:
        vocab.append(target_prefix)  # the prefix token is forced, so it must be in the vocabulary
    config = _ModelConfig(vocab, num_layers, d_model, num_heads, ffn, seed)
    if copy:
        spec = _copy_spec(config, shift=1 if target_prefix else 0)
        spec.config.add_source_eos = True  # Argos callers pass no </s>; the copy needs it to stop
    else:
        spec = _random_spec(config)
    _save(spec, dest / "model", quantization)
    _write_argos_files(dest, from_code, to_code, target_prefix,
                       description="copy model: translates text into itself" if copy
                       else "random weights: output is meaningless")
    return dest


def build_nllb_model(dest: Path, languages: Sequence[str] = ("fr", "en", "vi"), *,
                     sp_model: Path | None = None, num_layers: int = 2, d_model: int = 64,
                     num_heads: int = 4, ffn: int = 128, vocab_size: int = 1000,
                     quantization: str | None = "int8", seed: int = 0, copy: bool = True) -> Path:
    """Write a bare NLLB-style converted CTranslate2 model folder at ``dest`` and return it.

    The vocabulary is NLLB's layout (``<s> <pad> </s> <unk>``, the pieces, FLORES-200
    language tokens such as ``fra_Latn``, ``<mask>``). Input is ``[src_lang] + pieces +
    ["</s>"]`` with ``target_prefix=[[tgt_lang]]``; the copy model then returns
    ``[tgt_lang] + pieces``: the source language token and the forced target language
    token sit at the same position, so piece *k* lines up with piece *k*.
    Without a target prefix the output is ``[src_lang] + pieces``.
    """
    dest = _new_dir(dest)
    lang_tokens = [nllb_code(code) for code in languages]
    with _sentencepiece(sp_model, vocab_size, "bpe") as sp_file:
        pieces = [p for p in _pieces(sp_file) if p not in _CONTROL]
        _install_sp_model(sp_file, dest / "sentencepiece.bpe.model")
    vocab = ["<s>", "<pad>", "</s>", "<unk>", *pieces, *dict.fromkeys(lang_tokens), "<mask>"]
    config = _ModelConfig(vocab, num_layers, d_model, num_heads, ffn, seed)
    spec = _copy_spec(config, shift=0) if copy else _random_spec(config)
    # NLLB decoding starts from </s>, then the forced target language token.
    spec.config.decoder_start_token = "</s>"
    _save(spec, dest, quantization)
    return dest


def build_base_model(dest: Path, from_code: str = "fr", to_code: str = "en", *,
                     sp_model: Path | None = None, num_layers: int = 6, d_model: int = 512,
                     num_heads: int = 8, ffn: int = 2048, vocab_size: int = 32000,
                     quantization: str | None = "int8", seed: int = 0) -> Path:
    """Write a synthetic transformer-base Argos package (random weights) for benchmarks.

    A 32000-piece SentencePiece model cannot be trained on a small text, so the
    vocabulary is the pieces of a small model followed by filler tokens
    ``tok00400`` ... up to ``vocab_size``. Output is meaningless: benchmarks force
    lengths with ``min_decoding_length``/``max_decoding_length``. About 60 MB in int8.
    """
    dest = _new_dir(dest)
    from_code, to_code = canonical(from_code), canonical(to_code)
    with _sentencepiece(sp_model, 1000, "unigram") as sp_file:
        pieces = _pieces(sp_file)
        _install_sp_model(sp_file, dest / "sentencepiece.model")
    vocab = pieces + [f"tok{i:05d}" for i in range(len(pieces), vocab_size)]
    spec = _random_spec(_ModelConfig(vocab, num_layers, d_model, num_heads, ffn, seed),
                        tie_embeddings=True)
    _save(spec, dest / "model", quantization)
    _write_argos_files(dest, from_code, to_code, "",
                       description=f"synthetic transformer-base ({num_layers}+{num_layers} layers, "
                                   f"d_model {d_model}, {len(vocab)} tokens), random weights")
    return dest


def zip_package(package_dir: Path, out: Path) -> Path:
    """Zip ``package_dir`` into an ``.argosmodel`` file holding one top-level folder."""
    package_dir, out = Path(package_dir), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(package_dir.rglob("*")):
            if file.is_file():
                archive.write(file, Path(package_dir.name) / file.relative_to(package_dir))
    return out


def _new_dir(dest: Path) -> Path:
    # Refuse to write into a non-empty folder: spec.save would mix two models.
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    return dest


def _install_sp_model(sp_model: Path, target: Path) -> None:
    shutil.copyfile(sp_model, target)


def _write_argos_files(dest: Path, from_code: str, to_code: str, target_prefix: str,
                       description: str) -> None:
    metadata = {
        "package_version": "0.0.1",
        "argos_version": "1.9.0",
        "from_code": from_code,
        "from_name": language_name(from_code),
        "to_code": to_code,
        "to_name": language_name(to_code),
        "type": "translate",
        "description": f"Synthetic test package built by translator.testing ({description})",
    }
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    (dest / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    (dest / "README.md").write_text(
        f"# Synthetic {language_name(from_code)} -> {language_name(to_code)} package\n\n"
        f"Built by `translator.testing` for tests: {description}.\n"
        "Not a translation model; do not install it for real use.\n", encoding="utf-8")


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True)
class _ModelConfig:
    vocab: list[str]
    num_layers: int
    d_model: int
    num_heads: int
    ffn: int
    seed: int

    @property
    def head_dim(self) -> int:
        return self.d_model // self.num_heads


def _new_spec(config: _ModelConfig):
    import ctranslate2

    if config.d_model % config.num_heads:
        raise ValueError(f"d_model {config.d_model} is not a multiple of num_heads {config.num_heads}")
    return ctranslate2.specs.TransformerSpec.from_config(config.num_layers, config.num_heads)


def _fill(spec, config: _ModelConfig, make: Callable[[tuple[int, ...]], np.ndarray]) -> None:
    """Set every weight of ``spec``: linear weights from ``make(shape)``, layer norms to identity."""
    d, ffn, vocab_size = config.d_model, config.ffn, len(config.vocab)

    def norm(layer_norm):
        layer_norm.gamma = np.ones(d, np.float32)
        layer_norm.beta = np.zeros(d, np.float32)

    def attention(att, self_attention: bool):
        norm(att.layer_norm)
        shapes = [(3 * d, d), (d, d)] if self_attention else [(d, d), (2 * d, d), (d, d)]
        for linear, shape in zip(att.linear, shapes):
            linear.weight = make(shape)

    def feed_forward(ff):
        norm(ff.layer_norm)
        ff.linear_0.weight = make((ffn, d))
        ff.linear_1.weight = make((d, ffn))

    for stack in (spec.encoder, spec.decoder):
        norm(stack.layer_norm)
        for layer in stack.layer:
            attention(layer.self_attention, self_attention=True)
            if hasattr(layer, "attention"):
                attention(layer.attention, self_attention=False)
            feed_forward(layer.ffn)
    spec.encoder.embeddings[0].weight = make((vocab_size, d))
    spec.decoder.embeddings.weight = make((vocab_size, d))
    spec.decoder.projection.weight = make((vocab_size, d))
    spec.register_source_vocabulary(config.vocab)
    spec.register_target_vocabulary(config.vocab)


def _random_spec(config: _ModelConfig, tie_embeddings: bool = False):
    """A spec with seeded random weights scaled by 1/sqrt(fan_in), so activations stay tame."""
    rng = np.random.default_rng(config.seed)

    def make(shape):
        return (rng.standard_normal(shape, dtype=np.float32) / np.sqrt(shape[-1])).astype(np.float32)

    spec = _new_spec(config)
    _fill(spec, config, make)
    if tie_embeddings:
        # One matrix for both embeddings and the output layer: saved once (aliased).
        shared = spec.encoder.embeddings[0].weight
        spec.decoder.embeddings.weight = shared
        spec.decoder.projection.weight = shared
    return spec


def _save(spec, model_dir: Path, quantization: str | None) -> None:
    spec.validate()
    spec.optimize(quantization=quantization)
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))


# --------------------------------------------------------------------------- the copy model


def _copy_spec(config: _ModelConfig, shift: int = 0):
    """A spec whose decoder step *i* outputs source token *i - shift* (module docstring)."""
    layout = _CopyLayout.of(config)
    rng = np.random.default_rng(config.seed)
    spec = _new_spec(config)
    _fill(spec, config, lambda shape: np.zeros(shape, np.float32))

    frequencies, offpeak = _position_frequencies(layout.num_frequencies, _MAX_POSITIONS, rng)
    positions = layout.position_rows(frequencies, _MAX_POSITIONS + shift + 2)
    codes = _token_codes(len(config.vocab), layout.token_dims, rng)

    # CTranslate2 multiplies embeddings by sqrt(d_model); divide so the sum is as designed.
    spec.encoder.embeddings[0].weight = layout.token_rows(codes) / np.sqrt(config.d_model)
    spec.encoder.position_encodings.encodings = positions
    spec.decoder.position_encodings.encodings = positions
    # Decoder embeddings stay zero: the output depends on position and source only.

    _set_copy_attention(spec.decoder, layout, frequencies, offpeak, shift)
    max_cosine = _max_cosine(codes)
    if max_cosine > 0.95:  # two tokens nearly share a code: the copy could confuse them
        raise ValueError(f"vocabulary of {len(config.vocab)} tokens is too large for a copy model "
                         f"with d_model {config.d_model}; raise d_model")
    gain = _LOGIT_MARGIN / (np.sqrt(config.d_model) * (1.0 - max_cosine))
    spec.decoder.projection.weight = layout.token_rows(codes) * np.float32(gain)
    return spec


@dataclass(frozen=True)
class _CopyLayout:
    """Where position and token codes live in the model dimension."""

    d_model: int
    num_heads: int

    @classmethod
    def of(cls, config: _ModelConfig) -> "_CopyLayout":
        if config.num_heads < 3 or config.head_dim % 2:
            raise ValueError("the copy model needs num_heads >= 3 and an even head size")
        return cls(config.d_model, config.num_heads)

    @property
    def head_dim(self) -> int:
        return self.d_model // self.num_heads

    @property
    def num_frequencies(self) -> int:
        return self.head_dim // 2

    @property
    def position_dims(self) -> int:
        return 2 * self.head_dim  # (u, -u): zero mean, so layer norm only rescales

    @property
    def token_dims(self) -> int:
        return self.d_model - self.position_dims

    @property
    def value_heads(self) -> int:
        return self.token_dims // self.head_dim

    def position_rows(self, frequencies: np.ndarray, count: int) -> np.ndarray:
        u = _position_code(frequencies, np.arange(count))
        rows = np.zeros((count, self.d_model), np.float32)
        rows[:, : self.head_dim] = u
        rows[:, self.head_dim: self.position_dims] = -u
        return rows

    def token_rows(self, codes: np.ndarray) -> np.ndarray:
        # Same norm as a position block (sqrt(head_dim)), so both weigh equally in the encoder.
        rows = np.zeros((codes.shape[0], self.d_model), np.float32)
        rows[:, self.position_dims:] = codes * np.sqrt(self.head_dim)
        return rows


def _position_code(frequencies: np.ndarray, positions: np.ndarray) -> np.ndarray:
    angles = np.outer(positions, frequencies)
    return np.concatenate([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)


def _position_frequencies(count: int, max_distance: int, rng: np.random.Generator,
                          trials: int = 200) -> tuple[np.ndarray, float]:
    """Frequencies whose codes are least alike between distinct positions up to ``max_distance``.

    ``u_i . u_j = sum_k cos(w_k (i - j))`` peaks at ``count`` when i == j; random
    frequencies keep every other distance well below (geometric sinusoid
    frequencies do not: their low frequencies make neighbours look alike).
    Returns the frequencies and the largest off-peak similarity.
    """
    distances = np.arange(1, max_distance + 1)
    best, best_peak = None, np.inf
    for _ in range(trials):
        frequencies = rng.uniform(0.05, np.pi, count)
        peak = float(np.cos(np.outer(distances, frequencies)).sum(axis=1).max())
        if peak < best_peak:
            best, best_peak = frequencies, peak
    return best, best_peak


def _token_codes(vocab_size: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """One zero-mean unit vector per token (zero mean: layer norm leaves them alone)."""
    codes = rng.standard_normal((vocab_size, dims))
    codes -= codes.mean(axis=1, keepdims=True)
    codes /= np.linalg.norm(codes, axis=1, keepdims=True)
    return codes.astype(np.float32)


def _max_cosine(codes: np.ndarray, chunk: int = 2048) -> float:
    """Largest cosine between two distinct token codes (how close the nearest rival is)."""
    worst = -1.0
    for start in range(0, len(codes), chunk):
        block = codes[start: start + chunk] @ codes.T
        np.fill_diagonal(block[:, start: start + chunk], -1.0)
        worst = max(worst, float(block.max()))
    return worst


def _set_copy_attention(decoder, layout: _CopyLayout, frequencies: np.ndarray, offpeak: float,
                        shift: int) -> None:
    """Cross-attention that moves source token *i - shift* into decoder step *i*.

    Every decoder layer attends to the aligned position, so the attention that
    CTranslate2 returns (last layer) is a clean alignment, and ``replace_unknowns``
    picks the right source token; only layer 0 writes the token into the stream.
    """
    d, hd = layout.d_model, layout.head_dim
    # Layer norms only rescale (zero-mean inputs of known norm): the decoder input
    # of layer 0 is a position block, of later layers position + copied token;
    # the encoder output is position + token blocks.
    encoder_scale = np.sqrt(d / (2 * hd))
    first_scale = np.sqrt(d / hd)
    later_scale = np.sqrt(d / (hd * (1 + _TOKEN_OVER_POSITION ** 2)))
    keys_gain = np.sqrt(_ATTENTION_MARGIN * np.sqrt(hd) / (encoder_scale * (layout.num_frequencies - offpeak)))

    read_u = _read_position_code(layout)
    queries_map = _rotation(frequencies, shift) @ read_u
    for index, layer in enumerate(decoder.layer):
        # Scores are divided by sqrt(head_dim) by CTranslate2; the gains make the
        # aligned position beat every other one by _ATTENTION_MARGIN.
        query_gain = _ATTENTION_MARGIN * np.sqrt(hd) / (
            keys_gain * encoder_scale * (first_scale if index == 0 else later_scale)
            * (layout.num_frequencies - offpeak))
        query, keys = np.zeros((d, d), np.float32), np.zeros((d, d), np.float32)
        for head in range(layout.num_heads):
            rows = slice(head * hd, (head + 1) * hd)
            query[rows] = query_gain * queries_map
            keys[rows] = keys_gain * read_u
        values, output = _copy_values(layout, encoder_scale) if index == 0 else (
            np.zeros((d, d), np.float32), np.zeros((d, d), np.float32))
        layer.attention.linear[0].weight = query
        layer.attention.linear[1].weight = np.concatenate([keys, values])
        layer.attention.linear[2].weight = output


def _read_position_code(layout: _CopyLayout) -> np.ndarray:
    """Matrix reading u back from a (u, -u) position block."""
    hd = layout.head_dim
    read = np.zeros((hd, layout.d_model), np.float32)
    read[:, :hd] = 0.5 * np.eye(hd)
    read[:, hd: 2 * hd] = -0.5 * np.eye(hd)
    return read


def _rotation(frequencies: np.ndarray, shift: int) -> np.ndarray:
    """Rotating each (cos, sin) pair by -w*shift turns u_i into u_(i - shift)."""
    nf = len(frequencies)
    cos, sin = np.cos(frequencies * shift), np.sin(frequencies * shift)
    rotate = np.zeros((2 * nf, 2 * nf), np.float32)
    rotate[:nf, :nf] = np.diag(cos)
    rotate[:nf, nf:] = np.diag(sin)
    rotate[nf:, :nf] = np.diag(-sin)
    rotate[nf:, nf:] = np.diag(cos)
    return rotate


def _copy_values(layout: _CopyLayout, encoder_scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Value and output projections carrying the attended token code, chunk by chunk per head."""
    d, hd = layout.d_model, layout.head_dim
    values, output = np.zeros((d, d), np.float32), np.zeros((d, d), np.float32)
    # Gain: the copied token outweighs the position block by _TOKEN_OVER_POSITION.
    gain = _TOKEN_OVER_POSITION / encoder_scale
    for head in range(layout.value_heads):
        rows = slice(head * hd, (head + 1) * hd)
        token_slice = slice(layout.position_dims + head * hd, layout.position_dims + (head + 1) * hd)
        values[rows, token_slice] = np.eye(hd)
        output[token_slice, rows] = gain * np.eye(hd)
    return values, output
