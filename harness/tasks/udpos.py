"""UD-POS: universal part-of-speech tagging (Universal Dependencies v2.5 / v2.7)."""

from harness.tasks.spec import Divergence, FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

_FIELDS = {"tokens": "{tokens}", "tags": "{pos_tags}"}
_CONLL = {"tokens": "{tokens}", "tags": "{tags}"}


# The 17 UPOS tags, in the order of the hub's ClassLabel (google/xtreme udpos.*, microsoft/xglue pos).
UPOS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip

# The reference reads UD v2.5 for the XTREME languages and v2.7 for XTREME-R's additions
# (download_data.sh, download_treebank).
XTREME_LANGUAGES = codes(
    "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi yo zh"
)
XTREME_R_ADDITIONS = codes("lt pl uk wo ro")

# google/xtreme's udpos.* configs (huggingface/datasets@d7dfbc8 datasets/xtreme/xtreme.py l.864-940):
# every .conllu whose path contains "_{English name}", and syntactic words instead of the fused
# surface forms that conllu_to_conll.py keeps (spec 3.4).
_HUB_DIVERGENCES = (
    Divergence(
        text=(
            "tokens: multi-word tokens are split into their syntactic words (the reference keeps the "
            "surface form, tagged with its span head); token sequences differ where a treebank has them"
        )
    ),
    Divergence(
        text=(
            "treebanks: chosen by a substring of the directory name (UD_{Name} anywhere in the path), "
            "where the reference chooses by the file name's language code, so other varieties may be "
            "mixed in: Ancient Greek (el), Old French (fr), Old Russian (ru), Classical Chinese (zh)"
        ),
        languages=codes("el fr ru zh"),
    ),
)


def _hub(split: str, config: str = "udpos.{name}") -> HubSource:
    return HubSource(
        dataset="google/xtreme",
        config=config,
        split=split,
        fields=_FIELDS,
        languages=XTREME_LANGUAGES,
        divergences=_HUB_DIVERGENCES,
    )


def _releases(split: str) -> tuple[FileSource, FileSource]:
    """The UD release trees, read as download_data.sh and utils_preprocess.py read them."""
    options = {"language": "{lang}", "split": split}
    return (
        FileSource(
            release="ud-2.5", path="", layout="ud", options=options, fields=_CONLL, languages=XTREME_LANGUAGES
        ),
        FileSource(
            release="ud-2.7",
            path="",
            layout="ud",
            options=options,
            fields=_CONLL,
            languages=XTREME_R_ADDITIONS,
        ),
    )


UDPOS = TaskSpec(
    name="udpos",
    title="UD-POS",
    citation="Nivre et al. 2018, Universal Dependencies v2.5 (XTREME); v2.7 for the XTREME-R additions",
    format=FormatName.tagging,
    # evaluate.py's f1() reports seqeval f1, precision and recall; accuracy is the harness's own
    metrics=("f1", "precision", "recall", "accuracy"),
    labels=UPOS_TAGS,
    splits={
        "train": Split(
            per_language=False,
            sources=(
                download("udpos/train-en.tsv", layout="conll", fields=_CONLL),
                *_releases("train"),
                _hub("train", "udpos.English"),
            ),
        ),
        "validation": Split(
            sources=(
                download(
                    "udpos/dev-{lang}.tsv",
                    layout="conll",
                    fields=_CONLL,
                    languages=XTREME_LANGUAGES | XTREME_R_ADDITIONS,
                ),
                *_releases("dev"),
                _hub("validation"),
            )
        ),
        "test": Split(
            sources=(
                *_releases("test"),
                _hub("test"),
                download(
                    "udpos/test-{lang}.tsv",
                    layout="conll",
                    labelled=False,
                    fields=_CONLL,
                    languages=XTREME_LANGUAGES | XTREME_R_ADDITIONS,
                ),
            )
        ),
    },
)
