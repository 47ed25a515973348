"""XNLI (Conneau et al., 2018): natural language inference in 15 languages; trained on MultiNLI."""

from harness.tasks.spec import Divergence, FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

_PAIR = {"text_a": "{sentence1}", "text_b": "{sentence2}", "label": "{gold_label}"}
_ROW = ("sentence1", "sentence2", "gold_label")
# the 15 languages of XNLI 1.0 (and of the download/ layout utils_preprocess.py writes)
_LANGUAGES = codes("ar bg de el en es fr hi ru sw th tr ur vi zh")

# google/xtreme's loading script parsed XNLI-1.0 with CSV quoting; the reference splits on tabs and
# round-trips the sentences through csv.writer (spec 9.10). Row counts and labels agree.
_QUOTES = Divergence(
    text=(
        "text: sentences holding a double quote differ from the reference's input (the hub parsed "
        "them as CSV quoting; the reference's csv round trip wraps them in quotes and doubles theirs)"
    )
)


def _hub(split: str) -> HubSource:
    return HubSource(
        dataset="google/xtreme",
        config="XNLI",
        split=split,
        filter_column="language",
        filter_value="{lang}",
        fields=_PAIR,
        divergences=(_QUOTES,),
    )


def _release(split: str) -> FileSource:
    return FileSource(
        release="xnli-1.0",
        path=f"xnli.{split}.tsv",
        layout="xnli",
        options={"language": "{lang}"},
        fields=_PAIR,
        languages=_LANGUAGES,
    )


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
            sources=(
                download("xnli/train-en.tsv", columns=_ROW, fields=_PAIR),
                HubSource(
                    dataset="nyu-mll/multi_nli",
                    split="train",
                    fields={"text_a": "{premise}", "text_b": "{hypothesis}", "label": "{label}"},
                    # multi_nli's ClassLabel order
                    label_map={"0": "entailment", "1": "neutral", "2": "contradiction"},
                ),
            ),
        ),
        "validation": Split(
            sources=(
                download("xnli/dev-{lang}.tsv", columns=_ROW, fields=_PAIR, languages=_LANGUAGES),
                _release("dev"),
                _hub("validation"),
            )
        ),
        "test": Split(
            sources=(
                _release("test"),
                _hub("test"),
                # utils_preprocess.py drops the label column from the test files.
                download(
                    "xnli/test-{lang}.tsv",
                    columns=_ROW[:2],
                    labelled=False,
                    fields=_PAIR,
                    languages=_LANGUAGES,
                ),
            )
        ),
    },
)
