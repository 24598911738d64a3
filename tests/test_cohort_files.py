"""Cohorts as files (issue 17): cohorts/<programme>/<id>.yml, checked, each with its own pack, tracked and shown.

The pure tests decide packs (no kernel): located problems, derived ids, refusals, freshness and the dry run.
One kernel test builds three small packs for real: the programme's own cohort and a cohort file's (``build_all``,
as ``kebao pack --all``), then a ``--set`` run, and reads them back (zip bytes, manifest, the programme page).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from kebao.cli import main
from kebao.packs.build import DecidedPack, PackFailure, PackOutcome, build_all, decide_all
from kebao.packs.nochange import sources_fingerprint

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"
SECOND = """# 第二期
id: 2026-12
start: 2026-12-07
size: 12
venue: 企业培训中心
contacts:
  - {role: 班主任, name: 赵老师, phone: "010-0000 0000"}
"""


def nev_only(root: Path) -> Path:
    """The fixture catalogue with one programme (nev-class) and one cohort file of it (2026-12)."""
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula/programmes/cadres-course.yml").unlink()  # it cannot plan (a test of its own elsewhere)
    (root / "cohorts/nev-class").mkdir(parents=True)
    (root / "cohorts/nev-class/2026-12.yml").write_text(SECOND, encoding="utf-8")
    return root


def kebao(*argv: str | Path) -> tuple[int, str, str]:
    """``kebao ARGV`` in this process (``kebao pack`` with the repository's notebook): (exit code, stdout, stderr)."""
    args = [str(arg) for arg in argv] + (["--notebook", str(NOTEBOOK)] if argv[0] == "pack" else [])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def keys(root: Path, out: Path) -> dict[tuple[str, str], str]:
    found = decide_all(root, out=out, notebook=NOTEBOOK)
    assert not [f for f in found if isinstance(f, PackFailure)], found
    return {(d.request.programme, d.ctx.cohort.id): d.key for d in found if isinstance(d, DecidedPack)}


def test_cohort_file_problems_are_located_and_exit_2(tmp_path: Path) -> None:
    root = nev_only(tmp_path / "repo")
    folder = root / "cohorts/nev-class"
    (folder / "2027-01.yml").write_text("id: 2027-02\nstart: 2027-01-04\nsize: 10\nvenue: 车间\n", encoding="utf-8")
    (folder / "own.yml").write_text("id: 2026-11\nstart: 2026-11-16\nsize: 10\nvenue: 车间\n", encoding="utf-8")
    (folder / "mixed.yml").write_text("id: mixed\nstart: 2026-12-07\nsize: 10\nvenue: 车间\nmix: {skils: 100}\n"
                                      "extra: [battery-practicm]\n", encoding="utf-8")
    (folder / "small.yml").write_text("id: small\nstart: 2026-12-07\nsize: 0\nvenue: 车间\n", encoding="utf-8")
    (root / "cohorts/nev-clas").mkdir()
    code, out, _ = kebao("validate", root)
    assert code == 2
    lines = [line.replace(str(root) + "/", "") for line in out.splitlines()]
    assert lines == [
        "cohorts/nev-clas:1:1: 'nev-clas' is not a programme: cohort files go in "
        "cohorts/<programme>/<cohort-id>.yml (did you mean 'nev-class'?)",
        "cohorts/nev-class/2027-01.yml:1:1: id: the id '2027-02' is not the file's name (2027-01.yml) "
        "(write 'id: 2027-01', or rename the file to 2027-02.yml)",
        "cohorts/nev-class/mixed.yml:5:7: mix.skils: unknown strand 'skils' (did you mean 'skills'?)",
        "cohorts/nev-class/mixed.yml:6:9: extra[0]: unknown module 'battery-practicm' "
        "(did you mean 'battery-practicum'?)",
        "cohorts/nev-class/own.yml:1:1: id: the id '2026-11' is not the file's name (own.yml) "
        "(write 'id: own', or rename the file to 2026-11.yml)",
        "cohorts/nev-class/small.yml:3:1: size: Input should be greater than or equal to 1"]
    (folder / "own.yml").rename(folder / "2026-11.yml")
    code, out, _ = kebao("validate", root)
    assert "cohorts/nev-class/2026-11.yml:1:1: id: '2026-11' is the id of programme 'nev-class''s own cohort " \
           "(nev-class.yml) (give this cohort another id and name the file after it)" in out.replace(f"{root}/", "")


def test_set_gives_a_changed_cohort_its_own_id_and_a_reused_id_is_refused(tmp_path: Path) -> None:
    root = nev_only(tmp_path / "repo")
    out = tmp_path / "packs"
    code, printed, _ = kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run",
                             "--set", "start=2026-11-23", "--set", "venue=北京")
    assert code == 0
    first = printed.splitlines()[1].split()
    assert first[:2] == ["nev-class", "2026-11-20261123-" + first[1][-6:]] and first[2] == "build"
    again = kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run", "--set", "venue=北京",
                  "--set", "start=2026-11-23")[1]
    assert again.splitlines()[1].split()[1] == first[1]  # the same settings, the same id
    assert kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run", "--set", "start=2026-11-23")[1] \
        .splitlines()[1].split()[1] == "2026-11-20261123"
    assert kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run", "--lang", "zh",
                 "--set", "size=24")[1].splitlines()[1].split()[1] == "2026-11"  # nothing changed: its own pack
    for taken, where in (("2026-11", "the programme's own cohort (curricula/programmes/nev-class.yml)"),
                         ("2026-12", "defined in cohorts/nev-class/2026-12.yml")):
        code, _, err = kebao("pack", "nev-class", "--root", root, "--out", out, "--set", f"id={taken}",
                             "--set", "size=30")
        assert code == 2 and f"cohort '{taken}' of 'nev-class' is already {where}, with other parameters" in err
        assert "size " in err and "-> 30" in err and "--set id=" in err
    assert not out.exists()  # refused before anything was written


