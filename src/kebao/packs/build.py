"""Build course packs: decide, check the cache, run the notebook, write the pack files, publish.

The order of the steps matters and is stated here once:

1. :func:`decide_pack` composes and schedules (once per pack), so a bad request fails before any kernel starts
   (so does a provisional calendar, 暂定, when the request is ``strict_calendar``, and a cohort id that another
   cohort's pack holds: :mod:`.identity`);
2. the notebook's declared parameters are checked (names, types);
3. the cache key (:mod:`.freshness`: notebook, parameters, the files the pack is made of, the front matter of
   the modules the composer considered, engine, fonts and tools, and where each year's holidays come from) is
   compared with the pack's manifest (:func:`decide_all` with :meth:`DecidedPack.reasons` says why without
   building: ``kebao pack --all --dry-run``);
4. the cases the pack prints run if they have not run since they last changed (:mod:`.caseruns`, shared by
   every pack under the same packs folder), then the notebook runs with papermill in a fresh (pre-started)
   kernel, reading the decided pack and the cases' outputs;
5. the pack-file table's writers run in order (:mod:`.files`): the handbook and the trainer guide
   from the executed notebook, the timetable, sheets and figures, then the manifest, then the zip;
6. the new folder replaces the old pack atomically; a failure keeps the old pack and records itself
   under ``_failed``.

The output folder is locked for the whole run (:mod:`kebao.guard`), so what an interrupted run left
(``.<cohort>.building-*``) is swept by the next publish of the same pack.

In a batch (:func:`build_all`) steps 1–3 run in this process for every pack; only stale packs go to
the workers, each as its decided pack, which the worker, the kernel and the site then reuse.
"""

from __future__ import annotations

import concurrent.futures as futures
import hashlib
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from .. import __version__, paths
from ..catalog import Catalog, load_catalog
from ..cohort import cohort_of, cohorts_of
from ..errors import KebaoError, PackError
from ..guard import folder_lock
from ..holidaydata import require_official, sources
from ..model import Cohort
from ..notebooks.parameters import check_parameters
from ..system import require_pack_tools
from .bundle import sweep_packs
from .cache import is_fresh, key_of
from .context import PackContext, decide, save_decided
from .environment import environment
from .freshness import explain, key_parts, pack_inputs
from .identity import require_own_folder

# Imported by the kernel template (or by each kernel while it boots, where kernels cannot be forked): the
# notebook's own modules, and warmup, which loads the Chinese font.
KERNEL_PRELOAD = ("pandas", "matplotlib.figure", "kebao.packs.page", "kebao.packs.context", "kebao.packs.warmup")


@dataclass(frozen=True)
class PackRequest:
    """One pack to build: a programme, its cohort (default: the programme's) and settings applied to it."""

    root: Path
    programme: str
    settings: tuple[str, ...] = ()  # `--set key=value` cohort settings (kebao.cohort)
    out: Path = paths.PACKS
    notebook: Path | None = None  # default: <root>/notebooks/course_pack.ipynb
    timeout: float = paths.NOTEBOOK_TIMEOUT
    force: bool = False
    cohort: Cohort | None = None  # e.g. read from a cohort file; None: the programme's default cohort
    strict_calendar: bool = False  # refuse a provisional calendar (a year without the official arrangement)
    cohort_id: str | None = None  # one of the programme's cohorts by id (its own or a cohort file's); not with cohort

    @property
    def notebook_path(self) -> Path:
        return self.notebook if self.notebook is not None else self.root / paths.PACK_NOTEBOOK


@dataclass(frozen=True)
class PackOutcome:
    """A pack built, or found fresh; ``context`` is its decided pack (in the process that decided it)."""

    programme: str
    cohort: str
    status: Literal["built", "fresh"]
    folder: Path
    zip: Path
    seconds: float = 0.0
    context: PackContext | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PackFailure:
    """A pack that could not be decided or built, and why; the previous pack (if any) is untouched."""

    programme: str
    cohort: str  # "" when the cohort could not be decided
    error: KebaoError
    seconds: float = 0.0
    status: Literal["failed"] = "failed"


BatchResult = PackOutcome | PackFailure


