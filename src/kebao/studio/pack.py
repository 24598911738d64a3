"""Generate a course pack from the studio: the programme's default cohort, built into the studio's packs folder.

The pack is built from the *saved* programme file (the pack notebook reads the
repository), by the same :func:`kebao.packs.build.build_pack` as ``kebao pack``;
it goes to its own folder so a trial never replaces a published pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..catalog import Catalog
from ..packs.build import PackOutcome, PackRequest, build_pack
from ..packs.files import name_of
from ..paths import PackAddress


@dataclass(frozen=True)
class StudioPack:
    """A pack built from the studio and the files a designer opens first."""

    outcome: PackOutcome

    @property
    def zip(self) -> Path:
        return self.outcome.zip

    @property
    def handbook(self) -> Path:
        return self.outcome.folder / name_of(PackAddress(self.outcome.programme, self.outcome.cohort), "handbook.html")

    @property
    def trainer_guide(self) -> Path:
        return self.outcome.folder / name_of(PackAddress(self.outcome.programme, self.outcome.cohort),
                                             "trainer-guide.html")


def generate_pack(root: Path, programme_id: str, *, out: Path | None = None, notebook: Path | None = None,
                  catalog: Catalog | None = None, timeout: float = paths.NOTEBOOK_TIMEOUT) -> StudioPack:
    """Build (or find fresh) the pack of ``programme_id``'s default cohort; KebaoError subclasses on failure."""
    # Absolute paths: the pack notebook's kernel runs in the repository, not in the studio's folder.
    root = Path(root).resolve()
    folder = Path(out).resolve() if out is not None else root / paths.STUDIO_PACKS
    request = PackRequest(root, programme_id, (), folder, notebook, timeout)
    return StudioPack(build_pack(request, catalog=catalog))
