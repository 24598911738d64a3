"""The pack-file table: one row and one writer add a file to every pack, its manifest, its zip and the site."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from kebao import labels
from kebao.book.generate import page_files
from kebao.book.programmes import Download, find_pack
from kebao.catalog import load_catalog
from kebao.errors import PackError
from kebao.packs import files
from kebao.packs.build import PackRequest, build_pack
from kebao.packs.context import PackContext, decide
from kebao.packs.files import PackBuild, PackFile, Writer, downloads, figure_png, name_of, stray_files, write_pack
from kebao.packs.page import figure_metadata
from kebao.paths import PackAddress

from .paths import REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
PNG = b"\x89PNG\r\n\x1a\n not really a picture, but these bytes must come back exactly"


def readme(build: PackBuild, path: Path) -> None:
    path.write_text(f"{build.ctx.title} · {build.ctx.cohort.id}\n", encoding="utf-8")


def shown(*figures: str) -> nbformat.NotebookNode:
    """An executed notebook that displayed ``figures`` as the pack notebook does."""
    outputs = [new_output("display_data", data={"image/png": base64.b64encode(PNG).decode()},
                          metadata=figure_metadata(name)) for name in figures]
    return new_notebook(cells=[new_code_cell("display(...)", outputs=outputs, execution_count=1)])


@pytest.fixture
def ctx(catalog_root: Path) -> PackContext:
    return decide(load_catalog(catalog_root), "nev-class")


def test_writers_run_in_table_order_and_a_missing_required_file_is_refused(
        ctx: PackContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []

    def note(name: str) -> Writer:
        def write(build: PackBuild, path: Path) -> None:
            order.append(name)
            path.write_text(name)
        return write

    monkeypatch.setattr(files, "PACK_FILES", (PackFile("b.txt", note("b"), "office"),
                                               PackFile("a.txt", note("a"), "trainer")))
    written = write_pack(PackBuild(ctx, shown(), tmp_path, {}))
    assert order == ["b", "a"] and [p.name for p in written] == ["b.txt", "a.txt"]

    monkeypatch.setattr(files, "PACK_FILES", (PackFile("a.txt", note("a"), "trainer"),
                                               PackFile("never.txt", lambda build, path: None, "office")))
    (tmp_path / "again").mkdir()
    with pytest.raises(PackError, match="writer for never.txt wrote nothing"):
        write_pack(PackBuild(ctx, shown(), tmp_path / "again", {}))
    monkeypatch.setattr(files, "PACK_FILES", (PackFile("never.txt", lambda build, path: None, "office",
                                                        required=False),))
    (tmp_path / "optional").mkdir()
    assert write_pack(PackBuild(ctx, shown(), tmp_path / "optional", {})) == []


def test_a_file_no_row_describes_is_stray(tmp_path: Path) -> None:
    address = PackAddress("nev-class", "2026-11")
    for name in ("nev-class-2026-11-学员手册.html", "figures/timetable.png", "nev-class-2026-11.zip", "notes.txt",
                 "figures/x.png", "handbook.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert stray_files(tmp_path, address) == ["figures/x.png", "handbook.html", "notes.txt"]


def test_downloads_follow_the_table_with_the_zip_first() -> None:
    offered = downloads(PackAddress("nev-class", "2026-11"))
    assert offered[0] == ("nev-class-2026-11.zip", "download_zip")
    assert [name for name, _key in offered[1:]] == [f"nev-class-2026-11-{what}" for what in (
        "学员手册.pdf", "培训师指南.pdf", "课表.ics", "课表.xlsx")]
    assert all(key in labels.LABELS for _name, key in offered), "every download label is in the labels table"


def test_the_files_of_two_packs_never_share_a_name_where_they_meet() -> None:
    """Downloads land in one folder, and zips unpack into their own: names carry the programme and cohort."""
    a, b = PackAddress("xpcc-cadres", "xpcc-2026-12"), PackAddress("nev-technicians", "nev-2026-11")
    assert not {name for name, _ in downloads(a)} & {name for name, _ in downloads(b)}
    for address in (a, b):
        in_folder = [name for name, _ in files.table(address) if "/" not in name and name != "manifest.json"]
        assert all(name.startswith(f"{address.programme}-{address.cohort}") for name in in_folder), in_folder
    assert name_of(a, "handbook.pdf") == "xpcc-cadres-xpcc-2026-12-学员手册.pdf"
    assert name_of(a, "figures/timetable.png") == "figures/timetable.png"
    with pytest.raises(KeyError, match="no pack file is called 'handbook'"):
        name_of(a, "handbook")


def test_figures_are_exactly_the_pngs_the_notebook_showed(ctx: PackContext, tmp_path: Path) -> None:
    notebook = shown("timetable")
    assert figure_png(notebook, "timetable") == PNG and figure_png(notebook, "hours-per-strand") is None
    build = PackBuild(ctx, notebook, tmp_path, {})
    hours = next(row for row in files.PACK_FILES if row.name == "figures/hours-per-strand.png")
    with pytest.raises(PackError, match="showed no figure 'hours-per-strand'"):
        hours.write(build, tmp_path / "figures" / "hours-per-strand.png")
    timetable = next(row for row in files.PACK_FILES if row.name == "figures/timetable.png")
    timetable.write(build, tmp_path / "figures" / "timetable.png")
    assert (tmp_path / "figures" / "timetable.png").read_bytes() == PNG


@pytest.mark.kernel
def test_a_new_row_reaches_the_pack_the_manifest_the_zip_and_the_site(catalog_root: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    (catalog_root / "curricula" / "programmes" / "cadres-course.yml").unlink()  # unplannable: no page, no pack
    row = PackFile("readme-{cohort}.txt", readme, "participant", download="download_readme")
    manifest = next(index for index, existing in enumerate(files.PACK_FILES) if existing.name == "manifest.json")
    monkeypatch.setattr(files, "PACK_FILES", (*files.PACK_FILES[:manifest], row, *files.PACK_FILES[manifest:]))
    monkeypatch.setitem(labels.LABELS, "download_readme", ("课包说明", "About this pack"))

    outcome = build_pack(PackRequest(catalog_root, "nev-class", out=catalog_root / "build" / "packs",
                                     notebook=NOTEBOOK))
    assert (outcome.folder / "readme-2026-11.txt").read_text(encoding="utf-8") == "新能源汽车技术专项培训班 · 2026-11\n"
    recorded = json.loads((outcome.folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert recorded["readme-2026-11.txt"]["for"] == "participant"
    with zipfile.ZipFile(outcome.zip) as archive:
        written = (outcome.folder / "readme-2026-11.txt").read_bytes()
        assert archive.read("nev-class-2026-11/readme-2026-11.txt") == written  # in the pack's folder

    pack = find_pack(catalog_root, Path("build/packs"), "nev-class", "2026-11")
    assert Download("build/packs/nev-class/2026-11/readme-2026-11.txt", "download_readme", public=True) \
        in pack.offered(public=True)  # a participant's file: on the public site too
    page = page_files(catalog_root, load_catalog(catalog_root))["programmes/nev-class.md"].decode()
    assert "[课包说明](<path:/build/packs/nev-class/2026-11/readme-2026-11.txt>)" in page


@pytest.mark.slow
def test_a_pdf_printed_in_the_second_process_is_the_one_printed_here(ctx: PackContext, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack built alone prints its trainer guide in a second process (export.pdf_printer): same bytes."""
    from kebao.packs.export import pdf_printer

    rows = tuple(row for row in files.PACK_FILES if row.key.endswith((".html", ".pdf")))
    assert [row.key for row in rows] == ["handbook.html", "handbook.pdf", "trainer-guide.html", "trainer-guide.pdf"]
    monkeypatch.setattr(files, "PACK_FILES", rows)
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    nb = shown("hours-per-strand")  # one notebook: a new one would draw new cell ids
    write_pack(PackBuild(ctx, nb, here, {}))
    with pdf_printer() as printer:
        assert printer is not None  # this machine has two cores
        written = write_pack(PackBuild(ctx, nb, there, {}, printer=printer))
    assert sorted(path.name for path in written) == sorted(path.name for path in here.iterdir())
    for path in here.iterdir():
        assert (there / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_file_that_needs_the_notebook_is_refused_before_it_ran(ctx: PackContext, tmp_path: Path) -> None:
    figure = next(row for row in files.PACK_FILES if row.name == "figures/hours-per-strand.png")
    assert not figure.early
    with pytest.raises(PackError, match="written before it ran"):
        figure.write(PackBuild(ctx, None, tmp_path, {}), tmp_path / "figure.png")


@pytest.mark.slow
def test_files_written_early_in_the_printer_are_the_ones_written_in_order(ctx: PackContext, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A pack built alone writes the rows that read only the decided pack in its printer process while the
    notebook runs (build.build_decided): the same files, byte for byte, which write_pack then leaves alone."""
    from kebao.packs.export import pdf_printer

    early = [name for name, row in files.table(ctx.address) if row.early]
    assert {name_of(ctx.address, key) for key in ("timetable.ics", "timetable.xlsx", "timetable.csv",
            "attendance.xlsx", "assessment.xlsx", "survey.xlsx", "credits.csv")} == set(early)
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir(), there.mkdir()
    with pdf_printer() as printer:
        assert printer is not None  # this machine has two cores
        names = printer.submit(files.write_early, ctx.portable(), there).result()  # the whole table over there
    assert names == early
    stamps = {name: (there / name).stat().st_mtime_ns for name in names}
    rows = tuple(row for row in files.PACK_FILES if row.early or row.name == "figures/hours-per-strand.png")
    monkeypatch.setattr(files, "PACK_FILES", rows)  # no editions, no manifest: the rest is tested elsewhere
    nb = shown("hours-per-strand")
    write_pack(PackBuild(ctx, nb, here, {}))
    written = write_pack(PackBuild(ctx, nb, there, {}), early=names)
    assert [path.relative_to(there).as_posix() for path in written] == [*early, "figures/hours-per-strand.png"]
    assert {name: (there / name).stat().st_mtime_ns for name in names} == stamps  # not written again
    assert files_in(here) == files_in(there)
    for name in files_in(here):
        assert (there / name).read_bytes() == (here / name).read_bytes(), name


def files_in(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
