"""LAReQA (Roy et al., 2020): language-agnostic answer retrieval over XQuAD-R (XTREME-R)."""

from harness.tasks._squad import SQUAD_TRAIN
from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

LAREQA = TaskSpec(
    name="lareqa",
    title="LAReQA",
    citation="Roy et al. 2020, LAReQA: Language-agnostic Answer Retrieval from a Multilingual Pool",
    format=FormatName.retrieval,
    protocol="answer_retrieval",
    metrics=("map@20",),
    splits={
        "squad_train": SQUAD_TRAIN,
        # XQuAD with sentence breaks; the questions and candidate sentences of all languages are pooled
        "test": Split(
            download=DownloadSource(
                path="lareqa/xquad-r/{lang}.json",
                layout="json",
                fields={
                    "id": "{id}",
                    "question": "{question}",
                    "context": "{context}",
                    "answers": "{answers}",
                    "sentence_breaks": "{sentence_breaks}",
                    "paragraph": "{paragraph}",
                },
            )
        ),
    },
)
