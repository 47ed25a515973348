"""Mewsli-X (Botha et al., 2020; XTREME-R version): multilingual entity linking as retrieval."""

from harness.tasks.spec import DownloadSource, FormatName, Split, TaskSpec

# Only in the download/ layout (the Mewsli-X scripts build it from WikiNews, Wikipedia and Wikidata).
MEWSLIX = TaskSpec(
    name="mewslix",
    title="Mewsli-X",
    citation="Botha et al. 2020, Entity Linking in 100 Languages; Ruder et al. 2021 (XTREME-R)",
    format=FormatName.retrieval,
    protocol="entity_linking",
    metrics=("mrr@20",),
    splits={
        # English Wikipedia mention-entity pairs (167,719)
        "train": Split(
            per_language=False,
            download=DownloadSource(
                path="mewslix/wikipedia_pairs-train.jsonl",
                layout="jsonl",
                fields={"mention": "{contextual_mention}", "entity": "{entity}"},
            ),
        ),
        # the 1,003,893 candidate entities, descriptions in 50 languages
        "candidates": Split(
            per_language=False,
            download=DownloadSource(
                path="mewslix/candidate_set_entities.jsonl",
                layout="jsonl",
                fields={
                    "entity_id": "{entity_id}",
                    "description": "{description}",
                    "sentence_spans": "{sentence_spans}",
                },
            ),
        ),
        # WikiNews mentions; download_data.sh blanks the test entity ids (then: predicted, not scored)
        "test": Split(
            note="released data version mewsli-x_20220518_6 differs from the paper's",
            download=DownloadSource(
                path="mewslix/wikinews_mentions/test-{lang}.jsonl",
                layout="mentions",
                fields={"mention": "{mention}"},
            ),
        ),
        "dev": Split(
            download=DownloadSource(
                path="mewslix/wikinews_mentions/dev-{lang}.jsonl",
                layout="mentions",
                fields={"mention": "{mention}"},
            )
        ),
    },
)
