"""Where things are: the repository layout, pack addresses, build folders, and the defaults.

Every path kebao reads or writes in a curriculum repository, and every default
a command shares with another (a notebook's time limit, parallel jobs), is
spelled here once; the rest of kebao names these constants. Paths are relative
to the repository root unless a function takes a root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import PackError

# -- the repository --------------------------------------------------------------------------------
CURRICULA = Path("curricula")
STRANDS = CURRICULA / "strands.yml"
AUDIENCES = CURRICULA / "audiences.yml"
HOLIDAYS = CURRICULA / "holidays.yml"  # optional: holiday arrangements for years chinesecalendar lacks
MODULES = CURRICULA / "modules"  # <id>.md
PROGRAMMES = CURRICULA / "programmes"  # <id>.yml
HANDOUTS = CURRICULA / "handouts"  # <id>.md: worksheets and handouts that modules' materials name (schema 2)
CASES = Path("cases")  # <id>.md, data files under it
COHORTS = Path("cohorts")  # <programme>/<cohort-id>.yml: a programme's further cohorts, each with its own pack
NOTEBOOKS = Path("notebooks")
PACK_NOTEBOOK = NOTEBOOKS / "course_pack.ipynb"

# -- what kebao builds (git-ignored) -----------------------------------------------------------------
PACKS = Path("build/packs")  # <programme>/<cohort>/ (see PackAddress)
STUDIO_PACKS = Path("build/studio-packs")  # trial packs from the design studio: never the published ones
ZIP_NAME = "{programme}-{cohort}.zip"  # a pack's zip, inside its folder (a row of kebao.packs.files)
FAILED = "_failed"  # under a packs folder: the last failed build of each pack
CASE_RUNS = "_cases"  # under a packs folder: each case notebook executed once, shared by the packs that read it
GENERATED = Path("book/generated")  # the site's pages made from the catalogue
HTML = Path("_build/html")  # the built site, as readers see it (published whole by kebao.atomic.replace_folder)
SPHINX_HTML = Path("_build/.html-sphinx")  # Sphinx's own incremental output, copied to HTML after a clean build
DOCTREES = Path("_build/.doctrees")  # Sphinx's saved environment
TRAINER_SITE = Path("_build/trainer")  # the trainer site's own html/, .html-sphinx/ and .doctrees/ (site_folders)
JUPYTER_CACHE = Path("_build/.jupyter_cache")  # executed cases (jupyter-cache), shared by both sites
RECORDS = Path("records")  # learner records (personal data): git-ignored, never published (docs/records.md)
CERTIFICATES = RECORDS / "certificates"  # <programme>/<cohort>/: PDFs (personal) and the verification list
RECORDS_DATABASE = RECORDS / "kebao.sqlite"  # the default records database, unless --database or KEBAO_DATABASE_URL
BOOK_STAMP = Path("_build/.kebao-book-stamp.json")  # what the last successful `kebao book` saw (book/nochange.py)

SiteEdition = Literal["public", "trainer"]
SITE_EDITIONS: tuple[SiteEdition, ...] = ("public", "trainer")


@dataclass(frozen=True)
class SiteFolders:
    """Where one edition of the site is built, relative to the repository root."""

    html: Path  # the published site
    sphinx: Path  # Sphinx's own incremental output
    doctrees: Path  # Sphinx's saved environment: one per edition, since the editions read pages differently


def site_folders(edition: SiteEdition) -> SiteFolders:
    """The public site in ``_build/html``; the trainer site beside it in ``_build/trainer/html``."""
    if edition == "public":
        return SiteFolders(HTML, SPHINX_HTML, DOCTREES)
    return SiteFolders(TRAINER_SITE / "html", TRAINER_SITE / ".html-sphinx", TRAINER_SITE / ".doctrees")


# -- defaults shared by commands ----------------------------------------------------------------------
NOTEBOOK_TIMEOUT = 600.0  # wall-clock seconds one notebook (pack, case, check run) may take
JOBS = 2  # packs, notebooks and cases run at once
# Sphinx processes of `kebao book`: reading and writing in 2 processes gave the same site, byte for byte, and
# on a quiet 2-CPU machine took 31-34 s where one process took 36-42 s (docs/speed.md); one on a 1-CPU machine.
SITE_JOBS = 2 if (os.cpu_count() or 1) >= 2 else 1


@dataclass(frozen=True)
class PackAddress:
    """Where one cohort's pack of a programme lives under a packs folder, and its zip's name.

    Both parts are ids (lowercase ASCII slugs, checked by the model); a name
    starting with ``_`` is refused here because ``_failed`` lives beside them.
    """

    programme: str
    cohort: str

    def __post_init__(self) -> None:
        for what, name in (("programme", self.programme), ("cohort", self.cohort)):
            if not name or name in (".", "..") or any(c in name for c in "/\\:\0") or name.startswith("_"):
                raise PackError(f"{what} {name!r} cannot be a folder name", "use an id like 'rural-revival'")

    @property
    def relative(self) -> Path:
        """``<programme>/<cohort>``, relative to a packs folder."""
        return Path(self.programme) / self.cohort

    def folder(self, packs: Path) -> Path:
        return Path(packs) / self.relative

    def failed(self, packs: Path) -> Path:
        """Where the last failed build of this pack is kept."""
        return Path(packs) / FAILED / self.relative

    @property
    def zip_name(self) -> str:
        return ZIP_NAME.format(programme=self.programme, cohort=self.cohort)

    def zip(self, packs: Path) -> Path:
        return self.folder(packs) / self.zip_name
