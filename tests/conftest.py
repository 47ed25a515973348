from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

# Tests never touch the network: datasets and models come from local folders only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference"


def reference_vectors() -> Path:
    """The reference scorer's own mock vectors (../shared). A clone without them skips the tests
    that need them, except under CI=true, where their absence fails the run: the conformance
    checks must never skip where they matter."""
    mock = REFERENCE / "xtreme-mock-vectors"
    if not mock.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{mock}: the reference mock vectors are missing (CI=true: no skipping)")
        pytest.skip("reference mock vectors not present next to the repository")
    return mock


def missing_from_screen(results: Any, output: str) -> list[tuple[str, str]]:
    """(task, language) pairs whose main score, as the tables print it ("37.5 ±18.8"), is not in
    `output`; the task scores too."""
    missing = []
    for task in results.tasks.values():
        metric = task.metrics[0]
        for lang, scores in task.scores.items():
            spread = task.spread.get(lang, {}).get(metric)
            half = f" ±{(spread.ci95[1] - spread.ci95[0]) / 2:.1f}" if spread and spread.ci95 else ""
            if f"{scores[metric]:.1f}{half}" not in output:
                missing.append((task.name, lang))
        if task.score is not None and f"{task.score:.1f}" not in output:
            missing.append((task.name, "score"))
    return missing


@pytest.fixture(autouse=True, scope="session")
def _isolated_caches(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Session-wide (so module-scoped fixtures get it too): caches and MLflow stay out of the
    user's home and the repository."""
    base = tmp_path_factory.getbasetemp()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_DATASETS_CACHE", str(base / "hf-datasets-cache"))
        import datasets.config

        patch.setattr(datasets.config, "HF_DATASETS_CACHE", base / "hf-datasets-cache")
        patch.setenv("HARNESS_CACHE", str(base / "harness-cache"))
        # every CLI eval of the tests logs to one SQLite store of the session
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{base / 'mlflow.db'}")
        yield


def _quiet() -> None:
    import datasets
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    datasets.disable_progress_bars()


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_bert

    _quiet()
    return make_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_xlmr

    _quiet()
    return make_xlmr(tmp_path_factory.mktemp("tiny-xlmr"))


@pytest.fixture(scope="session")
def tiny_deberta(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_deberta

    _quiet()
    return make_deberta(tmp_path_factory.mktemp("tiny-deberta"))


@pytest.fixture(scope="session")
def tiny_mt5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tiny_models import make_mt5

    _quiet()
    return make_mt5(tmp_path_factory.mktemp("tiny-mt5"))


class SampleRun(NamedTuple):
    """The full sample suite, evaluated once per session with tiny_bert. Read-only: a test that
    writes into a run folder copies it first (shutil.copytree to tmp_path)."""

    out: Path  # results.json, scores.txt, predictions/seed-42/, labels/, weights/
    results: Any  # harness.results.Results
    output: str  # what `harness eval` printed


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="session")
def sample_run(tiny_bert: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleRun]:
    from typer.testing import CliRunner

    from harness.cli import app
    from harness.results import read_results

    out = tmp_path_factory.mktemp("sample-run")
    args = ["eval", "-s", "sample", "-m", str(tiny_bert), "-o", str(out), "--save-predictions", "--no-track"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    before = _tree(out)
    yield SampleRun(out, read_results(out / "results.json"), result.output)
    assert _tree(out) == before, f"{out}: a test changed the shared sample run; copy it to tmp_path first"
