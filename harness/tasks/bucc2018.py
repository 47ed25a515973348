"""BUCC 2018 bitext mining (Zweigenbaum et al., 2018), XTREME only."""

from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

_SENTENCES = {"id": "{id}", "text": "{text}"}
_PAIRS = {"source_id": "{source_id}", "target_id": "{target_id}"}


def _sentences(split: str, side: str) -> Split:
    # `{lang}-en.{split}.{side}`: one `id<TAB>sentence` per line
    suffix = "{lang}" if side == "source" else "en"
    return Split(
        download=DownloadSource(
            path=f"bucc2018/{{lang}}-en.{split}.{suffix}", columns=("id", "text"), fields=_SENTENCES
        )
    )


def _gold(split: str) -> Split:
    return Split(
        download=DownloadSource(
            path=f"bucc2018/{{lang}}-en.{split}.gold", columns=("source_id", "target_id"), fields=_PAIRS
        )
    )


# google/xtreme's bucc18 configs hold only the gold pairs, not the comparable corpora that mining
# needs, so BUCC reads the download/ layout only. The reference renames the BUCC "sample" set to dev
# (its gold tunes the threshold) and the BUCC "training" set to test; download_data.sh deletes the
# test gold, so test scores need `{lang}-en.test.gold` put back (otherwise: predicted, not scored).
BUCC2018 = TaskSpec(
    name="bucc2018",
    title="BUCC 2018",
    citation="Zweigenbaum et al. 2018, Overview of the Third BUCC Shared Task",
    format=FormatName.retrieval,
    protocol="bitext_mining",
    metrics=("f1", "precision", "recall"),
    splits={
        "dev_source": _sentences("dev", "source"),
        "dev_target": _sentences("dev", "target"),
        "dev_gold": _gold("dev"),
        "test_source": _sentences("test", "source"),
        "test_target": _sentences("test", "target"),
        "test_gold": _gold("test"),
    },
)
