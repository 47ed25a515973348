"""Entity-level F1 for tag sequences, with seqeval 0.0.12 semantics (spec section 5.1).

XTREME scores PAN-X (IOB2 NER) and, less obviously, UD-POS with this metric. On POS tags the chunk
rules turn runs of the same tag into one chunk, make tags starting with "S" (SCONJ, SYM) singletons
and let a tag starting with "I" (INTJ) continue a run: it is not token accuracy. The reference test
(evaluate_test.py) expects UD-POS 70.21746048354693 on its mock data, which these rules reproduce;
seqeval >= 0.0.13 changed the type of a label without a dash and gives 70.398 instead.
"""

from __future__ import annotations

from collections.abc import Sequence

Chunk = tuple[str, int, int]  # (type, first position, last position) in the flattened sequence


def _ends(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _starts(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != type_


def chunks(sentences: Sequence[Sequence[str]]) -> list[Chunk]:
    """Chunks of all sentences, concatenated with an "O" after each sentence as seqeval 0.0.12 does.

    The tag of a label is its first character; its type is the text after the last "-" (the whole
    label when it has none: "NOUN" -> tag "N", type "NOUN").

    >>> chunks([["B-PER", "I-PER", "O", "B-LOC"]])
    [('PER', 0, 1), ('LOC', 3, 3)]
    >>> chunks([["NOUN", "NOUN", "VERB"], ["SCONJ", "SCONJ"]])
    [('NOUN', 0, 1), ('VERB', 2, 2), ('SCONJ', 4, 4), ('SCONJ', 5, 5)]
    """
    sequence = [label for sentence in sentences for label in [*sentence, "O"]]
    found: list[Chunk] = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, label in enumerate([*sequence, "O"]):
        tag, type_ = label[0], label.split("-")[-1]
        if _ends(prev_tag, tag, prev_type, type_):
            found.append((prev_type, begin, i - 1))
        if _starts(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return found


def chunk_f1(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision, recall and F1 over chunks (0-100), as evaluate.py's `f1` reports them.

    >>> chunk_f1([["NOUN", "NOUN", "VERB"]], [["NOUN", "ADJ", "VERB"]])["f1"]
    40.0
    """
    if len(gold) != len(predicted):
        raise ValueError(f"{len(predicted)} predicted sentences for {len(gold)} gold sentences")
    true_chunks, pred_chunks = set(chunks(gold)), set(chunks(predicted))
    correct = len(true_chunks & pred_chunks)
    p = correct / len(pred_chunks) if pred_chunks else 0
    r = correct / len(true_chunks) if true_chunks else 0
    f = 2 * p * r / (p + r) if p + r > 0 else 0
    return {"f1": f * 100, "precision": p * 100, "recall": r * 100}


def token_accuracy(gold: Sequence[Sequence[str]], predicted: Sequence[Sequence[str]]) -> float:
    """Share of tokens tagged correctly (0-100); sentences must align token for token.

    >>> token_accuracy([["NOUN", "NOUN", "VERB"]], [["NOUN", "ADJ", "VERB"]])
    66.66666666666666
    """
    if len(gold) != len(predicted) or any(len(g) != len(p) for g, p in zip(gold, predicted, strict=True)):
        raise ValueError("token accuracy needs one predicted tag per gold token")
    pairs = [(g, p) for gs, ps in zip(gold, predicted, strict=True) for g, p in zip(gs, ps, strict=True)]
    if not pairs:
        raise ValueError("token accuracy of no tokens is undefined")
    return sum(g == p for g, p in pairs) / len(pairs) * 100
