"""Tagging and extractive-QA formats: featurize, stitch and decode, checked against hand-made outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.formats import get_format
from harness.formats.extractive_qa import _max_context
from harness.models import load_tokenizer, resolve_checkpoint
from harness.suites import Hyperparameters, QAOptions
from harness.tasks import TASKS


@pytest.fixture(scope="module")
def tokenizer(tiny_bert: Path):
    return load_tokenizer(resolve_checkpoint(str(tiny_bert)))


def _hp(max_length: int, **qa: int) -> Hyperparameters:
    return Hyperparameters(
        learning_rate=1e-4, batch_size=2, epochs=1, max_length=max_length, qa=QAOptions(**qa) if qa else None
    )


# --- tagging --------------------------------------------------------------------------------------


def _fake_tagging_outputs(features: list[dict], n_labels: int) -> list[np.ndarray]:
    """Logits whose argmax at each word's first subword is (global word index) mod n_labels."""
    width = max(len(f["input_ids"]) for f in features)
    batch = np.zeros((len(features), width, n_labels), dtype=np.float32)
    seen: dict[int, int] = {}
    for row, feature in enumerate(features):
        for position in feature["word_positions"]:
            word = seen.get(feature["example_index"], 0)
            batch[row, position, word % n_labels] = 1.0
            seen[feature["example_index"]] = word + 1
    return [batch[:3], batch[3:]]  # two "batches", as the prediction loop returns them


def test_long_sentences_are_split_and_stitched_back_word_for_word(tokenizer) -> None:
    spec, fmt = TASKS["udpos"], get_format(TASKS["udpos"].format)
    words = [f"word{i} Hund" if i % 7 == 0 else "läuft" for i in range(50)]
    words = [w.replace(" ", "") for w in words]
    examples = [{"tokens": words, "tags": None}, {"tokens": ["kurz", "."], "tags": None}]
    hp = _hp(16)
    features = fmt.featurize(examples, tokenizer, spec, hp)
    assert len([f for f in features if f["example_index"] == 0]) > 3  # 50 words do not fit 14 subwords
    assert all(len(f["input_ids"]) <= 16 for f in features)
    predictions = fmt.decode(_fake_tagging_outputs(features, 17), features, examples, spec, hp)
    assert predictions[0] == [spec.labels[i % 17] for i in range(50)]  # one tag per word, in order
    assert predictions[1] == [spec.labels[0], spec.labels[1]]


def test_training_targets_sit_on_first_subwords_only(tokenizer) -> None:
    spec, fmt = TASKS["panx"], get_format(TASKS["panx"].format)
    examples = [{"tokens": ["Marie", "Curie", "arbeitete", "in", "Paris"], "tags": [1, 2, 0, 0, 5]}]
    (feature,) = fmt.featurize(examples, tokenizer, spec, _hp(64))
    labelled = [(i, t) for i, t in enumerate(feature["labels"]) if t != -100]
    assert [i for i, _ in labelled] == feature["word_positions"]
    assert [spec.labels[t] for _, t in labelled] == ["B-PER", "I-PER", "O", "O", "B-LOC"]
    assert feature["labels"][0] == -100 and feature["labels"][-1] == -100  # [CLS], [SEP]


def test_a_word_without_subwords_still_gets_a_prediction(tokenizer) -> None:
    spec, fmt = TASKS["udpos"], get_format(TASKS["udpos"].format)
    examples = [{"tokens": ["Der", "\u200c", "Hund"], "tags": ["DET", "X", "NOUN"]}]
    hp = _hp(32)
    features = fmt.featurize(examples, tokenizer, spec, hp)
    assert len(features[0]["word_positions"]) == 3
    predicted = fmt.decode(_fake_tagging_outputs(features, 17), features, examples, spec, hp)
    assert predicted == [list(spec.labels[:3])]


def test_tagging_files_have_a_blank_line_after_each_sentence() -> None:
    fmt = get_format(TASKS["panx"].format)
    assert fmt.write_predictions([["B-PER", "O"], []]) == "B-PER\nO\n\n\n"


# --- extractive QA --------------------------------------------------------------------------------

CONTEXT = " ".join(f"Satz{i} erzählt von der Stadt Valdor am Fluss." for i in range(12))
ANSWER = "Stadt Valdor"


