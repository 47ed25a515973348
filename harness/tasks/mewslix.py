"""Mewsli-X (Botha et al., 2020; XTREME-R version): multilingual entity linking as retrieval."""

from harness.tasks.spec import FileSource, FormatName, Split, TaskSpec, codes, download

_MENTION = {"mention": "{mention}"}
# the WikiNews mention languages (utils_preprocess.MEWSLIX_INPUT_LANGUAGES)
_LANGUAGES = codes("ar de en es fa ja pl ro ta tr uk")

# Built by the Mewsli-X scripts from WikiNews, Wikipedia and Wikidata. download_data.sh moves their
# output into download/mewslix/ and shards the mentions per language, blanking the test entity ids.
MEWSLIX = TaskSpec(
    name="mewslix",
    title="Mewsli-X",
    citation="Botha et al. 2020, Entity Linking in 100 Languages; Ruder et al. 2021 (XTREME-R)",
    format=FormatName.entity_linking,
    metrics=("mrr@20",),
    splits={
        # English Wikipedia mention-entity pairs (167,719)
        "train": Split(
            per_language=False,
            sources=(
                download(
                    "mewslix/wikipedia_pairs-train.jsonl",
                    layout="jsonl",
                    fields={"mention": "{contextual_mention}", "entity": "{entity}"},
                ),
            ),
        ),
        # the 1,003,893 candidate entities, descriptions in 50 languages
        "candidates": Split(
            per_language=False,
            sources=(
                download(
                    "mewslix/candidate_set_entities.jsonl",
                    layout="jsonl",
                    fields={
                        "entity_id": "{entity_id}",
                        "description": "{description}",
                        "sentence_spans": "{sentence_spans}",
                    },
                ),
            ),
        ),
        # WikiNews mentions, all languages in one file of the release
        "test": Split(
            note="released data version mewsli-x_20220518_6 differs from the paper's",
            sources=(
                FileSource(
                    release="mewsli-x",
                    path="wikinews_mentions-test.jsonl",
                    layout="mentions",
                    options={"language": "{lang}"},
                    fields=_MENTION,
                    languages=_LANGUAGES,
                ),
                # download_data.sh blanks the test entity ids (then: predicted, not scored)
                download(
                    "mewslix/wikinews_mentions/test-{lang}.jsonl",
                    layout="mentions",
                    labelled=False,
                    fields=_MENTION,
                    languages=_LANGUAGES,
                ),
            ),
        ),
        "dev": Split(
            sources=(
                download(
                    "mewslix/wikinews_mentions/dev-{lang}.jsonl",
                    layout="mentions",
                    fields=_MENTION,
                    languages=_LANGUAGES,
                ),
            )
        ),
    },
)
