"""The texts the reference's retrieval baselines embed, built from the records: Mewsli-X mention
queries and entity descriptions (utils_mewslix), LAReQA answer sentences (utils_lareqa). Pure
functions of the data, so that each is tested on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_MARKERS = re.compile(r"[{}]")


def mention_query(contextual: dict[str, Any]) -> str:
    """Mewsli-X's baseline mention text (utils_mewslix.preprocess_mention).

    `"{mention}: {left} { {mention} } {right}"` within the sentence holding the mention; braces in
    the context become parentheses; newlines and double spaces are folded.
    """
    context, mention = contextual["context"], contextual["mention"]
    text, span = context["text"], mention["mention_span"]
    start, end = 0, len(text)
    for sentence in context.get("sentence_spans") or []:
        if sentence["start"] <= span["start"] < sentence["end"]:
            start, end = sentence["start"], sentence["end"]
            break
    left = _MARKERS.sub(lambda m: "(" if m.group() == "{" else ")", text[start : span["start"]])
    right = _MARKERS.sub(lambda m: "(" if m.group() == "{" else ")", text[span["end"] : end])
    query = f"{span['text']}: {left} {{ {span['text']} }} {right}"
    return " ".join(query.splitlines()).replace("  ", " ").strip()


def entity_text(entity: dict[str, Any]) -> str:
    """An entity's description sentences, joined (utils_mewslix.preprocess_entity_description)."""
    description = entity["description"]
    text = " ".join(description[s["start"] : s["end"]] for s in entity.get("sentence_spans") or [])
    return " ".join((text or description).splitlines()).replace("  ", " ").strip()


_SENTENCE_END = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+")  # also CJK full stop, !, ?


def sentence_breaks(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a SQuAD training paragraph.

    The reference uses its own sentence breaker (processors/sb_sed); this splits after sentence-final
    punctuation followed by whitespace, which is what that breaker does on SQuAD's English prose in
    the common case. Only training uses it: XQuAD-R ships its sentence breaks.
    """
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def answer_sentence(
    context: str, breaks: Sequence[Sequence[int]], answer_start: int
) -> tuple[int, str] | None:
    """The position and text of the sentence holding the answer start; None outside every one."""
    for position, (start, end) in enumerate(breaks):
        if start <= answer_start < end:
            return position, context[start:end]
    return None
