"""Versioned result schema, read/write and aggregation. Imports nothing else of the harness but the
leaf harness.files (the atomic write)."""

from harness.results.io import read_results, write_results
from harness.results.schema import (
    SCHEMA_VERSION,
    DataNote,
    Environment,
    GroupResult,
    LanguageGroup,
    ModelInfo,
    Provenance,
    Recipe,
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
    "Provenance",
    "Recipe",
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
