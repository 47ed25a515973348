"""The web leaderboard (site/): made by `harness leaderboard build` with LEADERBOARD.md, deterministic,
checked for staleness, safe with hostile submissions, and working in a real headless Chromium.

The browser tests need Debian's `chromium` and `chromium-driver` and selenium (the dev extra); they
skip without them, except under CI (CI set), where a missing browser is a failure (.ci/run installs it).
"""

from __future__ import annotations

import doctest
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from typer.testing import CliRunner

from harness.cli import app
from harness.errors import HarnessError
from harness.languages import groups_of
from harness.leaderboard.board import load_board
from harness.leaderboard.check import check
from harness.leaderboard.site import SITE, render_site, write_site
from harness.leaderboard.submissions import ModelCard, read_card
from harness.results.aggregate import language_average, mean_over_seeds, task_score
from harness.results.groups import groups
from harness.results.language_groups import language_groups
from harness.results.schema import TaskResult
from harness.suites import load_suite

runner = CliRunner()
SAMPLE = REPO / "submissions" / "harness__all-minilm-l6-v2"
ARTIFACTS = REPO / "tests" / "artifacts"  # screenshots for review (git-ignored)
PWN = "<script>window.pwned=1</script>"
HOSTILE = {
    "name": f"{PWN} \"quoted\" 'x'",
    "organisation": '<img src=x onerror="window.pwned=1">',
    "link": 'https://example.org/"><script>window.pwned=1</script>',  # valid for the schema: quotes
    "contact": "javascript:window.pwned=1",  # free text: never a link
    "base_model": "<b onmouseover=window.pwned=1>base</b>",
}


# --- a repository root with three entries: the committed one, a rescaled copy, a hostile one ------


