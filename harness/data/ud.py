"""Universal Dependencies release trees read as the XTREME reference reads them.

The reference (google-research/xtreme at 838c13b) builds UD-POS in three steps, reproduced here:

1. `scripts/download_data.sh` picks, per language, every `*.conllu` of the release whose file name
   starts with `{lang}_` (so `grc_*`, Ancient Greek, is not Greek) and converts each file with
   `third_party/ud-conversion-tools/conllu_to_conll.py --replace_subtokens_with_fused_forms`: a
   multi-word token keeps its surface form, tagged with the UPOS of one of its words, the "span head"
   (`lib/conll.py` `_choose_spanhead_from_heuristics`).
2. `utils_preprocess.udpos_preprocess` reads the converted files of a language in file-name order,
   train/dev/test by `train`, `dev`, `test` in the file name, and drops sentences whose words are
   (almost) all `_` (treebanks released without their text).
3. It removes U+200C (zero-width non-joiner) and spaces inside words.

When the reference's converter raises on a file, `download_data.sh` goes on without it, so that file
is missing from the reference's data; `ConverterFails` marks those files here (see docs/data.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

# conllu_to_conll.py's POSRANKPRECEDENCEDICT. The default list ends in "" because the reference
# splits a string with a trailing space; SYM is in none of them.
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "default": (
        "VERB", "NOUN", "PROPN", "PRON", "ADJ", "NUM", "ADV", "INTJ", "AUX", "ADP", "DET", "PART",
        "CCONJ", "SCONJ", "X", "PUNCT", "",
    ),
    "es": ("VERB", "AUX", "PRON", "ADP", "DET"),
    "fr": ("VERB", "AUX", "PRON", "NOUN", "ADJ", "ADV", "ADP", "DET", "PART", "SCONJ", "CONJ"),
    "it": ("VERB", "AUX", "ADV", "PRON", "ADP", "DET", "INTJ"),
}  # fmt: skip


class ConverterFails(Exception):
    """The reference's conllu_to_conll.py raises on this file, so its data lacks the file."""


@dataclass
class _Sentence:
    words: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (FORM, UPOS)
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)  # basic and enhanced heads -> dependents
    fused: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # first id -> (first, last, FORM)


def _word_id(text: str, where: str) -> int | tuple[int, ...] | None:
    """lib/conll.py parse_id: "_" and empty nodes ("8.1") are None, a range "1-2" a tuple."""
    if text == "_" or "." in text:
        return None
    try:
        ids = tuple(int(part) for part in text.split("-"))
    except ValueError:
        raise ConverterFails(f"{where}: id {text!r} is not a number") from None
    return ids[0] if len(ids) == 1 else ids


def _read(path: Path) -> list[_Sentence]:
    """lib/conll.py CoNLLReader.read_conll_u: a sentence ends at each empty line (a sentence after
    the last empty line is dropped); every enhanced head (DEPS) is an edge of the graph too."""
    sentences: list[_Sentence] = []
    sentence = _Sentence()
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip("\n")
            where = f"{path.name}:{number}"
            if not line:
                sentences.append(sentence)
                sentence = _Sentence()
                continue
            if line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 10:
                raise ConverterFails(f"{where}: {len(parts)} columns, not 10")
            word = _word_id(parts[0], where)
            if isinstance(word, int):
                head = _word_id(parts[6], where)
                if head is None:
                    # networkx 1.x takes None as a node; sorting the nodes then fails in Python 3
                    raise ConverterFails(f"{where}: word without a head")
                sentence.graph.add_edge(head, word)
                sentence.words[word] = (parts[1], parts[3])
                if parts[8] != "_":
                    for pair in parts[8].split("|"):
                        head_text, sep, _ = pair.partition(":")
                        if not sep:
                            raise ConverterFails(f"{where}: DEPS item {pair!r} has no relation")
                        if head_text.isdigit():
                            sentence.graph.add_edge(int(head_text), word)
            elif isinstance(word, tuple):
                sentence.fused[word[0]] = (word[0], word[-1], parts[1])
    return sentences


def _span_head(sentence: _Sentence, span: range, precedence: tuple[str, ...], where: str) -> int:
    """lib/conll.py _choose_spanhead_from_heuristics: the word of the span with the fewest ancestors
    in the graph; on a tie, the first of the tied words whose UPOS ranks best in `precedence`."""
    try:
        depth = [len(nx.ancestors(sentence.graph, word)) for word in span]
    except nx.NetworkXError:
        raise ConverterFails(f"{where}: a multi-word token spans a missing word") from None
    top = min(depth)
    highest = [word for word, d in zip(span, depth, strict=True) if d == top]
    if len(highest) == 1:
        return highest[0]
    best, rank = -1, len(precedence) + 1
    for word in highest:
        if word not in sentence.words:
            raise ConverterFails(f"{where}: a multi-word token spans a missing word")
        upos = sentence.words[word][1]
        if upos not in precedence:
            raise ConverterFails(f"{where}: tied span words with {upos}, which the precedence list lacks")
        if precedence.index(upos) < rank:
            best, rank = word, precedence.index(upos)
    return best


def _fuse(sentence: _Sentence, precedence: tuple[str, ...], where: str) -> tuple[list[str], list[str]]:
    """The converted sentence: each multi-word token becomes its surface form with its span head's
    UPOS, its other words removed (--replace_subtokens_with_fused_forms)."""
    if not sentence.words:
        raise ConverterFails(f"{where}: an empty sentence (two empty lines in a row)")
    words = dict(sentence.words)
    # every span head is chosen on the unmodified graph, before any span is merged
    heads = [
        (_span_head(sentence, range(first, last + 1), precedence, where), first, last, form)
        for first, last, form in (sentence.fused[k] for k in sorted(sentence.fused))
    ]
    for head, first, last, form in heads:
        words[head] = (form, words[head][1])
        for word in range(first, last + 1):
            if word != head:
                words.pop(word, None)
    ordered = [words[k] for k in sorted(words)]
    return [form for form, _ in ordered], [upos for _, upos in ordered]


def reference_sentences(path: Path, lang: str) -> list[tuple[list[str], list[str]]]:
    """(words, UPOS tags) of every sentence the reference keeps from one .conllu file."""
    precedence = PRECEDENCE.get(lang, PRECEDENCE["default"])
    kept = []
    for number, sentence in enumerate(_read(path), start=1):
        forms, tags = _fuse(sentence, precedence, f"{path.name} sentence {number}")
        forms, tags = [f.strip() for f in forms], [t.strip() for t in tags]
        blank = sum(form == "_" for form in forms)
        if blank == 0 or blank < len(forms) - 1:  # treebanks without their text: dropped
            kept.append(([_clean(form) for form in forms], tags))
    return kept


def _clean(form: str) -> str:
    """utils_preprocess.remove_empty_space: no zero-width non-joiner, no space inside a word."""
    return "".join(form.replace("\u200c", "").split(" "))


def _split_of(name: str) -> str | None:
    # utils_preprocess.udpos_preprocess tests the file name in this order
    return next((split for split in ("train", "dev", "test") if split in name), None)


@functools.lru_cache(maxsize=8)
def _conllu_files(root: Path) -> tuple[Path, ...]:
    return tuple(sorted(root.glob("*/*.conllu"), key=lambda p: p.name))


def treebank_files(root: Path, lang: str, split: str) -> list[Path]:
    """The files download_data.sh converts for `lang` (file name up to the first "_" equals the
    code), of one split, in the order udpos_preprocess concatenates them."""
    if not root.is_dir():
        return []
    return [p for p in _conllu_files(root) if p.name.split("_")[0] == lang and _split_of(p.name) == split]
