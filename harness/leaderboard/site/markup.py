"""HTML building blocks for the web leaderboard. Every string from a submission or a baseline file
passes through `esc` (text and attribute values), `link` (only http(s) URLs become hrefs) or
`json_script` (data for the page's script); nothing else writes submission text into a page.

>>> esc('<script>"x"</script>')
'&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
>>> link("x", "javascript:alert(1)")
'x'
>>> json_script("d", {"name": "</script><!--\\u2028"})
'<script type="application/json" id="d">{"name":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u2028"}</script>'
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from harness.results.schema import Spread
from harness.results.table import num


def esc(value: object) -> str:
    """Text for an HTML text node or a double-quoted attribute value: & < > " ' escaped."""
    return html.escape(str(value), quote=True)


def safe_url(url: str | None) -> str | None:
    """The URL, percent-encoded, when it is http(s) with a host; else None (never an href)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?&=%#~.-_+@!$,;")


def link(label: object, url: str | None, cls: str = "") -> str:
    """An external link for an http(s) URL, else the label as plain text."""
    target = safe_url(url)
    if target is None:
        return esc(label)
    attrs = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(target)}" rel="nofollow noopener"{attrs}>{esc(label)}</a>'


def json_script(element_id: str, data: Any) -> str:
    """Data embedded in the page as a JSON script block that no string in it can end or escape:
    ASCII only (so U+2028 and U+2029 are written as escapes) and <, >, & escaped as well."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    for char in "<>&":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return f'<script type="application/json" id="{esc(element_id)}">{text}</script>'


def number_cell(value: float | None, column: str = "", missing: str = "—") -> str:
    """A right-aligned number cell; data-value carries the full number for sorting and filtering."""
    col = f' data-col="{esc(column)}"' if column else ""
    if value is None:
        return f'<td class="num missing"{col} data-value="">{esc(missing)}</td>'
    return f'<td class="num"{col} data-value="{value!r}">{num(value)}</td>'


def interval(spread: Spread | None) -> str:
    """A 95% bootstrap interval as "low to high", or — when the run did not resample."""
    if spread is None or spread.ci95 is None:
        return "—"
    return f"{num(spread.ci95[0])} to {num(spread.ci95[1])}"


def heat_cell(value: float | None, language: str, note: str = "") -> str:
    """A heatmap cell: the score's tenth (0-10) picks the colour, from the stylesheet."""
    title = f' title="{esc(note)}"' if note else ""
    if value is None:
        return f'<td class="num heat missing" data-lang="{esc(language)}"{title}>—</td>'
    shade = min(10, max(0, int(value // 10)))
    return (
        f'<td class="num heat h{shade}" data-lang="{esc(language)}" data-value="{value!r}"{title}>'
        f"{num(value)}</td>"
    )


def header_cells(columns: Iterable[tuple[str, str]]) -> str:
    """<th> cells with a sort button each; a column is ("num" or "text", label already escaped)."""
    return "".join(
        f'<th scope="col" data-type="{kind}"><button type="button" class="sort">{label}</button></th>'
        for kind, label in columns
    )


def table(columns: Sequence[tuple[str, str]], rows: Iterable[str], cls: str = "", caption: str = "") -> str:
    """A sortable table in a scrolling wrapper; rows are finished <tr> elements."""
    cap = f"<caption>{caption}</caption>" if caption else ""
    body = "\n".join(rows)
    return (
        f'<div class="scroll"><table class="sortable {esc(cls)}">{cap}'
        f"<thead><tr>{header_cells(columns)}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>"
    )


def page(title: str, body: str, depth: int = 0, data: str = "") -> str:
    """A whole page: no external request (styles and script are files of the site, the icon is
    empty), so it works from file:// and from any static host."""
    up = "../" * depth
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{up}assets/site.css">
</head>
<body>
{body}
{data}
<script src="{up}assets/site.js"></script>
</body>
</html>
"""
