"""PAWS-X (Yang et al., 2019): paraphrase identification in 7 languages (XTREME only)."""

from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

_PAIR = {"text_a": "{sentence1}", "text_b": "{sentence2}", "label": "{label}"}
_ROW = ("sentence1", "sentence2", "label")


def _hub(split: str, config: str = "PAWS-X.{lang}") -> HubSource:
    return HubSource(dataset="google/xtreme", config=config, split=split, fields=_PAIR)


PAWSX = TaskSpec(
    name="pawsx",
    title="PAWS-X",
    citation="Yang et al. 2019, PAWS-X: A Cross-lingual Adversarial Dataset for Paraphrase Identification",
    format=FormatName.classification,
    metrics=("accuracy",),
    labels=("0", "1"),
    splits={
        "train": Split(
            per_language=False,
            hub=_hub("train", "PAWS-X.en"),
            download=DownloadSource(path="pawsx/train-en.tsv", columns=_ROW, fields=_PAIR),
        ),
        "validation": Split(
            hub=_hub("validation"),
            download=DownloadSource(path="pawsx/dev-{lang}.tsv", columns=_ROW, fields=_PAIR),
        ),
        "test": Split(
            hub=_hub("test"),
            download=DownloadSource(
                path="pawsx/test-{lang}.tsv", columns=_ROW[:2], labelled=False, fields=_PAIR
            ),
        ),
    },
)
