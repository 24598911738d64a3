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
# Sections that are trainer material by their name: they must sit inside a trainer note (the catalogue checks).
TRAINER_SECTIONS = ("教学说明", "教学建议", "teaching notes")
_OPEN = re.compile(r"^(?P<fence>:{3,})\{trainer-note\}[ \t]*(?P<title>[^\n]*)$")
_HEADING = re.compile(r"^#{1,6}[ \t]+(?P<text>.+?)[ \t#]*$")


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


def open_trainer_sections(body: str) -> list[tuple[int, str]]:
    """(0-based line, heading) of each heading named like trainer material (教学说明…) outside a trainer note.

    A case's teaching notes are trainer material by structure: they go in ``:::{trainer-note} 教学说明``,
    which every participant edition drops; a plain ``## 教学说明`` section would reach participants.
    """
    inside = {line for first, last, _ in trainer_note_blocks(body) for line in range(first, last + 1)}
    found = []
    fenced = False
    for index, line in enumerate(body.splitlines()):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced or index in inside else _HEADING.match(line)
        if match and match["text"].strip().lower() in TRAINER_SECTIONS:
            found.append((index, match["text"].strip()))
    return found


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
