"""Data parallelism across processes started by `accelerate launch` or `torchrun`.

Accelerate's PartialState sets up the process group (NCCL on GPUs, gloo on CPUs) and the device of
each process; the harness does the rest by hand because its loops have needs the generic wrappers
do not meet:

- fine-tuning: every process walks the same seeded batch order and takes its slice of each global
  batch; each slice's loss is weighted by its share of the global batch, and the summed gradients
  are all-reduced once per optimizer step. The effective batch, and hence the recipe, is the same
  for any number of processes, and a process that split its slice after an out-of-memory error
  (see loop.py) still meets the others at the same single collective.
- prediction: each process predicts a contiguous share of the examples, and the outputs are
  gathered back into input order, each example exactly once (no padding of the last batch, no
  duplicates to drop).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch


def part(count: int, parts: int, index: int) -> range:
    """The `index`-th of `parts` contiguous pieces of range(count), sizes differing by at most one."""
    base, extra = divmod(count, parts)
    start = index * base + min(index, extra)
    return range(start, start + base + (1 if index < extra else 0))


@dataclass(frozen=True)
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1

    @classmethod
    def detect(cls, cpu: bool) -> Dist:
        """One process unless a launcher set WORLD_SIZE > 1; then join its process group."""
        if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
            return cls()
        from accelerate import PartialState

        state = PartialState(cpu=cpu)
        return cls(state.process_index, state.num_processes, state.local_process_index)

    def barrier(self) -> None:
        if self.active:
            torch.distributed.barrier()

    def share(self, count: int) -> range:
        """This process's contiguous share of `count` items (sizes differ by at most one)."""
        return part(count, self.world, self.rank)

    def gather(self, items: list[Any]) -> list[Any]:
        """Every process's list, concatenated in rank order, on every process."""
        if not self.active:
            return items
        from accelerate.utils import gather_object

        return list(gather_object(items))

    def all_reduce_grads(self, parameters: Iterable[torch.nn.Parameter]) -> None:
        """Sum gradients across processes, in one flat buffer per dtype (one collective each)."""
        if not self.active:
            return
        params = [p for p in parameters if p.requires_grad]
        # A process may have no gradient for a parameter another has (it had nothing labelled to
        # learn from): agree first on which have one; the others stay None, as on one process.
        present = torch.tensor([p.grad is not None for p in params], dtype=torch.int32, device=_device())
        torch.distributed.all_reduce(present)
        for param, count in zip(params, present.tolist(), strict=True):
            if count and param.grad is None:
                param.grad = torch.zeros_like(param)
        grads = [p.grad for p in params if p.grad is not None]
        by_dtype: dict[torch.dtype, list[torch.Tensor]] = {}
        for grad in grads:
            by_dtype.setdefault(grad.dtype, []).append(grad)
        for group in by_dtype.values():
            flat = torch.cat([g.reshape(-1) for g in group])
            torch.distributed.all_reduce(flat)
            offset = 0
            for grad in group:
                grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
                offset += grad.numel()

    def all_sum(self, values: Sequence[float]) -> list[float]:
        if not self.active:
            return list(values)
        tensor = torch.tensor(list(values), dtype=torch.float64, device=_device())
        torch.distributed.all_reduce(tensor)
        return tensor.tolist()


def _device() -> torch.device:
    """Where collective tensors must live: NCCL reduces GPU tensors only, gloo CPU ones."""
    if torch.distributed.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")
