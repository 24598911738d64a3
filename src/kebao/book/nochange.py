"""``kebao book`` with nothing changed: decided from file stamps before Sphinx, pydantic or a kernel is loaded.

A successful build records a stamp (``paths.BOOK_STAMP``) of two fingerprints:

* **sources**, taken *before* the build: every file of the repository by path, size and modification time
  (hidden folders, ``_build/``, ``build/`` and the generated pages aside), kebao's own code (the site's
  extension included), whether packs were built, and the fonts and tools (:mod:`kebao.packs.environment`:
  installed distributions, Sphinx and its theme among them, and the drawing libraries);
* **outputs**, taken *after* it: the generated pages, every file of the packs folder, and the published site
  folder (replaced whole by each build, so its identity changes) with its index page.

The next ``kebao book`` recomputes both (a few milliseconds, standard library only) and stops when both match:
the packs' cache keys and Sphinx's own checks depend only on those files. A source edited *during* a build
differs from the sources fingerprint taken before it, so it is not missed; a build that starts removes the
stamp, so a failed build never leaves one behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from .. import paths

_VERSION = 1
_SKIP_DIRS = {"__pycache__", "node_modules"}
_SKIP_TOP = {paths.HTML.parts[0], paths.PACKS.parts[0]}  # _build, build: outputs, fingerprinted apart


def _stats(folder: Path, *, top: bool = False, under: Path | None = None) -> Iterator[str]:
    """``relative path, size, mtime`` of every file under ``folder`` (hidden names skipped), sorted."""
    base = under if under is not None else folder
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS
                         and not (top and here == folder and d in _SKIP_TOP)
                         and (here / d) != base / paths.GENERATED)
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = here / name
            try:
                found = path.stat()
            except OSError:
                continue
            yield f"{path.relative_to(base).as_posix()}\0{found.st_size}\0{found.st_mtime_ns}"


def _digest(lines: Iterator[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def sources_fingerprint(root: Path, packs: bool) -> str:
    """The repository's sources, kebao's code, the fonts and tools, and whether packs are built."""
    from ..packs.environment import environment

    root = Path(root).resolve()
    package = Path(__file__).resolve().parent.parent

    def lines() -> Iterator[str]:
        yield f"kebao-book-sources/{_VERSION}\0packs={packs}"
        yield from (f"{name}\0{value}" for name, value in sorted(environment().items()))
        yield from _stats(root, top=True)
        yield "(kebao)"
        yield from _stats(package)

    return _digest(lines())


def outputs_fingerprint(root: Path) -> str:
    """The generated pages, the packs folder and the published site's folder and index page."""
    root = Path(root).resolve()

    def lines() -> Iterator[str]:
        yield f"kebao-book-outputs/{_VERSION}"
        for folder in (paths.GENERATED, paths.PACKS):
            yield f"({folder.as_posix()})"
            if (root / folder).is_dir():
                yield from _stats(root / folder, under=root)
        for published in (root / paths.HTML, root / paths.HTML / "index.html"):
            try:
                found = published.stat()
            except OSError:
                yield f"{published.name}\0missing"
                continue
            yield f"{published.name}\0{found.st_ino}\0{found.st_size}\0{found.st_mtime_ns}"

    return _digest(lines())


class BookStamp:
    """The sources as they were when ``kebao book`` started; compare with the last build's stamp, or record."""

    def __init__(self, root: Path, packs: bool):
        self.root = Path(root)
        self.packs = packs
        self.sources = sources_fingerprint(self.root, packs)

    @property
    def file(self) -> Path:
        return self.root / paths.BOOK_STAMP

    def unchanged(self) -> bool:
        """True when the last successful build had these sources and its outputs are as it left them."""
        try:
            recorded = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (isinstance(recorded, dict) and recorded.get("version") == _VERSION
                and recorded.get("sources") == self.sources
                and recorded.get("outputs") == outputs_fingerprint(self.root))

    def forget(self) -> None:
        """Remove the last build's stamp (a build is starting; it may fail)."""
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass

    def record(self) -> None:
        """After a successful build: the sources as they were at its start, the outputs as they are now."""
        from ..atomic import write_atomic

        document = {"version": _VERSION, "sources": self.sources, "outputs": outputs_fingerprint(self.root)}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.file, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
