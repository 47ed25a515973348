"""Each original release's reader on hand-written files in its exact format, and the checks that keep a
divergence from the reference's data from ever being silent."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from release_data import conllu_sentence, squad_file
from test_data import README, _hub_folder

from harness.data import DataOptions, load_split
from harness.data.layouts import reference_tsv_cells
from harness.data.ud import ConverterFails, reference_sentences
from harness.errors import HarnessError
from harness.suites import Suite
from harness.tasks import TASKS


def _suite(
    tmp_path: Path, data: Path | None = None, datasets: dict | None = None, task: str = "xnli"
) -> Suite:
    """A one-task suite reading only `data` (and the given hub pins)."""
    entries = {
        "xnli": {"splits": {"train": ["mnli_train"], "dev": "validation", "test": "test"}},
        "pawsx": {"splits": {"train": ["train"], "dev": "validation", "test": "test"}},
        "udpos": {"splits": {"train": ["train"], "dev": "validation", "test": "test"}},
        "xquad": {"splits": {"train": ["squad_train"], "test": "test"}},
    }
    hyperparameters = {"learning_rate": 1e-5, "batch_size": 2, "epochs": 1, "max_length": 32}
    return Suite.model_validate(
        {
            "name": "fixture",
            "version": "0",
            "title": "t",
            "description": "d",
            "reference": "r",
            "seeds": [1],
            "datasets": datasets or {},
            "categories": {},
            "download_dir": str(data) if data else None,
            "tasks": {
                task: {
                    "languages": ["de", "en"],
                    "metrics": [TASKS[task].metrics[0]],
                    "score": [TASKS[task].metrics[0]],
                    "hyperparameters": hyperparameters,
                    "selection": {"rule": "last"},
                    **entries[task],
                }
            },
            "source": tmp_path / "fixture.yaml",
        }
    )


# --- PAWS-X and XNLI: TSVs read as the reference reads them -------------------------------------------


def test_pawsx_release_keeps_every_row_whatever_its_quotes(tmp_path: Path) -> None:
    rows = [
        "id\tsentence1\tsentence2\tlabel",
        '1\tHe said "yes .\tHe agreed .\t1',  # an unbalanced quote: CSV parsing would swallow rows
        "2\tPlain sentence .\tAnother one .\t0",
        '3\t"Quoted" start .\tEnd " .\t1',
    ]
    path = tmp_path / "data" / "x-final" / "de" / "test_2k.tsv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    loaded = load_split(
        TASKS["pawsx"], "test", "de", DataOptions(_suite(tmp_path, tmp_path / "data", task="pawsx"))
    )
    assert [e["label"] for e in loaded.examples] == ["1", "0", "1"]
    # the text the reference's model sees: csv.writer wrote it, _read_tsv read it back without quoting
    assert [e["text_a"] for e in loaded.examples] == [
        '"He said ""yes ."',
        "Plain sentence .",
        '"""Quoted"" start ."',
    ]
    assert loaded.provenance["release"] == "paws-x" and loaded.provenance["revision_used"].startswith(
        "sha256:"
    )


def test_reference_tsv_cells_is_what_download_files_hold(tmp_path: Path) -> None:
    # the download/ layout's files are csv.writer output read back without quote handling
    assert reference_tsv_cells(['a "b" c', "d"]) == ['"a ""b"" c"', "d"]
    assert reference_tsv_cells(["", "x"]) == ["", "x"]


def test_xnli_release_filters_one_language_and_renames_contradictory(tmp_path: Path) -> None:
    header = "language\tgold_label\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tpromptID\tpairID"
    lines = [
        header,
        "de\tcontradictory\t\t\t\t\tEs regnet .\tEs ist trocken .\t1\t1",
        'en\tentailment\t\t\t\t\tIt "rains" .\tIt is wet .\t2\t2',
        "de\tneutral\t\t\t\t\tEr liest .\tEr liest gern .\t3\t3",
    ]
    path = tmp_path / "data" / "XNLI-1.0" / "xnli.test.tsv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = DataOptions(_suite(tmp_path, tmp_path / "data"))
    de = load_split(TASKS["xnli"], "test", "de", options)
    assert [(e["text_a"], e["label"]) for e in de.examples] == [
        ("Es regnet .", "contradiction"),
        ("Er liest .", "neutral"),
    ]
    en = load_split(TASKS["xnli"], "test", "en", options)
    assert en.examples[0]["text_a"] == '"It ""rains"" ."' and en.provenance["release"] == "xnli-1.0"


