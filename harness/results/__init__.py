"""Versioned result schema, read/write and aggregation. Imports nothing else of the harness."""

from harness.results.io import read_results, write_results
from harness.results.schema import SCHEMA_VERSION, GroupResult, Results, SeedRun, StageRecord, TaskResult

__all__ = [
    "SCHEMA_VERSION",
    "GroupResult",
    "Results",
    "SeedRun",
    "StageRecord",
    "TaskResult",
    "read_results",
    "write_results",
]
