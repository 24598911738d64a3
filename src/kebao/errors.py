"""Every error kebao raises on purpose, drawn here in one tree.

Every error has a ``message`` (what is wrong), an optional ``hint`` (what to
do next), an optional ``location`` (file, line, column) and optional
``details`` (one line per further problem). ``str(error)`` draws them the same
way for all: ``file:line:col: message (hint)``, details on their own lines.
Code that handles an error reads these fields; nothing parses ``str(error)``.
Library code raises; only the CLI prints and chooses the exit code.

    KebaoError                    root: message, hint, location, details (exit code 1)
    ├── ContentError              invalid content; holds every Problem found (exit code 2)
    ├── PlanError                 a programme + cohort that cannot be planned or scheduled (exit code 2)
    ├── UsageError                a bad command-line request (exit code 2)
    ├── NotebookError             a notebook could not be run, or did not run cleanly (kebao.notebooks)
    │   ├── ParameterError        a parameter the notebook does not declare, or of the wrong kind (exit code 2)
    │   ├── NotebookFailed        a cell raised, timed out or exited, or the kernel died; names the cell
    │   └── JobError              a batch job's error that could not travel back from its worker
    ├── PackError                 a course pack could not be built or published (kebao.packs)
    ├── ResourceError             the machine refused: disk full, read-only or missing folder, permission
    │                             denied, a missing tool, an output folder busy with another run (exit code 3)
    ├── BookError                 the site cannot be generated or built (kebao.book; exit code 2)
    └── RecordsError              a roster or records request refused: bad rows (``file:row:column`` each in
                                  ``details``), changes to learners not asked for, an unknown cohort (exit code 2)

Errors travel between processes (batch workers): every one pickles with its fields.

Two more live here though they never reach a user as such, ValueErrors that become located Problems of a
ContentError: :class:`UnclosedTrainerNote` (the catalogue loader's) and :class:`ContentRule` (a content
model's rule, said as a message so that the studio can say it in Chinese).

A Problem's ``message`` and ``hint`` are English, as ``kebao validate`` prints them; one may also carry them
as messages (:mod:`kebao.messages`: ``why`` and ``advice``), which :meth:`Problem.said` renders in the
studio's Chinese.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .messages import Context, Message


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
    """One thing wrong with the content, and how to fix it.

    ``message`` and ``hint`` are the English that ``kebao validate`` prints; ``why`` and ``advice``, when
    given, say the same as messages (:meth:`said` renders them in Chinese). Only location, field and
    message make two problems equal or put them in order.
    """

    location: Location
    field: str
    message: str
    hint: str = dataclasses.field(default="", compare=False)
    why: Message | None = dataclasses.field(default=None, compare=False)
    advice: Message | None = dataclasses.field(default=None, compare=False)

    @classmethod
    def from_message(cls, location: Location, field: str, why: Message, advice: Message | None = None) -> Problem:
        """A problem said as messages; its English message and hint are their English sentences."""
        return cls(location, field, why.render("en"), advice.render("en") if advice else "", why, advice)

    def said(self, language: str, context: Context = "cli") -> tuple[str, str]:
        """(message, hint) in ``language``: Chinese from ``why`` and ``advice``, else the English text."""
        if language != "zh" or self.why is None:
            return self.message, self.hint
        return self.why.render("zh", context), self.advice.render("zh", context) if self.advice else ""

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
    advice = suggest(value, known)
    return advice.render("en") if advice else ""


def suggest(value: str, known: Iterable[str]) -> Message | None:
    """:func:`did_you_mean` as a message (是不是 'x' 或 'y'？), or None when no id is close."""
    from .labels import Word
    from .messages import say

    matches = [f"'{m}'" for m in difflib.get_close_matches(value, sorted(known), n=3, cutoff=0.6)]
    return say("advice-did-you-mean", options=Word(" 或 ".join(matches), " or ".join(matches))) if matches else None


def _restore(cls: type[KebaoError], args: tuple[Any, ...], state: dict[str, Any]) -> KebaoError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class KebaoError(Exception):
    """Root of every error kebao raises on purpose (see the module docstring)."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", location: Location | None = None,
                 details: Iterable[str] = ()):
        self._message = message
        self._hint = hint
        self.location = location
        self.details = tuple(details)
        super().__init__(message)

    @property
    def message(self) -> str:
        """What is wrong."""
        return self._message

    @property
    def hint(self) -> str:
        """What to do next ('' when there is nothing to add)."""
        return self._hint

    def __str__(self) -> str:
        text = (f"{self.location}: " if self.location else "") + self.message
        text += "".join(f"\n  {line}" for line in self.details)
        if self.hint:
            text += f"\n({self.hint})" if self.details else f" ({self.hint})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses' __init__ signatures differ from ``args``: rebuild from the fields.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


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


class PlanError(KebaoError):
    """A programme and cohort that cannot be composed or scheduled as asked (e.g. a strand short of hours).

    It says why and what would help as messages (:mod:`kebao.messages`: codes and parameters), rendered in
    its ``language`` (the programme's; :meth:`in_language` gives another) for the command line; the studio
    renders them for itself (:meth:`render`) and may act on the advice's codes.
    """

    exit_code = 2

    def __init__(self, why: Message, advice: Sequence[Message] = (), language: str = "zh",
                 location: Location | None = None):
        Exception.__init__(self, why.code)
        self.why = why
        self.advice = tuple(advice)
        self.language = language
        self.location = location
        self.details: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        return self.render(self.language)[0]

    @property
    def hint(self) -> str:
        return self.render(self.language)[1]

    def render(self, language: str, context: str = "cli") -> tuple[str, str]:
        """(why, what would help) in ``language``; ``context`` 'cli' adds the flags to type."""
        from .messages import either

        lang = "zh" if language == "zh" else "en"
        return self.why.render(lang, context), either(self.advice, lang, context)  # type: ignore[arg-type]

    def __str__(self) -> str:
        message, hint = self.render(self.language)
        where = f"{self.location}: " if self.location else ""
        if not hint:
            return where + message
        return where + message + (f"。建议：{hint}" if self.language == "zh" else f" ({hint})")

    def in_language(self, language: str) -> PlanError:
        """The same error, said in ``language``."""
        return PlanError(self.why, self.advice, language, self.location)


