"""The files of a course pack, as data: one row each, in the order they are written.

A row names the file (``{programme}`` and ``{cohort}`` are filled in), the
writer that makes it, who it is for (participant, trainer, office), whether a
pack without it is refused, and the labels key of its download on the site
(empty: not offered on its own; every file is in the zip). Adding a file to
every pack is one row here plus one writer function ``(build, path) -> None``.

File names carry the programme, the cohort and what the file is, in Chinese
(``xpcc-cadres-xpcc-2026-12-学员手册.pdf``), so downloads from several packs
stay apart in one folder; the zip holds them under one top folder,
``<programme>-<cohort>/``. Other code names a file by its ``key``
(``handbook.pdf``: :func:`name_of`), which never changes.

Everything else reads this table: :mod:`.build` runs the writers in order and
refuses a pack that lacks a required file or holds a file no row describes; the
manifest records each file with its edition; the zip holds exactly these files;
the site's programme pages offer the rows with a download label, and ``kebao
check`` checks that they do (:func:`downloads`).

Writers run in the process that builds the pack, after its notebook has run:
they read the decided pack (``build.ctx``) and the executed notebook (its HTML
body for the handbook and the trainer guide, its figures). The manifest and the
zip come last because they cover the files before them. Rows marked ``early``
read the decided pack alone: a pack built alone writes them in its PDF printer
process while the notebook runs (:func:`write_early`), the rest after it, each
file as it would be written in order.
"""

from __future__ import annotations

import base64
import concurrent.futures as cf
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import PackError
from ..paths import ZIP_NAME, PackAddress
from . import export, sheets, writers
from .bundle import make_zip, write_manifest
from .context import PackContext
from .page import FIGURE_KEY
from .rows import CreditRow, SelfPacedRow, TimetableRow, credit_rows, self_paced_rows, timetable_rows

if TYPE_CHECKING:  # pragma: no cover
    from nbformat import NotebookNode

Reader = Literal["participant", "trainer", "office"]


@dataclass
class PackBuild:
    """What the writers of one pack read: the decided pack, its executed notebook and its record."""

    ctx: PackContext
    notebook: NotebookNode | None  # None while it runs: only the early rows may be written (write_early)
    folder: Path
    record: dict[str, Any]  # manifest fields: parameters, inputs (name -> path), cache_key, key_parts, repository
    date: dt.datetime = writers.FIXED_TIME  # when the content last changed (bundle.content_date): files carry it
    printer: Any = None  # an executor for the trainer guide's PDF (export.pdf_printer): None prints it here
    _pages: dict[str, str] = field(default_factory=dict, repr=False)
    _printing: dict[Path, Any] = field(default_factory=dict, repr=False)  # path -> its PDF's future

    def wait(self) -> None:
        """Wait for the PDFs printed elsewhere; their failure is the pack's."""
        printing, self._printing = self._printing, {}
        for path, future in printing.items():
            future.result()
            if not path.is_file():
                raise PackError(f"the pack's writer for {path.name} wrote nothing", "see kebao.packs.files.PACK_FILES")

    @property
    def local_date(self) -> dt.datetime:
        """The content's date in the programme's time zone (what zip entries and workbooks show)."""
        import zoneinfo

        return self.date.astimezone(zoneinfo.ZoneInfo(self.ctx.timetable.timezone))

    @cached_property
    def timetable(self) -> list[TimetableRow]:
        ctx = self.ctx
        return timetable_rows(ctx.catalog, ctx.programme, ctx.cohort.venue, ctx.timetable.items, ctx.language,
                              provisional={day.date for day in ctx.timetable.days if day.provisional},
                              phases=ctx.timetable.phases)

    @cached_property
    def self_paced(self) -> list[SelfPacedRow]:
        ctx = self.ctx
        return self_paced_rows(ctx.catalog, ctx.programme, ctx.timetable.self_paced, ctx.language)

    @cached_property
    def credits(self) -> list[CreditRow]:
        planned = self.ctx.plan.module_hours
        return credit_rows(self.ctx.catalog, self.ctx.programme, planned, self.ctx.language)

    @cached_property
    def body(self) -> export.Body:
        """The notebook's outputs as HTML, trainer-only outputs marked (one conversion for both editions)."""
        return export.render_body(self.executed)

    @property
    def executed(self) -> NotebookNode:
        if self.notebook is None:
            raise PackError("a pack file that needs the executed notebook was written before it ran",
                            "only rows marked early in kebao.packs.files.PACK_FILES are written while it runs")
        return self.notebook

    def page(self, edition: str) -> str:
        """The self-contained HTML page of one edition (made once, for its HTML and its PDF).

        The participant's running header names the programme; the trainer's adds the cohort code.
        """
        if edition not in self._pages:
            from ..labels import label
            from .frontmatter import cover

            ctx = self.ctx
            header = (ctx.title if edition == "participant"
                      else f"{label('trainer_guide', ctx.language)} · {ctx.title} · {ctx.cohort.id}")
            if ctx.provisional_note:  # 暂定 on every printed page, not only on the cover
                header = f"{label('provisional', ctx.language)} · {header}"
            self._pages[edition] = export.page_html(export.edition(self.body, edition), edition, ctx.title,
                                                    cover(ctx, edition), header, ctx.language, ctx.large_print)
        return self._pages[edition]


