"""Every option that more than one command takes, declared once: its flags, type and help.

An option means the same in every command that takes it, so its help is one text. Where the
meaning genuinely differs (what --output holds; whether --model has a suite default), each variant
is declared here beside the others and says why. Closed choices are `str` Enums: typer lists them
in --help and refuses anything else (exit 2, one line); commands pass `.value` on, so what is
recorded stays the plain string ("bf16", never "Dtype.bf16").
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from harness.intermediate.modes import Mode, Sampling

if TYPE_CHECKING:
    from harness.adapters import LoraOptions
    from harness.evaluation.request import ExecutorOptions

# --- what to evaluate ---------------------------------------------------------------------------

_SUITE = "Built-in suite name (see `harness suites list`) or path to a suite YAML."
SuiteName = Annotated[str, typer.Option("--suite", "-s", help=_SUITE)]
# intermediate training takes no task of the suite, only where its datasets come from
DataSuite = Annotated[
    str,
    typer.Option(
        "--suite",
        "-s",
        help=f"{_SUITE} Only its datasets: pins (or local folders) are used; unpinned datasets are read "
        "at the hub's head and their revision recorded.",
    ),
]

_MODEL = (
    "Checkpoint folder in Hugging Face format, or a hub id (downloaded when online, else read from "
    "the cache)."
)
Model = Annotated[str, typer.Option("--model", "-m", help=_MODEL)]
# eval alone can fall back on the suite's own model
ModelOrSuiteDefault = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help=f"{_MODEL} Default: the suite's default_model, if it names one (the sample suite: the "
        "packaged all-MiniLM-L6-v2).",
        show_default=False,
    ),
]
Tokenizer = Annotated[
    str | None,
    typer.Option("--tokenizer", help="Tokenizer folder or hub id, when the checkpoint folder has none."),
]
TrustRemoteCode = Annotated[
    bool,
    typer.Option(
        "--trust-remote-code", help="Allow the checkpoint's own Python code to run (off by default)."
    ),
]

Tasks = Annotated[
    list[str] | None,
    typer.Option(
        "--tasks",
        "-t",
        help="Only these tasks (comma-separated or repeated). Default: every task of the suite.",
    ),
]
# a different list: the English tasks trained before the suite's, in order
IntermediateTasks = Annotated[
    list[str],
    typer.Option(
        "--tasks",
        "-t",
        help="Intermediate tasks, in order (comma-separated or repeated): mnli, anli, qqp, sst2, squad, "
        "hellaswag, cosmosqa, commonsenseqa.",
    ),
]

# --- data -----------------------------------------------------------------------------------------

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Your data folder: the XTREME download/ layout (scripts/download_data.sh) and the original "
        "releases (UD trees, PAWS-X, LASER Tatoeba, ...; docs/data.md). A split is read from it when its "
        "files are there, else from the pinned hub copy. `harness data check` shows which.",
        envvar="HARNESS_DATA_DIR",
        exists=True,
        file_okay=False,
    ),
]
Limit = Annotated[
    int | None,
    typer.Option(
        "--limit",
        min=1,
        help="Smoke test: keep the first N examples of every split read. Recorded with the results; "
        "not comparable.",
    ),
]

# --- where the results go: each command writes something else -----------------------------------

EvalOutput = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Folder for results.json. Default: harness-results/SUITE__MODEL."),
]
IntermediateOutput = Annotated[
    Path, typer.Option("--output", "-o", help="Folder for the trained checkpoint (or adapter).")
]
SweepOutput = Annotated[
    Path | None, typer.Option("--output", "-o", help="Folder of the sweep. Default: sweeps/NAME.")
]
ScoreOutput = Annotated[
    Path | None, typer.Option("--output", "-o", help="Also write the scores as JSON to this file.")
]

# --- tracking -------------------------------------------------------------------------------------

_TRACKING = "MLflow tracking URI (a server such as http://host:5000, or a store)."
_TRACKING_DEFAULT = "MLFLOW_TRACKING_URI, else sqlite:///mlflow.db in the working directory."
TrackingUri = Annotated[
    str | None, typer.Option("--tracking-uri", help=f"{_TRACKING} Default: {_TRACKING_DEFAULT}")
]
# `track sync` logs a finished run: where that run meant to log comes first
SyncTrackingUri = Annotated[
    str | None,
    typer.Option(
        "--tracking-uri",
        help=f"{_TRACKING} Default: the URI recorded in the results, else {_TRACKING_DEFAULT}",
    ),
]
NoTrack = Annotated[bool, typer.Option("--no-track", help="Do not log to MLflow.")]

# --- hardware -------------------------------------------------------------------------------------

Device = Annotated[
    str,
    typer.Option(
        "--device",
        help="auto (CUDA if present), cpu, cuda or cuda:N. Under `accelerate launch` or `torchrun`, "
        "each process takes its own GPU (or the CPU).",
    ),
]


class Executor(str, Enum):
    local = "local"
    ray = "ray"


ExecutorOption = Annotated[
    Executor,
    typer.Option(
        "--executor",
        help=(
            "local: one unit of work after another in this process. ray: units in parallel on a Ray "
            "cluster (this machine's, started for the run, or --ray-address); the same scores. Units: "
            "(task, seed) for eval, cells for sweep. Needs pip install 'harness[ray]'."
        ),
    ),
]
RayAddress = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="With --executor ray: the cluster to join (e.g. auto, or ray://HOST:10001). Default: start "
        "Ray on this machine with all its CPUs and GPUs.",
    ),
]
GpusPerUnit = Annotated[
    float | None,
    typer.Option(
        "--gpus-per-unit",
        min=0.0,
        help="With --executor ray: GPUs each unit reserves; a fraction lets units share a GPU (0.25: "
        "four at a time). Default: 1 where CUDA is present, else 0.",
    ),
]
CpusPerUnit = Annotated[
    int | None,
    typer.Option(
        "--cpus-per-unit",
        min=1,
        help="CPU cores (torch threads) each unit uses; with --executor ray, reserves on the cluster. "
        "Default: torch's own (all cores) locally, 1 on Ray.",
    ),
]


def executor_options(
    executor: Executor, address: str | None, gpus: float | None, cpus: int | None
) -> ExecutorOptions:
    from harness.evaluation.request import ExecutorOptions  # torch: not at CLI start-up

    return ExecutorOptions(executor.value, address, gpus, cpus)


class Precision(str, Enum):
    fp32 = "fp32"
    bf16 = "bf16"


PrecisionOption = Annotated[
    Precision | None,
    typer.Option(
        "--precision",
        help=(
            "fp32 (as the reference trained) or bf16 autocast on a GPU that supports it. Default: the "
            "suite's (fp32 in every built-in suite). Recorded in results.json (run.precision)."
        ),
    ),
]


def precision_of(choice: Precision | None, suite_precision: str) -> str:
    return choice.value if choice is not None else suite_precision


class Dtype(str, Enum):
    fp32 = "fp32"
    bf16 = "bf16"


DtypeOption = Annotated[
    Dtype,
    typer.Option(
        "--dtype",
        help="Weights in fp32 (default; bf16 autocast still runs on GPUs) or bf16 (half the memory, "
        "for multi-billion-parameter checkpoints; optimizer states in bf16 too).",
    ),
]


class DeviceMap(str, Enum):
    """accelerate's strategies for one machine's GPUs."""

    auto = "auto"
    balanced = "balanced"
    sequential = "sequential"


DeviceMapOption = Annotated[
    DeviceMap | None,
    typer.Option(
        "--device-map",
        help="auto: spread the model over this machine's GPUs (accelerate), for models that do not fit "
        "on one. Default: the whole model on --device.",
    ),
]

# --- intermediate training ------------------------------------------------------------------------

ModeOption = Annotated[
    Mode,
    typer.Option(
        "--mode", help="sequential: one task after another; multitask: all at once, shared encoder."
    ),
]
SamplingOption = Annotated[
    Sampling,
    typer.Option(
        "--sampling", help="multitask: proportional (to task size), temperature (n^(1/T)) or uniform."
    ),
]

# --- PEFT -----------------------------------------------------------------------------------------


class Peft(str, Enum):
    none = "none"
    lora = "lora"


PeftOption = Annotated[
    Peft,
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


def lora_options(peft: Peft, r: int, alpha: float, dropout: float, targets: str | None) -> LoraOptions | None:
    """The --lora-* values as options, or None without --peft lora."""
    if peft is Peft.none:
        return None
    from harness.adapters import LoraOptions

    modules = tuple(t.strip() for t in targets.split(",") if t.strip()) if targets else None
    return LoraOptions(r=r, alpha=alpha, dropout=dropout, target_modules=modules)
