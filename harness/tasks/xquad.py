"""XQuAD (Artetxe et al., 2020): SQuAD v1.1 dev translated into 11 (XTREME-R: 12) languages."""

from harness.tasks._squad import QA_FIELDS, SQUAD_TRAIN, SQUAD_VALIDATION
from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, codes, download

XQUAD = TaskSpec(
    name="xquad",
    title="XQuAD",
    citation="Artetxe et al. 2020, On the Cross-lingual Transferability of Monolingual Representations",
    format=FormatName.extractive_qa,
    metrics=("f1", "exact_match"),
    splits={
        "squad_train": SQUAD_TRAIN,
        "squad_validation": SQUAD_VALIDATION,
        "test": Split(
            sources=(
                # deepmind/xquad, which download_data.sh fetches (for XTREME's 11 languages; ro too)
                FileSource(
                    release="xquad",
                    path="xquad.{lang}.json",
                    layout="json",
                    fields=QA_FIELDS,
                    languages=codes("ar de el en es hi ro ru th tr vi zh"),
                ),
                HubSource(
                    dataset="google/xtreme",
                    config="XQuAD.{lang}",
                    split="validation",
                    fields=QA_FIELDS,
                    languages=codes("ar de el en es hi ru th tr vi zh"),
                ),
                # the hub's own XQuAD, with Romanian (not in google/xtreme)
                HubSource(
                    dataset="google/xquad",
                    config="xquad.{lang}",
                    split="validation",
                    fields=QA_FIELDS,
                    languages=codes("ro"),
                ),
                # download_data.sh blanks the answers of the XQuAD test files
                download(
                    "xquad/xquad.{lang}.json",
                    layout="json",
                    labelled=False,
                    fields=QA_FIELDS,
                    languages=codes("ar de el en es hi ru th tr vi zh"),
                ),
            ),
        ),
    },
)
