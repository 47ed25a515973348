"""TyDiQA-GoldP (Clark et al., 2020): gold-passage QA in 9 languages; trained on its English part."""

from harness.tasks._squad import QA_FIELDS
from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, download

# Ids and the release's dev file names carry each language's English name.
_NAMES = {
    "ar": "arabic",
    "bn": "bengali",
    "en": "english",
    "fi": "finnish",
    "id": "indonesian",
    "ko": "korean",
    "ru": "russian",
    "sw": "swahili",
    "te": "telugu",
}

TYDIQA = TaskSpec(
    name="tydiqa",
    title="TyDiQA-GoldP",
    citation="Clark et al. 2020, TyDi QA: A Benchmark for Information-Seeking Question Answering",
    format=FormatName.extractive_qa,
    metrics=("f1", "exact_match"),
    codes=_NAMES,
    splits={
        "train": Split(
            per_language=False,
            sources=(
                download(
                    "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json",
                    layout="json",
                    fields=QA_FIELDS,
                ),
                # the release's training file mixes languages; utils_preprocess splits it by id prefix
                FileSource(
                    release="tydiqa-goldp",
                    path="tydiqa-goldp-v1.1-train.json",
                    layout="json",
                    options={"id_prefix": "english-"},
                    fields=QA_FIELDS,
                ),
                HubSource(
                    dataset="google/xtreme",
                    config="tydiqa",
                    split="train",
                    filter_column="id",
                    filter_value="english-",
                    filter_prefix=True,
                    fields=QA_FIELDS,
                ),
            ),
        ),
        "test": Split(
            note="the reference evaluates on the GoldP v1.1 dev files",
            sources=(
                FileSource(
                    release="tydiqa-goldp",
                    path="tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-{code}.json",
                    layout="json",
                    fields=QA_FIELDS,
                    languages=frozenset(_NAMES),
                ),
                HubSource(
                    dataset="google/xtreme",
                    config="tydiqa",
                    split="validation",
                    filter_column="id",
                    filter_value="{code}-",
                    filter_prefix=True,
                    fields=QA_FIELDS,
                ),
                # utils_preprocess.py renames the dev files and blanks their answers
                download(
                    "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json",
                    layout="json",
                    labelled=False,
                    fields=QA_FIELDS,
                    languages=frozenset(_NAMES),
                ),
            ),
        ),
    },
)
