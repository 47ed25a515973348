"""XQuAD (Artetxe et al., 2020): SQuAD v1.1 dev translated into 11 (XTREME-R: 12) languages."""

from harness.tasks._squad import QA_FIELDS, SQUAD_TRAIN, SQUAD_VALIDATION
from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

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
            note="xquad.ro (XTREME-R) is in google/xquad, not in google/xtreme",
            hub=HubSource(
                dataset="google/xtreme", config="XQuAD.{lang}", split="validation", fields=QA_FIELDS
            ),
            # download_data.sh blanks the answers of the XQuAD test files
            download=DownloadSource(
                path="xquad/xquad.{lang}.json", layout="json", labelled=False, fields=QA_FIELDS
            ),
        ),
    },
)
