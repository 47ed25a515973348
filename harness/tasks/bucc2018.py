"""BUCC 2018 bitext mining (Zweigenbaum et al., 2018), XTREME only."""

from harness.tasks.spec import FileSource, FormatName, Split, TaskSpec, codes, download

_SENTENCES = {"id": "{id}", "text": "{text}"}
_PAIRS = {"source_id": "{source_id}", "target_id": "{target_id}"}
_GOLD = ("source_id", "target_id")


def _sentences(split: str, side: str) -> Split:
    # `{lang}-en.{split}.{side}`: one `id<TAB>sentence` per line
    suffix = "{lang}" if side == "source" else "en"
    sources = [_download(f"bucc2018/{{lang}}-en.{split}.{suffix}", ("id", "text"), _SENTENCES)]
    if split == "test":  # the release's names, before download_data.sh renames training to test
        sources.append(_release(f"{{lang}}-en/{{lang}}-en.training.{suffix}", ("id", "text"), _SENTENCES))
    return Split(sources=tuple(sources))


def _gold(split: str) -> Split:
    sources = [_download(f"bucc2018/{{lang}}-en.{split}.gold", _GOLD, _PAIRS)]
    if split == "test":  # download_data.sh deletes the test gold; the release's training gold is it
        sources.append(_release("{lang}-en/{lang}-en.training.gold", _GOLD, _PAIRS))
    return Split(sources=tuple(sources))


_LANGUAGES = codes("de fr ru zh")


def _download(path: str, columns: tuple[str, ...], fields: dict[str, str]) -> FileSource:
    return download(path, columns=columns, fields=fields, languages=_LANGUAGES)


def _release(path: str, columns: tuple[str, ...], fields: dict[str, str]) -> FileSource:
    return FileSource(
        release="bucc2018", path=path, layout="tsv", columns=columns, fields=fields, languages=_LANGUAGES
    )


# google/xtreme's bucc18 configs hold only the gold pairs, not the comparable corpora that mining
# needs, so BUCC reads the download/ layout or the release's archives. The reference renames the
# BUCC "sample" set to dev (its gold tunes the threshold) and the "training" set to test;
# download_data.sh deletes the test gold: put `{lang}-en.test.gold` back, or the release's
# `{lang}-en/{lang}-en.training.gold` into the data folder's bucc2018/ (else: predicted, not scored).
BUCC2018 = TaskSpec(
    name="bucc2018",
    title="BUCC 2018",
    citation="Zweigenbaum et al. 2018, Overview of the Third BUCC Shared Task",
    format=FormatName.bitext_mining,
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
