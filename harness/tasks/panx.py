"""WikiANN / PAN-X named entity recognition (Pan et al. 2017; Rahimi et al. 2019 splits)."""

from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

_FIELDS = {"tokens": "{tokens}", "tags": "{ner_tags}"}
_CONLL = {"tokens": "{tokens}", "tags": "{tags}"}

# google/xtreme has PAN-X configs for XTREME's 40 languages; unimelb-nlp/wikiann (the same
# panx_dataset archive, all 176 languages, huggingface/datasets@d7dfbc8 datasets/wikiann/wikiann.py)
# holds XTREME-R's additions qu, pl, uk, az, lt, pa, gu, ro too.
XTREME_LANGUAGES = codes(
    "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw yo "
    "my zh kk tr et fi hu"
)


# utils_preprocess.py's PANX_LANGUAGES: what the download/ layout holds
DOWNLOADED = XTREME_LANGUAGES | codes("qu pl uk az lt pa gu ro")


def _hub(split: str, config: str = "PAN-X.{lang}") -> HubSource:
    return HubSource(
        dataset="google/xtreme", config=config, split=split, fields=_FIELDS, languages=XTREME_LANGUAGES
    )


def _wikiann(split: str) -> HubSource:
    # a commit of the hub's parquet conversion branch: one folder per language, one per split
    return HubSource(dataset="unimelb-nlp/wikiann", data_dir="{lang}", split=split, fields=_FIELDS)


def _release(split: str) -> FileSource:
    return FileSource(
        release="panx", path="", layout="panx", options={"language": "{lang}", "split": split}, fields=_CONLL
    )


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
            sources=(
                download("panx/train-en.tsv", layout="conll", fields=_CONLL),
                _release("train"),
                _hub("train", "PAN-X.en"),
            ),
        ),
        "validation": Split(
            sources=(
                download("panx/dev-{lang}.tsv", layout="conll", fields=_CONLL, languages=DOWNLOADED),
                _release("dev"),
                _hub("validation"),
                _wikiann("validation"),
            )
        ),
        "test": Split(
            sources=(
                _release("test"),
                _hub("test"),
                _wikiann("test"),
                download(
                    "panx/test-{lang}.tsv",
                    layout="conll",
                    labelled=False,
                    fields=_CONLL,
                    languages=DOWNLOADED,
                ),
            )
        ),
    },
)
