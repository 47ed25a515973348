"""Suites: the ONLY place YAML becomes objects.

A suite names its tasks, their exact language lists, metrics, which of each task's splits train,
select and test, the pinned dataset revisions, seeds, hyperparameters and the model-selection rule.
Everything is validated here (unknown fields rejected); past this module only typed objects exist.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from harness.errors import HarnessError, did_you_mean, unknown
from harness.languages import LANGUAGES, language_hint
from harness.packaged_model import PackagedModel
from harness.tasks import TASKS, FormatName, HubSource, TaskSpec
from harness.yaml_files import FieldError, line_of, located_error, read_yaml

_SHA = re.compile(r"^[0-9a-f]{40}$")
# Formats whose tasks are always fine-tuned on English (retrieval may use the encoder as given).
FINE_TUNED = {
    FormatName.classification,
    FormatName.multiple_choice,
    FormatName.tagging,
    FormatName.extractive_qa,
}


# YAML booleans or quoted numbers are not silently turned into numbers: types must match exactly.
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


Seed = Annotated[int, Field(ge=0, le=2**32 - 1)]  # what numpy and torch accept
NonEmpty = Field(min_length=1)


def unique(values: list[Any], what: str) -> list[Any]:
    """The values, or a ValueError naming the first repeated one."""
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise ValueError(f"duplicate {what} {seen[0]!r}")
    return values


class QAOptions(_Strict):
    """Extractive QA windows and decoding (run_squad.py's defaults, used by the reference scripts)."""

    doc_stride: Annotated[int, Field(ge=1)] = 128  # a window advances by this many context tokens
    max_query_length: Annotated[int, Field(ge=1)] = 64  # question tokens kept
    max_answer_length: Annotated[int, Field(ge=1)] = 30  # longest answer, in tokens
    n_best_size: Annotated[int, Field(ge=1)] = 20  # start and end candidates per window


class Hyperparameters(_Strict):
    """Fine-tuning recipe of one task. Effective batch = batch_size x grad_accum (single device)."""

    learning_rate: Annotated[float, Field(gt=0)]
    batch_size: Annotated[int, Field(ge=1)]
    grad_accum: Annotated[int, Field(ge=1)] = 1
    epochs: Annotated[float, Field(gt=0)]
    max_steps: Annotated[int, Field(ge=1)] | None = None  # caps optimizer steps when set
    max_length: Annotated[int, Field(ge=8)]
    warmup_steps: Annotated[int, Field(ge=0)] = 0
    # or a share of the optimizer steps (jiant's warmup_steps_proportion); one of the two, not both
    warmup_ratio: Annotated[float, Field(ge=0, lt=1)] = 0.0
    weight_decay: Annotated[float, Field(ge=0)] = 0.0
    adam_epsilon: Annotated[float, Field(gt=0)] = 1e-8
    max_grad_norm: Annotated[float, Field(gt=0)] = 1.0
    eval_batch_size: Annotated[int, Field(ge=1)] = 32
    # Draw training batches from pools of similar length (less padding, faster); off by default
    # because the reference's batches mix lengths.
    group_by_length: bool = False
    qa: QAOptions | None = None  # extractive QA only; None means the defaults above

    @model_validator(mode="after")
    def _one_warmup(self) -> Hyperparameters:
        if self.warmup_steps and self.warmup_ratio:
            raise ValueError("give warmup_steps or warmup_ratio, not both")
        return self


class Representation(_Strict):
    """How a sentence becomes one vector for retrieval (L2-normalised, compared by cosine)."""

    pooling: Literal["mean", "cls", "pooler"]  # mean: over all non-padding positions, special tokens too
    # Hidden layer by model depth (1 = first layer's output, as hidden_states[i]); unlisted depths use
    # round(depth x layer_fraction), or the last layer when that is unset.
    layer_by_depth: dict[int, int] = {}
    layer_fraction: Annotated[float, Field(gt=0, le=1)] | None = None
    max_length: Annotated[int, Field(ge=8)] = 512
    batch_size: Annotated[int, Field(ge=1)] = 100
    lowercase: bool = False  # the reference lowercases Mewsli-X and LAReQA inputs for XLM-R

    @model_validator(mode="after")
    def _pooler_is_last(self) -> Representation:
        if self.pooling == "pooler" and (self.layer_by_depth or self.layer_fraction):
            raise ValueError("pooling pooler reads the last layer: give no layer_by_depth or layer_fraction")
        return self


class RetrievalOptions(_Strict):
    representation: Representation
    # Retrieve with the encoder of another task's fine-tuned model from the same run (XTREME-R
    # Tatoeba uses the SQuAD v1.1 model: encoder_from xquad); None: the checkpoint as given.
    encoder_from: str | None = None
    margin_k: Annotated[int, Field(ge=1)] = 4  # BUCC: neighbours in the ratio margin
    top_k: Annotated[int, Field(ge=1)] = 20  # Mewsli-X, LAReQA: ranking cutoff
    # Dual encoders: token limits of each side (LAReQA: questions 96, answer sentence + paragraph 256)
    query_length: Annotated[int, Field(ge=8)] | None = None
    candidate_length: Annotated[int, Field(ge=8)] | None = None


class Selection(_Strict):
    """Model-selection rule: keep the best checkpoint on the English dev set, or the last one."""

    rule: Literal["best_on_dev", "last"]
    every_steps: Annotated[int, Field(ge=1)] | None = None  # dev evaluation interval (optimizer steps)
    language: str = "en"

    @field_validator("language")
    @classmethod
    def _known_language(cls, code: str) -> str:
        if code not in LANGUAGES:
            raise ValueError(f'unknown language "{code}"{language_hint(code)}')
        return code

    @model_validator(mode="after")
    def _interval(self) -> Selection:
        if self.rule == "best_on_dev" and self.every_steps is None:
            raise ValueError("rule best_on_dev needs every_steps (the dev evaluation interval)")
        if self.rule == "last" and self.every_steps is not None:
            raise ValueError("rule last takes no every_steps")
        return self


class SplitRoles(_Strict):
    """Which of the task's named splits train (in order: stages), select and test."""

    train: list[str] = []
    dev: str | None = None
    test: str


class DatasetPin(_Strict):
    """A hub dataset pinned to a commit, or (sample suites) a local folder in the hub layout."""

    revision: str | None = None
    path: str | None = None  # relative to the suite file
    note: str = ""

    @model_validator(mode="after")
    def _one_of(self) -> DatasetPin:
        if (self.revision is None) == (self.path is None):
            raise ValueError("give exactly one of revision (a 40-hex commit) or path (a local folder)")
        if self.revision is not None and not _SHA.match(self.revision):
            raise ValueError(f'revision "{self.revision}" is not a 40-hex commit id')
        return self


class TaskEntry(_Strict):
    languages: Annotated[list[str], NonEmpty]
    metrics: Annotated[list[str], NonEmpty]  # reported per language; the first is the main metric
    score: Annotated[list[str], NonEmpty]  # metrics averaged into the task score (QA: exact_match and f1)
    splits: SplitRoles
    hyperparameters: Hyperparameters | None = None  # None: the task needs no fine-tuning
    selection: Selection | None = None
    retrieval: RetrievalOptions | None = None  # retrieval tasks only
    seeds: Annotated[list[Seed], NonEmpty] | None = None  # replaces the suite's seeds for this task

    @field_validator("metrics", "score", "seeds")
    @classmethod
    def _no_repeats(cls, values: list[Any] | None) -> list[Any] | None:
        return None if values is None else unique(values, "entry")

    @model_validator(mode="after")
    def _score_is_reported(self) -> TaskEntry:
        extra = [m for m in self.score if m not in self.metrics]
        if extra:
            raise FieldError(("score",), f"score metric {extra[0]} must also be listed under metrics")
        return self

    @field_validator("languages")
    @classmethod
    def _known(cls, languages: list[str]) -> list[str]:
        for i, code in enumerate(languages):
            if code not in LANGUAGES:
                raise ValueError(
                    f'[{i}] unknown language "{code}"{language_hint(code)}; '
                    "allowed: ISO 639-1 codes of harness/languages.py"
                )
        if len(set(languages)) != len(languages):
            raise ValueError("duplicate language code")
        return languages


Precision = Literal["fp32", "bf16"]


class Suite(_Strict):
    name: str
    version: str
    title: str
    description: str
    reference: str  # where the protocol comes from
    seeds: Annotated[list[Seed], NonEmpty]
    # training and prediction arithmetic: fp32, as the reference, or bf16 autocast on a GPU that has it
    precision: Precision = "fp32"
    datasets: dict[str, DatasetPin]
    categories: dict[str, list[str]]
    tasks: dict[str, TaskEntry]
    # An XTREME download/ folder (relative to the suite file) for splits that exist only in that
    # layout (BUCC, Mewsli-X, LAReQA); --data-dir replaces it.
    download_dir: str | None = None
    # The checkpoint `harness eval` runs when --model is not given (the sample suite's packaged
    # MiniLM). Not part of the protocol: which model ran is recorded in results.json, not the hash.
    default_model: PackagedModel | None = None
    # Set by load_suite, not by the YAML: where relative dataset paths resolve from.
    source: Annotated[Path | None, Field(exclude=True)] = None

    @field_validator("seeds")
    @classmethod
    def _distinct_seeds(cls, seeds: list[int]) -> list[int]:
        return unique(seeds, "seed")

    @model_validator(mode="after")
    def _consistent(self) -> Suite:
        for name, entry in self.tasks.items():
            if name not in TASKS:
                raise FieldError(
                    ("tasks", name),
                    f'unknown task "{name}"{did_you_mean(name, TASKS)}; allowed: {", ".join(sorted(TASKS))}',
                )
            _check_task(self, name, entry, TASKS[name])
        for dataset in self.datasets:
            path = self.dataset_path(dataset)
            if path is not None and self.source is not None and not path.is_dir():
                raise FieldError(("datasets", dataset, "path"), f"local dataset folder not found: {path}")
        folder = self.download_path()
        if folder is not None and self.source is not None and not folder.is_dir():
            raise FieldError(("download_dir",), f"folder not found: {folder}")
        for cat, names in self.categories.items():
            for i, name in enumerate(names):
                if name not in self.tasks:
                    raise FieldError(("categories", cat, i), f'task "{name}" is not in this suite')
        return self

    def seeds_for(self, task: str) -> list[int]:
        return self.tasks[task].seeds or self.seeds

    def content_hash(self) -> str:
        """sha256 of the resolved suite (defaults filled in), stable across YAML formatting."""
        resolved = self.model_dump(mode="json", exclude={"default_model"})
        payload = json.dumps(resolved, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()

    def download_path(self) -> Path | None:
        if self.download_dir is None:
            return None
        base = self.source.parent if self.source else Path.cwd()
        return (base / self.download_dir).resolve()

    def dataset_path(self, dataset: str) -> Path | None:
        pin = self.datasets[dataset]
        if pin.path is None:
            return None
        base = self.source.parent if self.source else Path.cwd()
        return (base / pin.path).resolve()


def _check_task(suite: Suite, name: str, entry: TaskEntry, spec: TaskSpec) -> None:
    where = ("tasks", name)
    for field, metrics in (("metrics", entry.metrics), ("score", entry.score)):
        for i, metric in enumerate(metrics):
            if metric not in spec.metrics:
                raise FieldError(
                    (*where, field, i),
                    f'metric "{metric}" is not one of {name}\'s metrics: {", ".join(spec.metrics)}',
                )
    roles = entry.splits
    for role, split in [*(("train", s) for s in roles.train), ("dev", roles.dev), ("test", roles.test)]:
        if split is None:
            continue
        if split not in spec.splits:
            raise FieldError(
                (*where, "splits", role), f'{name} has no split "{split}"; allowed: {", ".join(spec.splits)}'
            )
        _check_sources(suite, spec, split, (*where, "splits", role))
    if spec.format in FINE_TUNED and not roles.train:
        raise FieldError((*where, "splits"), f"a {spec.format.value} task fine-tunes: give its train splits")
    if bool(roles.train) != (entry.hyperparameters is not None):
        raise FieldError((*where,), "hyperparameters go with train splits, and train splits need them")
    if bool(roles.train) != (entry.selection is not None):
        raise FieldError((*where,), "a selection rule goes with train splits, and train splits need one")
    if spec.format.retrieval != (entry.retrieval is not None):
        raise FieldError((*where, "retrieval"), "retrieval tasks, and only they, take retrieval options")
    for i, metric in enumerate(entry.metrics):
        # a ranking metric names its cutoff: it must be the cutoff the search uses
        cutoff = re.fullmatch(r"\w+@(\d+)", metric)
        if cutoff and entry.retrieval is not None and int(cutoff.group(1)) != entry.retrieval.top_k:
            raise FieldError(
                (*where, "metrics", i),
                f"{metric} names a cutoff of {cutoff.group(1)}, but retrieval.top_k is "
                f"{entry.retrieval.top_k}",
            )
    source = entry.retrieval.encoder_from if entry.retrieval else None
    if source is not None and (source not in suite.tasks or suite.tasks[source].hyperparameters is None):
        raise FieldError(
            (*where, "retrieval", "encoder_from"), f'"{source}" is not a fine-tuned task of this suite'
        )
    if roles.dev is not None and roles.dev == roles.test:
        raise FieldError((*where, "splits", "dev"), "the dev split must not be the test split")
    if entry.selection is not None and entry.selection.rule == "best_on_dev" and roles.dev is None:
        raise FieldError((*where, "selection"), "rule best_on_dev needs a dev split under splits:")


def _check_sources(suite: Suite, spec: TaskSpec, split: str, loc: tuple[Any, ...]) -> None:
    """A split read only from the hub needs its dataset pinned. Which languages each source holds is
    `harness data check`'s business (and a run's: a language without a source fails its task)."""
    sources = spec.splits[split].sources
    if any(not isinstance(s, HubSource) or s.dataset in suite.datasets for s in sources):
        return
    dataset = next(s.dataset for s in sources if isinstance(s, HubSource))
    raise FieldError(
        loc, f'split "{split}" reads hub dataset "{dataset}", which has no pinned revision under datasets:'
    )


# --- loading -------------------------------------------------------------------------------------


def builtin_suites_dir() -> Path:
    """Where the built-in suites live: inside the wheel, or the repository's suites/ folder."""
    package = Path(__file__).resolve().parent
    bundled = package / "_suites"
    return bundled if bundled.is_dir() else package.parent / "suites"


def builtin_suites() -> dict[str, Path]:
    return {p.stem: p for p in sorted(builtin_suites_dir().glob("*.yaml"))}


def resolve_suite_path(name_or_path: str) -> Path:
    """A suite file, or a built-in suite's. A built-in name wins over a folder of the same name in
    the working directory (a checkout of google-research/xtreme is called `xtreme`)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    suites = builtin_suites()
    if name_or_path in suites:
        return suites[name_or_path]
    if path.suffix in (".yaml", ".yml") or path.exists() or len(path.parts) > 1:
        raise HarnessError(f"{path}: suite file not found")
    raise unknown("suite", name_or_path, suites) from None


def shadows_builtin(suite: Suite) -> str | None:
    """A warning for a suite file that keeps a built-in suite's `name` but differs from it (a copy
    being edited): its output folder, results and MLflow experiment carry that name, not the file's."""
    builtin = builtin_suites().get(suite.name)
    if builtin is None or suite.source is None or suite.source.resolve() == builtin.resolve():
        return None
    if load_suite(str(builtin)).content_hash() == suite.content_hash():
        return None
    return (
        f"{suite.source}: named {suite.name} like the built-in suite, which it differs from; results, "
        f"output folder and MLflow experiment carry the name {suite.name}; give the copy a name of its "
        "own (its file name and its name: field)"
    )


def load_suite(name_or_path: str) -> Suite:
    """Load and validate a suite by built-in name or path. Errors name the file, line and field."""
    path = resolve_suite_path(name_or_path)
    data, tree = read_yaml(path, "suite")
    if not isinstance(data, dict):
        raise HarnessError(
            f"{path}: a suite is a YAML mapping with name, tasks, ...; got {type(data).__name__}"
        )
    try:
        suite = Suite.model_validate({**data, "source": path.resolve()})
    except ValidationError as exc:
        raise located_error(path, tree, exc, Suite) from None
    if suite.name != path.stem:
        raise HarnessError(
            f'{path}:{line_of(tree, ("name",))}: name "{suite.name}" must match the file name "{path.stem}"'
        )
    return suite
