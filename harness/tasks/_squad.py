"""Shared pieces of the SQuAD-format QA tasks (XQuAD, MLQA, TyDiQA-GoldP)."""

from harness.tasks.spec import HubSource, Split, download

QA_FIELDS = {"id": "{id}", "context": "{context}", "question": "{question}", "answers": "{answers}"}

# XQuAD and MLQA are zero-shot from one model fine-tuned on SQuAD v1.1 (87,599 questions).
SQUAD_TRAIN = Split(
    per_language=False,
    sources=(
        download("squad/train-v1.1.json", layout="json", fields=QA_FIELDS),
        HubSource(dataset="rajpurkar/squad", split="train", fields=QA_FIELDS),
    ),
)
SQUAD_VALIDATION = Split(
    per_language=False,
    sources=(
        download("squad/dev-v1.1.json", layout="json", fields=QA_FIELDS),
        HubSource(dataset="rajpurkar/squad", split="validation", fields=QA_FIELDS),
    ),
)