# --- UD: file-name selection and fused forms -----------------------------------------------------------

# German "zum" = zu (ADP) + dem (DET), both attached to the noun: a tie on depth, ADP ranks higher;
# "gibt's" = gibt (VERB, the root) + 's (PRON, its dependent): the root is the span head.
GERMAN = """# text = Er geht zum Markt und gibt's .
1\tEr\ter\tPRON\t_\t_\t2\tnsubj\t2:nsubj\t_
2\tgeht\tgehen\tVERB\t_\t_\t0\troot\t0:root\t_
3-4\tzum\t_\t_\t_\t_\t_\t_\t_\t_
3\tzu\tzu\tADP\t_\t_\t5\tcase\t5:case\t_
4\tdem\tder\tDET\t_\t_\t5\tdet\t5:det\t_
5\tMarkt\tMarkt\tNOUN\t_\t_\t2\tobl\t2:obl\t_
6\tund\tund\tCCONJ\t_\t_\t7\tcc\t7:cc\t_
7-8\tgibt's\t_\t_\t_\t_\t_\t_\t_\t_
7\tgibt\tgeben\tVERB\t_\t_\t2\tconj\t2:conj\t_
8\t's\tes\tPRON\t_\t_\t7\tobj\t7:obj\t_
9\t.\t.\tPUNCT\t_\t_\t2\tpunct\t2:punct\t_

"""


def _tree(root: Path) -> Path:
    tree = root / "data" / "ud-treebanks-v2.5"
    files = {
        "UD_German-Fixture/de_fixture-ud-test.conllu": GERMAN,
        "UD_Greek-Fixture/el_fixture-ud-test.conllu": conllu_sentence("el", 0),
        # the hub's udpos.Greek takes these too (its directory name holds "_Greek"); the reference does not
        "UD_Ancient_Greek-Fixture/grc_fixture-ud-test.conllu": conllu_sentence("grc", 1) * 3,
        "UD_Greek-Other/el_other-ud-test.conllu": conllu_sentence("el", 2) + conllu_sentence("el", 3),
        "UD_Greek-Other/el_other-ud-train.conllu": conllu_sentence("el", 4),
    }
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    return tree


def test_ud_tree_yields_only_the_treebanks_the_reference_selects(tmp_path: Path) -> None:
    _tree(tmp_path)
    suite = _suite(tmp_path, tmp_path / "data", task="udpos")
    greek = load_split(TASKS["udpos"], "test", "el", DataOptions(suite))
    # el_fixture then el_other (file-name order); no grc_*, no train file
    assert [e["tokens"][0] for e in greek.examples] == ["river", "light", "garden"]
    assert greek.provenance["files"] == [
        "UD_Greek-Fixture/el_fixture-ud-test.conllu",
        "UD_Greek-Other/el_other-ud-test.conllu",
    ]
    german = load_split(TASKS["udpos"], "test", "de", DataOptions(suite))
    assert german.examples[0]["tokens"] == ["Er", "geht", "zum", "Markt", "und", "gibt's", "."]
    assert german.examples[0]["tags"] == ["PRON", "VERB", "ADP", "NOUN", "CCONJ", "VERB", "PUNCT"]


