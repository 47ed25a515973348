"""Suites: the built-in ones hold the reference's exact lists; bad YAML fails with file, line, field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from harness.data import DataOptions, load_split
from harness.data.layouts import LAYOUTS
from harness.errors import HarnessError
from harness.formats import Format, get_format
from harness.selection import parse_overrides
from harness.suites import builtin_suites, load_suite
from harness.tasks import TASKS, FileSource, FormatName
from harness.tasks.releases import RELEASES

# evaluate.py's XTREME_R_TASK2LANGS (spec 2.2), typed in independently of suites/xtreme-r.yaml.
XTREME_R = {
    "xnli": "ar bg de el en es fr hi ru sw th tr ur vi zh",
    "panx": "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th "
    "sw yo my zh kk tr et fi hu qu pl uk az lt pa gu ro",
    "udpos": "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi "
    "yo zh lt pl uk wo ro",
    "tatoeba": "ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw "
    "zh kk tr et fi hu az lt pl uk ro",
    "xcopa": "et ht id it qu sw ta th tr vi zh",
    "mewslix": "ar de en es fa ja pl ro ta tr uk",
    "xquad": "en es de el ru tr ar vi th zh hi ro",
    "mlqa": "en es de ar hi vi zh",
    "tydiqa": "en ar bn fi id ko ru sw te",
    "lareqa": "ar de el en es hi ru th tr vi zh",
}
XTREME = {
    "pawsx": "de en es fr ja ko zh",
    "xnli": XTREME_R["xnli"],
    "panx": "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th "
    "sw yo my zh kk tr et fi hu",
    "udpos": "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi "
    "yo zh",
    "bucc2018": "de fr ru zh",
    "tatoeba": "ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw "
    "zh kk tr et fi hu",
    "xquad": "en es de el ru tr ar vi th zh hi",
    "mlqa": XTREME_R["mlqa"],
    "tydiqa": XTREME_R["tydiqa"],
}
# The papers' table order (classification, structured prediction, QA, retrieval): the order of
# the results tables and of the leaderboard's columns.
XTREME_ORDER = "xnli pawsx udpos panx xquad mlqa tydiqa bucc2018 tatoeba"
XTREME_R_ORDER = "xnli xcopa udpos panx xquad mlqa tydiqa tatoeba mewslix lareqa"


@pytest.mark.parametrize(
    ("name", "expected", "order"),
    [("xtreme", XTREME, XTREME_ORDER), ("xtreme-r", XTREME_R, XTREME_R_ORDER)],
    ids=["xtreme", "xtreme-r"],
)
def test_reference_language_lists(name: str, expected: dict[str, str], order: str) -> None:
    suite = load_suite(name)
    assert list(suite.tasks) == order.split()
    assert set(suite.tasks) == set(expected)
    for task, langs in expected.items():
        assert suite.tasks[task].languages == langs.split(), task


def test_language_counts_match_the_issue() -> None:
    counts = {t: len(e.languages) for t, e in load_suite("xtreme-r").tasks.items()}
    assert counts == {
        "xnli": 15,
        "panx": 48,
        "udpos": 38,
        "tatoeba": 41,
        "xcopa": 11,
        "mewslix": 11,
        "xquad": 12,
        "mlqa": 7,
        "tydiqa": 9,
        "lareqa": 11,
    }
    assert len({lang for e in load_suite("xtreme-r").tasks.values() for lang in e.languages}) == 50
    assert len({lang for e in load_suite("xtreme").tasks.values() for lang in e.languages}) == 40


def test_qa_tasks_score_em_and_f1_and_categories_follow_evaluate_py() -> None:
    for name in ("xtreme", "xtreme-r"):
        suite = load_suite(name)
        for task in ("xquad", "mlqa", "tydiqa"):
            assert sorted(suite.tasks[task].score) == ["exact_match", "f1"]
        assert suite.categories["qa"] == ["xquad", "mlqa", "tydiqa"]
    assert load_suite("xtreme").categories["retrieval"] == ["bucc2018", "tatoeba"]
    assert load_suite("xtreme-r").categories["classification"] == ["xnli", "xcopa"]


def test_reference_recipes() -> None:
    suite = load_suite("xtreme-r")
    xnli = suite.tasks["xnli"]
    assert xnli.hyperparameters is not None and xnli.selection is not None
    assert (
        xnli.hyperparameters.learning_rate,
        xnli.hyperparameters.batch_size,
        xnli.hyperparameters.grad_accum,
        xnli.hyperparameters.epochs,
        xnli.hyperparameters.max_length,
    ) == (3e-5, 2, 16, 5, 128)
    assert (xnli.selection.rule, xnli.selection.every_steps, xnli.selection.language) == (
        "best_on_dev",
        100,
        "en",
    )
    assert suite.tasks["xcopa"].splits.train == ["siqa_train", "copa_train"]
    assert suite.seeds_for("udpos") == [1] and suite.seeds_for("xnli") == [42]


def test_tasks_keep_the_order_of_the_file(tmp_path: Path) -> None:
    text = builtin_suites()["sample"].read_text()
    head, body = text.split("\ntasks:\n")
    blocks = re.split(r"\n(?=  [a-z0-9]+:\n)", body.strip("\n"))
    names = [block.split(":")[0].strip() for block in blocks]
    assert len(names) == 12 and names != sorted(names)
    path = tmp_path / "sample.yaml"
    path.write_text(head + "\ntasks:\n" + "\n".join(reversed(blocks)) + "\n")
    (tmp_path / "sample-data").symlink_to(builtin_suites()["sample"].parent / "sample-data")
    assert list(load_suite(str(path)).tasks) == names[::-1]


def test_every_local_dataset_folder_of_a_builtin_suite_exists() -> None:
    # loading checks pins (test_revision_must_be_a_commit) but not that a local folder is there
    folders = [
        (name, dataset, suite.dataset_path(dataset))
        for name in builtin_suites()
        for suite in [load_suite(name)]
        for dataset, pin in suite.datasets.items()
        if pin.path
    ]
    assert {name for name, _, _ in folders} == {"sample"}
    missing = [(name, dataset) for name, dataset, folder in folders if not (folder and folder.is_dir())]
    assert missing == []


@pytest.mark.parametrize("pin", ["{}", "{path: sample-data/super_glue, revision: " + "ab" * 20 + "}"])
def test_a_dataset_is_a_revision_or_a_folder_never_both_or_neither(tmp_path: Path, pin: str) -> None:
    path = _broken(tmp_path, "{path: sample-data/super_glue}", pin)
    with pytest.raises(HarnessError, match=r"datasets\.aps/super_glue.*exactly one of revision .* or path"):
        load_suite(path)


def test_every_registered_task_is_well_formed() -> None:
    for name, spec in TASKS.items():
        assert spec.name == name and spec.metrics and spec.splits
        for split_name, split in spec.splits.items():
            assert split.sources, (name, split_name)
            for source in split.sources:
                if isinstance(source, FileSource):
                    assert source.release in RELEASES and source.layout in LAYOUTS, (name, split_name)
                    if source.layout == "tsv":
                        assert source.columns, (name, split_name)
            # the preference rule: files without gold labels come last
            labelled = [not isinstance(s, FileSource) or s.labelled for s in split.sources]
            assert labelled == sorted(labelled, reverse=True), (name, split_name)


@pytest.mark.parametrize("name", sorted({spec.format for spec in TASKS.values()}))
def test_every_format_of_a_registered_task_loads_its_class(name: FormatName) -> None:
    # one registry for every format, retrieval included: each names a Format class that loads
    loaded = get_format(name)
    assert isinstance(loaded, Format) and loaded.name == name.value


def test_hash_is_stable_and_content_sensitive(tmp_path: Path) -> None:
    source = builtin_suites()["xtreme"]
    copy = tmp_path / "xtreme.yaml"
    copy.write_text("# reformatted\n" + source.read_text())
    assert load_suite(str(copy)).content_hash() == load_suite("xtreme").content_hash()
    copy.write_text(source.read_text().replace("learning_rate: 3.0e-5", "learning_rate: 2.0e-5", 1))
    assert load_suite(str(copy)).content_hash() != load_suite("xtreme").content_hash()


def _broken(tmp_path: Path, old: str, new: str, name: str = "sample") -> str:
    text = builtin_suites()["sample"].read_text()
    assert old in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new, 1))
    # keep the relative dataset paths valid
    (tmp_path / "sample-data").symlink_to(builtin_suites()["sample"].parent / "sample-data")
    return str(path)


def _line_of(path: str, needle: str) -> int:
    return next(i for i, line in enumerate(Path(path).read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "message", "line_text"),
    [
        (
            "metrics: [accuracy]",
            "metrics: [accuracy]\n    colour: blue",
            'tasks.xnli.colour: unknown field "colour"',
            "colour: blue",
        ),
        ("languages: [en, de, ru", "languages: [en, dd, ru", 'unknown language "dd"', "languages: [en, dd"),
        ("  xnli:\n", "  xnlii:\n", 'unknown task "xnlii" (did you mean "xnli"?)', "xnlii:"),
        (
            "metrics: [accuracy]\n    score: [accuracy]",
            "metrics: [f1]\n    score: [f1]",
            'metric "f1" is not one of xnli\'s metrics',
            "metrics: [f1]",
        ),
        (
            "score: [accuracy]",
            "score: [f1]",
            "score metric f1 must also be listed under metrics",
            "score: [f1]",
        ),
        (
            "languages: [en, de, ru",
            "languages: [en, de, de",
            "duplicate language code",
            "languages: [en, de, de",
        ),
        ("languages: [en, de, ru, ar, zh, hi]", "languages: []", "at least 1 item", "languages: []"),
        ("seeds: [42]", "seeds: [-1]", "greater than or equal to 0", "seeds: [-1]"),
        ("seeds: [42]", "seeds: [42, 42]", "duplicate seed 42", "seeds: [42, 42]"),
        ("batch_size: 8, epochs: 6", "batch_size: true, epochs: 6", "valid integer", "batch_size: true"),
        ("dev: validation", "dev: test", "the dev split must not be the test split", "dev: test"),
        (
            "train: [mnli_train], ",
            "train: [], ",
            "classification task fine-tunes: give its train splits",
            "train: [], ",
        ),
        ("dev: validation", "dev: valid", 'xnli has no split "valid"', "dev: valid"),
        ("every_steps: 12}", "every_steps: 0}", "greater than or equal to 1", "every_steps: 0"),
        ("rule: last}", "rule: newest}", "rule", "rule: newest"),
        ("seeds: [42]", "seeds: [forty-two]", "seeds.0", "seeds: [forty"),
    ],
)
def test_malformed_suite_names_file_line_and_field(
    tmp_path: Path, old: str, new: str, message: str, line_text: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(HarnessError) as info:
        load_suite(path)
    text = str(info.value)
    assert text.startswith(f"{path}:{_line_of(path, line_text)}:"), text
    assert message in text
    assert "\n" not in text


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _broken(tmp_path, "seeds: [42]", "seeds: [42")
    with pytest.raises(HarnessError, match=r"sample\.yaml:\d+: malformed YAML"):
        load_suite(path)


def test_unpinned_hub_dataset_is_rejected(tmp_path: Path) -> None:
    # XGLUE's splits exist only on the hub: without the pin no source can be read
    text = (REPO / "tests" / "fixtures" / "xglue-sample.yaml").read_text()
    path = tmp_path / "xglue-sample.yaml"
    path.write_text(text.replace("  microsoft/xglue: {path: xglue}\n", ""))
    with pytest.raises(
        HarnessError, match='reads hub dataset "microsoft/xglue", which has no pinned revision'
    ):
        load_suite(str(path))


def test_a_split_with_a_file_source_needs_no_pin(tmp_path: Path) -> None:
    # COPA is also read from the data folder (download/xcopa/train-en.jsonl): the suite stays valid
    # and a run without that file says which file to put where
    path = _broken(tmp_path, "  aps/super_glue: {path: sample-data/super_glue}\n", "")
    suite = load_suite(path)
    with pytest.raises(
        HarnessError,
        match=r"xcopa/copa_train/en: xcopa/train-en.jsonl is missing: not in .*sample-data/download",
    ):
        load_split(TASKS["xcopa"], "copa_train", "en", DataOptions(suite))


def test_revision_must_be_a_commit(tmp_path: Path) -> None:
    path = _broken(tmp_path, "{path: sample-data/super_glue}", "{revision: main}")
    with pytest.raises(HarnessError, match='revision "main" is not a 40-hex commit id'):
        load_suite(path)


def test_unknown_suite_suggests() -> None:
    with pytest.raises(HarnessError, match='unknown suite "xtreme-x" \\(did you mean "xtreme-r"\\?\\)'):
        load_suite("xtreme-x")


def test_overrides_are_typed_and_validated() -> None:
    suite = load_suite("sample")
    tasks = list(suite.tasks)
    assert parse_overrides(suite, tasks, ["xnli.learning_rate=2e-5"]) == {"xnli": {"learning_rate": 2e-5}}
    tuned = {t for t in tasks if suite.tasks[t].hyperparameters is not None}
    assert set(parse_overrides(suite, tasks, ["epochs=1"])) == tuned  # every task that fine-tunes
    assert "tatoeba" not in tuned and "mewslix" in tuned
    with pytest.raises(HarnessError, match='unknown hyperparameter "learning_rat"'):
        parse_overrides(suite, tasks, ["learning_rat=1"])
    with pytest.raises(HarnessError, match="greater than or equal to 1"):
        parse_overrides(suite, tasks, ["xnli.batch_size=0"])
    with pytest.raises(HarnessError, match=re.escape("expected [TASK.]FIELD=VALUE")):
        parse_overrides(suite, tasks, ["xnli.batch_size"])


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    path = _broken(tmp_path, "    metrics: [accuracy]\n", "    languages: [en]\n    metrics: [accuracy]\n")
    with pytest.raises(HarnessError, match=r'sample\.yaml:\d+: malformed YAML: duplicate key "languages"'):
        load_suite(path)


def test_a_ranking_metric_and_its_cutoff_agree(tmp_path: Path) -> None:
    # mrr@20 scores the first 20 ranks: a search cut at 10 would be reported as @20
    path = _broken(tmp_path, "      top_k: 20\n", "      top_k: 10\n")
    with pytest.raises(HarnessError, match=r"mrr@20 names a cutoff of 20, but retrieval.top_k is 10"):
        load_suite(path)


def test_a_builtin_name_wins_over_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "xtreme").mkdir()  # a checkout of google-research/xtreme
    monkeypatch.chdir(tmp_path)
    assert load_suite("xtreme").name == "xtreme"
    with pytest.raises(HarnessError, match=r"missing\.yaml: suite file not found"):
        load_suite("missing.yaml")