Writer = Callable[[PackBuild, Path], None]


@dataclass(frozen=True)
class PackFile:
    """One file of every course pack (see the module docstring)."""

    name: str  # relative POSIX path in the pack; {programme} and {cohort} are filled in
    write: Writer
    reader: Reader  # who it is for
    required: bool = True  # a pack without it is refused
    download: str = ""  # labels key of its download on the programme page; "" = only in the zip
    key: str = ""  # what other code calls it (name_of); default: the name
    early: bool = False  # reads only the decided pack: may be written while the notebook runs (write_early)
    ahead: bool = False  # with a printer, its writer runs before the others' (it hands its work to the printer)

    def file_name(self, address: PackAddress) -> str:
        return self.name.format(programme=address.programme, cohort=address.cohort)


# -- writers -------------------------------------------------------------------------------------------


def _edition_html(edition: str) -> Writer:
    def write(build: PackBuild, path: Path) -> None:
        path.write_text(build.page(edition), encoding="utf-8")
    return write


def _edition_pdf(edition: str) -> Writer:
    def write(build: PackBuild, path: Path) -> None:
        if path in build._printing:  # started ahead (PackFile.ahead)
            return
        if build.printer is not None and edition == "trainer":  # the longer one, while this process goes on
            build._printing[path] = build.printer.submit(export.write_pdf, build.page(edition), path)
        else:
            export.write_pdf(build.page(edition), path)
    return write


def _timetable_ics(build: PackBuild, path: Path) -> None:
    ctx = build.ctx
    writers.write_timetable_ics(build.timetable, path, f"{ctx.title} {ctx.cohort.id}", ctx.timetable.timezone,
                                f"{ctx.programme.id}-{ctx.cohort.id}", build.date, build.self_paced, ctx.language)


def _timetable_xlsx(build: PackBuild, path: Path) -> None:
    ctx = build.ctx
    from .frontmatter import date_range

    subtitle = f"{date_range(ctx)} · {ctx.cohort.venue}"  # no cohort code: learners read this sheet
    writers.write_timetable_xlsx(build.timetable, path, ctx.title, subtitle, ctx.language, ctx.provisional_note,
                                 build.local_date, build.self_paced)


def _timetable_csv(build: PackBuild, path: Path) -> None:
    writers.write_timetable_csv(build.timetable, path, build.ctx.language)


def _attendance_xlsx(build: PackBuild, path: Path) -> None:
    sheets.attendance_for(build.ctx, build.timetable, path, build.local_date)  # blank numbered rows: no names


def _assessment_xlsx(build: PackBuild, path: Path) -> None:
    sheets.assessment_for(build.ctx, build.credits, path, build.local_date)


def _survey_xlsx(build: PackBuild, path: Path) -> None:
    sheets.survey_for(build.ctx, path, build.local_date)


def _credits_csv(build: PackBuild, path: Path) -> None:
    writers.write_credits_csv(build.credits, path, build.ctx.language)


def _figure(name: str, required: bool) -> Writer:
    """The PNG the notebook showed as figure ``name`` (see page.figure_metadata), byte for byte."""
    def write(build: PackBuild, path: Path) -> None:
        png = figure_png(build.executed, name)
        if png is None:
            if required:
                raise PackError(f"the pack notebook showed no figure '{name}', which every pack has",
                                "a pack notebook displays its figures with metadata=page.figure_metadata(name)")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return write


def _present(build: PackBuild) -> dict[str, Reader]:
    """The table's files written so far, with their readers."""
    return {name: row.reader for name, row in table(build.ctx.address) if (build.folder / name).is_file()}


def _manifest(build: PackBuild, path: Path) -> None:
    """manifest.json: every file written before it (it comes after all but the zip)."""
    present = _present(build)
    record = build.record
    write_manifest(build.folder, record["parameters"], record["inputs"], present, cache_key=record["cache_key"],
                   key_parts=record.get("key_parts"),
                   repository=record["repository"], date=build.date)


def _zip(build: PackBuild, path: Path) -> None:
    """The zip of every file written before it (it comes last), under one folder, dated as the content."""
    address = build.ctx.address
    make_zip(build.folder, path, list(_present(build)), top=f"{address.programme}-{address.cohort}",
             date=writers.zip_date(build.local_date))


# -- the table --------------------------------------------------------------------------------------------

_PACK = "{programme}-{cohort}-"  # every file a trainer handles says which pack it is from

