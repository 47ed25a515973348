"""How several intermediate tasks share one training: the mode and, multi-task, the sampling.

`str` Enums, so that the command line lists and checks the choices and a sweep file is validated
against the same names; what is recorded (harness-recipe.json) is the plain value.
"""

from __future__ import annotations

from enum import Enum


class Mode(str, Enum):
    sequential = "sequential"  # one task after another, the encoder carried over
    multitask = "multitask"  # all tasks at once, one shared encoder, a head per task


class Sampling(str, Enum):
    """Which task a multi-task batch comes from (harness/intermediate/sampling.py)."""

    proportional = "proportional"  # to the task's size
    temperature = "temperature"  # to size^(1/T)
    uniform = "uniform"
