"""Build course packs: decide, check the cache, run the notebook, export, bundle, publish.

The order of the steps matters and is stated here once:

1. ``open_pack`` composes and schedules, so a bad request fails before any kernel starts;
2. the notebook's declared parameters are checked (names, types);
3. the cache key (notebook, parameters, input files, engine) is compared with the pack's manifest;
4. the notebook runs with papermill in a fresh (pre-started) kernel and writes the data files;
5. the executed notebook becomes the handbook and the trainer guide (HTML, PDF);
6. manifest.json, then the zip, are written and the folder replaces the old pack atomically.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .. import __version__
from ..catalog import Catalog, load_catalog, load_catalog_cached
from .context import PackContext, open_pack

PACK_NOTEBOOK = Path("notebooks/course_pack.ipynb")
DEFAULT_OUT = Path("build/packs")
DEFAULT_TIMEOUT = 600.0
# Imported by the kernel template (or by each kernel while it boots, where kernels cannot be forked): the
# notebook's own modules, and warmup, which loads the Chinese font and the file writers' libraries.
KERNEL_PRELOAD = ("pandas", "matplotlib.figure", "kebao.packs.page", "kebao.packs.context", "kebao.packs.warmup")


@dataclass(frozen=True)
class PackRequest:
    """One pack to build; picklable, so a worker process can build it (it is a zero-argument job)."""

    root: Path
    programme: str
    settings: tuple[str, ...] = ()
    out: Path = DEFAULT_OUT
    notebook: Path | None = None  # default: <root>/notebooks/course_pack.ipynb
    timeout: float = DEFAULT_TIMEOUT
    force: bool = False

    @property
    def notebook_path(self) -> Path:
        return self.notebook if self.notebook is not None else self.root / PACK_NOTEBOOK

    def __call__(self) -> PackOutcome:
        from .kernels import worker_pool

        return build_pack(self, kernel=worker_pool())

    def kernel_hint(self) -> tuple[str, Path]:
        """The kernel a worker may start before this job arrives (see kernels.run_batch)."""
        return "python3", Path(self.root).resolve()


@dataclass(frozen=True)
class PackOutcome:
    """What happened to one pack."""

    programme: str
    cohort: str
    status: Literal["built", "fresh"]
    folder: Path
    zip: Path
    seconds: float = 0.0


@dataclass(frozen=True)
class _Prepared:
    ctx: PackContext
    parameters: dict[str, Any]
    inputs: dict[str, Path]
    key: str
    folder: Path
    zip: Path = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zip", self.folder / f"{self.ctx.programme.id}-{self.ctx.cohort.id}.zip")


def pack_inputs(ctx: PackContext) -> dict[str, Path]:
    """Every content file the pack is made from, by repository-relative name.

    Modules are those the programme could choose from (named ones, pools, and
    every module of a pooled strand), so editing one only invalidates the packs
    that use or might use it.
    """
    catalog, programme = ctx.catalog, ctx.programme
    named = {*programme.required, *(v.module for v in programme.site_visits), *ctx.cohort.extra,
             *(m for pool in programme.pools for m in pool.modules), *ctx.plan.modules}
    pooled = {s for pool in programme.pools for s in pool.strands}
    modules = {m.id for m in catalog.modules.values() if m.id in named or m.strand in pooled}
    files = [catalog.root / "curricula" / "strands.yml", catalog.root / "curricula" / "audiences.yml",
             *(catalog.locate(catalog.modules[m]).file for m in modules),
             catalog.locate(programme).file]
    if catalog.holidays is not None:  # the dates of every pack may depend on it
        files.append(catalog.root / "curricula" / "holidays.yml")
    for module_id in ctx.plan.modules:
        for case_id in catalog.modules[module_id].cases:
            case = catalog.cases[case_id]
            files.append(catalog.locate(case).file)
            files.extend(catalog.root / "cases" / name for name in case.data)
    root = catalog.root.resolve()
    return {path.resolve().relative_to(root).as_posix(): path for path in sorted(set(files))}


@cache
def engine_digest() -> str:
    """A hash of the kebao code and templates packs are made with: a changed engine rebuilds every pack.

    The site (book/, sphinxext.py), the command line (cli/), `kebao check`, the studio and the templates of
    `kebao new` do not shape packs and are left out.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith(("book/", "cli/", "check/", "studio/", "templates/new/", "sphinxext.py",
                                "scaffold.py")):
            continue
        if path.suffix in (".py", ".css", ".html", ".md", ".yml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepare(request: PackRequest, catalog: Catalog | None = None) -> _Prepared:
    """Steps 1–3: decide the pack and its cache key; raises before any kernel starts."""
    from .cache import cache_key
    from .run import check_parameters

    if catalog is None:  # a batch worker builds many packs from the same files
        catalog = load_catalog_cached(request.root)
    ctx = open_pack(request.root, request.programme, settings=request.settings, catalog=catalog)
    parameters = check_parameters(request.notebook_path, {
        "root": str(Path(request.root).resolve()), "programme": ctx.programme.id,
        "overrides": list(request.settings), "edition": "trainer"})
    inputs = pack_inputs(ctx)
    keyed = {k: v for k, v in parameters.items() if k != "root"}  # moving the repository keeps the cache
    key = cache_key(request.notebook_path, keyed, inputs.values(), f"{__version__}+{engine_digest()}",
                    root=Path(request.root))
    folder = Path(request.out) / ctx.programme.id / ctx.cohort.id
    return _Prepared(ctx, parameters, inputs, key, folder)


def is_fresh(prepared: _Prepared) -> bool:
    from .cache import is_fresh as manifest_fresh

    return prepared.zip.is_file() and manifest_fresh(prepared.folder, prepared.key)


def build_pack(request: PackRequest, *, kernel: Any = None, catalog: Catalog | None = None) -> PackOutcome:
    """Build one pack (or find it fresh); raises KebaoError subclasses on failure, old pack untouched."""
    from .bundle import make_zip, publish_pack, write_manifest
    from .export import write_editions
    from .page import DATA_FILES
    from .run import PackError, execute_notebook

    started = time.perf_counter()
    prepared = prepare(request, catalog)
    ctx = prepared.ctx
    if not request.force and is_fresh(prepared):
        return PackOutcome(ctx.programme.id, ctx.cohort.id, "fresh", prepared.folder, prepared.zip,
                           time.perf_counter() - started)
    own_pool = None
    if kernel is None:  # one pack: start its kernel now, so it boots while we hash, import and export
        from .kernels import KernelPool

        kernel = own_pool = KernelPool(prestart=False, preload=KERNEL_PRELOAD)
        kernel.warm("python3", Path(request.root).resolve())

    def build(folder: Path) -> None:
        executed = folder / "course_pack.ipynb"
        nb = execute_notebook(request.notebook_path, executed, {**prepared.parameters, "out": str(folder.resolve())},
                              cwd=Path(request.root), timeout=request.timeout, kernel=kernel)
        missing = [name for name in DATA_FILES if not (folder / name).is_file()]
        if missing:
            raise PackError(f"the notebook ran but did not write {', '.join(missing)} into the pack folder "
                            "(a pack notebook writes its files into its `out` parameter, see page.write_files)")
        write_editions(nb, folder, ctx.title, ctx.cohort_label, ctx.language)
        executed.unlink()
        manifest_parameters = {"programme": ctx.programme.id, "settings": list(request.settings),
                               "cohort": ctx.cohort.model_dump(mode="json"), "edition": "trainer+participant"}
        write_manifest(folder, manifest_parameters, prepared.inputs, cache_key=prepared.key,
                       repository=Path(request.root))
        make_zip(folder, folder / prepared.zip.name)

    try:
        publish_pack(build, Path(request.out), ctx.programme.id, ctx.cohort.id)
    finally:
        if own_pool is not None:
            own_pool.close()
    return PackOutcome(ctx.programme.id, ctx.cohort.id, "built", prepared.folder, prepared.zip,
                       time.perf_counter() - started)


@dataclass(frozen=True)
class BatchResult:
    """One line of the ``--all`` summary."""

    programme: str
    cohort: str
    status: Literal["built", "fresh", "failed"]
    seconds: float
    detail: str  # the zip path, or the error


def build_all(root: Path, programmes: Sequence[str] | None = None, *, settings: Sequence[str] = (),
              out: Path = DEFAULT_OUT, workers: int = 2, notebook: Path | None = None, force: bool = False,
              timeout: float = DEFAULT_TIMEOUT, executor: Any = None,
              progress: Callable[[int, int], None] | None = None) -> list[BatchResult]:
    """Build every programme's default pack (or ``programmes``); fresh packs are skipped without a kernel.

    Failures do not stop the others; each programme gets one BatchResult, in order.
    """
    from ..errors import KebaoError
    from .kernels import run_batch

    catalog = load_catalog(root)
    ids = list(programmes) if programmes is not None else sorted(catalog.programmes)
    results: dict[str, BatchResult] = {}
    stale: list[PackRequest] = []
    size: dict[str, int] = {}
    for programme in ids:
        request = PackRequest(root, programme, tuple(settings), out, notebook, timeout, force)
        try:
            prepared = prepare(request, catalog)
        except KebaoError as error:
            results[programme] = BatchResult(programme, "", "failed", 0.0, str(error))
            continue
        if not force and is_fresh(prepared):
            results[programme] = BatchResult(programme, prepared.ctx.cohort.id, "fresh", 0.0, str(prepared.zip))
        else:
            stale.append(request)
            size[programme] = len(prepared.ctx.timetable.sessions)
    done = len(results)
    if progress is not None:
        progress(done, len(ids))
    if stale:
        # Longest first, so that no worker is left with a big pack at the end while the others idle.
        stale.sort(key=lambda request: -size[request.programme])

        def report(finished: int, total: int, result: Any) -> None:
            if progress is not None:
                progress(done + finished, len(ids))

        jobs = run_batch(stale, workers=workers, executor=executor, progress=report, preload=KERNEL_PRELOAD)
        for request, job in zip(stale, jobs, strict=True):
            outcome = job.value
            if job.ok and outcome is not None:
                results[request.programme] = BatchResult(request.programme, outcome.cohort, outcome.status,
                                                         outcome.seconds, str(outcome.zip))
            else:
                results[request.programme] = BatchResult(request.programme, "", "failed", job.seconds,
                                                         str(job.error) if job.error else job.error_text)
    return [results[programme] for programme in ids]


