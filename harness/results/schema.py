"""The versioned results.json schema (documented field by field in docs/results-format.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

SCHEMA_VERSION = "1.1"
# Versions this harness reads: 1.1 added tasks.<task>.divergences (absent, i.e. empty, in 1.0).
READABLE_VERSIONS = ("1.0", "1.1")

TaskStatus = Literal["complete", "incomplete", "not_supported", "failed", "pending", "absent"]
GroupKind = Literal["family", "script", "resource"]  # how languages are grouped (harness/languages.py)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Throughput(_Model):
    """Measured speed of one stage (fine-tuning or prediction), over all processes of the run."""

    examples: int
    tokens: int  # real tokens fed to the model (padding excluded)
    padded_tokens: int  # tokens including padding: the work actually done
    seconds: float  # wall time of the model passes (data loading and decoding excluded)
    examples_per_second: float | None
    tokens_per_second: float | None  # real tokens per second
    peak_memory_mib: float | None  # peak GPU memory allocated; on a CPU the process's peak RSS
    model_tflops: float | None = None  # achieved model TFLOP/s (Kaplan et al. 2020 FLOP count)
    mfu: float | None = None  # model FLOPs utilisation, 0-1; only on a GPU with a known peak
    oom_retries: int = 0  # batches split or shrunk after an out-of-memory error
    processes: int = 1


class StageRecord(_Model):
    split: str
    examples: int
    features: int  # model inputs: examples cut into windows (QA, long tagging sentences) or as they are
    optimizer_steps: int
    epochs: float
    seconds: float
    throughput: Throughput | None = None
    micro_batches: int = 1  # pieces each batch was split into after out-of-memory errors (1: none)


class SeedRun(_Model):
    seed: int
    scores: dict[str, dict[str, float]] = {}  # language -> metric -> value (0-100)
    examples: dict[str, int] = {}  # language -> number of test examples
    unscored: list[str] = []  # languages predicted but without labels to score against
    dev: dict[str, float] | None = None  # the selected model on the selection dev set
    selected_step: int | None = (
        None  # optimizer step of the kept weights (None: no selection, the final model)
    )
    dev_history: list[tuple[int, float]] = []  # (optimizer step, dev score) at every evaluation
    stages: list[StageRecord] = []
    trained_by: str | None = None  # the task whose identical fine-tuning this run reused (XQuAD -> MLQA)
    resumed: bool = False  # read back from an earlier, interrupted run of the same command
    train_seconds: float = 0.0
    predict_seconds: float = 0.0
    predict_throughput: Throughput | None = None  # test-set prediction, all languages


class Spread(_Model):
    """How much a score moves: across seeds, and across resampled test examples."""

    mean: float  # over seeds
    std: float | None = None  # sample standard deviation across seeds; None with one seed
    ci95: tuple[float, float] | None = None  # 95% bootstrap interval of the mean; None: not resampled


class _GivenKeys(_Model):
    """A record whose JSON holds exactly the keys it was given, in field order: records of several
    shapes (a hub split's, a release file's, an older version's) share one model, and one read back
    is written back byte for byte. Field order is the order the writers have always used."""

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {key: value for key, value in handler(self).items() if key in self.model_fields_set}


class Provenance(_GivenKeys):
    """Where one split's examples came from (harness.data.load_split); docs/results-format.md."""

    source: Literal["hub", "local", "download", "release"]
    # hub and local (hub-layout folder) sources
    dataset: str | None = None
    config: str | None = None
    hub_split: str | None = None
    data_dir: str | None = None
    filter: str | None = None  # "column==value" or "column^=prefix"
    # download and release files
    release: str | None = None  # the entry of harness/tasks/releases.py
    licence: str | None = None
    path: str | None = None  # the first file
    files: list[str] | None = None  # every file read, relative to the release folder
    revision_requested: str | None = None  # the suite's pin
    revision_used: str | None  # the commit read, or "sha256:" over the files read
    description: str | None = None  # one line naming the source (absent in schema 1.0)
    task: str
    split: str
    language: str
    examples: int
    divergences: list[str] = []  # from the reference's data (absent in schema 1.0)


class DataNote(_Model):
    """A way the data read differs from the reference's (docs/data.md), for one split and language."""

    split: str
    language: str
    note: str


class TaskResult(_Model):
    name: str
    title: str
    format: str
    status: TaskStatus
    reason: str | None = None
    languages: list[str]  # the suite's full list, in the suite's order
    metrics: list[str]
    score_metrics: list[str]
    seeds: list[int]
    hyperparameters: dict[str, Any] | None = None
    overrides: dict[str, Any] = {}  # field -> value given on the command line (differs from the suite)
    selection: dict[str, Any] | None = None
    splits: dict[str, Any] = {}
    runs: list[SeedRun] = []
    scores: dict[str, dict[str, float]] = {}  # language -> metric -> mean over seeds
    missing_languages: list[str] = []
    averages: dict[str, float | None] = {}  # metric -> mean over the full language list, or None
    spread: dict[str, dict[str, Spread]] = {}  # language -> metric -> spread
    average_spread: dict[str, Spread] = {}  # metric -> spread of the task average (complete tasks only)
    score: float | None = None
    data: list[Provenance] = []
    divergences: list[DataNote] = []  # from `data`: every known or found difference from the reference's data
    # "fine_tune" / "predict": combined over the seeds and stages of this task (resumed ones included)
    throughput: dict[str, Throughput] = {}

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> TaskResult:
        # The runner updates `data` with the loaded splits' JSON form, and model_copy does not
        # validate: validated here, so that `data` always holds Provenance records.
        if update and "data" in update:
            update = {**update, "data": [Provenance.model_validate(d) for d in update["data"]]}
        return super().model_copy(update=update, deep=deep)


# --- harness-recipe.json: how `harness intermediate` made a checkpoint (carried into model.recipe) ----


class RecipeBase(_Model):
    """The checkpoint intermediate training started from."""

    id: str
    path: str
    model_type: str | None
    weights_hash: str


class RecipeData(Provenance):
    pinned: bool  # False: the suite pins no revision of the dataset (the one read is recorded)


class RecipeTask(_Model):
    name: str
    paper_name: str
    format: str
    examples: int
    features: int
    max_length: int
    data: list[RecipeData]  # the task's training splits


class RecipeStage(_GivenKeys):
    """One training stage: a task of a sequential run, or all tasks of a multi-task run."""

    tasks: list[str]
    # multi-task only: how batches were drawn
    sampling: str | None = None  # proportional, temperature or uniform
    temperature: float | None = None  # temperature sampling only
    probabilities: dict[str, float] | None = None  # task -> share of batches
    batches_drawn: dict[str, int] | None = None
    optimizer_steps: int
    epochs: float
    seconds: float
    throughput: Throughput


class RecipeHyperparameters(_Model):
    """The named recipe as used (harness/intermediate/recipes.py), with --max-steps."""

    name: str
    learning_rate: float
    batch_size: int
    epochs: float
    max_length: int
    qa_max_length: int
    warmup_ratio: float
    weight_decay: float
    max_steps: int | None


class ParameterCounts(_Model):
    total_parameters: int
    trainable_parameters: int
    adapter_parameters: int
    adapter_bytes: int  # the adapter's size on disk (its dtype's bytes)


class Recipe(_Model):
    kind: Literal["harness-intermediate"]
    harness: str  # the harness version that trained
    created_at: str
    command: str
    base_model: RecipeBase
    mode: Literal["sequential", "multitask"]
    tasks: list[RecipeTask]
    stages: list[RecipeStage]
    recipe: str  # the named recipe (x-stilts, harness-v1)
    recipe_overrides: dict[str, Any]  # field -> value replaced on the command line
    hyperparameters: RecipeHyperparameters
    seed: int
    finetuning: Literal["full", "peft"]
    peft: dict[str, Any] | None  # {"method": "lora", LoRA options} when only LoRA matrices trained
    parameters: ParameterCounts
    limit: int | None  # --limit: a smoke run
    seconds: float
    device: str
    precision: str


class SuiteInfo(_Model):
    name: str
    version: str
    hash: str  # sha256 of the resolved suite (Suite.content_hash)
    path: str | None


class ModelInfo(_Model):
    id: str  # as passed to --model
    path: str
    tokenizer: str
    model_type: str | None
    architectures: list[str] | None
    is_encoder_decoder: bool
    weight_files: list[str]
    weights_hash: str
    parameters: int | None = None  # of the encoder with the first task's head
    attention: str | None = None  # attention kernel transformers chose (sdpa where the model supports it)
    adapter: str | None = None  # a LoRA adapter folder loaded (unmerged) on the base model at `path`
    recipe: Recipe | None = None  # harness-recipe.json of an intermediate-trained checkpoint
    peft: dict[str, Any] | None = None  # LoRA settings and parameter counts when only LoRA (+ head) trains


class FsdpInfo(_Model):
    """How training sharded the model (an FSDP config to accelerate launch; training/sharding.py)."""

    version: int  # 2: torch's fully_shard
    reshard_after_forward: bool
    layers: list[str] | None  # classes sharded as units of their own; None: the model's _no_split_modules


class RunInfo(_Model):
    command: str
    tasks: list[str]
    languages: list[str] | None
    seeds: list[int] | None  # --seeds (replacing the suite's), or None
    save_predictions: bool
    limit: int | None
    smoke: bool
    data_dir: str | None
    trust_remote_code: bool
    device: str
    precision: str
    accelerator: str | None
    processes: int = 1  # data-parallel processes (accelerate launch / torchrun)
    prediction_tokens: int | None = None  # token budget of a prediction batch (GPUs); None: eval_batch_size
    dtype: str = "fp32"  # weights as loaded (--dtype)
    device_map: str | None = None  # --device-map: the model spread over several GPUs
    gradient_checkpointing: bool = False
    # no sharding (one process, or plain data parallelism): left out of the file, as before FSDP existed
    fsdp: FsdpInfo | None = Field(default=None, exclude_if=lambda value: value is None)


class Environment(_Model):
    harness: str
    git_commit: str | None
    python: str
    platform: str
    libraries: dict[str, str | None]
    cpu_count: int | None
    torch_threads: int
    cuda: str | None
    gpus: list[str]


class GroupResult(_Model):
    tasks: list[str]
    score: float | None
    missing: list[str] = []


class LanguageGroup(_Model):
    """The suite's tasks scored on the languages of one group (harness/results/language_groups.py)."""

    kind: GroupKind
    group: str  # family name, ISO 15924 script, or resource class "0".."5" (harness/languages.py)
    languages: list[str]  # the group's languages in the suite, English included when it belongs
    tasks: list[str]  # the tasks with at least one of them, in suite order
    task_scores: dict[str, float | None] = {}  # task -> its score on the group's languages
    missing: list[str] = []  # "task:language" pairs without a score
    complete: bool
    score: float | None  # mean of task_scores; None unless complete


class TrackingInfo(_Model):
    """Where the run was logged (MLflow), and whether that worked."""

    status: Literal["off", "pending", "logging", "logged", "failed"] = "pending"
    uri: str | None = None
    experiment: str | None = None
    run_id: str | None = None
    error: str | None = None  # what could not be logged; `harness track sync` logs it later


class Timings(_Model):
    total_seconds: float | None = None  # written when the run ends


class Results(_Model):
    schema_version: str = SCHEMA_VERSION
    status: Literal["running", "complete", "incomplete", "smoke", "interrupted", "failed"]
    created_at: str
    updated_at: str
    suite: SuiteInfo
    model: ModelInfo
    run: RunInfo
    environment: Environment
    tasks: dict[str, TaskResult]
    categories: dict[str, GroupResult]
    overall: GroupResult
    language_groups: list[LanguageGroup] = []  # by family, script and resource class
    timings: Timings = Timings()
    tracking: TrackingInfo = TrackingInfo()


class ScoreReport(_Model):
    """What `harness score` writes: a leaderboard-layout folder scored against labels."""

    schema_version: str = SCHEMA_VERSION
    suite: SuiteInfo
    predictions: str
    labels: str
    tasks: dict[str, TaskResult]
    categories: dict[str, GroupResult]
    overall: GroupResult
    language_groups: list[LanguageGroup] = []
