"""Both data paths, offline: a local folder laid out exactly like the hub, and XTREME's download/ layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.data import DataOptions, load_split
from harness.errors import HarnessError
from harness.suites import Suite
from harness.tasks import TASKS

README = """---
configs:
{configs}
---
# test fixture in the hub layout
"""


def _hub_folder(root: Path, tables: dict[str, dict[str, object]], features: dict | None = None) -> Path:
    """Write {config: {split: Dataset}} as <config>/<split>-00000-of-00001.parquet + the card's configs."""
    entries = []
    for config, splits in tables.items():
        files = []
        for split, dataset in splits.items():
            path = root / config / f"{split}-00000-of-00001.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            dataset.to_parquet(str(path))
            files.append(f"  - split: {split}\n    path: {config}/{split}-*")
        entries.append(f"- config_name: {config}\n  data_files:\n" + "\n".join(files))
    (root / "README.md").write_text(README.format(configs="\n".join(entries)))
    return root


@pytest.fixture
def hub_suite(tmp_path: Path) -> Suite:
    from datasets import ClassLabel, Dataset, Features, Value

    xnli_rows = {
        "language": ["en", "de", "de", "zh"],
        "sentence1": ["A man sleeps.", "Ein Mann schläft.", "Ein Hund bellt.", "一个人在睡觉。"],
        "sentence2": ["A person rests.", "Eine Person ruht.", "Eine Katze bellt.", "一个人在休息。"],
        "gold_label": ["entailment", "entailment", "contradiction", "entailment"],
    }
    _hub_folder(
        tmp_path / "xtreme",
        {
            "XNLI": {"test": Dataset.from_dict(xnli_rows), "validation": Dataset.from_dict(xnli_rows)},
            "PAWS-X.de": {
                "test": Dataset.from_dict({"sentence1": ["a b"], "sentence2": ["b a"], "label": ["1"]})
            },
        },
    )
    # multi_nli stores its label as a ClassLabel (0 entailment, 1 neutral, 2 contradiction)
    mnli = Dataset.from_dict(
        {
            "premise": ["It rains.", "It rains.", "It rains."],
            "hypothesis": ["Water falls.", "I like tea.", "It is dry."],
            "genre": ["fiction"] * 3,
            "label": [0, 1, 2],
        },
        features=Features(
            {
                "premise": Value("string"),
                "hypothesis": Value("string"),
                "genre": Value("string"),
                "label": ClassLabel(names=["entailment", "neutral", "contradiction"]),
            }
        ),
    )
    root = tmp_path / "multi_nli"
    (root / "data").mkdir(parents=True)
    mnli.to_parquet(str(root / "data" / "train-00000-of-00001.parquet"))
    (root / "README.md").write_text(
        README.format(
            configs="- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*"
        )
    )
    return Suite.model_validate(
        {
            "name": "fixture",
            "version": "0",
            "title": "t",
            "description": "d",
            "reference": "r",
            "seeds": [1],
            "datasets": {
                "google/xtreme": {"path": str(tmp_path / "xtreme")},
                "nyu-mll/multi_nli": {"path": str(root)},
            },
            "categories": {},
            "tasks": {
                "xnli": {
                    "languages": ["de", "zh"],
                    "metrics": ["accuracy"],
                    "score": ["accuracy"],
                    "splits": {"train": ["mnli_train"], "dev": "validation", "test": "test"},
                    "hyperparameters": {
                        "learning_rate": 1e-5,
                        "batch_size": 2,
                        "epochs": 1,
                        "max_length": 32,
                    },
                    "selection": {"rule": "best_on_dev", "every_steps": 1},
                }
            },
            "source": tmp_path / "fixture.yaml",
        }
    )


def test_hub_layout_filters_xnli_by_language(hub_suite: Suite) -> None:
    loaded = load_split(TASKS["xnli"], "test", "de", DataOptions(hub_suite))
    assert [e["text_a"] for e in loaded.examples] == ["Ein Mann schläft.", "Ein Hund bellt."]
    assert [e["label"] for e in loaded.examples] == ["entailment", "contradiction"]
    assert loaded.labelled
    prov = loaded.provenance
    assert (prov["source"], prov["dataset"], prov["config"], prov["filter"]) == (
        "local",
        "google/xtreme",
        "XNLI",
        "language==de",
    )
    assert prov["revision_used"].startswith("sha256:") and prov["examples"] == 2


def test_hub_layout_maps_classlabel_ints_to_names(hub_suite: Suite) -> None:
    loaded = load_split(TASKS["xnli"], "mnli_train", "de", DataOptions(hub_suite))
    assert [e["label"] for e in loaded.examples] == ["entailment", "neutral", "contradiction"]
    assert loaded.examples[0] == {"text_a": "It rains.", "text_b": "Water falls.", "label": "entailment"}
    assert loaded.provenance["language"] == "en"  # an English-only split ignores the language


