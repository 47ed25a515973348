"""Tiny data in the exact formats of the original releases and of XTREME's download/ layout.

Written for these tests (no sentence comes from the real datasets): a data folder as a user would
assemble it from the releases docs/data.md lists, for any languages. Each writer mirrors one
release's file names, columns and quirks (a header line, CRLF line ends, a tar.gz per language inside
a zip, multi-word tokens and enhanced dependencies in CoNLL-U).
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from pathlib import Path

from harness.languages import get_language
from harness.tasks import TASKS

WORDS = ["river", "stone", "light", "garden", "music", "winter", "bridge", "market"]


def sentence(lang: str, i: int, extra: str = "") -> str:
    return f"{lang} {WORDS[i % len(WORDS)]} {WORDS[(i + 3) % len(WORDS)]} {i}{extra}"


def _write(path: Path, text: str, newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline=newline) as handle:
        handle.write(text)
    return path


def _jsonl(path: Path, rows: list[dict], newline: str = "\n") -> Path:
    return _write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), newline)


def _download_tsv(path: Path, rows: list[list[str]]) -> Path:
    # utils_preprocess.py writes these with csv.writer (tab-delimited)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
    return _write(path, buffer.getvalue())


# --- XNLI ---------------------------------------------------------------------------------------------

NLI = ("entailment", "neutral", "contradictory")


def xnli(root: Path, languages: list[str], n: int = 4) -> None:
    """download/xnli/{train-en,dev-en}.tsv and XNLI-1.0/xnli.{dev,test}.tsv (all languages, header)."""
    _download_tsv(
        root / "xnli" / "train-en.tsv",
        [
            [sentence("en", i), sentence("en", i + 1), NLI[i % 3].replace("contradictory", "contradiction")]
            for i in range(12)
        ],
    )
    _download_tsv(
        root / "xnli" / "dev-en.tsv",
        [
            [sentence("en", i), sentence("en", i + 2), NLI[i % 3].replace("contradictory", "contradiction")]
            for i in range(n)
        ],
    )
    header = [
        "language", "gold_label", "sentence1_binary_parse", "sentence2_binary_parse", "sentence1_parse",
        "sentence2_parse", "sentence1", "sentence2", "promptID", "pairID", "genre", "label1", "label2",
        "label3", "label4", "label5", "sentence1_tokenized", "sentence2_tokenized", "match",
    ]  # fmt: skip
    for split in ("dev", "test"):
        lines = ["\t".join(header)]
        for lang in languages:
            for i in range(n):
                s1, s2 = sentence(lang, i), sentence(lang, i + 1)
                label = "contradiction" if i % 3 == 2 else NLI[i % 3]
                lines.append(
                    "\t".join(
                        [
                            lang,
                            label,
                            "",
                            "",
                            "",
                            "",
                            s1,
                            s2,
                            str(i),
                            str(i),
                            "g",
                            *[label] * 5,
                            s1,
                            s2,
                            "True",
                        ]
                    )
                )
        _write(root / "XNLI-1.0" / f"xnli.{split}.tsv", "\n".join(lines) + "\n")


# --- PAWS-X -------------------------------------------------------------------------------------------


def pawsx(root: Path, languages: list[str], n: int = 4) -> None:
    """x-final/{lang}/{dev_2k,test_2k}.tsv and x-final/en/train.tsv: id, sentence1, sentence2, label."""

    def table(lang: str, rows: int) -> str:
        lines = ["id\tsentence1\tsentence2\tlabel"]
        lines += [f"{i + 1}\t{sentence(lang, i)}\t{sentence(lang, i + 1)}\t{i % 2}" for i in range(rows)]
        return "\n".join(lines) + "\n"

    _write(root / "x-final" / "en" / "train.tsv", table("en", 12))
    for lang in languages:
        _write(root / "x-final" / lang / "dev_2k.tsv", table(lang, n))
        _write(root / "x-final" / lang / "test_2k.tsv", table(lang, n))


# --- XCOPA (Social IQa, COPA, XCOPA) ------------------------------------------------------------------


def _copa(lang: str, i: int, label: int) -> dict:
    return {
        "premise": sentence(lang, i),
        "choice1": sentence(lang, i + 1),
        "choice2": sentence(lang, i + 2),
        "question": "cause" if i % 2 else "effect",
        "label": label,
        "idx": i,
        "changed": False,
    }


def xcopa(root: Path, languages: list[str], n: int = 4) -> None:
    """download/siqa, download/xcopa/{train,val}-en.jsonl, xcopa-master/data/{lang}/{val,test}.{lang}.jsonl"""
    siqa = [
        {
            "context": sentence("en", i),
            "question": "What happens next?",
            "answerA": sentence("en", i + 1),
            "answerB": sentence("en", i + 2),
            "answerC": sentence("en", i + 3),
            "correct": "ABC"[i % 3],
        }
        for i in range(9)
    ]
    _jsonl(root / "siqa" / "socialIQa_v1.4_trn.jsonl", siqa)
    _jsonl(root / "xcopa" / "train-en.jsonl", [_copa("en", i, i % 2) for i in range(8)])
    _jsonl(root / "xcopa" / "val-en.jsonl", [_copa("en", i, i % 2) for i in range(n)])
    for lang in languages:
        for split in ("val", "test"):
            # the release's current files end their lines with CRLF
            rows = [_copa(lang, i, i % 2) for i in range(n)]
            _jsonl(root / "xcopa-master" / "data" / lang / f"{split}.{lang}.jsonl", rows, newline="\r\n")


# --- UD -----------------------------------------------------------------------------------------------

UPOS = ("NOUN", "VERB", "ADJ", "ADP", "DET", "PUNCT")


def conllu_sentence(lang: str, i: int) -> str:
    """Four words, a root verb, comments, an empty node and enhanced dependencies."""
    words = [sentence(lang, i).split()[1], sentence(lang, i).split()[2], f"w{i}", "."]
    tags = ["NOUN", "VERB", "ADJ", "PUNCT"]
    heads = [2, 0, 1, 2]
    lines = [f"# sent_id = {lang}-{i}", f"# text = {' '.join(words)}"]
    for k, (word, tag, head) in enumerate(zip(words, tags, heads, strict=True), start=1):
        deps = f"{head}:dep" if head else "0:root"
        lines.append(f"{k}\t{word}\t{word}\t{tag}\t_\t_\t{head}\tdep\t{deps}\t_")
    lines.append("2.1\tghost\tghost\tNOUN\t_\t_\t_\t_\t2:dep\t_")
    return "\n".join(lines) + "\n\n"


def ud_tree(root: Path, version: str, languages: list[str], n: int = 3) -> Path:
    """ud-treebanks-v{version}/UD_{Name}-Fixture/{lang}_fixture-ud-{train,dev,test}.conllu."""
    tree = root / f"ud-treebanks-v{version}"
    for lang in languages:
        name = get_language(lang).name.replace(" ", "_")
        folder = tree / f"UD_{name}-Fixture"
        splits = ("train", "dev", "test") if lang == "en" else ("test",)
        for split in splits:
            count = 12 if split == "train" else n
            _write(
                folder / f"{lang}_fixture-ud-{split}.conllu",
                "".join(conllu_sentence(lang, i) for i in range(count)),
            )
    return tree


# --- PAN-X --------------------------------------------------------------------------------------------

NER = ("B-PER", "I-PER", "O", "B-LOC")


def _panx_split(lang: str, n: int) -> str:
    lines = []
    for i in range(n):
        words = sentence(lang, i).split()[1:]
        lines += [f"{lang}:{w}\t{tag}" for w, tag in zip(words, NER, strict=False)]
        lines.append("")
    return "\n".join(lines) + "\n"


def panx(root: Path, languages: list[str], n: int = 4) -> Path:
    """AmazonPhotos.zip holding {lang}.tar.gz with train, dev, test (`lang:token<TAB>tag` lines)."""
    archive = root / "AmazonPhotos.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as outer:
        for lang in sorted(set(languages) | {"en"}):
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as inner:
                for split in ("train", "dev", "test"):
                    data = _panx_split(lang, 12 if split == "train" else n).encode()
                    info = tarfile.TarInfo(split)
                    info.size = len(data)
                    inner.addfile(info, io.BytesIO(data))
            outer.writestr(f"panx_dataset/{lang}.tar.gz", buffer.getvalue())
    return archive


# --- SQuAD-format QA ----------------------------------------------------------------------------------


def squad_file(lang: str, n: int, ids: str = "{lang}-q{i}", title: str = "T") -> dict:
    paragraphs = []
    for i in range(n):
        context = f"{sentence(lang, i)}. The answer is {WORDS[i % len(WORDS)]} here."
        answer = WORDS[i % len(WORDS)]
        start = context.index(f"is {answer}") + 3
        paragraphs.append(
            {
                "context": context,
                "qas": [
                    {
                        "id": ids.format(lang=lang, i=i),
                        "question": f"What is the answer {i}?",
                        "answers": [{"text": answer, "answer_start": start}],
                    }
                ],
            }
        )
    return {"version": "1.1", "data": [{"title": title, "paragraphs": paragraphs}]}


def qa(root: Path, xquad: list[str], mlqa: list[str], tydiqa: list[str], n: int = 3) -> None:
    """download/squad/train-v1.1.json, xquad-master/, MLQA_V1/test/, TyDi QA GoldP train and dev."""
    _write(root / "squad" / "train-v1.1.json", json.dumps(squad_file("en", 10)))
    for lang in xquad:
        _write(root / "xquad-master" / f"xquad.{lang}.json", json.dumps(squad_file(lang, n)))
    for lang in mlqa:
        path = root / "MLQA_V1" / "test" / f"test-context-{lang}-question-{lang}.json"
        _write(path, json.dumps(squad_file(lang, n)))
    codes = TASKS["tydiqa"].codes
    # the training file mixes languages; ids start with the language's English name
    mixed = squad_file("en", 8, ids="english-{i}")
    mixed["data"] += squad_file("fi", 3, ids="finnish-{i}")["data"]
    _write(root / "tydiqa-goldp-v1.1-train.json", json.dumps(mixed))
    for lang in tydiqa:
        name = codes[lang]
        path = root / "tydiqa-goldp-v1.1-dev" / f"tydiqa-goldp-dev-{name}.json"
        _write(path, json.dumps(squad_file(lang, n, ids=name + "-{i}")))


# --- retrieval ----------------------------------------------------------------------------------------


def tatoeba(root: Path, languages: list[str], n: int = 4, same: bool = False) -> Path:
    """LASER-main/data/tatoeba/v1/tatoeba.{xxx}-eng.{xxx|eng}: line i translates line i.

    With `same`, both sides hold the same sentence: a retrieval that keeps the alignment scores 100.
    """
    folder = root / "LASER-main" / "data" / "tatoeba" / "v1"
    codes = TASKS["tatoeba"].codes
    for lang in languages:
        code = codes[lang]
        # English lines deliberately not in sorted order: sorting them would break the alignment
        english = [f"{WORDS[(7 * i) % len(WORDS)]} {lang} {i}" for i in range(n)]
        other = english if same else [sentence(lang, i) for i in range(n)]
        _write(folder / f"tatoeba.{code}-eng.{code}", "".join(f"{s}\n" for s in other))
        _write(folder / f"tatoeba.{code}-eng.eng", "".join(f"{s}\n" for s in english))
    return folder


def _context(lang: str, i: int) -> dict:
    text = f"{sentence(lang, i)}. {sentence(lang, i + 1)}."
    first = text.index(".") + 1
    return {
        "document_title": f"doc {i}",
        "document_url": f"https://{lang}.wikinews.org/{i}",
        "document_id": f"{lang}{i:04d}",
        "language": lang,
        "text": text,
        "sentence_spans": [{"start": 0, "end": first}, {"start": first + 1, "end": len(text)}],
        "section_title": None,
    }


def mewslix(root: Path, languages: list[str], n: int = 3) -> None:
    """download/mewslix/{wikipedia_pairs-train,candidate_set_entities}.jsonl and the release's
    mewsli-x/wikinews_mentions-test.jsonl (all languages in one file, entity ids kept)."""
    entities = [
        {
            "entity_id": f"Q{k}",
            "title": WORDS[k % len(WORDS)],
            "description": f"{WORDS[k % len(WORDS)]} is a thing. It is number {k}.",
            "sentence_spans": [{"start": 0, "end": 17}],
            "description_language": "en",
            "description_url": f"https://en.wikipedia.org/{k}",
        }
        for k in range(6)
    ]
    _jsonl(root / "mewslix" / "candidate_set_entities.jsonl", entities)

    def mention(lang: str, i: int, prefix: str) -> dict:
        context = _context(lang, i)
        word = context["text"].split()[1]
        start = context["text"].index(word)
        return {
            "example_id": f"{prefix}-{lang}-{i}",
            "mention_span": {"start": start, "end": start + len(word), "text": word},
            "entity_id": f"Q{i % 6}",
            "url": "",
        }

    pairs = [
        {
            "contextual_mention": {"context": _context("en", i), "mention": mention("en", i, "wp")},
            "entity": entities[i % 6],
        }
        for i in range(8)
    ]
    _jsonl(root / "mewslix" / "wikipedia_pairs-train.jsonl", pairs)
    rows = [
        {"context": _context(lang, i), "mentions": [mention(lang, i, "wn")]}
        for lang in languages
        for i in range(n)
    ]
    _jsonl(root / "mewsli-x" / "wikinews_mentions-test.jsonl", rows)


def lareqa(root: Path, languages: list[str], n: int = 3) -> None:
    """download/lareqa/xquad-r/{lang}.json: XQuAD with sentence breaks, ids shared across languages."""
    for lang in languages:
        data = squad_file(lang, n, ids="q{i}")
        for paragraph in data["data"][0]["paragraphs"]:
            context = paragraph["context"]
            first = context.index(".") + 1
            paragraph["sentence_breaks"] = [[0, first], [first + 1, len(context)]]
        _write(root / "lareqa" / "xquad-r" / f"{lang}.json", json.dumps(data))


def xtreme_r(root: Path, languages: dict[str, list[str]]) -> Path:
    """A data folder with every XTREME-R task, for the given task -> languages."""
    xnli(root, languages["xnli"])
    xcopa(root, languages["xcopa"])
    udpos = languages["udpos"]
    ud_tree(
        root, "2.5", ["en", *[lang for lang in udpos if lang not in {"en", "lt", "pl", "uk", "wo", "ro"}]]
    )
    ud_tree(root, "2.7", [lang for lang in udpos if lang in {"lt", "pl", "uk", "wo", "ro"}])
    panx(root, languages["panx"])
    qa(root, languages["xquad"], languages["mlqa"], languages["tydiqa"])
    tatoeba(root, languages["tatoeba"])
    mewslix(root, languages["mewslix"])
    lareqa(root, languages["lareqa"])
    return root
