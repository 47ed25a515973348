"""Mewsli-X (Botha et al., 2020; XTREME-R version): multilingual entity linking as retrieval."""

from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

MEWSLIX = TaskSpec(
    name="mewslix",
    title="Mewsli-X",
    citation="Botha et al. 2020, Entity Linking in 100 Languages; Ruder et al. 2021 (XTREME-R)",
    format=FormatName.retrieval,
    metrics=("mrr@20",),
    splits={
        "train": Split(
            per_language=False,
            download=DownloadSource(
                path="mewslix/wikipedia_pairs-train.jsonl",
                layout="jsonl",
                fields={"mention": "{mention}", "entity": "{entity}"},
            ),
        ),
        "test": Split(
            note="released data version mewsli-x_20220518_6 differs from the paper's",
            download=DownloadSource(
                path="mewslix/wikinews_mentions/test-{lang}.jsonl",
                layout="jsonl",
                labelled=False,
                fields={"mention": "{mention}"},
            ),
        ),
    },
)
