"""`harness score` on hand-built predictions/labels folders, with hand-computed values per format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import HarnessError
from harness.scoring import score_folders
from harness.suites import load_suite

PIN = "ab" * 20
HP = "{learning_rate: 1.0e-5, batch_size: 2, epochs: 1, max_length: 64}"
REP = "{representation: {pooling: mean}}"
SUITE = f"""
name: mini
version: "0"
title: hand-built
description: one or two languages per task, to score by hand
reference: tests/test_score.py
seeds: [1]
datasets:
  google/xtreme: {{revision: {PIN}}}
  nyu-mll/multi_nli: {{revision: {PIN}}}
  rajpurkar/squad: {{revision: {PIN}}}
  cambridgeltl/xcopa: {{revision: {PIN}}}
  aps/super_glue: {{revision: {PIN}}}
categories:
  classification: [xnli, xcopa]
  tagging: [udpos, panx]
  qa: [xquad, mlqa]
  retrieval: [bucc2018, tatoeba, mewslix, lareqa]
tasks:
  xnli: {{languages: [de, fr], metrics: [accuracy], score: [accuracy],
         splits: {{train: [mnli_train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  xcopa: {{languages: [et], metrics: [accuracy], score: [accuracy],
          splits: {{train: [copa_train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  udpos: {{languages: [de], metrics: [f1, accuracy], score: [f1],
          splits: {{train: [train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  panx: {{languages: [de], metrics: [f1, precision, recall], score: [f1],
         splits: {{train: [train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  xquad: {{languages: [de], metrics: [f1, exact_match], score: [exact_match, f1],
          splits: {{train: [squad_train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  mlqa: {{languages: [de], metrics: [f1, exact_match], score: [exact_match, f1],
         splits: {{train: [squad_train], test: test}}, hyperparameters: {HP}, selection: {{rule: last}}}}
  bucc2018: {{languages: [de], metrics: [f1, precision, recall], score: [f1], splits: {{test: test_source}},
             retrieval: {REP}}}
  tatoeba: {{languages: [de], metrics: [accuracy], score: [accuracy], splits: {{test: test}},
            retrieval: {REP}}}
  mewslix: {{languages: [de], metrics: ["mrr@20"], score: ["mrr@20"], splits: {{test: test}},
            retrieval: {REP}}}
  lareqa: {{languages: [de], metrics: ["map@20"], score: ["map@20"],
           splits: {{train: [squad_train], test: test}}, hyperparameters: {HP},
           selection: {{rule: last}}, retrieval: {REP}}}
"""


def _squad(questions: dict[str, str]) -> dict:
    qas = [
        {"id": qid, "question": "?", "answers": [{"text": text, "answer_start": 0}]}
        for qid, text in questions.items()
    ]
    return {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "c", "qas": qas}]}]}


FILES = {
    # task/file: (prediction text, label text)
    "xnli/test-de.tsv": (
        "entailment\nneutral\ncontradiction\nneutral\n",
        "entailment\nneutral\nneutral\nneutral\n",
    ),
    "xnli/test-fr.tsv": ("neutral\nentailment\n", "neutral\nentailment\n"),
    "xcopa/test-et.jsonl": ('{"label": 1}\n{"label": 0}\n', '{"label": 1}\n{"label": 1}\n'),
    "udpos/test-de.tsv": ("NOUN\nADJ\nVERB\n\nPUNCT\n\n", "NOUN\nNOUN\nVERB\n\nPUNCT\n\n"),
    "panx/test-de.tsv": ("B-PER\nI-PER\nO\n\nO\n\n", "B-PER\nI-PER\nO\n\nB-LOC\n\n"),
    "xquad/test-de.json": (
        json.dumps({"q1": "Hund", "q2": "Paris"}),
        json.dumps(_squad({"q1": "der Hund", "q2": "Berlin"})),
    ),
    "mlqa/test-de.json": (
        json.dumps({"q1": "Hund", "q2": "Paris"}),
        json.dumps(_squad({"q1": "der Hund", "q2": "Berlin"})),
    ),
    "bucc2018/test-de.tsv": ("de-1\ten-1\nde-2\ten-5\n", "de-1\ten-1\nde-2\ten-2\n"),
    "tatoeba/test-de.tsv": ("0\n2\n1\n", "0\n1\n1\n"),
    "mewslix/test-de.json": (
        json.dumps({"e1": ["Q3", "Q1"], "e2": ["Q9"]}),
        json.dumps({"e1": ["Q1"], "e2": ["Q2"]}),
    ),
    # the harness's LAReQA files: {question uid: ranked candidate uids} and {question uid: relevant uids}
    "lareqa/test-de.json": (
        json.dumps({"q1_de": ["en_1_0", "x", "de_1_1"], "q2_de": ["y"]}),
        json.dumps({"q1_de": ["en_1_0", "de_1_1"], "q2_de": ["de_2_0"]}),
    ),
}

# Computed by hand from FILES (see the comments).
EXPECTED = {
    "xnli": {"de": {"accuracy": 75.0}, "fr": {"accuracy": 100.0}},  # 3 of 4; 2 of 2
    "xcopa": {"et": {"accuracy": 50.0}},
    # gold chunks NOUN(0-1) VERB PUNCT; predicted NOUN ADJ VERB PUNCT: 2 correct, P 2/4, R 2/3
    "udpos": {"de": {"f1": 100 * 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3), "accuracy": 75.0}},
    # gold PER, LOC; predicted PER: P 1, R 1/2
    "panx": {"de": {"f1": 100 * 2 * 1 * 0.5 / 1.5, "precision": 100.0, "recall": 50.0}},
    # SQuAD keeps German "der": F1(hund | der hund) = 2/3; q2 wrong scores 0
    "xquad": {"de": {"f1": 100 * (2 / 3) / 2, "exact_match": 0.0}},
    # MLQA drops "der": q1 exact; q2 wrong
    "mlqa": {"de": {"f1": 50.0, "exact_match": 50.0}},
    "bucc2018": {"de": {"f1": 50.0, "precision": 50.0, "recall": 50.0}},
    "tatoeba": {"de": {"accuracy": 200 / 3}},
    "mewslix": {"de": {"mrr@20": 25.0}},  # rank 2 -> 1/2; e2 wrong -> 0
    "lareqa": {"de": {"map@20": 100 * ((1 + 2 / 3) / 2 + 0) / 2}},  # q1: hits at 1 and 3; q2: none
}


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    suite = tmp_path / "mini.yaml"
    suite.write_text(SUITE)
    for name, (prediction, label) in FILES.items():
        for root, text in (("predictions", prediction), ("labels", label)):
            path = tmp_path / root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return suite, tmp_path / "predictions", tmp_path / "labels"


def test_every_format_scores_its_hand_computed_value(folders: tuple[Path, Path, Path]) -> None:
    suite, predictions, labels = folders
    report = score_folders(load_suite(str(suite)), predictions, labels)
    for task, languages in EXPECTED.items():
        assert report.tasks[task].status == "complete", task
        for lang, metrics in languages.items():
            for metric, value in metrics.items():
                assert report.tasks[task].scores[lang][metric] == pytest.approx(value, abs=1e-12), (
                    task,
                    metric,
                )
    assert report.tasks["xnli"].averages == {"accuracy": 87.5}
    assert report.tasks["mlqa"].score == 50.0  # (EM + F1) / 2
    tasks = {t: report.tasks[t].score for t in EXPECTED}
    assert report.categories["qa"].score == pytest.approx((tasks["xquad"] + tasks["mlqa"]) / 2)
    assert report.overall.score == pytest.approx(sum(tasks.values()) / 10)


def test_a_missing_language_file_makes_the_task_incomplete(folders: tuple[Path, Path, Path]) -> None:
    suite, predictions, labels = folders
    (predictions / "xnli" / "test-fr.tsv").unlink()
    report = score_folders(load_suite(str(suite)), predictions, labels)
    xnli = report.tasks["xnli"]
    assert (
        xnli.status == "incomplete"
        and xnli.missing_languages == ["fr"]
        and xnli.averages == {"accuracy": None}
    )
    assert "no predictions file test-LANG.tsv for fr" in (xnli.reason or "")
    assert xnli.scores == {"de": {"accuracy": 75.0}}  # the rest is still scored
    assert report.tasks["panx"].status == "complete" and report.overall.score is None
    assert report.categories["classification"].missing == ["xnli"]


def test_a_task_absent_from_a_folder_is_reported_absent(folders: tuple[Path, Path, Path]) -> None:
    suite, predictions, labels = folders
    for path in (predictions / "tatoeba").iterdir():
        path.unlink()
    (predictions / "tatoeba").rmdir()
    report = score_folders(load_suite(str(suite)), predictions, labels)
    assert report.tasks["tatoeba"].status == "absent" and report.overall.missing == ["tatoeba"]


def test_mismatched_counts_are_one_clear_error(folders: tuple[Path, Path, Path]) -> None:
    suite, predictions, labels = folders
    (predictions / "xnli" / "test-de.tsv").write_text("entailment\n")
    with pytest.raises(HarnessError, match=r"xnli/test-de.tsv: 1 predictions for 4 labels"):
        score_folders(load_suite(str(suite)), predictions, labels)


def test_cli_prints_and_writes_json(folders: tuple[Path, Path, Path], tmp_path: Path) -> None:
    suite, predictions, labels = folders
    out = tmp_path / "scores" / "mini.json"
    result = CliRunner().invoke(
        app, ["score", "-s", str(suite), "-p", str(predictions), "-g", str(labels), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "overall" in result.output and "Per-language scores" in result.output
    written = json.loads(out.read_text())
    assert written["tasks"]["mewslix"]["scores"] == {"de": {"mrr@20": 25.0}}


def test_cli_missing_folder_is_one_line(folders: tuple[Path, Path, Path], tmp_path: Path) -> None:
    suite, _, labels = folders
    result = CliRunner().invoke(
        app, ["score", "-s", str(suite), "-p", str(tmp_path / "nope"), "-g", str(labels)]
    )
    assert result.exit_code == 2 and "--predictions folder not found" in result.stderr


def test_xtreme_r_reports_the_multi_choice_group_as_the_reference_scorer_does(tmp_path: Path) -> None:
    """evaluate.py's XTREME_R_GROUP2TASK has multi_choice = [xcopa] beside classification."""
    suite = load_suite("xtreme-r")
    predictions, labels = tmp_path / "predictions", tmp_path / "labels"
    for folder, values in ((predictions, [0, 1, 1, 0]), (labels, [0, 1, 0, 0])):
        (folder / "xcopa").mkdir(parents=True)
        for lang in suite.tasks["xcopa"].languages:
            lines = "".join(json.dumps({"label": v}) + "\n" for v in values)
            (folder / "xcopa" / f"test-{lang}.jsonl").write_text(lines)
    report = score_folders(suite, predictions, labels)
    assert report.tasks["xcopa"].score == 75.0
    assert report.categories["multi_choice"].score == 75.0
    assert report.categories["classification"].score is None  # XNLI is not in the folders


BAD_PREDICTIONS = {
    # file: (bad prediction text, what the one-line error must say)
    "xnli/test-de.tsv": (
        "entailment\nneutral\nmaybe\nneutral\n",
        r"unknown labels maybe; allowed: contradiction",
    ),
    "xcopa/test-et.jsonl": ('{"label": 1}\n{"label": 2}\n', r"unknown labels 2; allowed: 0, 1"),
    "udpos/test-de.tsv": ("NOUN\nNN\nVERB\n\nPUNCT\n\n", r"unknown labels NN"),
    "panx/test-de.tsv": ("B-PER\nI-PER\nO\n\nB-GPE\n\n", r"unknown labels B-GPE"),
    "tatoeba/test-de.tsv": ("0\nzwei\n1\n", r"expected one row index \(an integer\) per line"),
    # another file's ids: every gold id unanswered, every predicted id unknown
    "xquad/test-de.json": (
        json.dumps({"x1": "Hund", "x2": "Berlin"}),
        r"2 ids not in test-de.json \(e.g. x1\)",
    ),
    "mlqa/test-de.json": (json.dumps({"q1": "Hund"}), r"1 gold ids without a prediction \(e.g. q2\)"),
    "mewslix/test-de.json": (
        json.dumps({"e1": ["Q1"], "e3": ["Q2"]}),
        r"1 ids not in .*; 1 gold ids without",
    ),
    "lareqa/test-de.json": (json.dumps(["q1_de"]), r"expected a JSON object"),
    "bucc2018/test-de.tsv": ("de-1 en-1\n", r"expected SOURCE_ID<TAB>TARGET_ID per line"),
}


@pytest.mark.parametrize("name", sorted(BAD_PREDICTIONS))
def test_a_bad_prediction_file_is_one_error_never_a_quiet_zero(
    folders: tuple[Path, Path, Path], name: str
) -> None:
    suite, predictions, labels = folders
    text, message = BAD_PREDICTIONS[name]
    (predictions / name).write_text(text, encoding="utf-8")
    with pytest.raises(HarnessError, match=rf"{re.escape(name)}: {message}"):
        score_folders(load_suite(str(suite)), predictions, labels)
    result = CliRunner().invoke(app, ["score", "-s", str(suite), "-p", str(predictions), "-g", str(labels)])
    assert result.exit_code == 2 and name in result.stderr and "Traceback" not in result.output


def test_an_empty_predictions_folder_is_an_error(folders: tuple[Path, Path, Path], tmp_path: Path) -> None:
    suite, _, labels = folders
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["score", "-s", str(suite), "-p", str(empty), "-g", str(labels)])
    assert result.exit_code == 2
    assert f"{empty}: no predictions file matches a gold file of suite mini" in result.stderr
    assert "xnli/test-de.tsv" in result.stderr and len(result.stderr.strip().splitlines()) == 1
