"""Every workbook of every example pack, printed by LibreOffice: no cell's text is cut.

LibreOffice shows a wrapped cell one line high unless the row says how high it is,
so long Chinese titles, places and rubric cells were cut off on screen and on paper
(docs/architecture.md). Here the timetable, attendance and assessment workbooks of
every programme's default pack are written as a pack writes them (no kernel: they
come from the decided pack), converted to PDF by headless LibreOffice (Debian's
``libreoffice-calc-nogui``, installed by ``.ci/system-packages``) in one run, and
read back with ``pdftotext``: the text of every non-empty cell must be in its PDF,
whitespace aside (a wrapped cell's lines are printed one after another).

Slow lane (about a minute on 2 cores: 36 workbooks, one LibreOffice start).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from nbformat.v4 import new_notebook

from kebao.catalog import load_catalog
from kebao.packs import files
from kebao.packs.context import decide

from .paths import REPO

WRITERS = {"timetable": files._timetable_xlsx, "attendance": files._attendance_xlsx,
           "assessment": files._assessment_xlsx, "survey": files._survey_xlsx}


def shown(value: object) -> str:
    """A cell's text as printed, without whitespace (4.0 prints as 4)."""
    return re.sub(r"\s+", "", f"{value:g}" if isinstance(value, float) else str(value))


def cut_cells(workbook: Path, pdf: Path) -> list[str]:
    """The cells of ``workbook`` whose text is not in ``pdf`` ('sheet!A1: text')."""
    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                                                 text=True, check=True).stdout)
    cut = []
    for sheet in openpyxl.load_workbook(workbook).worksheets:
        if sheet.sheet_state != "visible":  # kebao's hidden metadata is not printed
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value not in (None, "") and shown(cell.value) not in printed:
                    cut.append(f"{sheet.title}!{cell.coordinate}: {str(cell.value)[:40]}")
    return cut


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    """(workbook, its PDF) for every workbook of every example programme's default pack."""
    soffice = shutil.which("soffice")
    assert soffice is not None, ("LibreOffice is missing: run `make system` (.ci/system-packages installs "
                                 "libreoffice-calc-nogui), or apt-get install libreoffice-calc-nogui")
    folder = tmp_path_factory.mktemp("workbooks")
    catalog = load_catalog(REPO)
    workbooks = []
    for programme in sorted(catalog.programmes):
        build = files.PackBuild(decide(catalog, programme), new_notebook(), folder, {})
        for name, write in WRITERS.items():
            path = folder / f"{programme}-{name}.xlsx"
            write(build, path)
            workbooks.append(path)
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, workbooks)],
                   capture_output=True, check=True, timeout=600)
    return [(path, path.with_suffix(".pdf")) for path in workbooks]


@pytest.mark.slow
def test_every_workbook_of_every_example_pack_prints_without_cut_text(printed: list[tuple[Path, Path]]) -> None:
    assert len(printed) == len(WRITERS) * len(load_catalog(REPO).programmes)
    problems = {}
    for workbook, pdf in printed:
        assert pdf.is_file(), f"LibreOffice made no PDF of {workbook.name}"
        cut = cut_cells(workbook, pdf)
        if cut:
            problems[workbook.name] = cut[:5]
    assert problems == {}


@pytest.mark.slow
def test_the_check_finds_cut_text(printed: list[tuple[Path, Path]], tmp_path: Path) -> None:
    """A timetable with its row heights taken away prints one line a row: its long titles are cut."""
    workbook = next(path for path, _ in printed if path.name == "xpcc-cadres-timetable.xlsx")
    book = openpyxl.load_workbook(workbook)
    for sheet in book.worksheets:
        for dimension in sheet.row_dimensions.values():
            dimension.height = None
    squashed = tmp_path / "squashed.xlsx"
    book.save(squashed)
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(squashed)], capture_output=True,
                   check=True, timeout=300)
    assert any("现代农业科技园区" in cell for cell in cut_cells(squashed, tmp_path / "squashed.pdf"))
