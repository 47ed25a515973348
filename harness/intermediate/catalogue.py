"""The English intermediate tasks: data, as task specs the formats already understand.

Phang et al. (2020) trained XLM-R on nine English intermediate tasks before the XTREME target tasks;
MNLI, SQuAD and HellaSwag are named in the paper's abstract, the other six (ANLI, QQP, SST-2,
CosmosQA, CommonsenseQA, CCG) as the jiant task classes of the X-STILTs project list them
(see ../shared/reference/baselines/phang2020_xstilts.yaml for what could be confirmed). Each task
reuses a format: classification, multiple choice or extractive QA. CCG (CCGbank) is an LDC corpus
that is not on the hub: listed, not supported.

Hub revisions: MultiNLI and SQuAD are pinned by the built-in suites. The other datasets are read at
the hub's current revision unless the `--suite` given pins them (its `datasets:`); the revision
actually read is recorded in the checkpoint's recipe either way, and the recipe says which
datasets were unpinned.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import unknown
from harness.tasks.spec import FormatName, HubSource, Split, TaskSpec
from harness.tasks.xquad import XQUAD

_NLI = ("entailment", "neutral", "contradiction")
_NLI_MAP = {"0": "entailment", "1": "neutral", "2": "contradiction"}


@dataclass(frozen=True)
class IntermediateTask:
    name: str
    spec: TaskSpec
    train: tuple[str, ...]  # splits of `spec`, concatenated
    paper: str  # how the task appears in Phang et al. (2020)


def _spec(name: str, title: str, fmt: FormatName, splits: dict[str, Split], labels=()) -> TaskSpec:  # type: ignore[no-untyped-def]
    metric = ("f1", "exact_match") if fmt is FormatName.extractive_qa else ("accuracy",)
    return TaskSpec(
        name=name, title=title, citation=title, format=fmt, metrics=metric, labels=labels, splits=splits
    )


def _train(dataset: str, fields: dict, config: str | None = None, split: str = "train", **kw) -> Split:  # type: ignore[no-untyped-def]
    return Split(
        per_language=False,
        sources=(HubSource(dataset=dataset, config=config, split=split, fields=fields, **kw),),
    )


_PAIR = {"text_a": "{premise}", "text_b": "{hypothesis}", "label": "{label}"}

CATALOGUE: dict[str, IntermediateTask] = {
    task.name: task
    for task in (
        IntermediateTask(
            "mnli",
            _spec(
                "mnli",
                "MultiNLI",
                FormatName.classification,
                {"train": _train("nyu-mll/multi_nli", _PAIR, label_map=_NLI_MAP)},
                _NLI,
            ),
            ("train",),
            "MNLI",
        ),
        IntermediateTask(
            "anli",
            _spec(
                "anli",
                "Adversarial NLI (rounds 1-3)",
                FormatName.classification,
                {
                    f"train_r{r}": _train("facebook/anli", _PAIR, split=f"train_r{r}", label_map=_NLI_MAP)
                    for r in (1, 2, 3)
                },
                _NLI,
            ),
            ("train_r1", "train_r2", "train_r3"),
            "ANLI+ (the paper also adds MNLI and SNLI)",
        ),
        IntermediateTask(
            "qqp",
            _spec(
                "qqp",
                "Quora Question Pairs",
                FormatName.classification,
                {
                    "train": _train(
                        "nyu-mll/glue",
                        {"text_a": "{question1}", "text_b": "{question2}", "label": "{label}"},
                        config="qqp",
                        label_map={"0": "not_duplicate", "1": "duplicate"},
                    )
                },
                ("not_duplicate", "duplicate"),
            ),
            ("train",),
            "QQP",
        ),
        IntermediateTask(
            "sst2",
            _spec(
                "sst2",
                "SST-2",
                FormatName.classification,
                {
                    "train": _train(
                        "nyu-mll/glue",
                        {"text_a": "{sentence}", "label": "{label}"},
                        config="sst2",
                        label_map={"0": "negative", "1": "positive"},
                    )
                },
                ("negative", "positive"),
            ),
            ("train",),
            "SST-2",
        ),
        IntermediateTask(
            "squad",
            _spec("squad", "SQuAD v1.1", FormatName.extractive_qa, {"train": XQUAD.splits["squad_train"]}),
            ("train",),
            "SQuAD",
        ),
        IntermediateTask(
            "hellaswag",
            _spec(
                "hellaswag",
                "HellaSwag",
                FormatName.multiple_choice,
                {
                    "train": _train(
                        "Rowan/hellaswag",
                        # jiant/tasks/lib/hellaswag.py:56-57: the prompt is ctx_a, each choice ctx_b
                        # followed by an ending
                        {
                            "context": "{ctx_a}",
                            "choices": tuple(f"{{ctx_b}} {{endings[{i}]}}" for i in range(4)),
                            "label": "{label}",
                        },
                    )
                },
            ),
            ("train",),
            "HellaSwag",
        ),
        IntermediateTask(
            "cosmosqa",
            _spec(
                "cosmosqa",
                "Cosmos QA",
                FormatName.multiple_choice,
                {
                    "train": _train(
                        "allenai/cosmos_qa",
                        {
                            "context": "{context} {question}",
                            "choices": tuple(f"{{answer{i}}}" for i in range(4)),
                            "label": "{label}",
                        },
                    )
                },
            ),
            ("train",),
            "CosmosQA",
        ),
        IntermediateTask(
            "commonsenseqa",
            _spec(
                "commonsenseqa",
                "CommonsenseQA",
                FormatName.multiple_choice,
                {
                    "train": _train(
                        "tau/commonsense_qa",
                        {
                            "context": "{question}",
                            "choices": tuple(f"{{choices[text][{i}]}}" for i in range(5)),
                            "label": "{answerKey}",
                        },
                        label_map={k: str(i) for i, k in enumerate("ABCDE")},
                    )
                },
            ),
            ("train",),
            "CommonsenseQA",
        ),
    )
}

# Named in the X-STILTs task list, without hub data.
UNSUPPORTED = {"ccg": "CCG supertagging uses CCGbank, an LDC-licensed corpus that is not on the hub"}


def intermediate_task(name: str) -> IntermediateTask:
    if name in UNSUPPORTED:
        from harness.errors import HarnessError

        raise HarnessError(f"--tasks: {name} is not supported: {UNSUPPORTED[name]}")
    if name not in CATALOGUE:
        raise unknown("intermediate task", name, list(CATALOGUE), where="--tasks")
    return CATALOGUE[name]
