"""PAWS-X (Yang et al., 2019): paraphrase identification in 7 languages (XTREME only)."""

from harness.tasks.spec import Divergence, FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

_PAIR = {"text_a": "{sentence1}", "text_b": "{sentence2}", "label": "{label}"}
_ROW = ("sentence1", "sentence2", "label")
_LANGUAGES = codes("de en es fr ja ko zh")

# google/xtreme's loading script read the release TSVs with CSV quoting and kept only rows that split
# into 4 fields (huggingface/datasets@d7dfbc8 datasets/xtreme/xtreme.py l.853-856): rows holding
# quote characters were dropped or merged. Its dataset_infos.json against datasets/paws-x (read
# without quoting): en train 49,175 of 49,401; es validation 1,961 and fr 1,988 of 2,000; ko test
# 1,999 of 2,000.
_ROWS_LOST = "rows: the hub's CSV parsing of the release dropped or merged rows holding quote characters"
_QUOTES = Divergence(
    text=(
        "text: sentences holding a double quote differ from the reference's input (the hub parsed "
        "them as CSV quoting; the reference's csv round trip wraps them in quotes and doubles theirs)"
    )
)


def _hub(split: str, rows_lost: str, config: str = "PAWS-X.{lang}") -> HubSource:
    lost = Divergence(text=_ROWS_LOST, languages=codes(rows_lost))
    return HubSource(
        dataset="google/xtreme", config=config, split=split, fields=_PAIR, divergences=(lost, _QUOTES)
    )


def _release(path: str) -> FileSource:
    return FileSource(release="paws-x", path=path, layout="pawsx", fields=_PAIR, languages=_LANGUAGES)


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
            sources=(
                download("pawsx/train-en.tsv", columns=_ROW, fields=_PAIR),
                _release("en/train.tsv"),
                _hub("train", "en", "PAWS-X.en"),
            ),
        ),
        "validation": Split(
            sources=(
                download("pawsx/dev-{lang}.tsv", columns=_ROW, fields=_PAIR, languages=_LANGUAGES),
                _release("{lang}/dev_2k.tsv"),
                _hub("validation", "es fr"),
            )
        ),
        "test": Split(
            sources=(
                _release("{lang}/test_2k.tsv"),
                _hub("test", "ko"),
                download(
                    "pawsx/test-{lang}.tsv",
                    columns=_ROW[:2],
                    labelled=False,
                    fields=_PAIR,
                    languages=_LANGUAGES,
                ),
            )
        ),
    },
)
