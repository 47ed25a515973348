"""XNLI (Conneau et al., 2018): natural language inference in 15 languages; trained on MultiNLI."""

from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

_PAIR = {"text_a": "{sentence1}", "text_b": "{sentence2}", "label": "{gold_label}"}
_ROW = ("sentence1", "sentence2", "gold_label")

XNLI = TaskSpec(
    name="xnli",
    title="XNLI",
    citation="Conneau et al. 2018, XNLI: Evaluating Cross-lingual Sentence Representations",
    format=FormatName.classification,
    metrics=("accuracy",),
    # The reference processor's label order (third_party/processors/xnli.py).
    labels=("contradiction", "entailment", "neutral"),
    splits={
        # The hub's XNLI config has no train split: zero-shot training uses MultiNLI (392,702 pairs).
        "mnli_train": Split(
            per_language=False,
            hub=HubSource(
                dataset="nyu-mll/multi_nli",
                split="train",
                fields={"text_a": "{premise}", "text_b": "{hypothesis}", "label": "{label}"},
                # multi_nli's ClassLabel order
                label_map={"0": "entailment", "1": "neutral", "2": "contradiction"},
            ),
            download=DownloadSource(path="xnli/train-en.tsv", columns=_ROW, fields=_PAIR),
        ),
        "validation": Split(
            hub=HubSource(
                dataset="google/xtreme",
                config="XNLI",
                split="validation",
                filter_column="language",
                filter_value="{lang}",
                fields=_PAIR,
            ),
            download=DownloadSource(path="xnli/dev-{lang}.tsv", columns=_ROW, fields=_PAIR),
        ),
        "test": Split(
            hub=HubSource(
                dataset="google/xtreme",
                config="XNLI",
                split="test",
                filter_column="language",
                filter_value="{lang}",
                fields=_PAIR,
            ),
            # utils_preprocess.py drops the label column from the test files.
            download=DownloadSource(
                path="xnli/test-{lang}.tsv", columns=_ROW[:2], labelled=False, fields=_PAIR
            ),
        ),
    },
)
