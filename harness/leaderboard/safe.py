"""Submissions are data, never code: bounded, safe-loaded, names sanitised, text escaped for output."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

from harness.errors import HarnessError

# org__model, lowercase ASCII: no path separators, no "..", nothing a shell or markdown reads specially
FOLDER = re.compile(r"^[a-z0-9][a-z0-9.-]{0,62}__[a-z0-9][a-z0-9.-]{0,62}$")
MAX_BYTES = {"results.json": 10 * 2**20, "model.yaml": 64 * 2**10, "README.md": 64 * 2**10}


def slug(text: str) -> str:
    """A folder-name part from free text: lowercase ASCII letters, digits, dots and dashes.

    >>> slug("My Org / XLM-R Large (v2)")
    'my-org-xlm-r-large-v2'
    """
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9.]+", "-", text.lower())).strip("-.")[:63] or "unnamed"


def read_bounded(path: Path) -> str:
    """Read a submission file after checking it is a regular file (no link) within its size bound."""
    if path.is_symlink() or not path.is_file():
        raise HarnessError(f"{path}: must be a regular file (links are not accepted)")
    limit = MAX_BYTES.get(path.name, 64 * 2**10)
    if path.stat().st_size > limit:
        raise HarnessError(f"{path}: {path.stat().st_size} bytes, more than the {limit} allowed")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise HarnessError(f"{path}: not UTF-8 text") from None


def safe_yaml(text: str, path: Path) -> Any:
    try:
        return yaml.safe_load(text)  # plain data only: no tags, no objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise HarnessError(f"{path}{line}: malformed YAML: {getattr(exc, 'problem', exc)}") from None


# What can break a table cell or start markup inside one (line-start syntax cannot occur in a cell).
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")


def text(value: object) -> str:
    """Free text for a markdown table cell: HTML-escaped, markdown syntax neutralised, one line.

    >>> text("<b>Best</b> | [x](javascript:1) *model*")
    '&lt;b&gt;Best&lt;/b&gt; \\\\| \\\\[x\\\\](javascript:1) \\\\*model\\\\*'
    """
    escaped = html.escape(" ".join(str(value).split()), quote=False)
    return _MARKDOWN.sub(r"\\\1", escaped)


def link(label: object, url: str | None) -> str:
    """A markdown link for an http(s) URL, else just the escaped label."""
    if not url:
        return text(label)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return text(label)
    return f"[{text(label)}]({quote(url, safe=':/?&=%#~.-_+')})"