def test_ud_conversion_quirks_of_the_reference(tmp_path: Path) -> None:
    path = tmp_path / "xx_t-ud-test.conllu"
    # a sentence released without its text is dropped; a zero-width non-joiner and inner spaces go
    blank = "".join(f"{i}\t_\t_\tNOUN\t_\t_\t{0 if i == 1 else 1}\tdep\t_\t_\n" for i in (1, 2, 3)) + "\n"
    kept = "1\tma\u200cn\t_\tNOUN\t_\t_\t0\troot\t_\t_\n2\tHà Nội\t_\tPROPN\t_\t_\t1\tdep\t_\t_\n\n"
    path.write_text(blank + kept, encoding="utf-8")
    assert reference_sentences(path, "vi") == [(["man", "HàNội"], ["NOUN", "PROPN"])]
    # Spanish ranks only VERB AUX PRON ADP DET: a tie between two NOUNs makes the reference's
    # converter raise, so its data lacks the file
    tie = (
        "1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_\n1\ta\t_\tNOUN\t_\t_\t0\troot\t_\t_\n"
        "2\tb\t_\tNOUN\t_\t_\t0\troot\t_\t_\n\n"
    )
    path.write_text(tie, encoding="utf-8")
    with pytest.raises(ConverterFails, match="NOUN"):
        reference_sentences(path, "es")
    assert reference_sentences(path, "de") == [(["ab"], ["NOUN"])]  # the default list ranks NOUN


