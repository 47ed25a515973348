"""XCOPA (Ponti et al., 2020): causal commonsense reasoning in 11 languages (XTREME-R).

English training is two-stage, as in the reference (scripts/train_xcopa.sh): Social IQa, then COPA.
"""

from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

# third_party/run_xcopa.py builds the first segment as "{premise} What was the {question}?"
# (question is "cause" or "effect") and pairs it with each choice.
_COPA = {
    "context": "{premise} What was the {question}?",
    "choices": ("{choice1}", "{choice2}"),
    "label": "{label}",
}
_SIQA_HUB = {
    "context": "{context} {question}",
    "choices": ("{answerA}", "{answerB}", "{answerC}"),
    "label": "{label}",
}
_SIQA_DOWNLOAD = {**_SIQA_HUB, "label": "{correct}"}


_LANGUAGES = codes("et ht id it qu sw ta th tr vi zh")


def _release(split: str) -> FileSource:
    # cambridgeltl/xcopa's data/{lang}/{val,test}.{lang}.jsonl, which download_data.sh fetches
    return FileSource(
        release="xcopa",
        path=f"data/{{lang}}/{split}.{{lang}}.jsonl",
        layout="jsonl",
        fields=_COPA,
        languages=_LANGUAGES,
    )


XCOPA = TaskSpec(
    name="xcopa",
    title="XCOPA",
    citation="Ponti et al. 2020, XCOPA: A Multilingual Dataset for Causal Commonsense Reasoning",
    format=FormatName.multiple_choice,
    metrics=("accuracy",),
    splits={
        "siqa_train": Split(
            per_language=False,
            sources=(
                download(
                    "siqa/socialIQa_v1.4_trn.jsonl",
                    layout="jsonl",
                    fields=_SIQA_DOWNLOAD,
                    label_map={"A": "0", "B": "1", "C": "2"},
                ),
                # The hub repository's main branch only holds a loading script, which datasets>=3
                # cannot run; the pinned revision is the hub's parquet conversion of it.
                HubSource(
                    dataset="allenai/social_i_qa",
                    data_dir="default",
                    split="train",
                    fields=_SIQA_HUB,
                    label_map={"1": "0", "2": "1", "3": "2"},
                ),
            ),
        ),
        "copa_train": Split(
            per_language=False,
            sources=(
                download("xcopa/train-en.jsonl", layout="jsonl", fields=_COPA),
                HubSource(dataset="aps/super_glue", config="copa", split="train", fields=_COPA),
            ),
        ),
        "copa_validation": Split(
            per_language=False,
            sources=(
                download("xcopa/val-en.jsonl", layout="jsonl", fields=_COPA),
                HubSource(dataset="aps/super_glue", config="copa", split="validation", fields=_COPA),
            ),
        ),
        "validation": Split(
            sources=(
                download("xcopa/val-{lang}.jsonl", layout="jsonl", fields=_COPA, languages=_LANGUAGES),
                _release("val"),
                HubSource(dataset="cambridgeltl/xcopa", config="{lang}", split="validation", fields=_COPA),
            )
        ),
        "test": Split(
            sources=(
                _release("test"),
                HubSource(dataset="cambridgeltl/xcopa", config="{lang}", split="test", fields=_COPA),
                # utils_preprocess.py overwrites every test label with 0: never score those.
                download(
                    "xcopa/test-{lang}.jsonl",
                    layout="jsonl",
                    labelled=False,
                    fields=_COPA,
                    languages=_LANGUAGES,
                ),
            )
        ),
    },
)
