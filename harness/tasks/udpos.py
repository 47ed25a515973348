"""UD-POS: universal part-of-speech tagging (Universal Dependencies v2.5 / v2.7)."""

from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

_FIELDS = {"tokens": "{tokens}", "tags": "{pos_tags}"}
_CONLL = {"tokens": "{tokens}", "tags": "{tags}"}


# The 17 UPOS tags, in the order of the hub's ClassLabel (google/xtreme udpos.*, microsoft/xglue pos).
UPOS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip


def _hub(split: str, config: str = "udpos.{name}") -> HubSource:
    return HubSource(dataset="google/xtreme", config=config, split=split, fields=_FIELDS)


UDPOS = TaskSpec(
    name="udpos",
    title="UD-POS",
    citation="Nivre et al. 2018, Universal Dependencies v2.5 (XTREME); v2.7 for the XTREME-R additions",
    format=FormatName.tagging,
    metrics=("f1", "accuracy"),
    labels=UPOS_TAGS,
    splits={
        "train": Split(
            per_language=False,
            hub=_hub("train", "udpos.English"),
            download=DownloadSource(path="udpos/train-en.tsv", layout="conll", fields=_CONLL),
        ),
        "validation": Split(
            hub=_hub("validation"),
            download=DownloadSource(path="udpos/dev-{lang}.tsv", layout="conll", fields=_CONLL),
        ),
        "test": Split(
            # The hub keeps syntactic words where the reference keeps fused surface forms, so token
            # sequences differ for languages with multi-word tokens (spec 3.4); lt, pl, uk, wo, ro
            # (UD v2.7) are not on the hub at all.
            note="hub tokenization differs from the reference for multi-word tokens",
            hub=_hub("test"),
            download=DownloadSource(
                path="udpos/test-{lang}.tsv", layout="conll", labelled=False, fields=_CONLL
            ),
        ),
    },
)
