"""Run a suite on a checkpoint: fine-tune, select, predict, score, write results."""

from harness.evaluation.report import NullReporter, Reporter
from harness.evaluation.runner import EvalRequest, Runner

__all__ = ["EvalRequest", "NullReporter", "Reporter", "Runner"]