class NotebookError(KebaoError):
    """A notebook could not be run, or did not run cleanly."""


class ParameterError(NotebookError):
    """A parameter the notebook does not declare, a name that is not an identifier, or a bad value."""

    exit_code = 2

    def __init__(self, notebook: Path, name: str, message: str, hint: str = ""):
        self.notebook = notebook
        self.name = name
        super().__init__(f"{notebook.name}: parameter {name!r}: {message}", hint)


class NotebookFailed(NotebookError):
    """A notebook failed; the fields say where and why, ``output`` holds the partial notebook."""

    def __init__(self, notebook: Path, parameters: Mapping[str, Any], *, cell_index: int | None,
                 execution_count: int | None, ename: str, evalue: str, traceback: str,
                 output: Path | None = None):
        self.notebook = notebook
        self.parameters = dict(parameters)
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.ename = ename
        self.evalue = evalue
        self.traceback = traceback
        self.output = output
        where = "before its first cell" if cell_index is None else f"in cell {cell_index}"
        if execution_count is not None:
            where += f" (In [{execution_count}])"
        reason = ename + (f": {first_line(evalue)}" if evalue.strip() else "")
        super().__init__(f"notebook {notebook.name} failed {where}: {reason}; parameters: "
                         f"{_short(self.parameters)}")

    def report(self) -> str:
        """What failed, where, with which parameters, and the traceback (a failed pack's ``error.txt``)."""
        return "\n".join([
            f"notebook:        {self.notebook}",
            f"executed copy:   {self.output.name if self.output else '-'}",
            f"cell index:      {self.cell_index}",
            f"execution count: {self.execution_count}",
            f"error:           {self.ename}: {self.evalue}",
            "parameters:      " + json.dumps(self.parameters, ensure_ascii=False, sort_keys=True),
            "", self.traceback])


class JobError(NotebookError):
    """A batch job failed with an exception that could not travel back from its worker."""


class PackError(KebaoError):
    """A course pack could not be built or published."""


class ResourceError(KebaoError):
    """The machine refused what kebao asked of it; nothing is wrong with the content or with kebao.

    Exit code 3, so a script can tell "try again later, or elsewhere" from invalid input (2) and from a
    build that failed (1). :meth:`from_os_error` words the usual causes with what to do.
    """

    exit_code = 3

    @classmethod
    def from_os_error(cls, error: OSError, doing: str = "") -> ResourceError:
        """``error`` in one line with a hint; ``doing`` says what kebao was doing ('publishing <folder>')."""
        import errno

        where = error.filename if error.filename is not None else ""
        prefix = f"{doing}: " if doing else ""
        code = error.errno
        if code in (errno.ENOSPC, errno.EDQUOT):
            return cls(f"{prefix}no space left on the device holding {where}",
                       "free some space (df -h shows how much is left) and run again; the previous pack is unchanged")
        if code == errno.EROFS:
            return cls(f"{prefix}{where} is on a read-only file system",
                       "choose a writable output folder (--out), or remount it read-write")
        if code in (errno.EACCES, errno.EPERM):
            return cls(f"{prefix}permission denied: {where}",
                       "run as a user who may write there, or choose another output folder (--out)")
        if code == errno.ENOENT:
            return cls(f"{prefix}{where} does not exist (a missing folder, or a missing system tool)",
                       "create the folder, or install the tool named (see docs/troubleshooting.md)")
        return cls(f"{prefix}{error.strerror or error}" + (f": {where}" if where else ""),
                   "see docs/troubleshooting.md")


class BookError(KebaoError):
    """The site cannot be generated or built: a missing pack, a failed case, a Sphinx warning…"""

    exit_code = 2


class RecordsError(KebaoError):
    """A records request refused (kebao.records); nothing was written. ``details`` holds one line per problem."""

    exit_code = 2


def first_line(text: str, limit: int = 200) -> str:
    """The first non-blank line of ``text``, at most ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _short(parameters: Mapping[str, Any], limit: int = 240) -> str:
    text = ", ".join(f"{name}={value!r}" for name, value in parameters.items()) or "(none)"
    return first_line(text.replace("\n", "\\n"), limit)


class ContentRule(ValueError):
    """A content model's rule broken (:mod:`kebao.model`'s validators), said as a message.

    ``str()`` is its English sentence: pydantic reports it as a ``value_error`` whose ``msg`` reads as it
    always did, and :mod:`kebao.validation` gives the Problem ``why`` for the studio's Chinese.
    """

    def __init__(self, why: Message, at: tuple[str | int, ...] = ()):
        self.why = why
        self.at = at  # where below the validated model the rule is broken (a model rule on a field: its path)
        super().__init__(why.render("en"))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.why, self.at))


class UnclosedTrainerNote(ValueError):
    """A ``:::{trainer-note}`` fence without its closing line; ``line`` is 1-based within the body."""

    def __init__(self, line: int, fence: str):
        self.line = line
        super().__init__(f"line {line}: '{fence}{{trainer-note}}' is never closed; end it with a '{fence}' line")
