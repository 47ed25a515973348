"""One table of language facts. Unknown codes are an error, never a silent pass.

Codes are ISO 639-1 (as XTREME uses them); names are the English names of ISO 639;
scripts are ISO 15924 codes for the script the benchmark data is written in
(CLDR likely-subtags defaults; `zh` is Simplified Chinese in XNLI/MLQA).

Families are Glottolog's top-level family of the language (Glottolog 5.1, Hammarström, Forkel,
Haspelmath & Bank 2024, https://doi.org/10.5281/zenodo.596479; read from `cldf/languages.csv`,
`Family_ID`, of github.com/glottolog/glottolog-cldf at commit b6d3ea20a1a3, tag v5.1), looked up by
the ISO 639-3 code of the variety the benchmarks use (`ar` arb, `az` azj, `et` ekk, `fa` pes, `ms` zsm,
`qu` quz, `sw` swh, `zh` cmn, the others their own code). Glottolog's names are kept, so Swahili, Wolof
and Yoruba are "Atlantic-Congo" (WALS: Niger-Congo); Glottolog files Haitian Creole under its
lexifier's family (Indo-European); Basque is an isolate, its own group here.

Resource classes are the six classes of Joshi, Santy, Budhiraja, Bali & Choudhury (2020), "The
State and Fate of Linguistic Diversity and Inclusion in the NLP World" (ACL 2020): 0 "The
Left-Behinds" to 5 "The Winners". They are read from the paper's released language list,
https://microsoft.github.io/linguisticdiversity/assets/lang2tax.txt (2485 lines of `name,class`;
sha256 2e182e8f4bd9adb0bc04af2f74852d770581ac0b5a3609224ced7b08266d6dd2), as copied verbatim in
github.com/plnrlstt/lingnlp, `lang2tax.txt`, commit e4e92c0af5c5. The file names languages, not codes;
each class below is the file's line for the language's English name, except `pa` ("eastern punjabi")
and `zh` ("mandarin"), the names the file uses for these varieties. A language the file does not
classify unambiguously has None (shown "—"), never a guess: the file lists Haitian twice, as
"haitian,2" and "haitian creole,0".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from harness.errors import HarnessError

ISOLATE_BASQUE = "Basque (isolate)"  # Glottolog: no family; a group of its own, never lumped with others


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    script: str
    family: str
    resource_class: int | None  # Joshi et al. 2020 class 0-5; None where lang2tax.txt gives none


_TABLE: tuple[Language, ...] = (
    Language("af", "Afrikaans", "Latn", "Indo-European", 3),
    Language("ar", "Arabic", "Arab", "Afro-Asiatic", 5),
    Language("az", "Azerbaijani", "Latn", "Turkic", 1),
    Language("bg", "Bulgarian", "Cyrl", "Indo-European", 3),
    Language("bn", "Bengali", "Beng", "Indo-European", 3),
    Language("de", "German", "Latn", "Indo-European", 5),
    Language("el", "Greek", "Grek", "Indo-European", 3),
    Language("en", "English", "Latn", "Indo-European", 5),
    Language("es", "Spanish", "Latn", "Indo-European", 5),
    Language("et", "Estonian", "Latn", "Uralic", 3),
    Language("eu", "Basque", "Latn", ISOLATE_BASQUE, 4),
    Language("fa", "Persian", "Arab", "Indo-European", 4),
    Language("fi", "Finnish", "Latn", "Uralic", 4),
    Language("fr", "French", "Latn", "Indo-European", 5),
    Language("gu", "Gujarati", "Gujr", "Indo-European", 1),
    Language("he", "Hebrew", "Hebr", "Afro-Asiatic", 3),
    Language("hi", "Hindi", "Deva", "Indo-European", 4),
    Language("ht", "Haitian Creole", "Latn", "Indo-European", None),  # "haitian,2" and "haitian creole,0"
    Language("hu", "Hungarian", "Latn", "Uralic", 4),
    Language("id", "Indonesian", "Latn", "Austronesian", 3),
    Language("it", "Italian", "Latn", "Indo-European", 4),
    Language("ja", "Japanese", "Jpan", "Japonic", 5),
    Language("jv", "Javanese", "Latn", "Austronesian", 1),
    Language("ka", "Georgian", "Geor", "Kartvelian", 3),
    Language("kk", "Kazakh", "Cyrl", "Turkic", 3),
    Language("ko", "Korean", "Kore", "Koreanic", 4),
    Language("lt", "Lithuanian", "Latn", "Indo-European", 3),
    Language("ml", "Malayalam", "Mlym", "Dravidian", 1),
    Language("mr", "Marathi", "Deva", "Indo-European", 2),
    Language("ms", "Malay", "Latn", "Austronesian", 3),
    Language("my", "Burmese", "Mymr", "Sino-Tibetan", 1),
    Language("nl", "Dutch", "Latn", "Indo-European", 4),
    Language("pa", "Punjabi", "Guru", "Indo-European", 2),  # "eastern punjabi,2" (Gurmukhi Punjabi)
    Language("pl", "Polish", "Latn", "Indo-European", 4),
    Language("pt", "Portuguese", "Latn", "Indo-European", 4),
    Language("qu", "Quechua", "Latn", "Quechuan", 1),
    Language("ro", "Romanian", "Latn", "Indo-European", 3),
    Language("ru", "Russian", "Cyrl", "Indo-European", 4),
    Language("sw", "Swahili", "Latn", "Atlantic-Congo", 2),
    Language("ta", "Tamil", "Taml", "Dravidian", 3),
    Language("te", "Telugu", "Telu", "Dravidian", 1),
    Language("th", "Thai", "Thai", "Tai-Kadai", 3),
    Language("tl", "Tagalog", "Latn", "Austronesian", 3),
    Language("tr", "Turkish", "Latn", "Turkic", 4),
    Language("uk", "Ukrainian", "Cyrl", "Indo-European", 3),
    Language("ur", "Urdu", "Arab", "Indo-European", 3),
    Language("vi", "Vietnamese", "Latn", "Austroasiatic", 4),
    Language("wo", "Wolof", "Latn", "Atlantic-Congo", 2),
    Language("yo", "Yoruba", "Latn", "Atlantic-Congo", 2),
    Language("zh", "Chinese", "Hans", "Sino-Tibetan", 5),  # "mandarin,5": XTREME's Chinese is Mandarin
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
assert len(LANGUAGES) == len(_TABLE), "duplicate language code in the table"


# What people type for these languages instead of the ISO 639-1 code: ISO 639-3 (and 639-2/B where
# it differs), the macrolanguage members the benchmarks use, and country codes mistaken for languages.
_ISO_639_3 = (
    "af afr, ar ara arb, az aze azj, bg bul, bn ben, de deu ger, el ell gre, en eng, es spa, et est ekk, "
    "eu eus baq, fa fas per pes, fi fin, fr fra fre, gu guj, he heb, hi hin, ht hat, hu hun, id ind, "
    "it ita, ja jpn, jv jav, ka kat geo, kk kaz, ko kor, lt lit, ml mal, mr mar, ms msa may zsm, "
    "my mya bur, nl nld dut, pa pan, pl pol, pt por, qu que quz, ro ron rum, ru rus, sw swa swh, ta tam, "
    "te tel, th tha, tl tgl fil, tr tur, uk ukr, ur urd, vi vie, wo wol, yo yor, zh zho chi cmn"
)
_COUNTRIES = {
    "jp": "ja",
    "cn": "zh",
    "kr": "ko",
    "gr": "el",
    "ua": "uk",
    "vn": "vi",
    "ir": "fa",
    "il": "he",
    "ge": "ka",
    "mx": "es",
    "kz": "kk",
    "pk": "ur",
}
ALIASES: dict[str, str] = {
    alias: entry.split()[0] for entry in _ISO_639_3.split(", ") for alias in entry.split()[1:]
} | _COUNTRIES


def suggest_language(text: str) -> str | None:
    """The table's code a mistyped language most likely means: an ISO 639-3 or country code, an
    English name or its start ("japanese", "Jap"), else the closest code by spelling.

    >>> suggest_language("jp"), suggest_language("deu"), suggest_language("Japanese"), suggest_language("xx")
    ('ja', 'de', 'ja', None)
    """
    key = text.strip().lower()
    if key in ALIASES:
        return ALIASES[key]
    named = [lang.code for lang in _TABLE if len(key) >= 3 and lang.name.lower().startswith(key)]
    if len(named) == 1:
        return named[0]
    close = difflib.get_close_matches(key, LANGUAGES, n=1, cutoff=0.6)
    return close[0] if close else None


def language_hint(code: str, allowed: Iterable[str] = LANGUAGES) -> str:
    """' (did you mean "ja"?)' for a likely meaning among `allowed`, else ''."""
    guess = suggest_language(code)
    return f' (did you mean "{guess}"?)' if guess is not None and guess in set(allowed) else ""


def unknown_language(code: str, where: str = "", allowed: Iterable[str] = LANGUAGES) -> HarnessError:
    """The one-line error for an unknown language code, with a suggestion when one is likely."""
    allowed = sorted(allowed)
    prefix = f"{where}: " if where else ""
    return HarnessError(
        f'{prefix}unknown language "{code}"{language_hint(code, allowed)}; allowed: {", ".join(allowed)}'
    )


def get_language(code: str, where: str = "") -> Language:
    """Look a code up; an unknown code raises HarnessError with a suggestion."""
    try:
        return LANGUAGES[code]
    except KeyError:
        raise unknown_language(code, where) from None


def groups_of(code: str) -> dict[str, str]:
    """The groups a language belongs to, one per kind; `resource` is absent when the source gives none.

    >>> groups_of("sw")
    {'family': 'Atlantic-Congo', 'script': 'Latn', 'resource': '2'}
    >>> groups_of("ht")
    {'family': 'Indo-European', 'script': 'Latn'}
    """
    lang = get_language(code)
    groups = {"family": lang.family, "script": lang.script}
    if lang.resource_class is not None:
        groups["resource"] = str(lang.resource_class)
    return groups
