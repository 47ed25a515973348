"""Extractive QA: SQuAD v1.1 EM/F1 (XQuAD, TyDiQA-GoldP) and MLQA's language-aware EM/F1.

XQuAD and TyDiQA use the plain SQuAD v1.1 normalisation for every language (zh and th included,
which have no spaces, so their F1 behaves almost like EM); MLQA normalises per answer language
(spec sections 5.3 and 5.4). A question without a prediction scores 0; scores average over all
questions of the gold file. The arithmetic follows the official scripts so floats match exactly.
"""

from __future__ import annotations

import functools
import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_ASCII_PUNCT = frozenset(string.punctuation)


@functools.cache
def _unicode_punct() -> frozenset[str]:
    """Every Unicode punctuation character (categories P*) plus ASCII punctuation, as MLQA's script.

    Built on first use: scanning all code points takes a noticeable fraction of a second.
    """
    return frozenset(
        chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i)).startswith("P")
    ) | (_ASCII_PUNCT)


_MLQA_ARTICLES = {
    "en": re.compile(r"\b(a|an|the)\b"),
    "es": re.compile(r"\b(un|una|unos|unas|el|la|los|las)\b"),
    "de": re.compile(r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b"),
    "vi": re.compile(r"\b(của|là|cái|chiếc|những)\b"),
}
_MLQA_LANGUAGES = ("en", "es", "de", "vi", "ar", "hi", "zh")
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def squad_normalize(text: str) -> str:
    """SQuAD v1.1: lowercase, drop ASCII punctuation, drop English articles, collapse whitespace.

    >>> squad_normalize("The  Eiffel-Tower!")
    'eiffeltower'
    """
    text = "".join(ch for ch in text.lower() if ch not in _ASCII_PUNCT)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _mixed_segmentation(text: str) -> list[str]:
    # Chinese: every CJK ideograph and every punctuation character is a token of its own.
    punct = _unicode_punct()
    tokens: list[str] = []
    pending = ""
    for char in text:
        if _CJK.search(char) or char in punct:
            tokens.extend(pending.split())
            pending = ""
            tokens.append(char)
        else:
            pending += char
    tokens.extend(pending.split())
    return tokens


def mlqa_normalize(text: str, lang: str) -> str:
    """MLQA: lowercase, drop Unicode punctuation, drop the language's articles, tokenize.

    Arabic removes every occurrence of "ال" (the reference's regex can only match that branch);
    Chinese is segmented into characters; hi and zh have no article list.

    >>> mlqa_normalize("Die Katze, der Hund.", "de")
    'katze hund'
    >>> mlqa_normalize("北京大学。", "zh")
    '北 京 大 学'
    """
    if lang not in _MLQA_LANGUAGES:
        raise ValueError(
            f"MLQA has no normalisation for language {lang!r}; allowed: {', '.join(_MLQA_LANGUAGES)}"
        )
    punct = _unicode_punct()
    text = "".join(ch for ch in text.lower() if ch not in punct)
    if lang in _MLQA_ARTICLES:
        text = _MLQA_ARTICLES[lang].sub(" ", text)
    elif lang == "ar":
        text = text.replace("ال", " ")
    tokens = _mixed_segmentation(text) if lang == "zh" else text.split()
    return " ".join(t for t in tokens if t.strip() != "")


def _token_f1(prediction: str, gold: str) -> float:
    predicted, expected = prediction.split(), gold.split()
    same = sum((Counter(predicted) & Counter(expected)).values())
    if same == 0:
        return 0
    precision = 1.0 * same / len(predicted)
    recall = 1.0 * same / len(expected)
    return (2 * precision * recall) / (precision + recall)


@dataclass(frozen=True)
class QAGold:
    """One gold question: its id and every acceptable answer text."""

    id: str
    answers: tuple[str, ...]


def _per_question(
    gold: Iterable[QAGold], predictions: Mapping[str, str], normalize: Callable[[str], str]
) -> dict[str, list[float]]:
    """Each question's EM and F1 (0-1), max over its gold answers; an unanswered question scores 0."""
    exact: list[float] = []
    f1: list[float] = []
    for question in gold:
        if question.id not in predictions:
            exact.append(0.0)
            f1.append(0.0)
            continue
        prediction = normalize(predictions[question.id])
        answers = [normalize(a) for a in question.answers]
        exact.append(float(max(prediction == a for a in answers)))
        f1.append(max(_token_f1(prediction, a) for a in answers))
    if not exact:
        raise ValueError("no gold questions")
    return {"exact_match": exact, "f1": f1}


def _score(
    gold: Iterable[QAGold], predictions: Mapping[str, str], normalize: Callable[[str], str]
) -> dict[str, float]:
    per_question = _per_question(gold, predictions, normalize)
    total = len(per_question["f1"])
    # summed in question order, then 100.0 * sum / total, as the official scripts do
    return {metric: 100.0 * sum(values) / total for metric, values in per_question.items()}


def squad_per_question(gold: Sequence[QAGold], predictions: Mapping[str, str]) -> dict[str, list[float]]:
    """Per-question SQuAD v1.1 EM and F1 (0-1), for resampling."""
    return _per_question(gold, predictions, squad_normalize)


def mlqa_per_question(
    gold: Sequence[QAGold], predictions: Mapping[str, str], lang: str
) -> dict[str, list[float]]:
    """Per-question MLQA EM and F1 (0-1), for resampling."""
    return _per_question(gold, predictions, lambda text: mlqa_normalize(text, lang))


def squad_em_f1(gold: Sequence[QAGold], predictions: Mapping[str, str]) -> dict[str, float]:
    """SQuAD v1.1 exact match and F1 (0-100), max over gold answers, missing predictions 0.

    >>> squad_em_f1([QAGold("q1", ("the cat",)), QAGold("q2", ("a dog",))], {"q1": "Cat"})
    {'exact_match': 50.0, 'f1': 50.0}
    """
    return _score(gold, predictions, squad_normalize)


def mlqa_em_f1(gold: Sequence[QAGold], predictions: Mapping[str, str], lang: str) -> dict[str, float]:
    """MLQA exact match and F1 (0-100) with the answer language's normalisation.

    >>> mlqa_em_f1([QAGold("q1", ("北京大学",))], {"q1": "北京"}, "zh")["f1"]
    66.66666666666666
    """
    return _score(gold, predictions, lambda text: mlqa_normalize(text, lang))