@dataclass(frozen=True)
class DecidedPack:
    """A pack decided in this process (steps 1–3): what the notebook, the writers and the cache need.

    Picklable: a batch sends it to a worker as a zero-argument job (see kebao.notebooks.batch).
    """

    request: PackRequest
    ctx: PackContext
    parameters: dict[str, Any]  # the notebook's, checked; `decided` is added when it runs
    inputs: dict[str, Path]
    key: str
    parts: dict[str, str] = field(default_factory=dict)  # the key's named parts (kebao.packs.freshness)

    @property
    def folder(self) -> Path:
        return self.ctx.address.folder(self.request.out)

    @property
    def zip(self) -> Path:
        return self.ctx.address.zip(self.request.out)

    def fresh(self) -> bool:
        return self.zip.is_file() and is_fresh(self.folder, self.key)

    def reasons(self) -> list[str]:
        """Why this pack would be rebuilt (which input changed), or [] when it is fresh."""
        return explain(self.folder, self.key, self.parts, require=(self.zip,))

    def outcome(self, status: Literal["built", "fresh"], seconds: float) -> PackOutcome:
        return PackOutcome(self.ctx.programme.id, self.ctx.cohort.id, status, self.folder, self.zip, seconds,
                           self.ctx)

    def __call__(self) -> PackOutcome:
        from ..notebooks.kernels import worker_pool

        return replace(build_decided(self, kernel=worker_pool()), context=None)  # the caller has its own

    def kernel_hint(self) -> tuple[str, Path]:
        """The kernel a worker may start before this job arrives (see kebao.notebooks.batch)."""
        return "python3", Path(self.request.root).resolve()


