"""``kebao book`` with nothing changed: decided from file stamps before Sphinx, pydantic or a kernel is loaded.

A successful build records a stamp per site edition (``paths.BOOK_STAMP``, :mod:`kebao.stamps`) of two
fingerprints:

* **sources**, taken *before* the build: every file of the repository by path, size and modification time
  (hidden folders, ``_build/``, ``build/``, the generated pages and the learner records aside, but for the
  certificates' verification lists, which the site publishes: :mod:`kebao.book.verify`), kebao's own code
  (the site's extension included), whether packs were built, and the fonts and tools (:mod:`kebao.packs.environment`:
  installed distributions, Sphinx and its theme among them, and the drawing libraries);
* **outputs**, taken *after* it: the generated pages, every file of the packs folder, and the edition's
  published site folder (replaced whole by each build, so its identity changes) with its index page.

The next ``kebao book`` recomputes both (milliseconds, standard library only) and stops when both match: the
packs' cache keys and Sphinx's own checks depend only on those files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .. import paths
from ..stamps import Stamp, digest, kebao_code, stat_line, tree
from .verify import list_files


def sources_fingerprint(root: Path, packs: bool, edition: paths.SiteEdition = "public") -> str:
    """The repository's sources, kebao's code, the fonts and tools, whether packs are built, and the edition."""
    from ..packs.environment import environment

    root = Path(root).resolve()

    def lines() -> Iterator[str]:
        yield f"kebao-book-sources\0packs={packs}\0edition={edition}"
        yield from (f"{name}\0{value}" for name, value in sorted(environment().items()))
        yield from tree(root, skip=(root / paths.HTML.parts[0], root / paths.PACKS.parts[0], root / paths.GENERATED,
                                    root / paths.RECORDS))  # of the records, the site shows only:
        yield from (stat_line(path) for path in list_files(root))  # the certificates' verification lists
        yield from kebao_code()

    return digest(lines())


def outputs_fingerprint(root: Path, edition: paths.SiteEdition = "public") -> str:
    """The generated pages, the packs folder and the edition's published folder and index page."""
    root = Path(root).resolve()

    def lines() -> Iterator[str]:
        yield "kebao-book-outputs"
        for folder in (paths.GENERATED, paths.PACKS):
            yield f"({folder.as_posix()})"
            yield from tree(root / folder, under=root)
        html = root / paths.site_folders(edition).html
        yield stat_line(html)
        yield stat_line(html / "index.html")

    return digest(lines())


class BookStamp(Stamp):
    """The sources as they were when ``kebao book`` started, against the last successful build's stamp."""

    def __init__(self, root: Path, packs: bool, edition: paths.SiteEdition = "public"):
        stamp = paths.BOOK_STAMP if edition == "public" else paths.BOOK_STAMP.with_name(
            f"{paths.BOOK_STAMP.stem}-{edition}{paths.BOOK_STAMP.suffix}")
        super().__init__(Path(root) / stamp, sources_fingerprint(root, packs, edition),
                         lambda: outputs_fingerprint(root, edition))
