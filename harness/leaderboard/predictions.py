"""A submission's test predictions: one zip of the leaderboard layout, bounded and read safely.

`harness eval --save-predictions` writes OUTPUT/predictions/seed-N/TASK/test-LANG.{tsv,json,jsonl};
`harness submit` packs that folder (deterministically: sorted members, fixed times) into
predictions.zip, and `harness leaderboard check --rescore` scores it against gold labels read from
the suite's own sources, as the XTREME organisers scored submitted predictions.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from harness.errors import HarnessError

ARCHIVE = "predictions.zip"
MAX_ARCHIVE = 50 * 2**20  # compressed, what a pull request carries
MAX_MEMBER = 256 * 2**20  # uncompressed, per file (a zip bomb stops here)
MAX_TOTAL = 1024 * 2**20  # uncompressed, in all
MEMBER = re.compile(r"^seed-(\d+)/([a-z0-9_]+)/test-([a-z]{2,3})\.(tsv|json|jsonl)$")
_EPOCH = (1980, 1, 1, 0, 0, 0)  # zip's earliest time: the same folder gives the same bytes


def pack(folder: Path, target: Path) -> int:
    """Zip the leaderboard-layout files under `folder`; return how many."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    names = [p.relative_to(folder).as_posix() for p in files]
    odd = [n for n in names if not MEMBER.match(n)]
    if odd:
        raise HarnessError(f"{folder / odd[0]}: not a prediction file (seed-N/TASK/test-LANG.EXT)")
    if not files:
        raise HarnessError(f"{folder}: no predictions (run `harness eval` with --save-predictions)")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, name in zip(files, names, strict=True):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    if target.stat().st_size > MAX_ARCHIVE:
        raise HarnessError(f"{target}: {target.stat().st_size} bytes, more than the {MAX_ARCHIVE} allowed")
    return len(files)


def members(path: Path) -> dict[str, zipfile.ZipInfo]:
    """The archive's files by name, after every bound is checked (names, sizes, no links)."""
    if path.is_symlink() or not path.is_file():
        raise HarnessError(f"{path}: missing; a submission carries its test predictions (`harness submit`)")
    if path.stat().st_size > MAX_ARCHIVE:
        raise HarnessError(f"{path}: {path.stat().st_size} bytes, more than the {MAX_ARCHIVE} allowed")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise HarnessError(f"{path}: not a zip archive") from None
    found: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.is_dir():
            continue
        if not MEMBER.match(info.filename):
            raise HarnessError(
                f"{path}: {info.filename!r} is not a prediction file (seed-N/TASK/test-LANG.EXT)"
            )
        if info.file_size > MAX_MEMBER:
            raise HarnessError(f"{path}: {info.filename} unpacks to more than {MAX_MEMBER} bytes")
        found[info.filename] = info
    if sum(i.file_size for i in found.values()) > MAX_TOTAL:
        raise HarnessError(f"{path}: unpacks to more than {MAX_TOTAL} bytes")
    return found


def extract(path: Path, folder: Path) -> None:
    """Write the checked members under `folder` (names matched MEMBER: no traversal possible)."""
    names = members(path)
    with zipfile.ZipFile(path) as archive:
        for name in names:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source:
                data = source.read(MAX_MEMBER + 1)
            if len(data) > MAX_MEMBER:
                raise HarnessError(f"{path}: {name} unpacks to more than {MAX_MEMBER} bytes")
            target.write_bytes(data)
