"""LAReQA (Roy et al., 2020): language-agnostic answer retrieval over XQuAD-R (XTREME-R)."""

from harness.tasks._squad import SQUAD_TRAIN
from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

LAREQA = TaskSpec(
    name="lareqa",
    title="LAReQA",
    citation="Roy et al. 2020, LAReQA: Language-agnostic Answer Retrieval from a Multilingual Pool",
    format=FormatName.retrieval,
    metrics=("map@20",),
    splits={
        "squad_train": SQUAD_TRAIN,
        "test": Split(
            note="all 11 languages' questions and candidates are pooled",
            download=DownloadSource(
                path="lareqa/xquad-r/{lang}.json", layout="json", fields={"data": "{data}"}
            ),
        ),
    },
)
