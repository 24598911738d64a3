"""`kebao pack` end to end on the fixture catalogue: real kernels, real files, real readers."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import time
import unicodedata
import zipfile
import zoneinfo
from pathlib import Path

import nbformat
import openpyxl
import pytest
from icalendar import Calendar

from kebao.errors import KebaoError, NotebookFailed, PlanError
from kebao.packs.build import PackFailure, PackOutcome, PackRequest, build_all, build_pack
from kebao.packs.bundle import sha256_file
from kebao.packs.files import name_of
from kebao.paths import PackAddress

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
TITLE = "新能源汽车技术专项培训班"
ADDRESS = PackAddress("nev-class", "2026-11")
KEYS = ("handbook.html", "handbook.pdf", "trainer-guide.html", "trainer-guide.pdf", "timetable.xlsx", "timetable.csv",
        "timetable.ics", "attendance.xlsx", "assessment.xlsx", "survey.xlsx", "credits.csv", "manifest.json",
        "figures/hours-per-strand.png", "figures/timetable.png", "zip")
PACK_FILES = {name_of(ADDRESS, key) for key in KEYS}


def F(key: str) -> str:  # noqa: N802 - reads like a file name: F("handbook.pdf")
    """The file of this pack that other code calls ``key``."""
    return name_of(ADDRESS, key)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One real pack, built once for the tests that only read it."""
    root = tmp_path_factory.mktemp("repo") / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    out = root / "build" / "packs"
    outcome = build_pack(PackRequest(root, "nev-class", out=out, notebook=NOTEBOOK))
    assert outcome.status == "built"
    return root, outcome.folder


def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
@pytest.mark.kernel
def test_pack_has_every_file(built: tuple[Path, Path]) -> None:
    _, folder = built
    assert files_of(folder) == PACK_FILES


@pytest.mark.slow
@pytest.mark.kernel
def test_pdfs_carry_the_chinese_title(built: tuple[Path, Path]) -> None:
    _, folder = built
    for name in (F("handbook.pdf"), F("trainer-guide.pdf")):
        assert TITLE in pdf_text(folder / name)
    fonts = subprocess.run(["pdffonts", str(folder / F("handbook.pdf"))], capture_output=True, text=True).stdout
    assert "CJK" in fonts  # a real CJK font is embedded, not boxes


@pytest.mark.slow
@pytest.mark.kernel
def test_pypdf_text_extraction_finds_the_title(built: tuple[Path, Path]) -> None:
    from pypdf import PdfReader  # here, not at the top: only the slow lane needs it (make test-fast stays quick)

    _, folder = built
    reader = PdfReader(folder / F("handbook.pdf"))
    # pypdf maps some hanzi to Kangxi radicals (生 -> ⽣); NFKC folds them back.
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert TITLE in text
    assert len(reader.pages) >= 2


@pytest.mark.slow
@pytest.mark.kernel
def test_trainer_notes_only_in_the_trainer_guide(built: tuple[Path, Path]) -> None:
    _, folder = built
    handbook = (folder / F("handbook.html")).read_text(encoding="utf-8")
    guide = (folder / F("trainer-guide.html")).read_text(encoding="utf-8")
    assert "高压安全：培训师提示" in guide and "给培训师" in guide
    assert "培训师提示" not in handbook and "给培训师" not in handbook
    assert "高压安全" in handbook  # the module itself is there
    assert "给培训师" not in pdf_text(folder / F("handbook.pdf"))
    assert "给培训师" in pdf_text(folder / F("trainer-guide.pdf"))


@pytest.mark.slow
@pytest.mark.kernel
def test_html_loads_nothing_from_the_network_and_hides_code(built: tuple[Path, Path]) -> None:
    _, folder = built
    for name in (F("handbook.html"), F("trainer-guide.html")):
        page = (folder / name).read_text(encoding="utf-8")
        assert "http://" not in page and "https://" not in page
        assert "<script" not in page
        assert "open_pack" not in page  # inputs hidden
        assert "<img" in page and "data:image/png;base64" in page


