"""Checkpoints: resolve what the user passed, check it, hash its weights, load it under a task head.

Any Hugging Face encoder (BERT, XLM-R, mDeBERTa style) loads through the Auto classes. Encoder-decoder
checkpoints (mT5 style) use their Auto head where transformers has one; where it has none (multiple
choice), a small head over the encoder's mean-pooled states is used instead.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from harness.adapters import LoraOptions
from harness.errors import HarnessError
from harness.files import update_with_file
from harness.results.schema import Recipe

Head = Literal["sequence_classification", "multiple_choice", "token_classification", "question_answering"]

_WEIGHT_PATTERNS = ("*.safetensors", "pytorch_model*.bin")
_TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",  # WordPiece (BERT)
    "sentencepiece.bpe.model",  # XLM-R
    "spiece.model",  # T5 / mT5
    "spm.model",  # DeBERTa-v3 / mDeBERTa
    "tokenizer.model",
    "vocab.json",  # byte-level BPE (with merges.txt)
)


@dataclass(frozen=True)
class Checkpoint:
    """A resolved, checked checkpoint folder (a hub id is resolved to its local snapshot)."""

    id: str  # what the user passed
    path: Path
    tokenizer_path: Path
    config: dict[str, Any]
    weight_files: tuple[Path, ...]  # the base model's, then the adapter's
    trust_remote_code: bool = False
    adapter: Path | None = None  # a LoRA adapter folder, loaded unmerged on the base at `path`
    lora: LoraOptions | None = None  # --peft lora: fresh LoRA matrices on the encoder
    recipe: Recipe | None = None  # harness-recipe.json: how `harness intermediate` made it
    # Size-aware loading (multi-billion-parameter checkpoints): weights in bf16 instead of fp32,
    # spread over the GPUs of one machine by accelerate (device_map "auto"), activations recomputed
    # in the backward pass instead of stored (gradient checkpointing).
    dtype: Literal["fp32", "bf16"] = "fp32"
    device_map: str | None = None
    gradient_checkpointing: bool = False

    def load_kwargs(self) -> dict[str, Any]:
        import torch

        # transformers 5 loads in the checkpoint's own dtype by default ("auto"); fine-tuning here
        # is fp32 (with bf16 autocast on GPUs) unless bf16 weights are asked for
        kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if self.dtype == "bf16" else torch.float32}
        if self.device_map is not None:
            kwargs["device_map"] = self.device_map
        return kwargs

    @property
    def is_encoder_decoder(self) -> bool:
        return bool(self.config.get("is_encoder_decoder", False))

    def weights_hash(self) -> str:
        """sha256 over the weight files (name and content), so a changed checkpoint never matches."""
        digest = hashlib.sha256()
        for path in self.weight_files:
            digest.update(path.name.encode())
            update_with_file(digest, path)
        return "sha256:" + digest.hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": str(self.path),
            "tokenizer": str(self.tokenizer_path),
            "model_type": self.config.get("model_type"),
            "architectures": self.config.get("architectures"),
            "is_encoder_decoder": self.is_encoder_decoder,
            "weight_files": [p.name for p in self.weight_files],
            "adapter": str(self.adapter) if self.adapter else None,
            "recipe": self.recipe,
        }

    @property
    def peft(self) -> bool:
        """Whether fine-tuning trains LoRA matrices (and the head) rather than every weight."""
        return self.adapter is not None or self.lora is not None


def resolve_checkpoint(
    model: str, tokenizer: str | None = None, trust_remote_code: bool = False
) -> Checkpoint:
    """Find and check a checkpoint: a local folder, or a hub id (downloaded or already cached).

    A folder holding a LoRA adapter (adapter_config.json, no config.json) resolves to its base
    model (`base_model_name_or_path`, relative to the adapter folder when it is a relative path)
    with the adapter on top; the tokenizer is the adapter folder's when it has one.
    """
    path = _locate(model, "model", _MODEL_FILES)
    adapter: Path | None = None
    if (path / "adapter_config.json").is_file() and not (path / "config.json").is_file():
        adapter, path = path, _adapter_base(path)
    config = _read_config(path)
    weights = tuple(sorted({p for pattern in _WEIGHT_PATTERNS for p in path.glob(pattern)}))
    if not weights:
        raise HarnessError(
            f"{path}: no weights file (model.safetensors, pytorch_model.bin or shards); "
            "is this a checkpoint folder?"
        )
    for weight in weights:
        _check_safetensors(weight) if weight.suffix == ".safetensors" else _check_pickle(weight)
    if adapter is not None:
        adapter_weights = adapter / "adapter_model.safetensors"
        if not adapter_weights.is_file():
            raise HarnessError(f"{adapter}: adapter folder without adapter_model.safetensors")
        _check_safetensors(adapter_weights)
        weights = (*weights, adapter_weights)
    own = adapter or path
    if tokenizer is None and adapter is not None and any((adapter / n).is_file() for n in _TOKENIZER_FILES):
        tokenizer = str(adapter)
    tokenizer_path = _locate(tokenizer, "tokenizer", _TOKENIZER_PATTERNS) if tokenizer else path
    if not any((tokenizer_path / name).is_file() for name in _TOKENIZER_FILES):
        where = "--tokenizer" if tokenizer else "checkpoint"
        raise HarnessError(
            f"{tokenizer_path}: {where} has no tokenizer files ({', '.join(_TOKENIZER_FILES)}); "
            "pass --tokenizer PATH_OR_ID with the tokenizer the model was trained with"
        )
    return Checkpoint(
        id=model,
        path=path,
        tokenizer_path=tokenizer_path,
        config=config,
        weight_files=weights,
        trust_remote_code=trust_remote_code,
        adapter=adapter,
        recipe=_read_recipe(own),
    )


RECIPE_FILE = "harness-recipe.json"


def _read_recipe(folder: Path) -> Recipe | None:
    file = folder / RECIPE_FILE
    if not file.is_file():
        return None
    try:
        recipe = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{file}: corrupt recipe ({exc})") from None
    if not isinstance(recipe, dict):
        raise HarnessError(f"{file}: a recipe is a JSON object")
    try:
        return Recipe.model_validate(recipe)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(p) for p in error["loc"]) or "(top level)"
        problem = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        raise HarnessError(
            f"{file}: {field}: {problem} (not a recipe `harness intermediate` of this version writes)"
        ) from None


def _adapter_base(adapter: Path) -> Path:
    file = adapter / "adapter_config.json"
    try:
        base = json.loads(file.read_text(encoding="utf-8")).get("base_model_name_or_path")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{file}: corrupt adapter config ({exc})") from None
    if not isinstance(base, str) or not base:
        raise HarnessError(f"{file}: base_model_name_or_path is missing; which model is this adapter for?")
    relative = (adapter / base).resolve()
    return _locate(str(relative) if relative.is_dir() else base, "base model of the adapter", _MODEL_FILES)


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


# What a hub snapshot fetches: config, tokenizer and weights for a model; no weights for a tokenizer.
_TOKENIZER_PATTERNS = ["*.json", "*.model", "*.txt"]
_MODEL_FILES = [*_TOKENIZER_PATTERNS, "*.safetensors"]


def _locate(name: str, what: str, patterns: list[str]) -> Path:
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise HarnessError(f"{path}: a {what} must be a folder (Hugging Face format), not a file")
        return path.resolve()
    if not _HUB_ID.match(name):
        raise HarnessError(f"{name}: {what} folder not found")
    return _snapshot(name, what, patterns)


def _snapshot(repo_id: str, what: str, patterns: list[str]) -> Path:
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(repo_id, allow_patterns=patterns))
        # The pickled .bin weights only when the repository has no safetensors (never both: that
        # would double the download).
        if "*.safetensors" in patterns and not any(folder.glob("*.safetensors")):
            folder = Path(
                snapshot_download(repo_id, allow_patterns=[*_TOKENIZER_PATTERNS, "pytorch_model*.bin"])
            )
        return folder
    except Exception as exc:  # offline, unknown repo, gated repo: one line either way
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HarnessError(
            f"{repo_id}: {what} is neither a local folder nor a hub id available here ({first})"
        ) from None


def _read_config(path: Path) -> dict[str, Any]:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise HarnessError(f"{path}: no config.json; a checkpoint folder needs config.json and weights")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{config_file}: corrupt config.json ({exc})") from None
    if not isinstance(config, dict) or "model_type" not in config:
        raise HarnessError(f"{config_file}: field model_type is missing; not a transformers config")
    return config


def _check_safetensors(path: Path) -> None:
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt") as handle:
            handle.keys()
    except (SafetensorError, OSError) as exc:
        raise HarnessError(f"{path}: corrupt weights file ({exc})") from None


def _check_pickle(path: Path) -> None:
    # torch.save's zip format: reading the archive index is cheap and catches truncated files;
    # weights_only refuses arbitrary pickled code.
    import torch

    try:
        torch.load(str(path), map_location="cpu", weights_only=True, mmap=True)
    except Exception as exc:  # torch raises several types for damaged files
        raise HarnessError(f"{path}: corrupt or unsafe weights file ({_first_line(exc)})") from None


def load_tokenizer(checkpoint: Checkpoint) -> Any:
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(
            str(checkpoint.tokenizer_path), trust_remote_code=checkpoint.trust_remote_code
        )
    except Exception as exc:
        raise HarnessError(
            f"{checkpoint.tokenizer_path}: cannot load the tokenizer ({_first_line(exc)})"
        ) from None
    # transformers 5 builds an empty tokenizer rather than failing on a folder without one.
    if len(tokenizer) < 100:
        raise HarnessError(
            f"{checkpoint.tokenizer_path}: tokenizer has only {len(tokenizer)} tokens; corrupt?"
        )
    return tokenizer


def load_model(checkpoint: Checkpoint, head: Head, num_labels: int | None = None) -> Any:
    """Load the checkpoint under a task head; the head is newly initialised (seed first!)."""
    import transformers

    auto = {
        "sequence_classification": transformers.AutoModelForSequenceClassification,
        "multiple_choice": transformers.AutoModelForMultipleChoice,
        "token_classification": transformers.AutoModelForTokenClassification,
        "question_answering": transformers.AutoModelForQuestionAnswering,
    }[head]
    kwargs: dict[str, Any] = {"trust_remote_code": checkpoint.trust_remote_code, **checkpoint.load_kwargs()}
    if num_labels is not None:
        kwargs["num_labels"] = num_labels
    try:
        model, info = auto.from_pretrained(str(checkpoint.path), output_loading_info=True, **kwargs)
    except ValueError as exc:
        if (
            "Unrecognized configuration class" in str(exc)
            and head == "multiple_choice"
            and checkpoint.is_encoder_decoder
        ):
            from harness.encoder_heads import EncoderMultipleChoice

            return _with_peft(checkpoint, EncoderMultipleChoice.from_checkpoint(checkpoint))
        raise HarnessError(
            f"{checkpoint.path}: cannot load under a {head} head ({_first_line(exc)})"
        ) from None
    except Exception as exc:
        if "mismatched_sizes" in str(exc):
            raise HarnessError(
                f"{checkpoint.path}: weight shapes differ from config.json; the weights do not fit its config"
            ) from None
        raise HarnessError(f"{checkpoint.path}: cannot load the model ({_first_line(exc)})") from None
    _check_loaded(checkpoint, model, info)
    if checkpoint.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    return _with_peft(checkpoint, model)


def _with_peft(checkpoint: Checkpoint, model: Any, trainable: bool = True) -> Any:
    from harness.adapters import add_lora, load_adapter

    if checkpoint.adapter is not None:
        return load_adapter(model, checkpoint.adapter, trainable)
    if checkpoint.lora is not None and trainable:
        return add_lora(model, checkpoint.lora)
    return model


def load_encoder(checkpoint: Checkpoint) -> Any:
    """The bare encoder (no task head): AutoModel, or the encoder alone of an encoder-decoder."""
    import transformers

    auto = transformers.AutoModelForTextEncoding if checkpoint.is_encoder_decoder else transformers.AutoModel
    try:
        model, info = auto.from_pretrained(
            str(checkpoint.path),
            output_loading_info=True,
            trust_remote_code=checkpoint.trust_remote_code,
            **checkpoint.load_kwargs(),
        )
    except Exception as exc:
        raise HarnessError(f"{checkpoint.path}: cannot load the encoder ({_first_line(exc)})") from None
    _check_loaded(checkpoint, model, info)
    if checkpoint.adapter is not None:
        from peft import PeftModel

        # embedding only, never trained here: merge the adapter into the weights
        model = PeftModel.from_pretrained(model, str(checkpoint.adapter)).merge_and_unload()
    return model


def _check_loaded(checkpoint: Checkpoint, model: Any, info: dict[str, Any]) -> None:
    # A fresh head is expected to be missing; most of the network missing means the weights do not
    # belong to this architecture (wrong or damaged checkpoint) and would silently train from scratch.
    missing = set(info.get("missing_keys", ()))
    total = len(model.state_dict())
    if total and len(missing) > total / 2:
        raise HarnessError(
            f"{checkpoint.path}: {len(missing)} of {total} weight tensors are missing from the checkpoint; "
            "its weights do not fit its config"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__
