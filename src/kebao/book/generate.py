"""Generate the site's pages from the catalogue and the packs into the generated folder (``paths.GENERATED``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths
from ..catalog import Catalog, load_catalog
from ..errors import BookError, KebaoError
from .files import SyncReport, sync_folder
from .pages import cases_index, module_page, module_users, modules_index
from .programmes import chart_name, find_pack, programme_page, programmes_index

if TYPE_CHECKING:  # pragma: no cover
    from ..packs.context import PackContext

@dataclass(frozen=True)
class Generated:
    """The generated pages: what changed on disk, and how many of each kind."""

    report: SyncReport
    programmes: int
    modules: int
    cases: int


def page_files(root: Path, catalog: Catalog, packs: Path = paths.PACKS,
               decided: Mapping[str, PackContext] | None = None) -> dict[str, bytes]:
    """Every generated file (path relative to the generated folder -> bytes); BookError listing all problems.

    ``decided`` holds programmes' default packs already decided (by the pack build, which built them or found
    them fresh); the others are decided here. A decided pack's hours chart is the pack's own figure.
    """
    from ..cohort import cohorts_of
    from ..packs.context import decide

    files: dict[str, bytes] = {}
    contexts: list[PackContext] = []
    problems: list[str] = []
    hints: dict[str, None] = {}
    for programme_id in sorted(catalog.programmes):
        try:
            known = (decided or {}).get(programme_id)
            ctx = known if known is not None else decide(catalog, programme_id)
            pack = find_pack(root, packs, programme_id, ctx.cohort.id)
        except BookError as error:
            problems.append(error.message)
            hints[error.hint] = None
            continue
        except KebaoError as error:
            problems.append(f"programme '{programme_id}': {error}")
            hints[f"`kebao plan {programme_id}` shows the problem"] = None
            continue
        try:
            others = [(other, find_pack(root, packs, programme_id, other.cohort.id))
                      for cohort in cohorts_of(catalog, programme_id)[1:]
                      for other in [decide(catalog, programme_id, cohort=cohort)]]
        except BookError as error:
            problems.append(error.message)
            hints[error.hint] = None
            continue
        except KebaoError as error:
            problems.append(f"programme '{programme_id}': {error}")
            hints[f"`kebao pack {programme_id} --cohort COHORT-ID --dry-run` shows the problem"] = None
            continue
        contexts.append(ctx)
        files[f"programmes/{programme_id}.md"] = programme_page(ctx, pack, others).encode()
        key = chart_key(ctx)
        files[f"programmes/.{programme_id}-hours.key"] = key.encode()
        drawn = root / pack.folder / "figures" / "hours-per-strand.png" if known is not None else None
        files[f"programmes/{chart_name(programme_id)}"] = hours_png(ctx, key, root / paths.GENERATED / "programmes",
                                                                    drawn)
    if problems:
        raise BookError(f"cannot generate {len(problems)} programme page(s):", "; ".join(hints), details=problems)
    files["programmes.md"] = programmes_index(contexts).encode()
    users = module_users({ctx.programme.id: ctx.plan.modules for ctx in contexts}, catalog)
    for module in catalog.modules.values():
        files[f"modules/{module.id}.md"] = module_page(catalog, module, users.get(module.id, [])).encode()
    files["modules.md"] = modules_index(catalog).encode()
    files["cases.md"] = cases_index(catalog).encode()
    return files


def chart_key(ctx: PackContext) -> str:
    """A hash of everything the hours chart is drawn from: its rows, the strand colours and the drawing code."""
    from .. import charts
    from ..packs import page

    rows = [(s.id, ctx.catalog.strands[s.id].name.in_language(ctx.language), s.target_hours, s.hours)
            for s in ctx.plan.strands]
    colours = sorted((s.id, s.colour) for s in ctx.catalog.strands.values())
    digest = hashlib.sha256(repr((rows, colours, ctx.language)).encode())
    for module in (charts, page):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


def hours_png(ctx: PackContext, key: str, folder: Path, drawn: Path | None = None) -> bytes:
    """The programme's hours chart as PNG; the one on disk when its key is unchanged (matplotlib is slow to load),
    else ``drawn``, the same chart of the same plan its pack drew (``figures/hours-per-strand.png`` of a pack
    built or found fresh for ``ctx``: the pack's kernel draws it with the same code, byte for byte), else drawn
    here (0.3-0.6 s a chart, a cold book's 16 charts were most of its pages' time)."""
    png, saved = folder / chart_name(ctx.programme.id), folder / f".{ctx.programme.id}-hours.key"
    if png.is_file() and saved.is_file() and saved.read_text(encoding="utf-8") == key:
        return png.read_bytes()
    if drawn is not None and drawn.is_file():
        return drawn.read_bytes()
    from .. import charts
    from ..packs.page import hours_figure

    return charts.png(hours_figure(ctx))


def generate(root: Path, catalog: Catalog | None = None, packs: Path = paths.PACKS,
             decided: Mapping[str, PackContext] | None = None) -> Generated:
    """Write the generated folder under ``root`` (only changed files); ContentError or BookError on problems."""
    catalog = catalog if catalog is not None else load_catalog(root)
    files = page_files(root, catalog, packs, decided)
    report = sync_folder(root / paths.GENERATED, files)
    return Generated(report, len(catalog.programmes), len(catalog.modules), len(catalog.cases))
