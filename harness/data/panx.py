"""WikiANN (PAN-X) as released by Rahimi et al. (2019) and read by the XTREME reference.

The release is `AmazonPhotos.zip`, holding one `{lang}.tar.gz` per language with the files `train`,
`dev` and `test`: one `lang:token<TAB>tag` per line, an empty line between sentences.
`download_data.sh` unzips it into `panx_dataset/`; `utils_preprocess.panx_preprocess` keeps the text
after the first ":" of each token and treats any line that is not `token<TAB>tag` as a sentence end.
"""

from __future__ import annotations

import functools
import io
import tarfile
import zipfile
from pathlib import Path

ARCHIVE = "AmazonPhotos.zip"


@functools.lru_cache(maxsize=4)
def _zip_members(path: Path, stamp: tuple[int, int]) -> dict[str, str]:
    """Language archive name (`de.tar.gz`) -> member name inside the zip."""
    with zipfile.ZipFile(path) as archive:
        return {Path(name).name: name for name in archive.namelist() if name.endswith(".tar.gz")}


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def archive_files(folder: Path, lang: str) -> list[Path]:
    """The file holding `lang`: `{lang}.tar.gz` in the folder, else the folder's AmazonPhotos.zip."""
    single = folder / f"{lang}.tar.gz"
    if single.is_file():
        return [single]
    whole = folder / ARCHIVE
    if whole.is_file() and f"{lang}.tar.gz" in _zip_members(whole, _stamp(whole)):
        return [whole]
    return []


def _language_archive(path: Path, lang: str) -> bytes:
    if path.name == ARCHIVE:
        with zipfile.ZipFile(path) as archive:
            return archive.read(_zip_members(path, _stamp(path))[f"{lang}.tar.gz"])
    return path.read_bytes()


def _split_text(path: Path, lang: str, split: str) -> str:
    with tarfile.open(fileobj=io.BytesIO(_language_archive(path, lang)), mode="r:gz") as archive:
        member = next((m for m in archive.getmembers() if m.isfile() and Path(m.name).name == split), None)
        if member is None:
            raise FileNotFoundError(f"{path}: {lang}.tar.gz has no file {split!r}")
        handle = archive.extractfile(member)
        assert handle is not None
        return handle.read().decode("utf-8")


def sentences(path: Path, lang: str, split: str) -> list[tuple[list[str], list[str]]]:
    """(tokens, tags) of every non-empty sentence of one split, as panx_preprocess writes them."""
    # Python's text mode, as the reference opens the file: universal newlines
    lines = io.StringIO(_split_text(path, lang, split), newline=None).readlines()
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    found: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in lines:
        items = line.strip().split("\t")
        if len(items) == 2:
            colon = items[0].find(":")
            if colon != -1:  # a token without its "lang:" prefix is dropped, as the reference does
                tokens.append(items[0][colon + 1 :].strip())
                tags.append(items[1].strip())
            continue
        if tokens:
            found.append((tokens, tags))
        tokens, tags = [], []
    if tokens:
        found.append((tokens, tags))
    return found
