"""Measured speed of fine-tuning and prediction: examples/s, tokens/s, peak memory and MFU.

Model FLOPs follow Kaplan et al. (2020, "Scaling Laws for Neural Language Models", section 2.1):
a forward pass costs 2 x N FLOPs per token for the N non-embedding parameters plus
2 x layers x context x width for attention; training costs three times the forward pass. Only real
tokens count (padding is wasted work, not model work), so MFU is an honest utilisation figure:
achieved model FLOP/s over the accelerator's dense peak. MFU is reported only for GPUs whose
peak is listed below, in the precision the run used.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from harness.training.runtime import Runtime

# Dense (no sparsity) peak TFLOP/s by precision, from NVIDIA's data sheets. Matched by substring of
# torch.cuda.get_device_name(); the first match wins, so specific names come first.
PEAK_TFLOPS: tuple[tuple[str, dict[str, float]], ...] = (
    ("H200", {"bf16": 989.4, "fp32": 67.0}),  # H200 SXM data sheet
    ("H100 PCIe", {"bf16": 756.0, "fp32": 51.0}),  # H100 PCIe data sheet
    ("H100", {"bf16": 989.4, "fp32": 67.0}),  # H100 SXM data sheet
    ("A100", {"bf16": 312.0, "fp32": 19.5}),  # A100 data sheet (fp32 without TF32)
    ("L40S", {"bf16": 362.05, "fp32": 91.6}),
    ("L4", {"bf16": 121.0, "fp32": 30.3}),
)


def peak_tflops(device: torch.device, precision: str) -> float | None:
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    for key, peaks in PEAK_TFLOPS:
        if key in name:
            return peaks.get(precision)
    return None


def forward_flops_per_token(model: torch.nn.Module, context: float) -> float:
    """2N + 2 x layers x context x width (Kaplan et al. 2020), N without the embedding tables."""
    tables = [m for m in model.modules() if isinstance(m, torch.nn.Embedding)]
    embedding = sum(m.weight.numel() for m in tables)
    params = sum(p.numel() for p in model.parameters()) - embedding
    # the harness's own heads keep the pretrained model (and its config) as `encoder`
    config = getattr(model, "config", None) or getattr(getattr(model, "encoder", None), "config", None)
    layers = getattr(config, "num_hidden_layers", None) or getattr(config, "num_layers", 0) or 0
    width = getattr(config, "hidden_size", None) or getattr(config, "d_model", 0) or 0
    return 2.0 * params + 2.0 * layers * context * width


def peak_memory_mib(device: torch.device) -> float:
    """Peak accelerator memory since the last reset; on the CPU, the process's peak resident set."""
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def reset_peak_memory(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)


@dataclass
class Meter:
    """Counts what one stage (fine-tuning, or prediction) pushed through the model, and how fast."""

    examples: int = 0
    tokens: int = 0  # real tokens (attention mask ones)
    padded_tokens: int = 0  # tokens including padding: the work actually done
    sequences: int = 0
    seconds: float = 0.0
    oom_retries: int = 0  # batches split (or shrunk) after a CUDA out-of-memory error
    _started: float | None = field(default=None, repr=False)

    def start(self) -> None:
        self._started = time.perf_counter()

    def stop(self) -> None:
        if self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self._started = None

    def add_batch(self, batch: dict[str, torch.Tensor], examples: int) -> None:
        self.examples += examples
        mask = batch.get("attention_mask")
        ids = batch.get("input_ids")
        if mask is not None:
            self.tokens += int(mask.sum())
            self.padded_tokens += mask.numel()
            self.sequences += mask.numel() // mask.shape[-1]
        elif ids is not None:
            self.tokens += ids.numel()
            self.padded_tokens += ids.numel()
            self.sequences += ids.numel() // ids.shape[-1]

    def merge(self, other: Meter) -> None:
        for name in ("examples", "tokens", "padded_tokens", "sequences", "seconds", "oom_retries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def summarize(meter: Meter, model: torch.nn.Module, runtime: Runtime, training: bool) -> dict[str, Any]:
    """A Throughput record (harness.results) of one stage, summed over the run's processes."""
    dist = runtime.dist
    examples, tokens, padded, sequences, retries = (
        int(v)
        for v in dist.all_sum(
            [meter.examples, meter.tokens, meter.padded_tokens, meter.sequences, meter.oom_retries]
        )
    )
    seconds = max(dist.all_sum([meter.seconds])[0] / dist.world, 1e-9)  # processes run side by side
    context = tokens / sequences if sequences else 0.0
    flops = forward_flops_per_token(_unwrapped(model), context) * tokens * (3 if training else 1)
    tflops = flops / seconds / 1e12
    peak = peak_tflops(runtime.device, runtime.precision)
    return {
        "examples": examples,
        "tokens": tokens,
        "padded_tokens": padded,
        "seconds": round(seconds, 6),
        "examples_per_second": round(examples / seconds, 3) if examples else None,
        "tokens_per_second": round(tokens / seconds, 3) if tokens else None,
        "peak_memory_mib": round(peak_memory_mib(runtime.device), 1),
        "model_tflops": round(tflops, 4) if tokens else None,
        "mfu": round(tflops / (peak * dist.world), 4) if peak and tokens else None,
        "oom_retries": retries,
        "processes": dist.world,
    }


def _unwrapped(model: torch.nn.Module) -> torch.nn.Module:
    return getattr(model, "module", model)
