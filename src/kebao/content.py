"""Module and case text for a given edition: one source, two audiences.

Trainer notes are written in a module or case body as a MyST colon fence::

    :::{trainer-note}
    Facilitation tips, answer keys, rubrics…
    :::

The participant edition drops them; the trainer edition keeps them, either as a
folded "给培训师" admonition for the book (``style="myst"``) or as a plain
Markdown block for course packs (``style="markdown"``).
"""

from __future__ import annotations

import re
from typing import Literal

from .errors import UnclosedTrainerNote

Edition = Literal["participant", "trainer"]

TRAINER_NOTE_TITLE = "给培训师"
_OPEN = re.compile(r"^(?P<fence>:{3,})\{trainer-note\}[ \t]*(?P<title>[^\n]*)$")


def trainer_note_blocks(body: str) -> list[tuple[int, int, str]]:
    """(first line, last line, inner text) of each trainer note; lines are 0-based indexes into body."""
    lines = body.splitlines()
    blocks: list[tuple[int, int, str]] = []
    index = 0
    while index < len(lines):
        match = _OPEN.match(lines[index])
        if match is None:
            index += 1
            continue
        fence = match["fence"]
        end = next((j for j in range(index + 1, len(lines)) if lines[j].strip() == fence), None)
        if end is None:
            raise UnclosedTrainerNote(index + 1, fence)
        blocks.append((index, end, "\n".join(lines[index + 1:end])))
        index = end + 1
    return blocks


def for_edition(body: str, edition: Edition, style: Literal["myst", "markdown"] = "markdown") -> str:
    """The body as the given edition sees it (see the module docstring)."""
    blocks = trainer_note_blocks(body)
    if not blocks:
        return body
    lines = body.splitlines()
    out: list[str] = []
    previous = 0
    for first, last, inner in blocks:
        out.extend(lines[previous:first])
        if edition == "trainer":
            out.extend(_render_note(inner, style))
        previous = last + 1
    out.extend(lines[previous:])
    text = "\n".join(out)
    return text + "\n" if body.endswith("\n") else text


def _render_note(inner: str, style: str) -> list[str]:
    if style == "myst":
        return ["::::{admonition} " + TRAINER_NOTE_TITLE, ":class: dropdown trainer-note", "", inner, "::::"]
    quoted = [f"> {line}" if line.strip() else ">" for line in inner.splitlines()]
    return [f"> **{TRAINER_NOTE_TITLE}**", ">", *quoted]
