"""Parameter-efficient fine-tuning (LoRA, through peft) on the encoder of any task model.

LoRA goes on the encoder only (the attribute named by `base_model_prefix`, or `encoder` for the
harness's own heads); the task head stays fully trainable, because it starts from scratch. The
same wrapping serves three cases:

- `--peft lora`: fresh LoRA matrices on a full checkpoint (B starts at zero: the encoder computes
  what it did before training);
- a LoRA adapter folder given as `--model`: the base model with the adapter loaded unmerged and
  trainable (STILTs with LoRA: the adapter trained on intermediate tasks, then on the target task);
- `harness intermediate --peft lora`: the adapter that is saved as the intermediate checkpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, ConfigDict, Field

from harness.errors import HarnessError


class LoraOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    r: int = Field(8, ge=1)
    alpha: float = Field(16.0, gt=0)
    dropout: float = Field(0.1, ge=0, lt=1)
    # None: peft's default for the architecture (query and value projections for BERT/XLM-R, q and v
    # for T5/mT5, query_proj and value_proj for DeBERTa)
    target_modules: tuple[str, ...] | None = None


def encoder_attribute(model: torch.nn.Module) -> str:
    """Name of the attribute holding the pretrained encoder under a task head."""
    prefix = getattr(model, "base_model_prefix", "")
    if prefix and hasattr(model, prefix):
        return prefix
    if hasattr(model, "encoder"):  # harness.encoder_heads
        return "encoder"
    raise HarnessError(f"cannot find the encoder of a {type(model).__name__} to put LoRA on")


def lora_encoder(encoder: torch.nn.Module, options: LoraOptions) -> torch.nn.Module:
    """The encoder frozen, with fresh LoRA matrices (a peft model wrapping it)."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=options.r,
        lora_alpha=options.alpha,
        lora_dropout=options.dropout,
        target_modules=list(options.target_modules) if options.target_modules else None,
    )
    try:
        return get_peft_model(encoder, config)
    except ValueError as exc:  # e.g. no default target modules for this architecture
        raise HarnessError(f"--peft lora: {exc}; pass --lora-targets") from None


def add_lora(model: torch.nn.Module, options: LoraOptions) -> torch.nn.Module:
    """Freeze the encoder and add fresh LoRA matrices to it; the head stays trainable."""
    name = encoder_attribute(model)
    setattr(model, name, lora_encoder(getattr(model, name), options))
    return model


def load_adapter(model: torch.nn.Module, adapter: Path, trainable: bool = True) -> torch.nn.Module:
    """Put a saved LoRA adapter on the model's encoder, unmerged (trainable for fine-tuning)."""
    from peft import PeftModel

    name = encoder_attribute(model)
    try:
        wrapped = PeftModel.from_pretrained(getattr(model, name), str(adapter), is_trainable=trainable)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise HarnessError(f"{adapter}: cannot load the adapter onto its base model ({first})") from None
    setattr(model, name, wrapped)
    return model


def parameter_counts(model: torch.nn.Module) -> dict[str, Any]:
    """Trainable and adapter parameters, and the adapter's size on disk (its dtype's bytes)."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    adapter = [p for n, p in model.named_parameters() if "lora_" in n]
    return {
        "total_parameters": sum(p.numel() for p in model.parameters()),
        "trainable_parameters": trainable,
        "adapter_parameters": sum(p.numel() for p in adapter),
        "adapter_bytes": sum(p.numel() * p.element_size() for p in adapter),
    }