@cache
def engine_digest() -> str:
    """A hash of the kebao code and templates packs are made with: a changed engine rebuilds every pack.

    The site (book/, sphinxext.py), the command line (cli/), `kebao check`, the studio, the templates of
    `kebao new` and the no-change stamps (stamps.py, packs/nochange.py) do not shape packs and are left out.
    """
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if relative.startswith(("book/", "cli/", "check/", "studio/", "templates/new/", "sphinxext.py",
                                "scaffold.py", "stamps.py", "packs/nochange.py")):
            continue
        if path.suffix in (".py", ".css", ".html", ".md", ".yml", ".j2", ".json") and "__pycache__" not in path.parts:
            digest.update(relative.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def decide_pack(request: PackRequest, catalog: Catalog | None = None) -> DecidedPack:
    """Steps 1–3: decide the pack and its cache key; raises before any kernel starts."""
    catalog = catalog if catalog is not None else load_catalog(request.root)
    base = request.cohort
    if request.cohort_id is not None:
        base = cohort_of(catalog, request.programme, request.cohort_id)
    ctx = decide(catalog, request.programme, cohort=base, settings=request.settings)
    require_own_folder(ctx, request.out)  # another cohort's pack is never replaced
    if request.strict_calendar:
        require_official(ctx.timetable.days, catalog.holidays, ctx.timetable.plan.language)
    cohort = ctx.requested.model_dump(mode="json")
    parameters = check_parameters(request.notebook_path, {
        "root": str(Path(request.root).resolve()), "programme": ctx.programme.id, "cohort": cohort,
        "edition": ctx.edition})
    inputs = pack_inputs(ctx)
    keyed = {k: v for k, v in parameters.items() if k != "root"}  # moving the repository keeps the cache
    # Where each year's days off come from (chinesecalendar's version, holidays.yml, or provisional): a pack
    # planned provisionally (暂定) is stale once official data for its year arrives.
    keyed["calendar"] = sources((day.date for day in ctx.timetable.days), catalog.holidays,
                                 ctx.programme.holiday_calendar)
    parts = key_parts(ctx, inputs, notebook=request.notebook_path, parameters=keyed,
                      engine=f"{__version__}+{engine_digest()}", environment=environment())
    return DecidedPack(request, ctx, parameters, inputs, key_of(parts), parts)


def build_pack(request: PackRequest, *, kernel: Any = None, catalog: Catalog | None = None, wait: bool = True,
               on_wait: Callable[[str], None] | None = None) -> PackOutcome:
    """Build one pack (or find it fresh); raises KebaoError subclasses on failure, old pack untouched.

    The output folder is locked for the whole build (:func:`kebao.guard.folder_lock`: ``wait``, ``on_wait``).
    """
    started = time.perf_counter()
    decided = decide_pack(request, catalog)  # a bad request fails here, before the output folder is touched
    with folder_lock(Path(request.out), wait=wait, on_wait=on_wait):
        sweep_packs(request.out)  # what killed runs left
        return _build_pack(decided, kernel=kernel, started=started)


def _build_pack(decided: DecidedPack, *, kernel: Any, started: float) -> PackOutcome:
    request = decided.request
    if not request.force and decided.fresh():
        return decided.outcome("fresh", time.perf_counter() - started)
    require_pack_tools()  # pango and a Chinese font, before a kernel starts (ResourceError, exit code 3)
    if kernel is not None:
        return build_decided(decided, kernel=kernel, started=started)
    from ..notebooks.kernels import KernelPool
    from .export import pdf_printer

    with KernelPool(prestart=False, preload=KERNEL_PRELOAD) as pool, pdf_printer() as printer:
        pool.warm("python3", Path(request.root).resolve())  # it boots while we import, hash and export
        return build_decided(decided, kernel=pool, started=started, printer=printer)


def build_decided(decided: DecidedPack, *, kernel: Any, started: float | None = None,
                  printer: Any = None) -> PackOutcome:
    """Steps 4–6 for a decided pack: run its notebook in ``kernel`` (a KernelPool), write (one PDF printed by
    ``printer``, an executor, when given: :func:`kebao.packs.export.pdf_printer`), publish."""
    from ..notebooks.run import execute_notebook
    from .bundle import content_date, publish_pack
    from .files import PackBuild, stray_files, write_early, write_pack

    started = time.perf_counter() if started is None else started
    request, ctx = decided.request, decided.ctx
    record = {"parameters": {"programme": ctx.programme.id, "cohort": decided.parameters["cohort"],
                             "edition": "trainer+participant"},
              "inputs": decided.inputs, "cache_key": decided.key, "key_parts": decided.parts,
              "repository": Path(request.root)}

    def build(folder: Path) -> None:
        from .caseruns import ensure_runs

        work = folder / ".work"  # the notebook's files: kept under _failed if the build fails, never published
        work.mkdir()
        date = content_date(Path(request.root), [*decided.inputs.values(), request.notebook_path])
        # The files from the decided pack alone are written while the notebook runs, when this process only
        # waits for the kernel: by the printer (idle until the trainer guide's PDF), or by a thread here (a
        # batch worker). A failed notebook waits for them, so nothing is written afterwards.
        writer = futures.ThreadPoolExecutor(1, "kebao-early-files") if printer is None else None
        if writer is not None:
            early = writer.submit(write_early, ctx, folder, date)
        else:
            early = printer.submit(write_early, ctx.portable(), folder, date)
        try:
            runs = ensure_runs(ctx.catalog, ctx.cases, Path(request.out), f"{__version__}+{engine_digest()}",
                               work, kernel=kernel, timeout=request.timeout, cwd=Path(request.root))
            shown = replace(ctx, case_runs=runs)
            parameters = {**decided.parameters,
                          "decided": str(save_decided(shown, work / "decided.pickle").resolve())}
            nb = execute_notebook(request.notebook_path, work / "course_pack.ipynb", parameters,
                                  cwd=Path(request.root), timeout=request.timeout, kernel=kernel)
            written = early.result()
        finally:
            early.cancel()
            futures.wait([early])
            if writer is not None:
                writer.shutdown()
        write_pack(PackBuild(ctx, nb, folder, record, date, printer), early=written)
        shutil.rmtree(work)
        stray = stray_files(folder, ctx.address)
        if stray:
            raise PackError(f"the pack folder holds {', '.join(stray)}, which no pack file describes",
                            "a pack holds exactly the files of kebao.packs.files.PACK_FILES")

    publish_pack(build, Path(request.out), ctx.address)
    return decided.outcome("built", time.perf_counter() - started)


def build_all(root: Path, programmes: Sequence[str] | None = None, *, settings: Sequence[str] = (),
              cohort: Cohort | None = None, out: Path = paths.PACKS, workers: int = paths.JOBS,
              notebook: Path | None = None, force: bool = False, timeout: float = paths.NOTEBOOK_TIMEOUT,
              executor: Any = None, progress: Callable[[int, int], None] | None = None,
              strict_calendar: bool = False, wait: bool = True,
              on_wait: Callable[[str], None] | None = None, every_cohort: bool = True) -> list[BatchResult]:
    """Build the pack of every cohort of every programme (or of ``programmes``; with ``cohort``, that cohort's
    for each; with ``every_cohort=False``, each programme's own), as :func:`decide_all` lists them; fresh packs
    are skipped without a kernel.

    Failures do not stop the others; each pack gets one result, in order: a PackOutcome (its
    decided pack in ``context``) or a PackFailure (its error). The output folder is locked for the whole
    batch (:func:`kebao.guard.folder_lock`: ``wait``, ``on_wait``), so two runs never build the same pack.
    """
    with folder_lock(Path(out), wait=wait, on_wait=on_wait):
        sweep_packs(out)  # what killed runs left
        return _build_all(root, programmes, settings=settings, cohort=cohort, out=out, workers=workers,
                          notebook=notebook, force=force, timeout=timeout, executor=executor, progress=progress,
                          strict_calendar=strict_calendar, every_cohort=every_cohort)


def decide_all(root: Path, programmes: Sequence[str] | None = None, *, settings: Sequence[str] = (),
               cohort: Cohort | None = None, out: Path = paths.PACKS, notebook: Path | None = None,
               force: bool = False, timeout: float = paths.NOTEBOOK_TIMEOUT, strict_calendar: bool = False,
               cohort_id: str | None = None, every_cohort: bool = True) -> list[DecidedPack | PackFailure]:
    """Steps 1–3 for every cohort of every programme (or of ``programmes``), in order: nothing is built.

    A programme's cohorts are its own and its cohort files' (:func:`kebao.cohort.cohorts_of`); ``cohort`` (a
    cohort for every programme), ``cohort_id`` (one of each programme's cohorts) or ``every_cohort=False``
    (the programme's own) decide one pack per programme instead.
    """
    catalog = load_catalog(root)
    found: list[DecidedPack | PackFailure] = []
    for programme in (list(programmes) if programmes is not None else sorted(catalog.programmes)):
        try:
            one = cohort is not None or cohort_id is not None or not every_cohort
            chosen = [cohort] if one else cohorts_of(catalog, programme)
        except KebaoError as refused:
            found.append(PackFailure(programme, "", refused))
            continue
        for base in chosen:
            request = PackRequest(root, programme, tuple(settings), out, notebook, timeout, force, base,
                                  strict_calendar, cohort_id)
            try:
                found.append(decide_pack(request, catalog))
            except KebaoError as refused:
                named = base.id if base is not None else cohort_id or ""
                found.append(PackFailure(programme, named, refused))
    return found


def _build_all(root: Path, programmes: Sequence[str] | None, *, settings: Sequence[str], cohort: Cohort | None,
               out: Path, workers: int, notebook: Path | None, force: bool, timeout: float, executor: Any,
               progress: Callable[[int, int], None] | None, strict_calendar: bool,
               every_cohort: bool) -> list[BatchResult]:
    results: list[BatchResult | None] = []  # in decide_all's order; None: stale, until its build returns
    stale: list[tuple[int, DecidedPack]] = []
    for found in decide_all(root, programmes, settings=settings, cohort=cohort, out=out, notebook=notebook,
                            force=force, timeout=timeout, strict_calendar=strict_calendar,
                            every_cohort=every_cohort):
        if isinstance(found, PackFailure):
            results.append(found)
        elif not force and found.fresh():
            results.append(found.outcome("fresh", 0.0))
        else:
            stale.append((len(results), found))
            results.append(None)
    done = len(results) - len(stale)
    if progress is not None:
        progress(done, len(results))

    def report(finished: int, total: int) -> None:
        if progress is not None:
            progress(done + finished, len(results))

    built = build_stale([decided for _, decided in stale], workers=workers, executor=executor, progress=report)
    for (index, _), result in zip(stale, built, strict=True):
        results[index] = result
    return [result for result in results if result is not None]


def build_stale(stale: Sequence[DecidedPack], *, workers: int = paths.JOBS, executor: Any = None,
                progress: Callable[[int, int], None] | None = None) -> list[BatchResult]:
    """Steps 4–6 for decided packs, in worker processes; one result per pack, in the order given.

    ``executor``: None (a process pool of ``workers``), any ``concurrent.futures`` executor, or a pack
    executor with ``run_packs(jobs, progress, preload)`` that returns one JobResult per job and publishes the
    packs itself (:class:`kebao.packs.distributed.DaskPacks`). The caller holds the output folder's lock.
    """
    from ..notebooks.batch import run_batch

    if not stale:
        return []
    require_pack_tools()  # pango and a Chinese font, before any worker starts (ResourceError, exit code 3)
    # Longest first, so that no worker is left with a big pack at the end while the others idle.
    order = sorted(range(len(stale)), key=lambda index: -len(stale[index].ctx.timetable.sessions))

    def report(finished: int, total: int, result: Any) -> None:
        if progress is not None:
            progress(finished, total)

    jobs = [replace(stale[index], ctx=stale[index].ctx.portable()) for index in order]
    if hasattr(executor, "run_packs"):
        ran = executor.run_packs(jobs, progress=report, preload=KERNEL_PRELOAD)
    else:
        ran = run_batch(jobs, workers=workers, executor=executor, progress=report, preload=KERNEL_PRELOAD)
    results: dict[int, BatchResult] = {}
    for index, job in zip(order, ran, strict=True):
        decided = stale[index]
        programme, cohort_id = decided.ctx.programme.id, decided.ctx.cohort.id
        if job.ok and job.value is not None:
            results[index] = replace(job.value, context=decided.ctx)
        else:
            error = job.error if isinstance(job.error, KebaoError) else PackError(
                f"{type(job.error).__name__}: {job.error}" if job.error is not None else "the build failed",
                f"a bug in kebao or a tool it runs; `kebao pack {programme} --cohort {cohort_id}` shows the "
                "traceback")
            results[index] = PackFailure(programme, cohort_id, error, job.seconds)
    return [results[index] for index in range(len(stale))]
