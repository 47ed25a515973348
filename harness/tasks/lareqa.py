"""LAReQA (Roy et al., 2020): language-agnostic answer retrieval over XQuAD-R (XTREME-R)."""

from harness.tasks._squad import SQUAD_TRAIN
from harness.tasks.spec import FormatName, Split, TaskSpec, codes, download

LAREQA = TaskSpec(
    name="lareqa",
    title="LAReQA",
    citation="Roy et al. 2020, LAReQA: Language-agnostic Answer Retrieval from a Multilingual Pool",
    format=FormatName.answer_retrieval,
    metrics=("map@20",),
    splits={
        "squad_train": SQUAD_TRAIN,
        # XQuAD with sentence breaks; the questions and candidate sentences of all languages are pooled
        # download_data.sh unpacks the google-research-datasets/lareqa repository as it is
        "test": Split(
            sources=(
                download(
                    "lareqa/xquad-r/{lang}.json",
                    layout="json",
                    fields={
                        "id": "{id}",
                        "question": "{question}",
                        "context": "{context}",
                        "answers": "{answers}",
                        "sentence_breaks": "{sentence_breaks}",
                        "paragraph": "{paragraph}",
                    },
                    # XQuAD-R's 11 languages (no Romanian)
                    languages=codes("ar de el en es hi ru th tr vi zh"),
                ),
            )
        ),
    },
)
