"""Run a suite on a checkpoint: fine-tune, select, predict, score, write results."""

from harness.evaluation.request import EvalRequest
from harness.evaluation.runner import Runner

__all__ = ["EvalRequest", "Runner"]
