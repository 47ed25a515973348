"""One table of language facts. Unknown codes are an error, never a silent pass.

Codes are ISO 639-1 (as XTREME uses them); names are the English names of ISO 639;
scripts are ISO 15924 codes for the script the benchmark data is written in
(CLDR likely-subtags defaults; `zh` is Simplified Chinese in XNLI/MLQA).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import unknown


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    script: str


_TABLE: tuple[Language, ...] = (
    Language("af", "Afrikaans", "Latn"),
    Language("ar", "Arabic", "Arab"),
    Language("az", "Azerbaijani", "Latn"),
    Language("bg", "Bulgarian", "Cyrl"),
    Language("bn", "Bengali", "Beng"),
    Language("de", "German", "Latn"),
    Language("el", "Greek", "Grek"),
    Language("en", "English", "Latn"),
    Language("es", "Spanish", "Latn"),
    Language("et", "Estonian", "Latn"),
    Language("eu", "Basque", "Latn"),
    Language("fa", "Persian", "Arab"),
    Language("fi", "Finnish", "Latn"),
    Language("fr", "French", "Latn"),
    Language("gu", "Gujarati", "Gujr"),
    Language("he", "Hebrew", "Hebr"),
    Language("hi", "Hindi", "Deva"),
    Language("ht", "Haitian Creole", "Latn"),
    Language("hu", "Hungarian", "Latn"),
    Language("id", "Indonesian", "Latn"),
    Language("it", "Italian", "Latn"),
    Language("ja", "Japanese", "Jpan"),
    Language("jv", "Javanese", "Latn"),
    Language("ka", "Georgian", "Geor"),
    Language("kk", "Kazakh", "Cyrl"),
    Language("ko", "Korean", "Kore"),
    Language("lt", "Lithuanian", "Latn"),
    Language("ml", "Malayalam", "Mlym"),
    Language("mr", "Marathi", "Deva"),
    Language("ms", "Malay", "Latn"),
    Language("my", "Burmese", "Mymr"),
    Language("nl", "Dutch", "Latn"),
    Language("pa", "Punjabi", "Guru"),
    Language("pl", "Polish", "Latn"),
    Language("pt", "Portuguese", "Latn"),
    Language("qu", "Quechua", "Latn"),
    Language("ro", "Romanian", "Latn"),
    Language("ru", "Russian", "Cyrl"),
    Language("sw", "Swahili", "Latn"),
    Language("ta", "Tamil", "Taml"),
    Language("te", "Telugu", "Telu"),
    Language("th", "Thai", "Thai"),
    Language("tl", "Tagalog", "Latn"),
    Language("tr", "Turkish", "Latn"),
    Language("uk", "Ukrainian", "Cyrl"),
    Language("ur", "Urdu", "Arab"),
    Language("vi", "Vietnamese", "Latn"),
    Language("wo", "Wolof", "Latn"),
    Language("yo", "Yoruba", "Latn"),
    Language("zh", "Chinese", "Hans"),
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
assert len(LANGUAGES) == len(_TABLE), "duplicate language code in the table"


def get_language(code: str, where: str = "") -> Language:
    """Look a code up; an unknown code raises HarnessError with a suggestion."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise unknown("language", code, LANGUAGES, where) from None