PACK_FILES: tuple[PackFile, ...] = (
    PackFile(_PACK + "学员手册.html", _edition_html("participant"), "participant", key="handbook.html"),
    PackFile(_PACK + "学员手册.pdf", _edition_pdf("participant"), "participant", download="download_handbook_pdf",
             key="handbook.pdf"),
    PackFile(_PACK + "培训师指南.html", _edition_html("trainer"), "trainer", key="trainer-guide.html"),
    PackFile(_PACK + "培训师指南.pdf", _edition_pdf("trainer"), "trainer", download="download_trainer_guide_pdf",
             key="trainer-guide.pdf", ahead=True),
    PackFile(_PACK + "课表.ics", _timetable_ics, "participant", download="download_timetable_ics",
             key="timetable.ics", early=True),
    PackFile(_PACK + "课表.xlsx", _timetable_xlsx, "participant", download="download_timetable_xlsx",
             key="timetable.xlsx", early=True),
    PackFile(_PACK + "课表.csv", _timetable_csv, "office", key="timetable.csv", early=True),
    PackFile(_PACK + "签到表.xlsx", _attendance_xlsx, "office", key="attendance.xlsx", early=True),
    PackFile(_PACK + "评分表.xlsx", _assessment_xlsx, "trainer", key="assessment.xlsx", early=True),
    PackFile(_PACK + "满意度测评.xlsx", _survey_xlsx, "office", key="survey.xlsx", early=True),
    PackFile(_PACK + "学分记录.csv", _credits_csv, "office", key="credits.csv", early=True),
    PackFile("figures/hours-per-strand.png", _figure("hours-per-strand", required=True), "trainer"),
    PackFile("figures/timetable.png", _figure("timetable", required=False), "participant", required=False),
    PackFile("figures/outcome-coverage.png", _figure("outcome-coverage", required=False), "trainer",
             required=False),
    PackFile("manifest.json", _manifest, "office"),
    PackFile(ZIP_NAME, _zip, "trainer", download="download_zip", key="zip"),
)


def table(address: PackAddress) -> list[tuple[str, PackFile]]:
    """Every row of :data:`PACK_FILES` with its file name for this pack, in writing order."""
    return [(row.file_name(address), row) for row in PACK_FILES]


def name_of(address: PackAddress, key: str) -> str:
    """The file name in this pack of the row called ``key`` (``handbook.pdf``, ``figures/timetable.png``…)."""
    for name, row in table(address):
        if (row.key or row.name) == key:
            return name
    raise KeyError(f"no pack file is called {key!r}; see kebao.packs.files.PACK_FILES")


def downloads(address: PackAddress) -> list[tuple[str, str]]:
    """(file name, labels key) of the files the site offers for download, the zip first."""
    rows = [(name, row.download) for name, row in table(address) if row.download]
    return sorted(rows, key=lambda item: item[0] != address.zip_name)


def write_early(ctx: PackContext, folder: Path, date: dt.datetime = writers.FIXED_TIME) -> list[str]:
    """Write the rows marked ``early`` (they read only the decided pack) into ``folder``, in order; their names.

    A pack built alone runs this in its PDF printer process while the notebook runs (kebao.packs.build);
    :func:`write_pack` then writes the other rows and checks these as its own.
    """
    build = PackBuild(ctx, None, folder, {}, date)
    done = []
    for name, row in table(ctx.address):
        if row.early:
            row.write(build, folder / name)
            done.append(name)
    return done


def write_pack(build: PackBuild, early: Sequence[str] = ()) -> list[Path]:
    """Run every writer in order into ``build.folder`` (but those of the files ``early`` names, written already by
    :func:`write_early`); PackError for a missing required file or a stray one."""
    written = []
    rows = table(build.ctx.address)
    try:
        if build.printer is not None:  # the trainer guide's PDF starts there while the handbook's prints here
            for name, row in rows:
                if row.ahead and name not in early:
                    row.write(build, build.folder / name)
        for name, row in rows:
            path = build.folder / name
            if row.write in (_manifest, _zip):  # they cover the files before them: all written by now
                build.wait()
            if name not in early:
                row.write(build, path)
            if path in build._printing:
                written.append(path)  # checked when printed (the manifest and the zip need it)
            elif path.is_file():
                written.append(path)
            elif row.required:
                raise PackError(f"the pack's writer for {name} wrote nothing", "see kebao.packs.files.PACK_FILES")
        build.wait()
    finally:
        for future in build._printing.values():  # a failed build: nothing is printed into its folder afterwards
            future.cancel()
            cf.wait([future])
    return written


def stray_files(folder: Path, address: PackAddress) -> list[str]:
    """Files in a pack folder that no row describes (a pack holds exactly its table's files)."""
    known = {name for name, _row in table(address)}
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.relative_to(folder).as_posix() not in known)


def figure_png(nb: NotebookNode, name: str) -> bytes | None:
    """The PNG bytes of the output the notebook displayed as figure ``name``, or None."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get(FIGURE_KEY) == name and "image/png" in output.get("data", {}):
                return base64.b64decode(output["data"]["image/png"])
    return None