def test_pack_cohort_takes_a_cohort_files_id_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    root = nev_only(tmp_path / "repo")
    out = tmp_path / "packs"
    code, printed, _ = kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run", "--cohort", "2026-12")
    assert code == 0 and printed.splitlines()[1].split()[:3] == ["nev-class", "2026-12", "build"]
    code, _, err = kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run", "--cohort", "2026-13")
    assert code == 2 and "programme 'nev-class' has no cohort '2026-13' (did you mean" in err
    code, printed, _ = kebao("pack", "nev-class", "--root", root, "--out", out, "--dry-run",
                             "--cohort", root / "cohorts/nev-class/2026-12.yml")
    assert code == 0 and printed.splitlines()[1].split()[:2] == ["nev-class", "2026-12"]


def test_dry_run_lists_every_cohort(tmp_path: Path) -> None:
    root = nev_only(tmp_path / "repo")
    code, printed, err = kebao("pack", "--all", "--root", root, "--out", tmp_path / "packs", "--dry-run")
    assert code == 0
    rows = [line.split()[:4] for line in printed.splitlines()]
    assert rows == [["programme", "cohort", "would", "why"], ["nev-class", "2026-11", "build", "not"],
                    ["nev-class", "2026-12", "build", "not"]]
    assert "2 would be built" in err


def test_editing_a_cohort_file_changes_only_its_pack_and_the_batch_stamp(tmp_path: Path) -> None:
    root = nev_only(tmp_path / "repo")
    out = tmp_path / "packs"
    before, stamp = keys(root, out), sources_fingerprint(root, {}, NOTEBOOK, None)
    file = root / "cohorts/nev-class/2026-12.yml"
    file.write_text(SECOND.replace("size: 12", "size: 14"), encoding="utf-8")
    after = keys(root, out)
    assert {pack for pack in before if before[pack] != after[pack]} == {("nev-class", "2026-12")}
    assert sources_fingerprint(root, {}, NOTEBOOK, None) != stamp  # `pack --all` decides again, not from the stamp
    (root / "cohorts/nev-class/2027-03.yml").write_text(SECOND.replace("2026-12", "2027-03", 1), encoding="utf-8")
    added = keys(root, out)
    assert set(added) - set(after) == {("nev-class", "2027-03")}
    assert all(added[pack] == after[pack] for pack in after)


@pytest.mark.slow
@pytest.mark.kernel
def test_every_cohort_gets_its_own_pack_and_page_and_set_never_replaces_one(tmp_path: Path) -> None:
    from kebao.book.generate import page_files
    from kebao.catalog import load_catalog

    root = nev_only(tmp_path / "repo")
    out = root / "build/packs"
    results = build_all(root, out=out, workers=2, notebook=NOTEBOOK)
    assert [(r.programme, r.cohort, r.status) for r in results] == [("nev-class", "2026-11", "built"),
                                                                     ("nev-class", "2026-12", "built")]
    own, second = (r for r in results if isinstance(r, PackOutcome))
    assert second.folder == out / "nev-class/2026-12" and second.zip.name == "nev-class-2026-12.zip"
    manifest = json.loads((second.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["cohort"]["venue"] == "企业培训中心"
    zipped = own.zip.read_bytes()

    code, printed, _ = kebao("pack", "nev-class", "--root", root, "--out", out, "--set", "start=2026-11-23")
    assert code == 0 and "cohort 2026-11-20261123 of nev-class in" in printed
    assert (out / "nev-class/2026-11-20261123/nev-class-2026-11-20261123.zip").is_file()
    assert own.zip.read_bytes() == zipped  # the programme's own pack is untouched, byte for byte

    # An id that is not a cohort file's but whose pack holds other parameters: refused, nothing changed.
    folder = out / "nev-class/2026-11-20261123"
    files = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    code, _, err = kebao("pack", "nev-class", "--root", root, "--out", out, "--set", "id=2026-11-20261123",
                         "--set", "size=8")
    assert code == 2 and f"is already the pack in {folder.as_posix()}, with other parameters" in err
    assert "size 24 -> 8" in err and "start 2026-11-23 -> 2026-11-16" in err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == files

    page = page_files(root, load_catalog(root), out)["programmes/nev-class.md"].decode()
    section = page[page.index("## 班次"):page.index("## 学时分布")]
    assert "`2026-11`（默认班次）" in section and "`2026-12`" in section
    assert "2026-12-07 至 2026-12-08" in section and "企业培训中心" in section and "| 12 |" in section
    public, trainer = section.split("````{only} trainer", 1)[0], section.split("````{only} trainer", 1)[1]
    assert "nev-class-2026-12-学员手册.pdf" in public and "nev-class-2026-12-培训师指南" not in public
    assert "nev-class-2026-12-培训师指南.pdf" in trainer and "nev-class-2026-12.zip" in trainer
