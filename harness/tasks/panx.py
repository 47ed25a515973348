"""WikiANN / PAN-X named entity recognition (Pan et al. 2017; Rahimi et al. 2019 splits)."""

from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

_FIELDS = {"tokens": "{tokens}", "tags": "{ner_tags}"}
_CONLL = {"tokens": "{tokens}", "tags": "{tags}"}


def _hub(split: str, config: str = "PAN-X.{lang}") -> HubSource:
    return HubSource(dataset="google/xtreme", config=config, split=split, fields=_FIELDS)


PANX = TaskSpec(
    name="panx",
    title="WikiANN NER (PAN-X)",
    citation="Pan et al. 2017, Cross-lingual Name Tagging and Linking for 282 Languages; Rahimi et al. 2019",
    format=FormatName.tagging,
    metrics=("f1", "precision", "recall"),
    labels=("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"),
    splits={
        "train": Split(
            per_language=False,
            hub=_hub("train", "PAN-X.en"),
            download=DownloadSource(path="panx/train-en.tsv", layout="conll", fields=_CONLL),
        ),
        "validation": Split(
            hub=_hub("validation"),
            download=DownloadSource(path="panx/dev-{lang}.tsv", layout="conll", fields=_CONLL),
        ),
        "test": Split(
            note="the XTREME-R additions (qu, pl, uk, az, lt, pa, gu, ro) are not in google/xtreme",
            hub=_hub("test"),
            download=DownloadSource(
                path="panx/test-{lang}.tsv", layout="conll", labelled=False, fields=_CONLL
            ),
        ),
    },
)
