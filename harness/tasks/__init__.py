"""The task registry: a plain dict, one line per task. Imports nothing else of the harness."""

from __future__ import annotations

from harness.tasks.bucc2018 import BUCC2018
from harness.tasks.lareqa import LAREQA
from harness.tasks.mewslix import MEWSLIX
from harness.tasks.mlqa import MLQA
from harness.tasks.panx import PANX
from harness.tasks.pawsx import PAWSX
from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, registry
from harness.tasks.tatoeba import TATOEBA
from harness.tasks.tydiqa import TYDIQA
from harness.tasks.udpos import UDPOS
from harness.tasks.xcopa import XCOPA
from harness.tasks.xglue import XGLUE_TASKS
from harness.tasks.xnli import XNLI
from harness.tasks.xquad import XQUAD

__all__ = ["TASKS", "FileSource", "FormatName", "HubSource", "Split", "TaskSpec"]


TASKS: dict[str, TaskSpec] = registry(
    "task",
    XNLI,
    PAWSX,
    XCOPA,
    UDPOS,
    PANX,
    XQUAD,
    MLQA,
    TYDIQA,
    BUCC2018,
    TATOEBA,
    MEWSLIX,
    LAREQA,
    *XGLUE_TASKS,
)
