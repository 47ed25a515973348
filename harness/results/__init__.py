"""Versioned result schema, read/write and aggregation. Imports nothing else of the harness."""

from harness.results.io import read_results, write_results
from harness.results.schema import (
    SCHEMA_VERSION,
    DataNote,
    Environment,
    GroupResult,
    LanguageGroup,
    ModelInfo,
    Results,
    RunInfo,
    ScoreReport,
    SeedRun,
    Spread,
    StageRecord,
    SuiteInfo,
    TaskResult,
    Throughput,
    TrackingInfo,
)

__all__ = [
    "SCHEMA_VERSION",
    "DataNote",
    "Environment",
    "GroupResult",
    "LanguageGroup",
    "ModelInfo",
    "Results",
    "RunInfo",
    "ScoreReport",
    "SeedRun",
    "Spread",
    "StageRecord",
    "SuiteInfo",
    "TaskResult",
    "Throughput",
    "TrackingInfo",
    "read_results",
    "write_results",
]
