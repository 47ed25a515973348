"""XGLUE (Liang et al. 2020): the nine cross-lingual understanding tasks.

Fields, label vocabularies and split names are those of the hub dataset microsoft/xglue, whose
loading script (huggingface/datasets datasets/xglue/xglue.py) gives each task one config with an
English `train` split and per-language `validation.{lang}` and `test.{lang}` splits; labels are
ClassLabel indices. Head label orders follow the XGLUE baseline's processors (microsoft/Unicoder
understanding/src/transformers/data/processors/xglue.py); pair inputs join fields as they do.

MLQA is read from google/xtreme and rajpurkar/squad instead: XGLUE packages the same files (SQuAD
v1.1 train, MLQA v1 dev and test, per its xglue.py `_PATHS`), but microsoft/xglue's rows carry no
question id, which QA scoring keys answers by.
"""

from collections.abc import Mapping

from harness.tasks._squad import QA_FIELDS, SQUAD_TRAIN
from harness.tasks.mlqa import MLQA
from harness.tasks.spec import FieldTemplate, FormatName, HubSource, Split, TaskSpec, download
from harness.tasks.udpos import UPOS_TAGS

_DATASET = "microsoft/xglue"
_CITATION = (
    "Liang et al. 2020, XGLUE: A New Benchmark Dataset for Cross-lingual Pre-training, "
    "Understanding and Generation"
)


def _splits(
    config: str,
    fields: Mapping[str, FieldTemplate],
    label_map: Mapping[str, str] | None = None,
    test_note: str = "",
) -> dict[str, Split]:
    def hub(split: str) -> HubSource:
        return HubSource(dataset=_DATASET, config=config, split=split, fields=fields, label_map=label_map)

    return {
        "train": Split(per_language=False, sources=(hub("train"),)),
        "validation": Split(sources=(hub("validation.{lang}"),)),
        "test": Split(sources=(hub("test.{lang}"),), note=test_note),
    }


XGLUE_NER = TaskSpec(
    name="xglue_ner",
    title="XGLUE NER",
    citation=f"{_CITATION}; Tjong Kim Sang (and De Meulder) 2002, 2003, the CoNLL NER shared tasks",
    format=FormatName.tagging,
    metrics=("f1", "precision", "recall"),  # xglue_evaluate.py: seqeval f1_score
    labels=("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"),
    splits=_splits("ner", {"tokens": "{words}", "tags": "{ner}"}),
)

XGLUE_POS = TaskSpec(
    name="xglue_pos",
    title="XGLUE POS",
    citation=f"{_CITATION}; Universal Dependencies v2.5",
    format=FormatName.tagging,
    # xglue_evaluate.py scores POS with seqeval's precision_score (chunk precision), although the paper
    # and the dataset card call the metric accuracy; token accuracy is reported alongside.
    metrics=("precision", "accuracy", "f1"),
    labels=UPOS_TAGS,
    splits=_splits(
        "pos",
        {"tokens": "{words}", "tags": "{pos}"},
        test_note="microsoft/xglue has no pt splits (its script's language list omits pt; XGLUE scores it)",
    ),
)

XGLUE_NC = TaskSpec(
    name="xglue_nc",
    title="XGLUE News Classification",
    citation=_CITATION,
    format=FormatName.classification,
    metrics=("accuracy",),
    labels=(
        "foodanddrink",
        "sports",
        "news",
        "entertainment",
        "health",
        "video",
        "finance",
        "travel",
        "lifestyle",
        "autos",
    ),
    splits=_splits(
        "nc",
        {"text_a": "{news_title}", "text_b": "{news_body}", "label": "{news_category}"},
        # the hub's ClassLabel order, which differs from the head order above
        label_map={
            "0": "foodanddrink",
            "1": "sports",
            "2": "travel",
            "3": "finance",
            "4": "lifestyle",
            "5": "news",
            "6": "entertainment",
            "7": "health",
            "8": "video",
            "9": "autos",
        },
    ),
)