def _qa_example(answer_at: int) -> dict:
    start = CONTEXT.index(ANSWER, answer_at)
    return {
        "id": "q1",
        "question": "Welche Stadt?",
        "context": CONTEXT,
        "answers": {"text": [ANSWER], "answer_start": [start]},
    }


def _context_starts(features: list[dict]) -> list[int]:
    return [next(o[0] for o in f["offsets"] if o is not None) for f in features]


def test_windows_advance_by_doc_stride_tokens(tokenizer) -> None:
    spec, fmt = TASKS["xquad"], get_format(TASKS["xquad"].format)
    features = fmt.featurize([_qa_example(0)], tokenizer, spec, _hp(48, doc_stride=16))
    assert len(features) > 2
    first = features[0]
    context_tokens = [o for o in first["offsets"] if o is not None]
    # every following window starts doc_stride context tokens later than the one before
    all_offsets = sorted({o for f in features for o in f["offsets"] if o is not None})
    positions = [all_offsets.index(next(o for o in f["offsets"] if o is not None)) for f in features]
    assert positions[:-1] == [16 * i for i in range(len(positions) - 1)]
    assert len(context_tokens) == 48 - len(tokenizer("Welche Stadt?")["input_ids"]) - 1


def test_answer_positions_map_back_to_the_answer_text(tokenizer) -> None:
    spec, fmt = TASKS["xquad"], get_format(TASKS["xquad"].format)
    example = _qa_example(len(CONTEXT) // 2)
    features = fmt.featurize([example], tokenizer, spec, _hp(48, doc_stride=16))
    inside = [f for f in features if f["start_positions"] != 0]
    assert inside, "the answer should lie inside some window"
    for f in inside:
        s, e = f["start_positions"], f["end_positions"]
        assert CONTEXT[f["offsets"][s][0] : f["offsets"][e][1]] == ANSWER
    assert any(f["start_positions"] == 0 == f["end_positions"] for f in features)  # outside: first token


def test_decoding_cuts_the_answer_from_the_original_context(tokenizer) -> None:
    spec, fmt = TASKS["xquad"], get_format(TASKS["xquad"].format)
    example = _qa_example(len(CONTEXT) // 2)
    hp = _hp(48, doc_stride=16, max_answer_length=30)
    features = fmt.featurize([example], tokenizer, spec, hp)
    # the window where the answer's first token has the most context: the one decoding considers
    central = _max_context(features)
    target = next(
        f for i, f in enumerate(features) if f["start_positions"] != 0 and central[i][f["start_positions"]]
    )
    width = max(len(f["input_ids"]) for f in features)
    logits = np.zeros((len(features), width, 2), dtype=np.float32)
    row = features.index(target)
    start, end = target["start_positions"], target["end_positions"]
    logits[row, start, 0] = 10.0
    logits[row, end, 1] = 10.0
    # a higher-scoring, longer span (a later end) must lose once it exceeds max_answer_length
    later = next(p for p in range(end + 1, len(target["offsets"])) if target["offsets"][p] is not None)
    logits[row, later, 1] = 12.0
    length = end - start + 1
    hp_short = _hp(48, doc_stride=16, max_answer_length=length)
    assert fmt.decode([logits], features, [example], spec, hp)[0] != ANSWER  # 12 + 10 wins when allowed
    predicted = fmt.decode([logits], features, [example], spec, hp_short)[0]
    assert predicted == ANSWER  # exact characters of the context, not detokenized subwords


def test_max_context_prefers_the_more_central_window() -> None:
    # one example, two windows over context tokens 0-5 and 3-8 (character spans (i, i+1))
    windows = [range(0, 6), range(3, 9)]
    features = [{"example_index": 0, "offsets": [None, *[(i, i + 1) for i in w], None]} for w in windows]
    result = _max_context(features)
    # token 3: min(3, 2) + 0.06 = 2.06 in window 0, min(0, 5) + 0.06 = 0.06 in window 1 -> window 0
    assert result[0][4] is True and result[1][1] is False
    # token 5: min(5, 0) in window 0, min(2, 3) in window 1 -> window 1
    assert result[0][6] is False and result[1][3] is True
    # token 4: min(4, 1) = 1 vs min(1, 4) = 1: the first window wins ties
    assert result[0][5] is True and result[1][2] is False


def test_a_qa_answer_never_ends_inside_a_grapheme() -> None:
    """A tokenizer that drops a vowel sign gives offsets ending before it: the answer keeps it."""
    from harness.formats import get_format
    from harness.suites import load_suite
    from harness.tasks import TASKS, FormatName

    context = "वे गए थे।"  # "they had gone"; थे is थ + the vowel sign े
    features = [{"offsets": [None, (0, 1), (3, 5), (6, 7), None], "example_index": 0}]
    logits = np.full((1, 5, 2), -10.0)
    logits[0, 2, 0] = logits[0, 3, 1] = 10.0  # start at गए, end at थ (its sign dropped)
    hp = load_suite("xtreme").tasks["xquad"].hyperparameters
    answers = get_format(FormatName.extractive_qa).decode(
        [logits], features, [{"context": context}], TASKS["xquad"], hp
    )
    assert answers == ["गए थे"]


# --- classification and multiple choice: gold labels the head cannot represent ---------------------


def test_classification_labels_become_class_indices(tokenizer) -> None:
    spec, fmt = TASKS["xnli"], get_format(TASKS["xnli"].format)
    examples = [
        {"text_a": "Der Hund läuft.", "text_b": "Ein Tier läuft.", "label": label}
        for label in ("neutral", "contradiction")
    ]
    unlabelled = {"text_a": "Kein Label.", "text_b": "-", "label": None}
    features = fmt.featurize([*examples, unlabelled], tokenizer, spec, _hp(32))
    # the reference processor's order (contradiction, entailment, neutral), typed in independently
    assert [f.get("labels") for f in features] == [2, 0, None]


@pytest.mark.parametrize("label", ["maybe", "Entailment", "1"])
def test_an_unknown_classification_label_is_an_error_naming_it(tokenizer, label: str) -> None:
    spec, fmt = TASKS["xnli"], get_format(TASKS["xnli"].format)
    good = {"text_a": "Der Hund läuft.", "text_b": "Ein Tier läuft.", "label": "entailment"}
    with pytest.raises(HarnessError) as info:
        fmt.featurize([good, {**good, "label": label}], tokenizer, spec, _hp(32))
    message = str(info.value)
    # the task, the offending label and the labels allowed: enough to find the bad row
    assert message.startswith("xnli:") and f'"{label}"' in message
    assert all(allowed in message for allowed in ("contradiction", "entailment", "neutral"))


def _choices(count: int, label: str | None) -> dict:
    return {"context": "Der Mann fiel hin.", "choices": [f"Grund {i}." for i in range(count)], "label": label}


def test_multiple_choice_batches_hold_every_choice_and_the_index(tokenizer) -> None:
    spec, fmt = TASKS["xcopa"], get_format(TASKS["xcopa"].format)
    features = fmt.featurize([_choices(3, "2"), _choices(3, "0")], tokenizer, spec, _hp(32))
    batch = fmt.collate(tokenizer)(features)
    assert batch["input_ids"].shape[:2] == (2, 3) and batch["labels"].tolist() == [2, 0]


@pytest.mark.parametrize(("label", "count"), [("2", 2), ("5", 3), ("B", 2), ("-1", 2)])
def test_a_label_that_is_not_a_choice_index_is_an_error_naming_it(tokenizer, label: str, count: int) -> None:
    spec, fmt = TASKS["xcopa"], get_format(TASKS["xcopa"].format)
    with pytest.raises(HarnessError) as info:
        fmt.featurize([_choices(count, "0"), _choices(count, label)], tokenizer, spec, _hp(32))
    message = str(info.value)
    assert message.startswith("xcopa:") and f'"{label}"' in message and f"below {count}" in message


def test_a_batch_mixing_choice_counts_is_an_error(tokenizer) -> None:
    # Social IQa has 3 choices and COPA 2: fine in separate stages, never in one batch
    spec, fmt = TASKS["xcopa"], get_format(TASKS["xcopa"].format)
    features = fmt.featurize([_choices(3, "1"), _choices(2, "1")], tokenizer, spec, _hp(32))
    with pytest.raises(HarnessError, match="different numbers of choices"):
        fmt.collate(tokenizer)(features)
