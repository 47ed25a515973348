"""BUCC 2018 bitext mining (Zweigenbaum et al., 2018), XTREME only."""

from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

_FIELDS = {"id": "{id}", "text": "{text}"}

BUCC2018 = TaskSpec(
    name="bucc2018",
    title="BUCC 2018",
    citation="Zweigenbaum et al. 2018, Overview of the Third BUCC Shared Task",
    format=FormatName.retrieval,
    metrics=("f1", "precision", "recall"),
    splits={
        # google/xtreme's bucc18 configs hold only the gold pairs, not the comparable corpora that
        # mining needs, so BUCC loads from the download layout only.
        "validation": Split(
            note="the BUCC sample set; used to tune the mining threshold",
            download=DownloadSource(
                path="bucc2018/{lang}-en.dev.{lang}", columns=("id", "text"), fields=_FIELDS
            ),
        ),
        "test": Split(
            note="the BUCC training set, as in the reference",
            download=DownloadSource(
                path="bucc2018/{lang}-en.test.{lang}", columns=("id", "text"), labelled=False, fields=_FIELDS
            ),
        ),
    },
)