def _rescaled(folder: Path, scale: float, shift: float) -> None:
    """Every per-seed score v becomes scale * v + shift, every aggregate recomputed as `harness eval`
    does (so the entry stays consistent and accepted), and the weights hash changed."""
    path = folder / "results.json"
    data = json.loads(path.read_text())
    suite = load_suite("sample")
    for name, task in data["tasks"].items():
        entry = suite.tasks[name]
        for run in task["runs"]:
            run["scores"] = {
                lang: {m: round(scale * v + shift, 6) for m, v in metrics.items()}
                for lang, metrics in run["scores"].items()
            }
        task["scores"] = mean_over_seeds([run["scores"] for run in task["runs"]])
        task["averages"] = {m: language_average(task["scores"], entry.languages, m) for m in entry.metrics}
        task["score"] = task_score(task["averages"], entry.score)
    categories, overall = groups(
        {n: t["score"] for n, t in data["tasks"].items()}, suite.categories, list(suite.tasks)
    )
    data["categories"] = {k: v.model_dump() for k, v in categories.items()}
    data["overall"] = overall.model_dump()
    data["language_groups"] = []
    data["model"]["weights_hash"] = f"sha256:{scale}-{shift}"
    path.write_text(json.dumps(data))


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("site-root")
    shutil.copytree(REPO / "baselines", root / "baselines")
    card = yaml.safe_load((SAMPLE / "model.yaml").read_text())
    entries = {
        "harness__all-minilm-l6-v2": (card, 1.0, 0.0),
        "other__rescaled": ({**card, "name": "Rescaled MiniLM"}, 0.5, 20.0),
        "evil__script": ({**card, **HOSTILE}, 0.9, 1.0),
    }
    for name, (meta, scale, shift) in entries.items():
        folder = root / "submissions" / name
        shutil.copytree(SAMPLE, folder)
        (folder / "model.yaml").write_text(yaml.safe_dump(meta))
        if (scale, shift) != (1.0, 0.0):
            _rescaled(folder, scale, shift)
    result = runner.invoke(app, ["leaderboard", "build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    return root


# --- without a browser ------------------------------------------------------------------------------


def test_markup_doctests() -> None:
    import harness.leaderboard.site.entry as entry
    import harness.leaderboard.site.markup as markup

    assert doctest.testmod(markup).failed == 0 and doctest.testmod(entry).failed == 0


def test_the_build_writes_the_site_deterministically(root: Path) -> None:
    site = root / SITE
    names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert names == [
        "assets/site.css",
        "assets/site.js",
        "index.html",
        "submissions/evil__script.html",
        "submissions/harness__all-minilm-l6-v2.html",
        "submissions/other__rescaled.html",
    ]
    first = {name: (site / name).read_bytes() for name in names}
    (site / "stray.html").write_text("left over")
    result = runner.invoke(app, ["leaderboard", "build", "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert {name: (site / name).read_bytes() for name in names} == first
    assert not (site / "stray.html").exists()  # a file the build no longer makes goes


def test_check_names_a_stale_site_file_and_the_fix(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "root"
    shutil.copytree(root, copy)
    index = copy / SITE / "index.html"
    index.write_text(index.read_text().replace("Leaderboard", "Leaderbored", 1))
    problems = check(copy)
    assert problems == [f"{index}: stale or missing; run `harness leaderboard build` and commit the result"]
    result = runner.invoke(app, ["leaderboard", "check", "--root", str(copy)])
    said = result.output.replace("\n", "")  # the console wraps long lines
    assert result.exit_code == 1 and "site/index.html: stale or missing; run `harness leaderboard" in said


def test_the_committed_site_is_current() -> None:
    files = render_site(load_board(REPO))
    for name, text in files.items():
        assert (REPO / SITE / name).read_text(encoding="utf-8") == text, f"site/{name} is stale"


def test_hostile_strings_are_escaped_in_the_html(root: Path) -> None:
    page = (root / SITE / "submissions" / "evil__script.html").read_text()
    index = (root / SITE / "index.html").read_text()
    for text in (page, index):
        assert PWN not in text and "<img" not in text and "<b " not in text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt; &quot;quoted&quot; &#x27;x&#x27;" in text
    assert 'href="javascript' not in page and "javascript:window.pwned=1" in page  # as text
    assert 'href="https://example.org/%22%3E%3Cscript%3Ewindow.pwned=1%3C/script%3E"' in page
    # the embedded data can carry no markup: JSON with <, >, & escaped
    data = index.split('id="leaderboard-data">')[1].split("</script>")[0]
    assert "<" not in data and ">" not in data and "&" not in data
    bad = root / "bad.yaml"
    card = yaml.safe_load((SAMPLE / "model.yaml").read_text())
    bad.write_text(yaml.safe_dump({**card, "link": "javascript:window.pwned=1"}))
    with pytest.raises(HarnessError, match="link"):  # the schema refuses a javascript: link outright
        read_card(bad)


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if webdriver is None or chromium is None or driver_path is None:
        reason = (
            "needs Debian's chromium and chromium-driver and selenium (pip install -e '.[dev]'): "
            f"chromium {chromium or 'absent'}, chromedriver {driver_path or 'absent'}, "
            f"selenium {'absent' if webdriver is None else 'present'}"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; under CI the browser tests must run (.ci/run installs them)")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)  # --no-sandbox: CI runs as root
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _open(browser, path: Path) -> list[dict]:
    """Load a page from file:// and return what it wrote to the console."""
    browser.get(path.resolve().as_uri())
    return browser.get_log("browser")


def _screenshot(browser, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(height, 8000))
    browser.save_screenshot(str(ARTIFACTS / name))
    browser.set_window_size(1400, 1000)


def _cells(browser, entry: str) -> dict[str, str]:
    row = browser.find_element("css selector", f'section[data-suite="sample"] tr[data-entry="{entry}"]')
    return {c.get_attribute("data-col"): c.text for c in row.find_elements("css selector", "[data-col]")}


def test_the_committed_index_and_a_submission_page_load_without_console_errors(browser) -> None:
    assert _open(browser, REPO / SITE / "index.html") == []
    assert browser.find_element("tag name", "h1").text == "Leaderboard"
    _screenshot(browser, "site-index.png")
    assert _open(browser, REPO / SITE / "submissions" / "harness__all-minilm-l6-v2.html") == []
    _screenshot(browser, "site-submission.png")


def test_a_submission_page_shows_its_recipe(browser) -> None:
    results = json.loads((SAMPLE / "results.json").read_text())
    _open(browser, REPO / SITE / "submissions" / "harness__all-minilm-l6-v2.html")
    recipe = browser.find_element("id", "recipe")
    assert recipe.find_element("tag name", "h2").text == "Recipe"
    assert results["run"]["command"] in recipe.text
    xnli = recipe.find_element("xpath", ".//tr[th='xnli']").text.split()
    hyper = results["tasks"]["xnli"]["hyperparameters"]
    assert xnli[:3] == ["xnli", str(hyper["learning_rate"]), str(hyper["batch_size"])]
    assert "harness-recipe.json" in recipe.text  # no intermediate training recorded, and said so


def test_sorting_a_column_reorders_the_rows(browser, root: Path) -> None:
    assert _open(browser, root / SITE / "index.html") == []
    table = browser.find_element("css selector", 'section[data-suite="sample"] table.nonstandard')
    header = table.find_element("xpath", ".//th[button='pawsx']/button")

    def order() -> list[str]:
        return [r.get_attribute("data-entry") for r in table.find_elements("css selector", "tbody tr")]

    scores = {name: _results(root, name)["tasks"]["pawsx"]["score"] for name in order()}
    best_first = sorted(scores, key=lambda name: -scores[name])
    assert order() != best_first  # the page lists them otherwise: the click must do the work
    header.click()
    assert order() == best_first
    header.click()
    assert order() == best_first[::-1]


def _on_group(results: dict, kind: str, group: str) -> dict[str, float | None]:
    """The test's own reading of the rule, from results.json: per task with languages in the group,
    each score metric's mean over those languages, then the mean of the metrics; a category and the
    overall score, the mean over their tasks that have languages in the group."""
    shown: dict[str, float | None] = {}
    for name, task in results["tasks"].items():
        inside = [lang for lang in task["languages"] if groups_of(lang).get(kind) == group]
        if inside:
            metrics = []
            for metric in task["score_metrics"]:
                values = [task["scores"].get(lang, {}).get(metric) for lang in inside]
                metrics.append(None if None in values else sum(values) / len(values))
            shown[f"task:{name}"] = None if None in metrics else sum(metrics) / len(metrics)
    for label, tasks in [("overall", list(results["tasks"])), *results_categories(results)]:
        known = [shown[f"task:{t}"] for t in tasks if f"task:{t}" in shown]
        if known:
            shown[label] = None if None in known else sum(known) / len(known)
    return shown


def results_categories(results: dict) -> list[tuple[str, list[str]]]:
    return [(f"cat:{name}", category["tasks"]) for name, category in results["categories"].items()]


def _results(root: Path, name: str) -> dict:
    return json.loads((root / "submissions" / name / "results.json").read_text())


def _choose(browser, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("css selector", 'section[data-suite="sample"] select')).select_by_value(value)


@pytest.mark.parametrize(("kind", "group"), [("family", "Uralic"), ("resource", "2"), ("script", "Latn")])
def test_the_language_filter_recomputes_the_averages(browser, root: Path, kind: str, group: str) -> None:
    assert _open(browser, root / SITE / "index.html") == []
    for entry in ("harness__all-minilm-l6-v2", "other__rescaled"):
        results = _results(root, entry)
        before = _cells(browser, entry)
        assert before["overall"] == f"{results['overall']['score']:.1f}"
        _choose(browser, f"{kind}:{group}")
        expected = _on_group(results, kind, group)
        after = _cells(browser, entry)
        assert after["overall"] != before["overall"]
        for column, text in after.items():
            value = expected.get(column, "n/a")  # n/a: no language of the group in the task or category
            assert text == (value if value == "n/a" else f"{value:.1f}"), column
        # the harness's own grouping (results/language_groups.py) gives the same number, to the bit
        tasks = [TaskResult.model_validate(task) for task in results["tasks"].values()]
        scored = language_groups(tasks, groups_of, [kind])
        assert next(g.score for g in scored if g.group == group) == expected["overall"]
        if kind == "family" and entry == "other__rescaled":
            _screenshot(browser, "site-index-filtered.png")
        _choose(browser, "")
        assert _cells(browser, entry) == before


def test_the_number_format_is_pythons(browser) -> None:
    _open(browser, REPO / SITE / "index.html")
    values = [0.25, 0.75, 12.25, 12.75, 2.35, 99.95, 0.05, 33.33333333333333, 45.0, 1e-9, 100.0]
    shown = browser.execute_script("return arguments[0].map(window.harnessLeaderboard.fmt)", values)
    assert shown == [f"{v:.1f}" for v in values]


def test_a_hostile_model_card_runs_nothing_and_reads_literally(browser, root: Path, tmp_path: Path) -> None:
    assert _open(browser, root / SITE / "index.html") == []
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    name = browser.find_element("css selector", 'tr[data-entry="evil__script"] th a').text
    assert name == HOSTILE["name"]
    assert len(browser.find_elements("tag name", "script")) == 2  # the data block and site.js
    assert _open(browser, root / SITE / "submissions" / "evil__script.html") == []
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert browser.find_element("tag name", "h1").text == HOSTILE["name"]
    card = browser.find_element("id", "card").text
    assert HOSTILE["organisation"] in card and HOSTILE["contact"] in card
    assert not browser.find_elements("tag name", "img")
    hrefs = [a.get_attribute("href") or "" for a in browser.find_elements("tag name", "a")]
    assert hrefs and all(h.startswith(("http://", "https://", "file://")) for h in hrefs), hrefs
    # a javascript: link that the schema would refuse, rendered anyway: still text, never an href
    board = load_board(root)
    evil = next(s for s in board.submissions if s.name == "evil__script")
    evil.card = ModelCard.model_construct(**{**evil.card.model_dump(), "link": "javascript:window.pwned=1"})
    write_site(tmp_path, render_site(board))
    assert _open(browser, tmp_path / SITE / "submissions" / "evil__script.html") == []
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    assert "javascript:window.pwned=1" in browser.find_element("id", "card").text
    for anchor in browser.find_elements("tag name", "a"):
        assert not (anchor.get_attribute("href") or "").startswith("javascript:")
    _screenshot(browser, "site-hostile-submission.png")