def test_per_language_config(hub_suite: Suite) -> None:
    loaded = load_split(TASKS["pawsx"], "test", "de", DataOptions(hub_suite))
    assert loaded.examples == [{"text_a": "a b", "text_b": "b a", "label": "1"}]


def test_limit_keeps_the_first_examples(hub_suite: Suite) -> None:
    loaded = load_split(TASKS["xnli"], "test", "de", DataOptions(hub_suite, limit=1))
    assert [e["text_a"] for e in loaded.examples] == ["Ein Mann schläft."]


def test_missing_config_is_one_clear_line(hub_suite: Suite) -> None:
    with pytest.raises(
        HarnessError, match=r"cannot load google/xtreme \(config PAWS-X.fr, split test"
    ) as info:
        load_split(TASKS["pawsx"], "test", "fr", DataOptions(hub_suite))
    assert "\n" not in str(info.value)


def test_language_filter_with_no_rows_is_an_error(hub_suite: Suite) -> None:
    with pytest.raises(HarnessError, match="xnli/test/ru: no examples"):
        load_split(TASKS["xnli"], "test", "ru", DataOptions(hub_suite))


# --- the download/ layout ---------------------------------------------------------------------------


@pytest.fixture
def download(tmp_path: Path) -> Path:
    root = tmp_path / "download"
    (root / "xnli").mkdir(parents=True)
    # csv.writer output read back without quote handling: the quotes stay part of the text.
    (root / "xnli" / "dev-de.tsv").write_text(
        'Er sagte "Hallo" .\tEr grüßte .\tentailment\nEs regnet .\tDie Sonne scheint .\tcontradiction\n',
        encoding="utf-8",
    )
    (root / "xnli" / "test-de.tsv").write_text("Es regnet .\tEs ist nass .\n", encoding="utf-8")
    (root / "xcopa").mkdir()
    rows = [
        {
            "premise": "Das Glas fiel.",
            "choice1": "Es zerbrach.",
            "choice2": "Es sang.",
            "question": "effect",
            "label": 0,
            "idx": 0,
            "changed": False,
        }
    ]
    (root / "xcopa" / "test-et.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "xcopa" / "train-en.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "siqa").mkdir()
    siqa = {
        "context": "Mei baked bread.",
        "question": "What will Mei want to do next?",
        "answerA": "sleep",
        "answerB": "eat it",
        "answerC": "swim",
        "correct": "B",
    }
    (root / "siqa" / "socialIQa_v1.4_trn.jsonl").write_text(json.dumps(siqa) + "\n")
    return root


def test_download_tsv_keeps_literal_quotes(hub_suite: Suite, download: Path) -> None:
    loaded = load_split(TASKS["xnli"], "validation", "de", DataOptions(hub_suite, data_dir=download))
    assert loaded.examples[0] == {
        "text_a": 'Er sagte "Hallo" .',
        "text_b": "Er grüßte .",
        "label": "entailment",
    }
    assert loaded.provenance["source"] == "download" and loaded.provenance["path"].endswith("xnli/dev-de.tsv")


def _unpinned(suite: Suite) -> Suite:
    """The suite without hub pins: only the data folder's files can be read."""
    return suite.model_copy(update={"datasets": {}})


def test_download_test_labels_are_never_trusted(hub_suite: Suite, download: Path) -> None:
    options = DataOptions(_unpinned(hub_suite), data_dir=download)
    xnli = load_split(TASKS["xnli"], "test", "de", options)
    assert not xnli.labelled and xnli.examples[0]["label"] is None
    # utils_preprocess.py overwrites XCOPA test labels with 0: they must not be scored
    xcopa = load_split(TASKS["xcopa"], "test", "et", options)
    assert not xcopa.labelled and xcopa.examples[0]["label"] is None


def test_a_labelled_source_comes_before_unlabelled_download_files(hub_suite: Suite, download: Path) -> None:
    # the download/ layout's XNLI test has no labels; the pinned hub copy has them and wins
    xnli = load_split(TASKS["xnli"], "test", "de", DataOptions(hub_suite, data_dir=download))
    assert xnli.labelled and xnli.provenance["source"] == "local"
    assert [e["label"] for e in xnli.examples] == ["entailment", "contradiction"]
    # the download layout's labelled dev file is the reference's own file: it comes first
    dev = load_split(TASKS["xnli"], "validation", "de", DataOptions(hub_suite, data_dir=download))
    assert dev.provenance["source"] == "download"


def test_download_multiple_choice_templates(hub_suite: Suite, download: Path) -> None:
    copa = load_split(TASKS["xcopa"], "copa_train", "en", DataOptions(hub_suite, data_dir=download))
    assert copa.examples == [
        {
            "context": "Das Glas fiel. What was the effect?",
            "choices": ["Es zerbrach.", "Es sang."],
            "label": "0",
        }
    ]
    siqa = load_split(TASKS["xcopa"], "siqa_train", "en", DataOptions(hub_suite, data_dir=download))
    assert siqa.examples == [
        {
            "context": "Mei baked bread. What will Mei want to do next?",
            "choices": ["sleep", "eat it", "swim"],
            "label": "1",
        }
    ]


