"""Pure metric functions: no torch, no I/O, nothing else of the harness. Scores are on a 0-100 scale."""

from harness.metrics.classification import accuracy

__all__ = ["accuracy"]
