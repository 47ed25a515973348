"""Scores by language group (family, script, resource class): pure functions, no I/O.

The grouping itself lives in harness/languages.py (`groups_of`); it is passed in, so results/ keeps
importing nothing else of the harness.

Semantics, for one kind K (family, script or resource) and one group G of that kind:

1. The group's languages in a task are the task's languages (its full suite list, in suite order)
   whose K is G. A task with none of them takes no part in G; the others are G's tasks.
2. A task's score on G is computed exactly as its suite score, on those languages only: per score
   metric, the unweighted mean over the group's languages; then the mean of the score metrics (QA:
   (EM + F1) / 2). If any of the group's languages lacks a score metric, the task's score on G is
   None, never a mean over fewer languages (as `aggregate.language_average`).
3. G's score is the unweighted mean over G's tasks of their scores on G (every task counts once,
   whatever its number of languages in G, as the suite score weights tasks, not languages); None
   unless every task has one. `complete` says which: false when any (task, language) pair of the
   group lacks a score, and `missing` names the pairs.

English, the fine-tuning and selection language, is a test language like any other in the tasks
that list it: it stays in its groups (Indo-European, Latn, resource class 5) rather than being
dropped silently, and shows in their `languages`, so a reader can tell those groups are not purely
zero-shot. A language without a group of some kind (a resource class the source does not give) is
in no group of that kind.

>>> from types import SimpleNamespace as Task
>>> xnli = Task(name="xnli", languages=["en", "de", "sw"], score_metrics=["accuracy"],
...             scores={"en": {"accuracy": 80.0}, "de": {"accuracy": 70.0}, "sw": {"accuracy": 60.0}})
>>> kinds = {"en": {"family": "IE"}, "de": {"family": "IE"}, "sw": {"family": "AC"}}
>>> [(g.group, g.score, g.languages) for g in language_groups([xnli], kinds.__getitem__, ["family"])]
[('AC', 60.0, ['sw']), ('IE', 75.0, ['en', 'de'])]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from harness.results.aggregate import group_score, language_average, task_score
from harness.results.schema import GroupKind, LanguageGroup

KINDS: tuple[GroupKind, ...] = ("family", "script", "resource")


class ScoredTask(Protocol):
    """What grouping reads of a task (a TaskResult has it)."""

    @property
    def name(self) -> str: ...
    @property
    def languages(self) -> Sequence[str]: ...
    @property
    def score_metrics(self) -> Sequence[str]: ...
    @property
    def scores(self) -> Mapping[str, Mapping[str, float]]: ...


GroupsOf = Callable[[str], Mapping[str, str]]  # language -> kind -> group (harness.languages.groups_of)


def language_groups(
    tasks: Sequence[ScoredTask], groups_of: GroupsOf, kinds: Sequence[GroupKind] = KINDS
) -> list[LanguageGroup]:
    """Every group of each kind the tasks' languages fall in (kinds in the given order, groups by name)."""
    out: list[LanguageGroup] = []
    for kind in kinds:
        members: dict[str, list[str]] = {}  # group -> its languages, in order of first appearance
        for task in tasks:
            for lang in task.languages:
                group = groups_of(lang).get(kind)
                if group is not None and lang not in members.setdefault(group, []):
                    members[group].append(lang)
        out += [_group(tasks, groups_of, kind, group, members[group]) for group in sorted(members)]
    return out


def _group(
    tasks: Sequence[ScoredTask], groups_of: GroupsOf, kind: GroupKind, group: str, languages: list[str]
) -> LanguageGroup:
    task_scores: dict[str, float | None] = {}
    missing: list[str] = []
    for task in tasks:
        inside = [lang for lang in task.languages if groups_of(lang).get(kind) == group]
        if not inside:
            continue
        averages = {m: language_average(task.scores, inside, m) for m in task.score_metrics}
        task_scores[task.name] = task_score(averages, task.score_metrics)
        missing += [
            f"{task.name}:{lang}"
            for lang in inside
            if any(m not in task.scores.get(lang, {}) for m in task.score_metrics)
        ]
    return LanguageGroup(
        kind=kind,
        group=group,
        languages=languages,
        tasks=list(task_scores),
        task_scores=task_scores,
        missing=missing,
        complete=not missing,
        score=group_score(task_scores, list(task_scores)),
    )


def by_kind(groups: Sequence[LanguageGroup], kind: GroupKind) -> dict[str, LanguageGroup]:
    """The groups of one kind, by group name (tables and the leaderboard read them this way)."""
    return {g.group: g for g in groups if g.kind == kind}
