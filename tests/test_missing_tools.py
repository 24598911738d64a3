"""Issue 16: a missing Chinese font or a missing pango library, made missing for real, is one line and exit 3.

The font: fontconfig is pointed at a configuration whose only font folder is empty (``FONTCONFIG_FILE``), which
is all weasyprint would see. Pango: the library file is hidden behind ``/dev/null`` in a private mount
namespace of the command alone (``unshare``; root only, skipped otherwise), so the machine itself keeps it.
Each time the previous pack stays as it was and no process of the run is left.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kebao.system import cjk_fonts

from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"


def empty_fontconfig(folder: Path) -> Path:
    (folder / "fonts").mkdir(parents=True)
    config = folder / "fonts.conf"
    config.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
                      f"<dir>{folder / 'fonts'}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
                      encoding="utf-8")
    return config


def kebao(*args: str, env: dict[str, str] | None = None,
          prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "kebao", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})})


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != ".kebao.lock"}


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 3, result.stdout + result.stderr
    assert len(lines) == 1 and lines[0].startswith("kebao: error: "), result.stderr
    return lines[0]


def test_fontconfig_is_asked_what_it_finds(tmp_path: Path) -> None:
    if cjk_fonts() == 0:
        pytest.skip("no Chinese font installed here (Debian: fonts-noto-cjk)")
    config = empty_fontconfig(tmp_path)
    code = "from kebao.system import cjk_fonts; print(cjk_fonts())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "FONTCONFIG_FILE": str(config)})
    assert found.stdout.strip() == "0"


@pytest.mark.slow
@pytest.mark.kernel
def test_a_missing_font_or_pango_stops_before_the_build_and_keeps_the_pack(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()
    (root / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, root / "notebooks")  # where kebao check looks for it
    out = root / "build" / "packs"  # where kebao check builds them
    common = ("--root", str(root), "--out", str(out))
    built = kebao("pack", "nev-class", *common)
    assert built.returncode == 0, built.stdout + built.stderr
    before = files(out)

    nofont = {"FONTCONFIG_FILE": str(empty_fontconfig(tmp_path / "nofonts"))}
    line = one_error_line(kebao("pack", "nev-class", "--force", *common, env=nofont))
    assert "no Chinese (CJK) font" in line and "apt-get install fonts-noto-cjk" in line
    line = one_error_line(kebao("pack", "--all", "--force", *common, env=nofont))
    assert "fonts-noto-cjk" in line
    assert files(out) == before
    fresh = kebao("pack", "nev-class", *common, env=nofont)  # nothing to print: a fresh pack needs no font
    assert fresh.returncode == 0, fresh.stderr
    module = root / "curricula" / "modules" / "battery-practicum.md"
    module.write_text(module.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")  # the pack is stale
    checked = kebao("check", str(root), "--skip", "notebooks", "--skip", "cases", "--skip", "book", "--skip", "links",
                    env=nofont)
    last = checked.stderr.strip().splitlines()[-1]
    assert checked.returncode == 3 and last.startswith("kebao: error: no Chinese (CJK) font"), checked.stderr
    assert "Traceback" not in checked.stderr and files(out) == before

    pango = ctypes.util.find_library("pango-1.0")
    if os.geteuid() != 0 or shutil.which("unshare") is None or pango is None:
        pytest.skip("hiding the pango library in a private mount namespace needs root and unshare")
    library = Path("/usr/lib/x86_64-linux-gnu" if Path("/usr/lib/x86_64-linux-gnu", pango).exists() else "/usr/lib")
    target = (library / pango).resolve()
    hide = ("unshare", "--mount", "--propagation", "private", "sh", "-c",
            f'mount --bind /dev/null "{target}" && exec "$@"', "hide-pango")
    line = one_error_line(kebao("pack", "nev-class", "--force", *common, prefix=hide))
    assert "pango" in line and "apt-get install libpango-1.0-0" in line
    assert files(out) == before
    assert Path(target).stat().st_size > 1000  # the machine still has it