@pytest.mark.slow
@pytest.mark.kernel
def test_data_files_open_in_their_readers(built: tuple[Path, Path]) -> None:
    _, folder = built
    timetable = openpyxl.load_workbook(folder / F("timetable.xlsx")).active
    assert timetable is not None and timetable["A1"].value == TITLE
    events = Calendar.from_ical((folder / F("timetable.ics")).read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["高压安全", "动力电池实操", "智能手机办公"]
    attendance = openpyxl.load_workbook(folder / F("attendance.xlsx"))
    assert len([ws for ws in attendance.worksheets if ws.sheet_state == "visible"]) == 3
    assert attendance["_kebao"].sheet_state == "veryHidden"  # the metadata kebao records import reads
    assert (folder / F("credits.csv")).read_text(encoding="utf-8-sig").splitlines()[1].startswith("hv-safety,高压安全")


@pytest.mark.slow
@pytest.mark.kernel
def test_zip_holds_everything_in_one_folder_with_utf8_names_and_the_content_date(built: tuple[Path, Path],
                                                                                  tmp_path: Path) -> None:
    _, folder = built
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    date = dt.datetime.fromisoformat(manifest["content_date"]).astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    with zipfile.ZipFile(folder / "nev-class-2026-11.zip") as archive:
        names = set(archive.namelist())
        assert names == {f"nev-class-2026-11/{name}" for name in PACK_FILES - {"nev-class-2026-11.zip"}}
        assert archive.read(f"nev-class-2026-11/{F('timetable.csv')}") == (folder / F("timetable.csv")).read_bytes()
        assert {info.date_time for info in archive.infolist()} == {(date.year, date.month, date.day, date.hour,
                                                                    date.minute, date.second // 2 * 2)}
        assert all(info.flag_bits & 0x800 for info in archive.infolist() if not info.filename.isascii())
        archive.extractall(tmp_path)
    assert (tmp_path / "nev-class-2026-11" / "nev-class-2026-11-学员手册.pdf").is_file()


@pytest.mark.slow
@pytest.mark.kernel
def test_manifest_records_inputs_outputs_and_versions(built: tuple[Path, Path]) -> None:
    root, folder = built
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["programme"] == "nev-class"
    assert manifest["parameters"]["cohort"]["id"] == "2026-11"
    assert "curricula/modules/hv-safety.md" in manifest["inputs"]
    assert "curricula/modules/party-theory.md" not in manifest["inputs"]  # not a candidate for this programme
    assert manifest["inputs"]["curricula/strands.yml"]["sha256"] == sha256_file(root / "curricula/strands.yml")
    for name, record in manifest["outputs"].items():
        assert record["sha256"] == sha256_file(folder / name)
    assert {"papermill", "nbconvert", "weasyprint"} <= set(manifest["versions"])


@pytest.mark.slow
@pytest.mark.kernel
def test_rerun_is_fresh_and_a_changed_module_rebuilds_only_its_packs(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    out = root / "build" / "packs"
    request = PackRequest(root, "nev-class", out=out, notebook=NOTEBOOK)
    first = build_pack(request)
    before = {name: sha256_file(first.folder / name) for name in PACK_FILES}
    assert build_pack(request).status == "fresh"
    unrelated = root / "curricula/modules/party-theory.md"
    unrelated.write_text(unrelated.read_text(encoding="utf-8").replace("党的理论的要点", "党的理论的核心要点"),
                         encoding="utf-8")
    assert build_pack(request).status == "fresh"
    used = root / "curricula/modules/hv-safety.md"
    used.write_text(used.read_text(encoding="utf-8").replace("高压安全的要点", "高压安全的防护要点"), encoding="utf-8")
    rebuilt = build_pack(request)
    assert rebuilt.status == "built"
    assert "高压安全的防护要点" in (rebuilt.folder / F("handbook.html")).read_text(encoding="utf-8")
    forced = build_pack(PackRequest(root, "nev-class", out=out, notebook=NOTEBOOK, force=True))
    assert forced.status == "built"
    after = {name: sha256_file(forced.folder / name) for name in PACK_FILES}
    changed = {name for name in PACK_FILES if before[name] != after[name]}
    assert {F("handbook.html"), F("timetable.ics"), F("credits.csv")} <= changed  # they show the outcomes
    assert F("timetable.csv") not in changed  # it does not, and carries no date (the workbooks do)
    again = build_pack(PackRequest(root, "nev-class", out=out, notebook=NOTEBOOK, force=True))
    same = {name for name in PACK_FILES if sha256_file(again.folder / name) == after[name]}
    assert same == PACK_FILES, PACK_FILES - same  # byte-identical rebuild


@pytest.mark.slow
@pytest.mark.kernel
def test_a_failed_build_keeps_the_old_pack_and_the_failed_notebook(built: tuple[Path, Path], tmp_path: Path) -> None:
    root, folder = built
    before = sha256_file(folder / F("handbook.pdf"))
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('课表生成失败')"))
    nbformat.write(nb, broken)
    with pytest.raises(NotebookFailed) as raised:
        build_pack(PackRequest(root, "nev-class", out=folder.parent.parent, notebook=broken))
    assert "课表生成失败" in str(raised.value)
    assert sha256_file(folder / F("handbook.pdf")) == before
    failed = folder.parent.parent / "_failed" / "nev-class" / "2026-11"
    assert (failed / "course_pack.ipynb").is_file()
    assert "RuntimeError" in (failed / "error.txt").read_text(encoding="utf-8")
    # The printer wrote the timetable and sheets while the notebook ran; the failed build waited for it, so
    # nothing is written afterwards: no building folder comes back, the failure holds only its record.
    time.sleep(1)
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name]
    assert sorted(path.name for path in failed.iterdir()) == ["course_pack.ipynb", "error.txt"]


def test_bad_requests_fail_before_any_kernel(catalog_root: Path) -> None:
    with pytest.raises(PlanError, match="达不到主题配比：产业差 6 学时"):
        build_pack(PackRequest(catalog_root, "nev-class", ("mix=skills:50,industry:50",), notebook=NOTEBOOK,
                               out=catalog_root / "out"))
    with pytest.raises(KebaoError, match="unknown programme 'nev-clas'.*did you mean 'nev-class'"):
        build_pack(PackRequest(catalog_root, "nev-clas", notebook=NOTEBOOK, out=catalog_root / "out"))
    assert not (catalog_root / "out").exists()


@pytest.mark.slow
@pytest.mark.kernel
def test_batch_carries_on_past_a_failure(catalog_root: Path) -> None:
    results = build_all(catalog_root, ["nev-clas", "nev-class"], out=catalog_root / "out", workers=1,
                        notebook=NOTEBOOK)
    assert [(r.programme, r.status) for r in results] == [("nev-clas", "failed"), ("nev-class", "built")]
    failure, built = results
    assert isinstance(failure, PackFailure) and "did you mean" in str(failure.error)
    assert isinstance(built, PackOutcome) and built.zip.is_file()
    assert built.context is not None and built.context.plan.modules  # the decided pack, for the site


@pytest.mark.slow
@pytest.mark.kernel
def test_a_relative_out_works_from_any_directory_and_a_pack_without_its_figures_is_refused(
        built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, folder = built
    monkeypatch.chdir(tmp_path)  # the kernel runs in the repository root, the caller elsewhere
    outcome = build_pack(PackRequest(root, "nev-class", out=Path("relative-out"), notebook=NOTEBOOK))
    assert (tmp_path / "relative-out" / "nev-class" / "2026-11" / F("timetable.xlsx")).is_file()
    assert not (root / "relative-out").exists() and outcome.status == "built"

    lazy = tmp_path / "lazy.ipynb"  # a notebook that forgets to show the figures the pack stores
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells = [cell for cell in nb.cells if "figure_metadata" not in cell.source]
    nbformat.write(nb, lazy)
    before = sha256_file(folder / F("handbook.pdf"))
    with pytest.raises(KebaoError, match="showed no figure 'hours-per-strand'"):
        build_pack(PackRequest(root, "nev-class", out=folder.parent.parent, notebook=lazy))
    assert sha256_file(folder / F("handbook.pdf")) == before
