"""The --peft options shared by `harness eval`, `harness intermediate` and sweeps."""

from __future__ import annotations

from typing import Annotated

import typer

from harness.adapters import LoraOptions
from harness.errors import HarnessError

Peft = Annotated[
    str,
    typer.Option(
        "--peft",
        help="none: every weight trains; lora: LoRA matrices on the encoder (and the new head) train.",
    ),
]
LoraR = Annotated[int, typer.Option("--lora-r", help="LoRA rank.", min=1)]
LoraAlpha = Annotated[
    float, typer.Option("--lora-alpha", help="LoRA scaling alpha (update scaled by alpha/r).")
]
LoraDropout = Annotated[
    float, typer.Option("--lora-dropout", help="Dropout on the LoRA path.", min=0.0, max=0.99)
]
LoraTargets = Annotated[
    str | None,
    typer.Option(
        "--lora-targets",
        help="Comma-separated module names to adapt (default: peft's choice for the architecture, "
        "e.g. query,value for BERT and XLM-R, q,v for mT5).",
    ),
]


def lora_options(peft: str, r: int, alpha: float, dropout: float, targets: str | None) -> LoraOptions | None:
    if peft not in ("none", "lora"):
        raise HarnessError(f'--peft "{peft}": allowed: none, lora')
    if peft == "none":
        return None
    modules = tuple(t.strip() for t in targets.split(",") if t.strip()) if targets else None
    return LoraOptions(r=r, alpha=alpha, dropout=dropout, target_modules=modules)
