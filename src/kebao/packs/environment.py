"""What outside kebao shapes a pack's bytes: the fonts fontconfig can pick, the libraries and tools that draw.

Two fingerprints go into every pack's cache key (:mod:`.freshness`):

* ``fonts``: every font file in fontconfig's font folders and every fontconfig configuration file, by path,
  size and modification time. The handbook's CSS and the charts name a list of families and let fontconfig
  (weasyprint through Pango, matplotlib by name) pick the first installed one, so installing, removing or
  upgrading *any* font file can change which file draws the hanzi; that is why all of them count, not only the
  Noto CJK collection in use today. Stat only: no file is read, and no ``fc-match`` process (60 ms each) runs.
* ``tools``: Python's version, the installed distributions (their ``*.dist-info`` names carry name and version:
  weasyprint, pydyf, fonttools, matplotlib, nbconvert, pandas, openpyxl …) and the shared libraries weasyprint
  loads (Pango, HarfBuzz and its subsetter, cairo, fontconfig, FreeType), by their real file name, which carries
  the version, and size.

Both are computed once per process; a no-change run spends about a millisecond on them.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

FONTCONFIG = Path("/etc/fonts")
# fontconfig's usual font folders; those named by <dir> in fonts.conf are added (see font_folders).
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
LIBRARY_FOLDERS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib",
                   "/usr/local/lib", "/opt/homebrew/lib")
LIBRARIES = ("libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libharfbuzz.so.0", "libharfbuzz-subset.so.0",
             "libcairo.so.2", "libfontconfig.so.1", "libfreetype.so.6")
_DIR = re.compile(r"<dir(?:\s+prefix=\"(\w+)\")?\s*>([^<]+)</dir>")


def font_folders(config: Path = FONTCONFIG) -> list[Path]:
    """The folders fontconfig looks for fonts in: the usual ones and those ``fonts.conf`` names."""
    named = list(FONT_FOLDERS)
    try:
        text = (config / "fonts.conf").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    data_home = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    for prefix, folder in _DIR.findall(text):
        named.append(f"{data_home}/{folder.strip()}" if prefix == "xdg" else folder.strip())
    return [Path(os.path.expanduser(folder)) for folder in dict.fromkeys(named)]


def _stat_tree(folders: Iterable[Path]) -> Iterator[str]:
    for folder in folders:
        for top, dirs, files in os.walk(folder, followlinks=True):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(top, name)
                try:
                    found = os.stat(path)
                except OSError:
                    continue
                yield f"{path}\0{found.st_size}\0{found.st_mtime_ns}"


def fonts_fingerprint(folders: Iterable[Path] | None = None, config: Path = FONTCONFIG) -> str:
    """A hash of every font file fontconfig may use and of its configuration (paths, sizes, times)."""
    folders = list(folders) if folders is not None else font_folders(config)
    digest = hashlib.sha256(b"kebao-fonts/1")
    for line in _stat_tree([*folders, config]):
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def _distributions() -> Iterator[str]:
    """The installed distributions of this Python's site folders (not of ``sys.path``: its entries depend on
    the working folder and PYTHONPATH, which shape no pack; kebao's own code is in the key by its digest)."""
    import sysconfig

    folders = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        yield from sorted(name for name in names if name.endswith((".dist-info", ".egg-info")))


def _libraries() -> Iterator[str]:
    for library in LIBRARIES:
        for folder in LIBRARY_FOLDERS:
            path = os.path.join(folder, library)
            if os.path.exists(path):
                real = os.path.realpath(path)
                yield f"{library}\0{os.path.basename(real)}\0{os.stat(real).st_size}"
                break


def tools_fingerprint() -> str:
    """A hash of Python's version, the installed distributions' names and versions, and the drawing libraries."""
    digest = hashlib.sha256(b"kebao-tools/1")
    for line in (sys.version, *_distributions(), *_libraries()):
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


@cache
def environment() -> dict[str, str]:
    """The fonts and tools fingerprints of this process's machine (computed once)."""
    return {"fonts": fonts_fingerprint(), "tools": tools_fingerprint()}
