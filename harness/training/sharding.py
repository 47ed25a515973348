"""Fully sharded data parallelism (FSDP2, torch's `fully_shard`) for models whose training state
does not fit one GPU.

`accelerate launch` with an FSDP config (configs/accelerate/fsdp.yaml, docs/large-models.md) tells
its processes to shard through environment variables; the harness reads them here and shards by
itself, keeping its own batch slicing and loss weighting (loop.py, distributed.py) so the recipe is
the same for any number of processes.

What is sharded is a twin of the model: the same modules, copied, over the same parameters, which
`fully_shard` then replaces by 1/N shards on each of N processes. Gradients are reduce-scattered as
a SUM (each process's loss is already weighted by its share of the global batch, so the sum is the
one-process gradient), and AdamW keeps its moments for the local shards only. The caller's model
gives up its weights while the twin trains and gets the full weights back whenever anything outside
the training steps looks at it (dev evaluation, and after training: prediction, saving, reuse), so
everything but the training steps sees the plain model it always saw. The full weights must
therefore fit one GPU; gradients and AdamW states (12 of the 16 bytes per fp32 parameter) never do.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from harness.errors import HarnessError
from harness.training.distributed import Dist

# accelerate launch's own defaults, which FSDP through the harness cannot honour, and why
_REFUSED = {
    "FSDP_OFFLOAD_PARAMS": ("false", "CPU offloading of parameters is not supported by the harness"),
    "FSDP_ACTIVATION_CHECKPOINTING": ("false", "use the harness's --gradient-checkpointing instead"),
    "FSDP_CPU_RAM_EFFICIENT_LOADING": (
        "false",
        "transformers would then load the weights on the first process only, and the harness loads "
        "(and may restore fine-tuned weights) on every process",
    ),
}
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def _flag(
    environ: Mapping[str, str], name: str, default: str, aliases: Mapping[str, str] | None = None
) -> bool:
    value = environ.get(name, default).strip().lower()
    value = (aliases or {}).get(value, value)
    if value not in _TRUE + _FALSE:
        raise HarnessError(f'{name}="{value}": allowed: true, false')
    return value in _TRUE


@dataclass(frozen=True)
class FsdpSettings:
    """How the model is sharded: recorded in results.json as `run.fsdp`."""

    reshard_after_forward: bool = True  # free the gathered layer weights after forward (ZeRO-3)
    # Classes sharded as units of their own (a layer's weights are gathered just before it runs);
    # None: the model's `_no_split_modules` (transformers' list of its blocks); (): the whole model
    # as one unit.
    layers: tuple[str, ...] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> FsdpSettings | None:
        """The settings `accelerate launch --use_fsdp` (or an FSDP config file) passed, or None.

        Settings the harness cannot honour are errors naming the setting, never silently dropped.
        FSDP1-only settings (sharding strategy, prefetching, use_orig_params, sync_module_states,
        min_num_params) have no meaning for FSDP2 and are ignored, as accelerate ignores them.
        """
        if not _flag(environ, "ACCELERATE_USE_FSDP", "false"):
            return None
        version = environ.get("FSDP_VERSION", "1")
        if version != "2":
            raise HarnessError(
                f"FSDP_VERSION={version}: the harness shards with FSDP2 (torch's fully_shard); set "
                "fsdp_version: 2 (configs/accelerate/fsdp.yaml, or --fsdp_version 2)"
            )
        for name, (allowed, why) in _REFUSED.items():
            if _flag(environ, name, allowed) != (allowed in _TRUE):
                raise HarnessError(f"{name}={environ[name]}: only {allowed} is supported ({why})")
        state_dict = environ.get("FSDP_STATE_DICT_TYPE", "FULL_STATE_DICT").upper()
        if state_dict != "FULL_STATE_DICT":
            raise HarnessError(
                f"FSDP_STATE_DICT_TYPE={state_dict}: the harness saves fine-tuned weights whole "
                "(FULL_STATE_DICT), so that any later run can reuse them"
            )
        policy = environ.get("FSDP_AUTO_WRAP_POLICY", "TRANSFORMER_BASED_WRAP").upper()
        names = environ.get("FSDP_TRANSFORMER_CLS_TO_WRAP", "")
        if policy == "TRANSFORMER_BASED_WRAP":
            layers = tuple(n.strip() for n in names.split(",") if n.strip()) or None
        elif policy == "NO_WRAP":
            layers = ()
        else:
            raise HarnessError(f"FSDP_AUTO_WRAP_POLICY={policy}: allowed: TRANSFORMER_BASED_WRAP, NO_WRAP")
        # FSDP1's names for the same choice, which accelerate also accepts
        aliases = {"full_shard": "true", "shard_grad_op": "false"}
        return cls(_flag(environ, "FSDP_RESHARD_AFTER_FORWARD", "true", aliases), layers)

    def describe(self) -> dict[str, Any]:
        return {
            "version": 2,
            "reshard_after_forward": self.reshard_after_forward,
            "layers": list(self.layers) if self.layers is not None else None,
        }


class Unsharded:
    """Training on the model itself; gradients all-reduced by hand when several processes run."""

    lockstep = False  # processes need not run the same number of passes

    def __init__(self, model: torch.nn.Module, dist: Dist):
        self.module, self.dist = model, dist

    def reduce_grads(self) -> None:
        self.dist.all_reduce_grads(self.module.parameters())

    def clip_grads(self, max_norm: float) -> torch.Tensor:
        """Scale the gradients down to `max_norm` when their norm is above it; that norm."""
        return torch.nn.utils.clip_grad_norm_(self.module.parameters(), max_norm)

    @contextlib.contextmanager
    def full_weights(self) -> Iterator[None]:
        yield

    def snapshot(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().to("cpu", copy=True) for k, v in self.module.state_dict().items()}

    def restore(self, state: dict[str, torch.Tensor]) -> None:
        self.module.load_state_dict(state)

    def finish(self) -> None:
        pass


class Sharded:
    """Training on an FSDP2-sharded twin of the model (see the module docstring).

    Every process must run the same sequence of forward and backward passes on the twin, since each
    pass gathers and reduces across all of them (`lockstep`).
    """

    lockstep = True

    def __init__(self, model: torch.nn.Module, settings: FsdpSettings, dist: Dist, device: torch.device):
        from torch.distributed.fsdp import fully_shard

        if getattr(model, "hf_device_map", None):
            raise HarnessError("--device-map spreads one model over GPUs; FSDP shards it: use one of them")
        self.dist = dist
        # the twin: copied modules over the very same parameter and buffer objects
        shared = {id(t): t for t in [*model.parameters(), *model.buffers()]}
        self.module = copy.deepcopy(model, shared)
        # fully_shard cannot shard a scalar (a dual encoder's logit scale): such parameters stay
        # whole on every process, the same objects in the model and the twin
        self.whole = [p for p in model.parameters() if p.dim() == 0]
        units = _units(self.module, settings.layers)
        mesh = _mesh(device.type, dist.world)
        # bottom-up, as fully_shard requires: the layers first, then the rest with the root
        for unit in [*units, self.module]:
            fully_shard(
                unit,
                mesh=mesh,
                reshard_after_forward=settings.reshard_after_forward,
                ignored_params=set(self.whole),
            )
            # a plain SUM: the losses are weighted already (gloo also has no pre-multiplied sum)
            unit.set_gradient_divide_factor(1.0)
            unit.set_force_sum_reduction_for_comms(True)
        names = dict(model.named_parameters()).keys()
        if names != dict(self.module.named_parameters()).keys():
            raise RuntimeError("FSDP: the sharded twin does not have the model's parameters")
        self.params = {n: p for n, p in model.named_parameters() if p.dim() != 0}  # sharded in the twin
        self._release()

    def reduce_grads(self) -> None:
        # FSDP reduce-scattered the sharded ones during each backward pass; the whole ones by hand
        if self.whole:
            self.dist.all_reduce_grads(self.whole)

    def clip_grads(self, max_norm: float) -> torch.Tensor:
        """As torch's clip_grad_norm_ on one process: one norm over the shards (a DTensor norm,
        reduced across processes) and the whole parameters, every gradient scaled by one factor."""
        from torch.distributed.tensor import DTensor

        grads = [p.grad for p in self.module.parameters() if p.grad is not None]
        sharded = [g for g in grads if isinstance(g, DTensor)]
        whole = [g for g in grads if not isinstance(g, DTensor)]
        norms = [torch.nn.utils.get_total_norm(sharded).full_tensor()] if sharded else []  # type: ignore[attr-defined]
        norms += [torch.nn.utils.get_total_norm(whole)] if whole else []
        if not norms:
            return torch.tensor(0.0)
        total = torch.linalg.vector_norm(torch.stack(norms))
        factor = torch.clamp(max_norm / (total + 1e-6), max=1.0)  # torch's own formula
        with torch.no_grad():
            for grad in grads:
                grad.mul_(factor)  # a 0-dim tensor: DTensor replicates it implicitly
        return total

    @contextlib.contextmanager
    def full_weights(self) -> Iterator[None]:
        """The caller's model holds the full trained weights inside the block (all processes)."""
        self._gather()
        try:
            yield
        finally:
            self._release()

    def snapshot(self) -> dict[str, torch.Tensor]:
        """This process's shards (and the buffers), on the CPU."""
        return {k: _local(v).detach().to("cpu", copy=True) for k, v in self.module.state_dict().items()}

    def restore(self, state: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for key, value in self.module.state_dict().items():
                _local(value).copy_(state[key])

    def finish(self) -> None:
        """The full trained weights back in the caller's model; the twin and its shards dropped."""
        self._gather()
        del self.module

    def _gather(self) -> None:
        with torch.no_grad():
            for name, shard in self.module.named_parameters():
                if name not in self.params:
                    continue  # a whole parameter: the model's own object
                full = shard.full_tensor()  # type: ignore[attr-defined]
                if full.untyped_storage().nbytes() != full.numel() * full.element_size():
                    # a view into the gathered buffer (uneven shards are padded): safetensors
                    # refuses to save such a tensor, and it holds the padding's memory
                    full = full.clone()
                self.params[name].data = full

    def _release(self) -> None:
        for param in self.params.values():
            param.data = torch.empty(0, dtype=param.dtype, device=param.device)


def prepare(
    model: torch.nn.Module, fsdp: FsdpSettings | None, dist: Dist, device: torch.device
) -> Unsharded | Sharded:
    """What the training steps run on: the model, or its sharded twin under FSDP."""
    if fsdp is None or not dist.active:
        return Unsharded(model, dist)
    return Sharded(model, fsdp, dist, device)


def _local(tensor: torch.Tensor) -> torch.Tensor:
    """A DTensor's local shard (sharing its storage); a plain tensor itself."""
    from torch.distributed.tensor import DTensor

    return tensor.to_local() if isinstance(tensor, DTensor) else tensor


def _units(model: torch.nn.Module, layers: tuple[str, ...] | None) -> list[torch.nn.Module]:
    """The submodules to shard as units of their own, innermost first."""
    names = {type(m).__name__ for m in model.modules()}
    if layers is None:
        layers = tuple({n for m in model.modules() for n in (getattr(m, "_no_split_modules", None) or ())})
    elif unknown := sorted(set(layers) - names):
        raise HarnessError(
            f"FSDP_TRANSFORMER_CLS_TO_WRAP: {', '.join(unknown)} not in this model "
            f"(its classes include {', '.join(sorted(names)[:12])})"
        )
    # reversed pre-order: every module after its descendants
    return [m for m in reversed(list(model.modules())) if m is not model and type(m).__name__ in layers]


@functools.cache
def _mesh(device_type: str, world: int):  # type: ignore[no-untyped-def]
    from torch.distributed.device_mesh import init_device_mesh

    return init_device_mesh(device_type, (world,))
