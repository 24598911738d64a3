"""Column widths for the printed pack's tables, decided from their text before weasyprint lays them out.

weasyprint's automatic table layout measures every cell's narrowest width by breaking its text at every break
opportunity, one line at a time; in Chinese every character is one, so a cell of n characters costs about n
text layouts of its remaining text (n² work), and a pack's tables of long Chinese sentences (session plans,
materials, the timetable, the cases' tables) were a fifth of a PDF's time. :func:`fixed_widths` gives each
simple table (one cell per column in every row, no images, no nested tables) a ``<colgroup>`` and
``table-layout: fixed``: widths follow the CSS automatic layout's rule (every column gets its narrowest
width, the rest of the line is shared in proportion to how much wider each column's longest line is), from
widths estimated by counting characters (a Chinese character 1 em, Latin letters and digits about half).
A table that fits keeps its natural width; a wider one fills the line. ``overflow-wrap: anywhere`` in
pack.css keeps a word wider than its column from spilling out of it. The same text gives the same widths.
"""

from __future__ import annotations

import html
import re
import unicodedata

# Width of the line in em of a table's text (A4, 16 mm margins, 1 em body padding; tables at .92em of 10.5 pt;
# large print at 14 pt), and a cell's padding and borders in the same em.
LINE_EM = {False: 50.0, True: 34.0}
PADDING_EM = {False: 1.2, True: 0.85}
SHORT_EM = 8.0  # a cell this short (a date, a time, a number, a name) is kept on one line
_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_CELL = re.compile(r"<(t[hd])\b([^>]*)>(.*?)</t[hd]>", re.S)
_BREAK = re.compile(r"<br\b[^>]*>|</(?:p|li|div|h[1-6])>", re.I)
_TAG = re.compile(r"<[^>]+>")
_SKIP = re.compile(r"<(?:table|img|svg|colgroup|col)\b|\b(?:colspan|rowspan)=", re.I)


def fixed_widths(body: str, large_print: bool = False) -> str:
    """``body`` with a ``<colgroup>`` and fixed layout on every simple table (the cover's facts aside)."""
    return _TABLE.sub(lambda match: _fixed(match, large_print), body)


def _fixed(match: re.Match[str], large_print: bool) -> str:
    attributes, inner = match[1], match[2]
    if "cover-facts" in attributes or "style=" in attributes or _SKIP.search(inner):
        return match[0]
    rows = [_CELL.findall(row) for row in _ROW.findall(inner)]
    columns = len(rows[0]) if rows else 0
    if not columns or any(len(row) != columns for row in rows):
        return match[0]
    narrow = [0.0] * columns  # the widest unbreakable piece of each column
    wide = [0.0] * columns  # the longest line of each column
    for row in rows:
        for index, (tag, _attrs, cell) in enumerate(row):
            lines = [" ".join(html.unescape(_TAG.sub("", line)).split()) for line in _BREAK.split(cell)]
            longest = max((_width(line) for line in lines), default=0.0)
            nowrap = tag == "th" or longest <= SHORT_EM  # pack.css: headers do not wrap; nor do short cells here
            narrow[index] = max(narrow[index], longest if nowrap else max(map(_narrowest, lines), default=0.0))
            wide[index] = max(wide[index], longest)
    line, padding = LINE_EM[large_print], PADDING_EM[large_print]
    # room for the estimate's error (a monospace letter is .6 em): a line that should fit stays one line
    narrow = [w * 1.05 + padding for w in narrow]
    wide = [w * 1.1 + padding for w in wide]
    if sum(wide) <= line:
        widths, table = wide, f"{_em(sum(wide))}em"
    else:
        spare, extra = line - sum(narrow), [w - n for n, w in zip(narrow, wide, strict=True)]
        share = spare > 0 and sum(extra) > 0
        widths = [n + spare * e / sum(extra) for n, e in zip(narrow, extra, strict=True)] if share else narrow
        total = sum(widths)
        widths, table = [100 * w / total for w in widths], "100%"
    unit = "em" if table.endswith("em") else "%"
    cols = "".join(f'<col style="width: {_em(w)}{unit}">' for w in widths)
    return (f'<table{attributes} style="table-layout: fixed; width: {table}">'
            f"<colgroup>{cols}</colgroup>{inner}</table>")


def _em(value: float) -> str:
    return f"{value:.2f}"


def _width(text: str) -> float:
    """Estimated width in em: wide (Chinese) characters and the punctuation a Chinese font draws as wide (—, “”)
    1, spaces .3, the rest .55."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.3 if c == " " else 0.55 for c in text)


def _narrowest(text: str) -> float:
    """The widest piece a line cannot break inside: a Latin word or number (a Chinese character breaks anywhere)."""
    pieces = re.findall(r"[^\s\u2e80-\u9fff\uff00-\uffef\u3000-\u303f]+", text)
    wide = 1.0 if any(unicodedata.east_asian_width(c) in "WF" for c in text) else 0.0
    return max([wide, *(_width(p) for p in pieces)])