XGLUE_MLQA = TaskSpec(
    name="xglue_mlqa",
    title="XGLUE MLQA",
    citation=f"{_CITATION}; Lewis et al. 2020, MLQA",
    format=FormatName.extractive_qa,
    metrics=("f1", "exact_match"),  # XGLUE's task score is F1 only (mlqa_evaluation_v1's f1)
    answer_normalization="mlqa",
    splits={
        "squad_train": SQUAD_TRAIN,
        "validation": Split(
            sources=(
                HubSource(
                    dataset="google/xtreme", config="MLQA.{lang}.{lang}", split="validation", fields=QA_FIELDS
                ),
                # download_data.sh leaves MLQA's dev files as released
                download(
                    "mlqa/MLQA_V1/dev/dev-context-{lang}-question-{lang}.json",
                    layout="json",
                    fields=QA_FIELDS,
                ),
            )
        ),
        "test": MLQA.splits["test"],
    },
)

XGLUE_XNLI = TaskSpec(
    name="xglue_xnli",
    title="XGLUE XNLI",
    citation=f"{_CITATION}; Conneau et al. 2018, XNLI",
    format=FormatName.classification,
    metrics=("accuracy",),
    labels=("contradiction", "entailment", "neutral"),
    splits=_splits(
        "xnli",
        {"text_a": "{premise}", "text_b": "{hypothesis}", "label": "{label}"},
        label_map={"0": "entailment", "1": "neutral", "2": "contradiction"},  # the hub's ClassLabel
    ),
)

XGLUE_PAWSX = TaskSpec(
    name="xglue_pawsx",
    title="XGLUE PAWS-X",
    citation=f"{_CITATION}; Yang et al. 2019, PAWS-X",
    format=FormatName.classification,
    metrics=("accuracy",),
    # ClassLabel (different, same) indices are the 0/1 labels of the source files and of XGLUE's
    # prediction files.
    labels=("0", "1"),
    splits=_splits("paws-x", {"text_a": "{sentence1}", "text_b": "{sentence2}", "label": "{label}"}),
)

XGLUE_QADSM = TaskSpec(
    name="xglue_qadsm",
    title="XGLUE Query-Ad Matching",
    citation=_CITATION,
    format=FormatName.classification,
    metrics=("accuracy",),
    labels=("Bad", "Good"),
    splits=_splits(
        "qadsm",
        {"text_a": "{query}", "text_b": "{ad_title} {ad_description}", "label": "{relevance_label}"},
        label_map={"0": "Bad", "1": "Good"},
    ),
)

XGLUE_WPR = TaskSpec(
    name="xglue_wpr",
    title="XGLUE Web Page Ranking",
    citation=_CITATION,
    format=FormatName.classification,
    # nDCG of each query's pages ranked by the predicted grade (see harness.formats.classification).
    metrics=("ndcg", "accuracy"),
    # Relevance grades 0 (Bad) to 4 (Perfect): the ClassLabel index is the grade, used as the gain.
    labels=("0", "1", "2", "3", "4"),
    splits=_splits(
        "wpr",
        {
            "text_a": "{query}",
            "text_b": "{web_page_title} {web_page_snippet}",
            "label": "{relavance_label}",  # sic: the hub's column name
            "query": "{query}",  # groups a query's pages for nDCG
        },
    ),
)

XGLUE_QAM = TaskSpec(
    name="xglue_qam",
    title="XGLUE QA Matching",
    citation=_CITATION,
    format=FormatName.classification,
    metrics=("accuracy",),
    labels=("0", "1"),  # ClassLabel (False, True); XGLUE's prediction files use 0/1
    splits=_splits("qam", {"text_a": "{question}", "text_b": "{answer}", "label": "{label}"}),
)

XGLUE_TASKS = (
    XGLUE_NER,
    XGLUE_POS,
    XGLUE_NC,
    XGLUE_MLQA,
    XGLUE_XNLI,
    XGLUE_PAWSX,
    XGLUE_QADSM,
    XGLUE_WPR,
    XGLUE_QAM,
)
