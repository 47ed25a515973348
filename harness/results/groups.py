"""Category and overall scores from task scores (shared by `harness eval` and `harness score`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from harness.results.aggregate import group_score
from harness.results.schema import GroupResult


def groups(
    task_scores: Mapping[str, float | None], categories: Mapping[str, Sequence[str]], every: Sequence[str]
) -> tuple[dict[str, GroupResult], GroupResult]:
    """Each category's mean and the overall mean of ALL tasks (not of categories), with what is missing."""

    def result(tasks: Sequence[str]) -> GroupResult:
        return GroupResult(
            tasks=list(tasks),
            score=group_score(task_scores, tasks),
            missing=[t for t in tasks if task_scores.get(t) is None],
        )

    return {name: result(tasks) for name, tasks in categories.items()}, result(every)
