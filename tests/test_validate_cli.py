"""`kebao validate` end to end, through the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .paths import FIXTURES, REPO

KEBAO = Path(sys.executable).with_name("kebao")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KEBAO), *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONWARNINGS": "error"}, timeout=120)


def test_valid_catalogue_exits_0() -> None:
    result = run("validate", FIXTURES / "catalog")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 modules" in result.stdout


def test_repository_content_is_valid() -> None:
    result = run("validate", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_planted_unknown_strand_and_duplicate_key_exit_2_naming_file_and_line(catalog_root: Path) -> None:
    module = catalog_root / "curricula/modules/hv-safety.md"
    module.write_text(module.read_text(encoding="utf-8").replace("strand: skills", "strand: skils"),
                      encoding="utf-8")
    programme = catalog_root / "curricula/programmes/nev-class.yml"
    lines = programme.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(5, "days: 4\n")  # line 6 duplicates 'days' from line 5
    programme.write_text("".join(lines), encoding="utf-8")

    result = run("validate", ".", cwd=catalog_root)
    assert result.returncode == 2
    out = result.stdout.splitlines()
    assert "curricula/modules/hv-safety.md:3:1: strand: unknown strand 'skils' (did you mean 'skills'?)" in out
    assert ("curricula/programmes/nev-class.yml:6:1: days: duplicate key 'days' (first given on line 5) "
            "(keep one of them)") in out
    assert "2 problem(s) found." in result.stderr


def test_json_format_lists_problems(catalog_root: Path) -> None:
    shutil.copytree(FIXTURES / "bad" / "unknown-field", catalog_root, dirs_exist_ok=True)
    result = run("validate", catalog_root, "--format", "json")
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert {(p["file"], p["line"], p["field"]) for p in report["problems"]} == {
        ("curricula/modules/smartphone-tools.md", 2, "hours"),
        ("curricula/modules/smartphone-tools.md", 5, "hour")}


def test_python_dash_m_and_help_do_not_import_heavy_modules() -> None:
    code = ("import sys; from kebao.cli import build_parser; build_parser().format_help(); "
            "heavy = {'pandas', 'matplotlib', 'pydantic', 'papermill', 'nbformat'} & set(sys.modules); "
            "print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
    module = subprocess.run([sys.executable, "-m", "kebao", "--version"], capture_output=True, text=True, timeout=60)
    assert module.returncode == 0 and module.stdout.startswith("kebao ")


def test_no_command_prints_help_and_exits_2() -> None:
    result = run()
    assert result.returncode == 2
    assert "validate" in result.stdout
