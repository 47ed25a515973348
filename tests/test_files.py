"""The one atomic write and the one file hash (harness/files.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch

from harness.files import atomic_write, sha256_file


@pytest.mark.parametrize("content", ["text é\n", b"\x00bytes", lambda tmp: tmp.write_bytes(b"by a writer")])
def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path, content: object) -> None:
    path = tmp_path / "new" / "out.json"  # the folder is made
    atomic_write(path, "old")
    atomic_write(path, content)  # type: ignore[arg-type]
    expected = content.encode() if isinstance(content, str) else content
    assert path.read_bytes() == (expected if isinstance(expected, bytes) else b"by a writer")
    assert [p.name for p in path.parent.iterdir()] == ["out.json"]


def test_a_failing_writer_leaves_the_old_file_intact_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("old", encoding="utf-8")

    def crash(tmp: Path) -> None:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, crash)
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_torch_save_through_atomic_write_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "features"  # no suffix: torch names its archive after the temporary file
    atomic_write(path, lambda tmp: torch.save([{"input_ids": [1, 2]}], tmp))
    assert torch.load(path, weights_only=True) == [{"input_ids": [1, 2]}]


def test_sha256_file_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * 5000  # more than one 1 MiB chunk
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert sha256_file(empty) == hashlib.sha256(b"").hexdigest()
