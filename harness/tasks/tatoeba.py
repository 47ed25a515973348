"""Tatoeba similarity search (Artetxe & Schwenk, 2019): 1-NN retrieval of translations."""

from harness.tasks.spec import FileSource, FormatName, HubSource, Split, TaskSpec, codes

_PAIR = {"source": "{source_sentence}", "target": "{target_sentence}"}
_HUB = codes(
    "af ar bg bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr nl pt ru sw ta te th tl tr "
    "ur vi zh"
)

# LASER's three-letter codes (utils_preprocess.tatoeba_preprocess), for the 41 XTREME-R languages.
_LASER = {
    "af": "afr",
    "ar": "ara",
    "bg": "bul",
    "bn": "ben",
    "de": "deu",
    "el": "ell",
    "es": "spa",
    "et": "est",
    "eu": "eus",
    "fa": "pes",
    "fi": "fin",
    "fr": "fra",
    "he": "heb",
    "hi": "hin",
    "hu": "hun",
    "id": "ind",
    "it": "ita",
    "ja": "jpn",
    "jv": "jav",
    "ka": "kat",
    "kk": "kaz",
    "ko": "kor",
    "ml": "mal",
    "mr": "mar",
    "nl": "nld",
    "pt": "por",
    "ru": "rus",
    "sw": "swh",
    "ta": "tam",
    "te": "tel",
    "th": "tha",
    "tl": "tgl",
    "tr": "tur",
    "ur": "urd",
    "vi": "vie",
    "zh": "cmn",
    "az": "aze",
    "lt": "lit",
    "pl": "pol",
    "uk": "ukr",
    "ro": "ron",
}

TATOEBA = TaskSpec(
    name="tatoeba",
    title="Tatoeba",
    citation="Artetxe and Schwenk 2019, Massively Multilingual Sentence Embeddings (LASER)",
    format=FormatName.translation_search,
    metrics=("accuracy",),
    codes=_LASER,
    splits={
        # Aligned pairs: the English sentence of row i translates the other language's row i. The
        # download/ layout sorts the English side (hiding the alignment), so it cannot be scored.
        "test": Split(
            sources=(
                FileSource(
                    release="laser-tatoeba",
                    path="tatoeba.{code}-eng.{code}",
                    layout="laser",
                    fields=_PAIR,
                    languages=frozenset(_LASER),
                ),
                HubSource(
                    dataset="google/xtreme",
                    config="tatoeba.{code}",
                    split="validation",
                    fields=_PAIR,
                    # huggingface/datasets@d7dfbc8 datasets/xtreme/xtreme.py _TATOEBA_LANG: no aze,
                    # lit, pol, ukr, ron
                    languages=_HUB,
                ),
            ),
        ),
    },
)
