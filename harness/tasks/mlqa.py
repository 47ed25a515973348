"""MLQA (Lewis et al., 2020): extractive QA in 7 languages, same-language context/question pairs."""

from harness.tasks._squad import QA_FIELDS, SQUAD_TRAIN, SQUAD_VALIDATION
from harness.tasks.spec import Divergence, FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

_LANGUAGES = codes("ar de en es hi vi zh")

MLQA = TaskSpec(
    name="mlqa",
    title="MLQA",
    citation="Lewis et al. 2020, MLQA: Evaluating Cross-lingual Extractive Question Answering",
    format=FormatName.extractive_qa,
    metrics=("f1", "exact_match"),
    answer_normalization="mlqa",
    splits={
        "squad_train": SQUAD_TRAIN,
        "squad_validation": SQUAD_VALIDATION,
        "test": Split(
            sources=(
                FileSource(
                    release="mlqa",
                    path="test/test-context-{lang}-question-{lang}.json",
                    layout="json",
                    fields=QA_FIELDS,
                    languages=_LANGUAGES,
                ),
                HubSource(
                    dataset="google/xtreme",
                    config="MLQA.{lang}.{lang}",
                    split="test",
                    fields=QA_FIELDS,
                    divergences=(
                        Divergence(
                            text=(
                                "rows: 5,253 questions (google/xtreme dataset_infos.json), the MLQA README "
                                "lists 5,254; the cause is not known"
                            ),
                            languages=codes("es"),
                        ),
                    ),
                ),
                # download_data.sh blanks the answers of every MLQA test file
                download(
                    "mlqa/MLQA_V1/test/test-context-{lang}-question-{lang}.json",
                    layout="json",
                    labelled=False,
                    fields=QA_FIELDS,
                    languages=_LANGUAGES,
                ),
            ),
        ),
    },
)
