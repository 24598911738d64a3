"""Errors raised by kebao.

Every error a user can cause carries *where* (file, line, column, field) and
*what to do next* (a hint). Library code raises; only the CLI prints and exits.

    KebaoError                    root of everything kebao raises on purpose
    ├── ContentError              invalid content (exit code 2); holds Problems
    ├── PlanError                 a programme + cohort that cannot be planned or scheduled (exit code 2)
    ├── UsageError                a bad command-line request (exit code 2)
    └── PackError                 a course pack could not be built (kebao.packs.run; exit code 1)
        ├── ParameterError        a notebook parameter that is undeclared or of the wrong kind (exit code 2)
        ├── NotebookFailed        a cell raised, timed out, exited, or the kernel died; names the cell
        └── JobError              a batch job's error that could not travel back from its worker
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: Path
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, and how to fix it."""

    location: Location
    field: str
    message: str
    hint: str = dataclasses.field(default="", compare=False)

    def render(self, root: Path | None = None) -> str:
        file = self.location.file
        if root is not None:
            try:
                file = file.relative_to(root)
            except ValueError:
                pass
        text = f"{file}:{self.location.line}:{self.location.column}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def as_dict(self, root: Path | None = None) -> dict[str, object]:
        file = self.location.file
        if root is not None:
            try:
                file = file.relative_to(root)
            except ValueError:
                pass
        return {
            "file": file.as_posix(),
            "line": self.location.line,
            "column": self.location.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def did_you_mean(value: str, known: Iterable[str]) -> str:
    """'did you mean 'x' or 'y'?' for the ids in ``known`` closest to ``value``, or ''."""
    matches = difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)
    return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?" if matches else ""


class KebaoError(Exception):
    """Root of every error kebao raises on purpose."""

    exit_code = 1


class ContentError(KebaoError):
    """The content (specs, modules, cases) is invalid; holds every Problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0].render() if self.problems else "invalid content"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


class UsageError(KebaoError):
    """A command-line request kebao cannot carry out as asked."""

    exit_code = 2

    def __init__(self, message: str, hint: str = ""):
        self.hint = hint
        super().__init__(message + (f" ({hint})" if hint else ""))


class PlanError(KebaoError):
    """A programme and cohort that cannot be composed or scheduled as asked (e.g. a strand short of hours)."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", location: Location | None = None):
        self.hint = hint
        self.location = location
        prefix = f"{location}: " if location else ""
        super().__init__(prefix + message + (f" ({hint})" if hint else ""))
