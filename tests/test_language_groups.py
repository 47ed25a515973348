"""Language groups: the sourced table in harness/languages.py and scores by family, script, resource class."""

from __future__ import annotations

import pytest
from conftest import REPO
from rich.console import Console

from harness.cli.tables import print_language_groups
from harness.errors import HarnessError
from harness.languages import LANGUAGES, groups_of
from harness.leaderboard.board import load_board
from harness.leaderboard.markdown import render
from harness.leaderboard.submissions import read_results_file
from harness.results import TaskResult
from harness.results.language_groups import by_kind, language_groups
from harness.results.schema import GroupKind
from harness.results.table import score_table
from harness.suites import load_suite


def _task(
    name: str, score_metrics: list[str], scores: dict[str, dict[str, float]], languages: list[str]
) -> TaskResult:
    return TaskResult(
        name=name,
        title=name,
        format="classification",
        status="complete",
        languages=languages,
        metrics=score_metrics,
        score_metrics=score_metrics,
        seeds=[1],
        scores=scores,
    )


# en: Indo-European, Latn, class 5; de: Indo-European, Latn, 5; sw: Atlantic-Congo, Latn, 2;
# hi: Indo-European, Deva, 4.
CLS = _task(
    "cls",
    ["accuracy"],
    {"en": {"accuracy": 80.0}, "de": {"accuracy": 70.0}, "sw": {"accuracy": 50.0}, "hi": {"accuracy": 60.0}},
    ["en", "de", "sw", "hi"],
)
QA = _task(
    "qa",
    ["exact_match", "f1"],
    {
        "en": {"exact_match": 60.0, "f1": 70.0},
        "de": {"exact_match": 50.0, "f1": 60.0},
        "hi": {"exact_match": 40.0, "f1": 50.0},
    },
    ["en", "de", "hi"],
)


# Hand-computed. A task's score on a group is its score (QA: (EM + F1) / 2) over the group's languages
# only; the group's score is the mean over the tasks that have any of them.
@pytest.mark.parametrize(
    ("kind", "group", "score", "tasks", "languages"),
    [
        # cls (80 + 70 + 60) / 3 = 70; qa EM (60 + 50 + 40) / 3 = 50, F1 60 -> 55; (70 + 55) / 2
        ("family", "Indo-European", 62.5, ["cls", "qa"], ["en", "de", "hi"]),
        ("family", "Atlantic-Congo", 50.0, ["cls"], ["sw"]),  # qa has no Atlantic-Congo language
        # cls (80 + 70 + 50) / 3 = 200/3; qa EM 55, F1 65 -> 60; (200/3 + 60) / 2 = 190/3
        ("script", "Latn", 190 / 3, ["cls", "qa"], ["en", "de", "sw"]),
        ("script", "Deva", 52.5, ["cls", "qa"], ["hi"]),  # (60 + (40 + 50) / 2) / 2
        ("resource", "5", 67.5, ["cls", "qa"], ["en", "de"]),  # (75 + (55 + 65) / 2) / 2
        ("resource", "4", 52.5, ["cls", "qa"], ["hi"]),
        ("resource", "2", 50.0, ["cls"], ["sw"]),
    ],
)
def test_group_scores(
    kind: GroupKind, group: str, score: float, tasks: list[str], languages: list[str]
) -> None:
    result = by_kind(language_groups([CLS, QA], groups_of), kind)[group]
    assert result.score == pytest.approx(score, abs=1e-12)
    assert (result.tasks, result.languages, result.complete, result.missing) == (tasks, languages, True, [])


def test_groups_are_ordered_by_kind_then_name() -> None:
    keys = [(g.kind, g.group) for g in language_groups([CLS, QA], groups_of)]
    assert keys == [
        ("family", "Atlantic-Congo"),
        ("family", "Indo-European"),
        ("script", "Deva"),
        ("script", "Latn"),
        ("resource", "2"),
        ("resource", "4"),
        ("resource", "5"),
    ]


def test_a_missing_language_leaves_its_groups_incomplete_never_a_smaller_mean() -> None:
    qa = QA.model_copy(update={"scores": {k: v for k, v in QA.scores.items() if k != "de"}})
    groups = {(g.kind, g.group): g for g in language_groups([CLS, qa], groups_of)}
    for key in [("family", "Indo-European"), ("script", "Latn"), ("resource", "5")]:
        assert groups[key].score is None
        assert not groups[key].complete
        assert groups[key].missing == ["qa:de"]
        assert groups[key].task_scores["qa"] is None
    assert groups["script", "Deva"].score == 52.5  # hi is still scored in both tasks
    assert groups["script", "Deva"].complete


def test_a_task_without_scores_leaves_every_group_it_touches_incomplete() -> None:
    pending = QA.model_copy(update={"status": "not_supported", "scores": {}})
    groups = by_kind(language_groups([CLS, pending], groups_of), "resource")
    assert groups["5"].score is None and groups["5"].missing == ["qa:en", "qa:de"]
    assert groups["2"].score == 50.0  # pending has no class-2 language


