"""Tatoeba similarity search (Artetxe & Schwenk, 2019): 1-NN retrieval of translations."""

from harness.tasks.spec import DownloadSource, FormatName, HubSource, Split, TaskSpec

TATOEBA = TaskSpec(
    name="tatoeba",
    title="Tatoeba",
    citation="Artetxe and Schwenk 2019, Massively Multilingual Sentence Embeddings (LASER)",
    format=FormatName.retrieval,
    metrics=("accuracy",),
    # LASER's three-letter codes (utils_preprocess.tatoeba_preprocess).
    codes={
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
    },
    splits={
        "test": Split(
            note="az, lt, pl, uk, ro come from LASER v1 only (no hub config)",
            hub=HubSource(
                dataset="google/xtreme",
                config="tatoeba.{code}",
                split="validation",
                fields={"source": "{source_sentence}", "target": "{target_sentence}"},
            ),
            download=DownloadSource(
                path="tatoeba/{lang}-en.{lang}", columns=("source",), fields={"source": "{source}"}
            ),
        ),
    },
)
