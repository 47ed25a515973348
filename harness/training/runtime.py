"""Device, precision and seeding: chosen once per run, used by training and prediction alike."""

from __future__ import annotations

import contextlib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch

from harness.errors import HarnessError
from harness.training.distributed import Dist
from harness.training.sharding import FsdpSettings

Precision = Literal["fp32", "bf16"]


@dataclass(frozen=True)
class Runtime:
    device: torch.device
    precision: Precision
    dist: Dist = field(default_factory=Dist)  # one process unless started by `accelerate launch` / `torchrun`
    # Prediction batches hold up to this many padded tokens (None: the recipe's eval_batch_size).
    prediction_tokens: int | None = None
    # FSDP settings from `accelerate launch` (training shards the model over the processes), or None
    fsdp: FsdpSettings | None = None

    @classmethod
    def detect(cls, device: str = "auto", precision: Precision = "fp32") -> Runtime:
        """CUDA when present, else CPU; fp32, or bf16 autocast on a GPU that supports it.

        An explicit device or precision that this machine does not have is an error, not a silent
        fallback.
        """
        if precision not in ("fp32", "bf16"):
            raise HarnessError(f'--precision "{precision}": allowed: fp32, bf16')
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", device):
            raise HarnessError(f'--device "{device}": allowed: auto, cpu, cuda, cuda:N, mps')
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        dist = Dist.detect(cpu=not device.startswith("cuda"))
        # read before any model loads: transformers reads some of the same variables (sharding.py)
        fsdp = FsdpSettings.from_env() if dist.active else None
        if dist.active and device == "cuda":
            device = f"cuda:{dist.local_rank}"  # one GPU per process
        resolved = torch.device(device)
        if resolved.type == "cuda":
            count = torch.cuda.device_count()
            if count == 0:
                raise HarnessError(f'--device "{device}": CUDA is not available on this machine')
            if resolved.index is not None and resolved.index >= count:
                raise HarnessError(
                    f'--device "{device}": this machine has {count} CUDA device(s), 0 to {count - 1}'
                )
        if resolved.type == "mps" and not torch.backends.mps.is_available():
            raise HarnessError(f'--device "{device}": MPS (Apple GPU) is not available on this machine')
        if resolved.type == "cuda" and resolved.index is not None:
            torch.cuda.set_device(resolved)  # "cuda" alone keeps the current device
        if precision == "bf16" and not (resolved.type == "cuda" and torch.cuda.is_bf16_supported()):
            raise HarnessError(
                f"--precision bf16: {resolved} has no bf16 autocast here (a CUDA GPU that supports bf16 "
                "does); use fp32"
            )
        # 32k tokens per prediction batch on a GPU: measured on an H100, batches of 32 short inputs
        # ran at ~3% MFU and batches of 256 at ~14% (docs/performance.md); prediction is invariant
        # to batch composition up to float rounding
        tokens = 32768 if resolved.type == "cuda" else None
        return cls(resolved, precision, dist, tokens, fsdp)

    @contextlib.contextmanager
    def autocast(self) -> Iterator[None]:
        if self.precision == "bf16":
            with torch.autocast(device_type=self.device.type, dtype=torch.bfloat16):
                yield
        else:
            yield

    def describe(self) -> dict[str, Any]:
        name = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else None
        return {
            "device": str(self.device),
            "precision": self.precision,
            "accelerator": name,
            "processes": self.dist.world,
            "prediction_tokens": self.prediction_tokens,
            "fsdp": self.fsdp.describe() if self.fsdp else None,
        }


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA): head init, dropout and shuffling follow."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def is_out_of_memory(exc: BaseException) -> bool:
    """A CUDA (or other accelerator) out-of-memory error, which a smaller batch may avoid."""
    return isinstance(exc, torch.OutOfMemoryError) or (
        isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower() and "CUDA" in str(exc)
    )


def place(model: torch.nn.Module, runtime: Runtime) -> torch.nn.Module:
    """Move the model to the run's device, unless accelerate spread it over several (device_map)."""
    if getattr(model, "hf_device_map", None):
        return model
    return model.to(runtime.device)