def test_a_language_without_a_resource_class_is_in_no_resource_group() -> None:
    xcopa = _task("xcopa", ["accuracy"], {"ht": {"accuracy": 55.0}, "sw": {"accuracy": 45.0}}, ["ht", "sw"])
    groups = language_groups([xcopa], groups_of)
    assert [g.group for g in groups if g.kind == "resource"] == ["2"]
    assert by_kind(groups, "family")["Indo-European"].languages == ["ht"]
    assert by_kind(groups, "script")["Latn"].score == 50.0


@pytest.mark.parametrize("suite", ["xtreme", "xtreme-r"])
def test_the_table_covers_every_language_of_the_suite(suite: str) -> None:
    for entry in load_suite(suite).tasks.values():
        for code in entry.languages:
            lang = LANGUAGES[code]
            assert lang.family and lang.script
            assert lang.resource_class in (0, 1, 2, 3, 4, 5, None)


# From lang2tax.txt as released with Joshi et al. (2020), 2485 lines, sha256 2e182e8f4bd9adb0...
# (a verbatim copy: github.com/plnrlstt/lingnlp, commit e4e92c0af5c5): line 2479 "english,5",
# 2485 "mandarin,5", 2464 "hindi,4", 2474 "basque,4", 2437 "indonesian,3", 2419 "swahili,2",
# 2431 "yoruba,2", 2414 "eastern punjabi,2", 2193 "telugu,1", 2408 "quechua,1", 2280 "azerbaijani,1";
# Haitian is listed twice, 2425 "haitian,2" and 420 "haitian creole,0", so it has no class here.
@pytest.mark.parametrize(
    ("code", "resource_class"),
    [
        ("en", 5),
        ("zh", 5),
        ("hi", 4),
        ("eu", 4),
        ("id", 3),
        ("sw", 2),
        ("yo", 2),
        ("pa", 2),
        ("te", 1),
        ("qu", 1),
        ("az", 1),
        ("ht", None),
    ],
)
def test_resource_classes_match_the_released_list(code: str, resource_class: int | None) -> None:
    assert LANGUAGES[code].resource_class == resource_class


# Glottolog 5.1 (glottolog/glottolog-cldf, cldf/languages.csv, Family_ID): swh -> atla1278
# Atlantic-Congo, hat -> indo1319 Indo-European, tha -> taik1256 Tai-Kadai, kor -> kore1284 Koreanic,
# basq1248 Basque is an isolate (no Family_ID).
@pytest.mark.parametrize(
    ("code", "family"),
    [
        ("sw", "Atlantic-Congo"),
        ("ht", "Indo-European"),
        ("th", "Tai-Kadai"),
        ("ko", "Koreanic"),
        ("eu", "Basque (isolate)"),
    ],
)
def test_families_follow_glottolog(code: str, family: str) -> None:
    assert groups_of(code)["family"] == family


def test_groups_of_an_unknown_code_is_an_error() -> None:
    with pytest.raises(HarnessError, match='unknown language "xx"'):
        groups_of("xx")


def test_terminal_table() -> None:
    console = Console(record=True, width=200)
    print_language_groups(language_groups([CLS, QA], groups_of), console)
    out = console.export_text()
    assert "By language group" in out
    assert "Indo-European" in out and "62.5" in out and "en de hi" in out


def test_the_leaderboard_shows_groups_of_complete_submissions() -> None:
    board = load_board(REPO)
    markdown, _ = render(board)
    sample = markdown[markdown.index("## Sample") :]
    assert "### By language group (complete submissions)" in sample
    # The committed all-MiniLM-L6-v2 run: sw is the sample suite's only class-2 language, scored
    # by xcopa (accuracy 65.0) and tydiqa (EM 0.0, F1 0.0): (65.0 + 0.0) / 2.
    row = next(line for line in sample.splitlines() if line.startswith("| model ") and " 5 (n=" in line)
    header = [cell.strip() for cell in row.strip("|").split("|")]
    values = sample.splitlines()[sample.splitlines().index(row) + 2]
    cells = [cell.strip() for cell in values.strip("|").split("|")]
    assert cells[header.index("2 (n=1)")] == "32.5"


def test_score_table_artifact() -> None:
    results = read_results_file(REPO / "submissions" / "harness__all-minilm-l6-v2" / "results.json")
    results.language_groups = language_groups(list(results.tasks.values()), groups_of)
    text = score_table(results).split("By language group")[1]
    # sw, class 2 and Atlantic-Congo alone: xcopa accuracy 65.0, tydiqa (EM 0.0 + F1 0.0) / 2
    assert [
        line.split()[-1] for line in text.splitlines() if line.startswith(("family    Atl", "resource  2"))
    ] == [
        "32.5",
        "32.5",
    ]