def test_a_file_the_reference_cannot_convert_is_skipped_and_recorded(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    (tree / "UD_Greek-Other" / "el_other-ud-test.conllu").write_text("1\tonly three\tcolumns\n\n")
    greek = load_split(
        TASKS["udpos"], "test", "el", DataOptions(_suite(tmp_path, tmp_path / "data", task="udpos"))
    )
    assert [e["tokens"][0] for e in greek.examples] == ["river"]
    assert any("el_other-ud-test.conllu skipped" in note for note in greek.divergences)


# --- PAN-X: the release's archives ---------------------------------------------------------------------


def test_panx_archive_lines_as_the_reference_reads_them(tmp_path: Path) -> None:
    text = "de:Marie\tB-PER\nde:Curie\tI-PER\nde:a:b\tO\nnocolon\tO\nde:lebte\n\nde:Paris\tB-LOC\n\n"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for split in ("train", "dev", "test"):
            info = tarfile.TarInfo(f"./{split}")
            info.size = len(text.encode())
            archive.addfile(info, io.BytesIO(text.encode()))
    folder = tmp_path / "data" / "panx_dataset"
    folder.mkdir(parents=True)
    (folder / "de.tar.gz").write_bytes(buffer.getvalue())
    suite = _suite(tmp_path, tmp_path / "data", task="udpos")
    loaded = load_split(TASKS["panx"], "test", "de", DataOptions(suite))
    # text after the first ":"; a token without "lang:" dropped; a line without a tag ends a sentence
    assert [e["tokens"] for e in loaded.examples] == [["Marie", "Curie", "a:b"], ["Paris"]]
    assert [e["tags"] for e in loaded.examples] == [["B-PER", "I-PER", "O"], ["B-LOC"]]


# --- QA: offsets, blanked answers ------------------------------------------------------------------------


def test_answer_offsets_that_miss_their_text_are_moved_and_recorded(tmp_path: Path) -> None:
    from datasets import Dataset

    # as google/xtreme's script wrote it: the context stripped of its leading space, the offset kept
    rows = {
        "id": ["a", "b", "c"],
        "context": ["The cat sat.", "A dog ran.", "Birds fly."],
        "question": ["Who sat?", "Who ran?", "Who swims?"],
        "answers": [
            {"text": ["cat"], "answer_start": [5]},  # should be 4
            {"text": ["dog"], "answer_start": [2]},  # right
            {"text": ["fish"], "answer_start": [0]},  # not in the context
        ],
    }
    _hub_folder(tmp_path / "xtreme", {"XQuAD.de": {"validation": Dataset.from_dict(rows)}})
    suite = _suite(tmp_path, datasets={"google/xtreme": {"path": str(tmp_path / "xtreme")}}, task="xquad")
    loaded = load_split(TASKS["xquad"], "test", "de", DataOptions(suite))
    assert [e["answers"]["answer_start"] for e in loaded.examples] == [[4], [2], [0]]
    assert (
        "answers: 1 answer_start offsets did not point at their text and were moved to it"
        in loaded.divergences
    )
    assert "answers: 1 answers whose text is not in their context" in loaded.divergences


def test_blanked_answers_are_never_scored(tmp_path: Path) -> None:
    blank = squad_file("de", 2)
    for paragraph in blank["data"][0]["paragraphs"]:
        for qa in paragraph["qas"]:
            qa["answers"] = [{"answer_start": 0, "text": ""}]  # utils_preprocess.remove_qa_test_annotations
    path = tmp_path / "data" / "xquad-master" / "xquad.de.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(blank))
    with pytest.raises(HarnessError, match="every answer is empty"):
        load_split(
            TASKS["xquad"], "test", "de", DataOptions(_suite(tmp_path, tmp_path / "data", task="xquad"))
        )


# --- local copies are read as they are ------------------------------------------------------------------


def _copy(root: Path, labels: list[str]) -> Path:
    folder = root / "xtreme"  # the same folder name for both copies
    (folder / "PAWS-X.de").mkdir(parents=True, exist_ok=True)
    (folder / "README.md").write_text(
        README.format(
            configs="- config_name: PAWS-X.de\n  data_files:\n  - split: test\n    path: PAWS-X.de/test-*"
        )
    )
    rows = [{"sentence1": f"s{i}", "sentence2": f"t{i}", "label": label} for i, label in enumerate(labels)]
    (folder / "PAWS-X.de" / "test-00000-of-00001.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows)
    )
    return folder


def test_a_local_copy_is_read_as_it_is_not_from_another_copys_cache(tmp_path: Path) -> None:
    def read(folder: Path) -> tuple[list[str], str]:
        suite = _suite(tmp_path, datasets={"google/xtreme": {"path": str(folder)}}, task="pawsx")
        loaded = load_split(TASKS["pawsx"], "test", "de", DataOptions(suite))
        return [e["label"] for e in loaded.examples], loaded.provenance["revision_used"]

    first = _copy(tmp_path / "a", ["1", "0", "1"])
    second = _copy(tmp_path / "b", ["0", "0", "0", "0", "1"])
    labels_a, hash_a = read(first)
    labels_b, hash_b = read(second)
    assert labels_a == ["1", "0", "1"] and labels_b == ["0", "0", "0", "0", "1"] and hash_a != hash_b
    _copy(tmp_path / "a", ["0", "1"])  # edited in place
    labels_edited, hash_edited = read(first)
    assert labels_edited == ["0", "1"] and hash_edited not in (hash_a, hash_b)


def test_a_loading_script_is_one_line_with_the_fix(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "a", ["1"])
    (folder / "xtreme.py").write_text("# a loading script\n")
    suite = _suite(tmp_path, datasets={"google/xtreme": {"path": str(folder)}}, task="pawsx")
    with pytest.raises(
        HarnessError, match=r"holds a loading script \(xtreme.py\), which datasets .* cannot run"
    ) as info:
        load_split(TASKS["pawsx"], "test", "de", DataOptions(suite))
    assert "\n" not in str(info.value) and "path:" in str(info.value)


def test_known_hub_divergences_are_recorded_only_for_the_pinned_hub(tmp_path: Path) -> None:
    folder = _copy(tmp_path / "a", ["1"])
    local = _suite(tmp_path, datasets={"google/xtreme": {"path": str(folder)}}, task="pawsx")
    loaded = load_split(TASKS["pawsx"], "test", "de", DataOptions(local))
    # a local copy is checked as it is read (1 row, not 2,000), not described by the hub's notes
    assert loaded.divergences == [
        "rows: 1 read, the reference's data has 2,000 (huggingface/datasets@"
        "d7dfbc83d68e87ba002c5eb2555f7a932e59038a: datasets/paws-x/dataset_infos.json (test_2k.tsv read "
        "without quoting))"
    ]
    from harness.data import locate
    from harness.data.sources import describe

    pinned = _suite(tmp_path, datasets={"google/xtreme": {"revision": "0" * 40}}, task="pawsx")
    found = locate(TASKS["pawsx"], "test", "ko", DataOptions(pinned))
    assert (
        found is not None
        and describe(found, TASKS["pawsx"], "ko", pinned) == "google/xtreme@0000000 PAWS-X.ko/test"
    )
    notes = [d.text for d in found.source.divergences if d.applies("ko")]
    assert any(n.startswith("rows: the hub's CSV parsing") for n in notes)
