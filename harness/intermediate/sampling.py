"""Which task each multi-task training batch comes from.

Size-proportional sampling draws a task with probability n_i / sum n; temperature sampling with
probability proportional to n_i ** (1 / T) (T = 1 is proportional, large T tends to uniform), the
scheme of Arivazhagan et al. (2019) and mT5 (Xue et al., 2021) for unbalanced data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import torch
from torch.utils.data import Sampler

from harness.intermediate.modes import Sampling


def task_probabilities(
    sizes: Mapping[str, int], sampling: Sampling, temperature: float = 2.0
) -> dict[str, float]:
    """Probability of drawing each task's next batch."""
    if not sizes or any(n <= 0 for n in sizes.values()):
        raise ValueError("every task needs at least one training example")
    if sampling == Sampling.uniform:
        weights = {name: 1.0 for name in sizes}
    elif sampling == Sampling.proportional:
        weights = {name: float(n) for name, n in sizes.items()}
    else:
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        weights = {name: n ** (1.0 / temperature) for name, n in sizes.items()}
    total = sum(weights.values())
    return {name: w / total for name, w in weights.items()}


class MultiTaskBatches(Sampler[list[int]]):
    """Batches of one task each, the task drawn at every batch; each task's examples are visited
    in a seeded shuffled order, reshuffled when used up.

    An epoch is as many batches as the tasks have together (sum of ceil(n_i / batch size)), so the
    training length of a recipe reads the same as in single-task training.
    """

    def __init__(
        self,
        spans: Sequence[range],  # where each task's features sit in the concatenated list
        probabilities: Sequence[float],
        batch_size: int,
        generator: torch.Generator,
    ):
        self.spans, self.batch_size, self.generator = list(spans), batch_size, generator
        self.probabilities = torch.tensor(list(probabilities), dtype=torch.float64)
        self.queues: list[list[int]] = [[] for _ in self.spans]
        self.drawn = [0] * len(self.spans)  # batches drawn per task (for tests and the recipe)

    def __len__(self) -> int:
        return sum(math.ceil(len(span) / self.batch_size) for span in self.spans)

    def _take(self, task: int) -> list[int]:
        batch: list[int] = []
        while len(batch) < min(self.batch_size, len(self.spans[task])):
            if not self.queues[task]:
                order = torch.randperm(len(self.spans[task]), generator=self.generator).tolist()
                self.queues[task] = [self.spans[task][i] for i in order]
            need = self.batch_size - len(batch)
            batch += self.queues[task][:need]
            self.queues[task] = self.queues[task][need:]
        return batch

    def __iter__(self) -> Iterator[list[int]]:
        for _ in range(len(self)):
            task = int(torch.multinomial(self.probabilities, 1, generator=self.generator))
            self.drawn[task] += 1
            yield self._take(task)