def test_download_missing_file_names_the_path(hub_suite: Suite, download: Path) -> None:
    with pytest.raises(
        HarnessError,
        match=r"xnli/validation/fr: xnli/dev-fr.tsv is missing: not in .*download.*download_data.sh",
    ):
        load_split(TASKS["xnli"], "validation", "fr", DataOptions(_unpinned(hub_suite), data_dir=download))


def test_download_bad_rows_name_file_and_line(hub_suite: Suite, download: Path) -> None:
    (download / "xnli" / "dev-fr.tsv").write_text("a\tb\tentailment\nonly one column\n")
    with pytest.raises(HarnessError, match=r"dev-fr.tsv:2: expected 3 tab-separated columns"):
        load_split(TASKS["xnli"], "validation", "fr", DataOptions(_unpinned(hub_suite), data_dir=download))
    (download / "siqa" / "socialIQa_v1.4_trn.jsonl").write_text(
        '{"context": "x", "question": "y", "answerA": "a", "answerB": "b", "answerC": "c", "correct": "D"}\n'
    )
    with pytest.raises(HarnessError, match=r'socialIQa_v1.4_trn.jsonl:1: label "D" is not one of A, B, C'):
        load_split(TASKS["xcopa"], "siqa_train", "en", DataOptions(hub_suite, data_dir=download))


def test_download_conll_train_and_unlabelled_test(hub_suite: Suite, tmp_path: Path) -> None:
    root = tmp_path / "dl"
    (root / "panx").mkdir(parents=True)
    (root / "panx" / "train-en.tsv").write_text("Marie\tB-PER\nCurie\tI-PER\nlebte\tO\n\nParis\tB-LOC\n\n\n")
    (root / "panx" / "test-de.tsv").write_text("Marie\nCurie\n\nParis\n")
    train = load_split(TASKS["panx"], "train", "en", DataOptions(hub_suite, data_dir=root))
    assert train.examples == [
        {"tokens": ["Marie", "Curie", "lebte"], "tags": ["B-PER", "I-PER", "O"], "label": None},
        {"tokens": ["Paris"], "tags": ["B-LOC"], "label": None},
    ]
    test = load_split(TASKS["panx"], "test", "de", DataOptions(_unpinned(hub_suite), data_dir=root))
    assert not test.labelled and [e["tokens"] for e in test.examples] == [["Marie", "Curie"], ["Paris"]]
    assert all(e["tags"] is None for e in test.examples)


def test_download_squad_json_is_flattened_per_question(hub_suite: Suite, tmp_path: Path) -> None:
    root = tmp_path / "dl"
    (root / "MLQA_V1" / "test").mkdir(parents=True)
    squad = {
        "version": "1.0",
        "data": [
            {
                "title": "T",
                "paragraphs": [
                    {
                        "context": "Der Hund bellt.",
                        "qas": [
                            {
                                "id": "a1",
                                "question": "Wer bellt?",
                                "answers": [{"text": "Der Hund", "answer_start": 0}],
                            },
                            {
                                "id": "a2",
                                "question": "Was tut er?",
                                "answers": [{"text": "bellt", "answer_start": 9}],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    # the release as MLQA_V1.zip unpacks (download_data.sh blanks download/mlqa/'s answers)
    (root / "MLQA_V1" / "test" / "test-context-de-question-de.json").write_text(json.dumps(squad))
    loaded = load_split(TASKS["mlqa"], "test", "de", DataOptions(hub_suite, data_dir=root))
    assert [e["id"] for e in loaded.examples] == ["a1", "a2"]
    assert loaded.examples[1]["answers"] == {"text": ["bellt"], "answer_start": [9]}
    assert loaded.examples[0]["context"] == "Der Hund bellt." and loaded.labelled
    assert loaded.provenance["source"] == "release" and loaded.provenance["release"] == "mlqa"


def test_sample_hub_layout_tagging_and_tydiqa_prefix_filter() -> None:
    from harness.suites import load_suite

    sample = DataOptions(load_suite("sample"))
    udpos = load_split(TASKS["udpos"], "test", "zh", sample)  # config udpos.Chinese from the language name
    assert udpos.provenance["config"] == "udpos.Chinese" and isinstance(udpos.examples[0]["tags"][0], int)
    tydiqa = load_split(TASKS["tydiqa"], "test", "fi", sample)
    assert tydiqa.examples and all(e["id"].startswith("finnish-") for e in tydiqa.examples)
    train = load_split(TASKS["tydiqa"], "train", "en", sample)  # English only, the others filtered out
    assert len(train.examples) == 40 and all(e["id"].startswith("english-") for e in train.examples)
