"""Two example packs built for real and read as a trainer reads them (issue 15, the packs' "done when").

xpcc-cadres: every case reading shows its tables and charts; the handbook's PDF text holds no teaching notes,
coverage, target hours, module ids or cohort code, and the trainer guide's holds them. seniors-society-classroom:
large print. Both: their zips unpacked into one downloads folder overwrite nothing.
"""

from __future__ import annotations

import html
import re
import statistics
import subprocess
import zipfile
from pathlib import Path

import pytest

from kebao.packs.build import PackOutcome, build_all
from kebao.packs.caseruns import outputs
from kebao.packs.files import name_of
from kebao.paths import PackAddress

from .book_site import copy_content

PROGRAMMES = ("xpcc-cadres", "seniors-society-classroom")


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PackOutcome]:
    root = copy_content(tmp_path_factory.mktemp("examples") / "repo")
    results = build_all(root, PROGRAMMES, out=root / "build" / "packs", workers=2, every_cohort=False)
    built = {}
    for result in results:
        assert isinstance(result, PackOutcome), result
        built[result.programme] = result
    return built


def file_of(pack: PackOutcome, key: str) -> Path:
    return pack.folder / name_of(PackAddress(pack.programme, pack.cohort), key)


@pytest.mark.slow
@pytest.mark.kernel
def test_every_case_reading_shows_its_tables_and_charts(packs: dict[str, PackOutcome]) -> None:
    pack = packs["xpcc-cadres"]
    assert pack.context is not None
    cases = pack.context.cases
    assert cases == ["red-date-live-commerce", "party-branch-three-meetings"]
    runs = sorted((pack.folder.parent.parent / "_cases").glob("*.ipynb"))
    assert [run.name.rsplit("-", 1)[0] for run in runs] == ["red-date-live-commerce"]  # the one with code
    shown = [bundle for cell in outputs(runs[0]) for bundle in cell]
    tables = [bundle["data"]["text/html"] for bundle in shown if "text/html" in bundle["data"]]
    charts = [bundle for bundle in shown if "image/png" in bundle["data"]]
    assert tables and charts
    for edition in ("handbook", "trainer-guide"):
        page = file_of(pack, f"{edition}.html").read_text(encoding="utf-8")
        title = pack.context.catalog.cases["red-date-live-commerce"].title.zh
        heading = re.search(rf'<h2 id="s\d+"[^>]*>{re.escape(title)}', page)
        assert heading is not None, edition
        section = page[heading.start():page.index("<h2", heading.end())]
        assert section.count("<img") == len(charts), edition
        assert section.count("<table") >= len(tables), edition
        assert "read_csv" not in section and "```" not in section  # outputs, not code
        text = re.sub(r"\s+", "", pdf_text(file_of(pack, f"{edition}.pdf")))
        for table in tables:  # a header cell of each table is in the PDF
            header = html.unescape(re.findall(r"<th>([^<]+)</th>", table)[-1])
            assert re.sub(r"\s+", "", header) in text, (edition, header)


@pytest.mark.slow
@pytest.mark.kernel
def test_the_handbook_keeps_trainer_material_back_and_the_trainer_guide_has_it(packs: dict[str, PackOutcome]) -> None:
    pack = packs["xpcc-cadres"]
    assert pack.context is not None
    handbook = pdf_text(file_of(pack, "handbook.pdf"))
    guide = pdf_text(file_of(pack, "trainer-guide.pdf"))
    trainer_only = ["教学说明", "培训师运行代码", "参考要点", "给培训师", "学习成果覆盖", "目标学时", "教学材料清单",
                    "培训师附录", pack.cohort]
    for words in trainer_only:
        assert words not in handbook, words
        assert words in guide, words
    flat_handbook, flat_guide = re.sub(r"\s+", "", handbook), re.sub(r"\s+", "", guide)
    for module in pack.context.plan.modules:  # module ids only in the trainer guide
        assert module not in flat_handbook, module
        assert module in flat_guide, module
    for words in ("报到须知", "作息时间", "联系方式", "学习纪律与请假制度", "现场教学安排", "请携带", "附录 1",
                  "增值额计算表", "目录"):
        assert words in handbook, words


@pytest.mark.slow
@pytest.mark.kernel
def test_the_contents_give_the_page_each_section_starts_on(packs: dict[str, PackOutcome]) -> None:
    pages = pdf_text(file_of(packs["xpcc-cadres"], "handbook.pdf")).split("\f")
    contents = next(page for page in pages if "目录" in page)
    entry = re.search(r"案例阅读\s*\.+\s*(\d+)", contents)
    assert entry is not None
    assert re.search(r"^\s*案例阅读\s*$", pages[int(entry[1]) - 1], re.M)


@pytest.mark.slow
@pytest.mark.kernel
def test_seniors_read_large_print(packs: dict[str, PackOutcome]) -> None:
    def body_size(path: Path) -> float:
        """The median height of the words on the pages after the contents (the body text, in points)."""
        boxes = pdf_text(path, "-bbox", "-f", "3")
        heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
        return statistics.median(heights)

    seniors, cadres = (body_size(file_of(packs[p], "handbook.pdf")) for p in ("seniors-society-classroom",
                                                                              "xpcc-cadres"))
    # Word boxes are the font's size times its line metrics, the same factor for both: 14 pt against 10.5 pt.
    assert seniors >= cadres * 14 / 10.5 * 0.98, (seniors, cadres)


@pytest.mark.slow
@pytest.mark.kernel
def test_two_packs_unzipped_into_one_folder_overwrite_nothing(packs: dict[str, PackOutcome], tmp_path: Path) -> None:
    downloads = tmp_path / "下载"
    entries = []
    for pack in packs.values():
        with zipfile.ZipFile(pack.zip) as archive:
            entries += [info.filename for info in archive.infolist()]
            archive.extractall(downloads)
        for key in ("handbook.pdf", "trainer-guide.pdf", "timetable.ics", "timetable.xlsx"):  # downloaded alone
            (downloads / file_of(pack, key).name).write_bytes(file_of(pack, key).read_bytes())
    unpacked = [path for path in downloads.rglob("*") if path.is_file()]
    assert len(unpacked) == len(entries) + 4 * len(packs)
    assert {path.relative_to(downloads).parts[0] for path in unpacked if path.parent != downloads} == {
        "xpcc-cadres-xpcc-2026-12", "seniors-society-classroom-seniors-2026-autumn"}
