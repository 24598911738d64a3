"""Build the site with Sphinx, configured exactly as jupyter-book 1 configures it.

jupyter-book's own ``build`` command does the same (``_config.yml`` and
``_toc.yml`` -> Sphinx configuration -> ``Sphinx(...).build()``); calling the
pieces here lets kebao collect every warning, keep going past the first one
(``-W -n --keep-going``), and raise one :class:`~kebao.book.BookError` that lists
them all. Case notebooks run through jupyter-cache (``execute_notebooks: cache``).

``_config.yml`` sets ``nb_execution_raise_on_error: true`` so that a plain
``jupyter-book build`` stops on a failing case; kebao turns it off for its own
build, where the failure is a warning and warnings are errors anyway: the build
still fails, but after reading every page, so every failing case is listed
(raising stops at the first).

Sphinx builds into its own folder (``paths.SPHINX_HTML``), incrementally; a
build without problems is then copied whole and exchanged atomically with
``_build/html`` (:func:`publish_site`), so the published site is never half
old, half new, and a failed build leaves the previous site as it was.

Two editions (``paths.SITE_EDITIONS``): the public site (the default) leaves
out trainer notes, teaching notes and trainer downloads; the trainer site
keeps everything. :mod:`kebao.sphinxext` drops that material while pages are
read (so it is in no page, search index, source copy or download folder), which
is why each edition keeps its own Sphinx environment and output
(:func:`kebao.paths.site_folders`); the executed cases are shared
(``paths.JUPYTER_CACHE``), so the second edition runs no notebook again.

Sphinx only re-reads changed pages and does not remember an earlier page's
warnings, so a build that fails removes Sphinx's saved environment: the next
build reads every page again and reports the same problems instead of passing.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .. import paths
from ..atomic import sweep_leftovers
from ..errors import BookError, ResourceError
from ..guard import folder_lock
from ..paths import SiteEdition, SiteFolders, site_folders
from .verify import publish_lists

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog

_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE):")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class SiteResult:
    """A finished build."""

    index: Path
    seconds: float


class _Tee(io.StringIO):
    """Passes Sphinx's warning stream through and keeps the lines that report problems."""

    def __init__(self, stream: TextIO | None):
        super().__init__()
        self.stream = stream
        self.problems: list[str] = []
        self._partial = ""

    def write(self, text: str) -> int:  # type: ignore[override, unused-ignore]
        if self.stream is not None:
            self.stream.write(text)
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        plain = (_ANSI.sub("", line) for line in lines)
        self.problems.extend(line for line in plain if _PROBLEM.search(line))
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()


def sphinx_config(root: Path) -> dict[str, object]:
    """The Sphinx configuration jupyter-book makes of ``_config.yml`` and ``_toc.yml`` (plus ``nitpicky``)."""
    import jsonschema  # type: ignore[import-untyped, unused-ignore]
    from jupyter_book.config import get_final_config  # type: ignore[import-untyped, unused-ignore]

    config_file, toc = root / "_config.yml", root / "_toc.yml"
    for required in (config_file, toc):
        if not required.is_file():
            raise BookError(f"{required} is missing", "run kebao book in the repository root, or pass --root")
    try:
        config, _meta = get_final_config(
            user_yaml=config_file, sourcedir=root, raise_on_invalid=True,
            cli_config={"external_toc_path": toc.resolve().as_posix(), "latex_individualpages": False,
                        "nitpicky": True})
    except jsonschema.ValidationError as error:
        raise BookError(f"{config_file}: invalid jupyter-book configuration:\n{error.message}",
                        "see https://jupyterbook.org/en/stable/customize/config.html") from None
    return dict(config)


def site_lock(root: Path, on_wait: Callable[[str], None] | None = None) -> AbstractContextManager[Path]:
    """The lock of ``root``'s ``_build`` (kebao.guard): held from generating the pages to publishing the site.

    The generated pages are the build's input, so a second run must not rewrite them while the first one's
    Sphinx reads them; ``on_wait`` hears once that another run holds it.
    """
    return folder_lock(root / paths.HTML.parent, on_wait=on_wait)


def build_site(root: Path, *, jobs: int = 1, status: TextIO | None = None,
               warning: TextIO | None = None, edition: SiteEdition = "public", catalog: Catalog | None = None,
               packs: Path = paths.PACKS) -> SiteResult:
    """Build ``root``'s site (an edition: see the module docstring) into its folder (``_build/html`` for the
    public one); BookError listing every warning if there is any.

    With the ``catalog``, the cases jupyter-cache lacks are put there first, from their runs in ``packs`` or
    run in parallel (:func:`kebao.book.cases.prepare_cases`), so Sphinx runs none while reading.

    It holds the site's lock (:func:`site_lock`: one for both editions, which share the executed cases);
    callers that generate pages first take it before that.
    """
    from sphinx.util.console import color_terminal, nocolor

    started = time.perf_counter()
    root = root.resolve()
    config = sphinx_config(root)
    config["nb_execution_raise_on_error"] = False  # see the module docstring: -W --keep-going lists them all
    config["kebao_edition"] = edition
    config["nb_execution_cache_path"] = str(root / paths.JUPYTER_CACHE)  # one cache for both editions
    tee = _Tee(warning)
    if warning is None or not warning.isatty() or not color_terminal():
        nocolor()
    folders = site_folders(edition)
    with site_lock(root):  # one writer per _build (kebao.guard); already ours when the pages were generated under it
        sweep_leftovers(root / folders.html)  # what a killed build left
        if catalog is not None:
            from .cases import prepare_cases

            prepare_cases(root, catalog, config, packs=packs, workers=max(jobs, paths.JOBS))
        return _build(root, config, folders, jobs, status, tee, started)


def _build(root: Path, config: dict[str, object], folders: SiteFolders, jobs: int, status: TextIO | None,
           tee: _Tee, started: float) -> SiteResult:
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    outdir, doctrees = root / folders.sphinx, root / folders.doctrees
    try:
        with patch_docutils(None), docutils_namespace():
            app = Sphinx(srcdir=root, confdir=None, outdir=outdir, doctreedir=doctrees, buildername="html",
                         confoverrides=config, status=status, warning=tee, freshenv=False,
                         warningiserror=True, keep_going=True, parallel=jobs)
            app.build(False, [])
            code = app.statuscode
    except SphinxError as error:
        _forget(doctrees)
        raise BookError(f"the site could not be built: {error}", "see the messages above") from None
    except Exception as error:  # an extension's own exception (myst-nb's ExecutionError…)
        _forget(doctrees)
        raise BookError(f"the site could not be built: {type(error).__name__}: {error}",
                        "see the messages above") from error
    finally:
        tee.flush()
    if code != 0 or tee.problems:
        _forget(doctrees)
        raise BookError(f"the site has {len(tee.problems) or 'some'} problem(s); warnings are errors:",
                        "fix them in the files named and run `kebao book` again", details=tee.problems)
    write_redirect(outdir, app.config.root_doc)
    publish_lists(root, outdir)  # the certificates' verification lists (masked), where their QR codes point
    return SiteResult(publish_site(outdir, root / folders.html) / "index.html", time.perf_counter() - started)


def publish_site(built: Path, target: Path) -> Path:
    """Copy Sphinx's output to ``target`` whole and atomically: readers see the old site or the new one.

    Sphinx writes its pages in place and only those that changed, so its own folder is never the published
    one; a full copy (a fraction of a second for this repository's site) is exchanged with ``target``
    (:func:`kebao.atomic.replace_folder`). A build that fails publishes nothing: the previous site stays.
    """
    import shutil
    import uuid

    from ..atomic import replace_folder

    staging = target.with_name(f".{target.name}.building-{uuid.uuid4().hex[:8]}")
    try:
        shutil.copytree(built, staging, ignore=shutil.ignore_patterns(".buildinfo.bak"))
        replace_folder(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ResourceError.from_os_error(error, f"publishing the site to {target}") from None
    return target


def write_redirect(outdir: Path, root_doc: str) -> Path:
    """``index.html`` at the top of the site, forwarding to the home page (``book/index.html``)."""
    target = f"{root_doc}.html"
    page = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Refresh" content="0; url={target}">\n'
            '<link rel="icon" href="_static/favicon.svg">\n'  # else browsers ask for a missing /favicon.ico
            f'<title>kebao 课包</title></head>\n<body><p><a href="{target}">kebao 课包首页</a></p></body></html>\n')
    index = outdir / "index.html"
    if not index.is_file() or index.read_text(encoding="utf-8") != page:
        index.write_text(page, encoding="utf-8")
    return index


def _forget(doctrees: Path) -> None:
    """Drop Sphinx's saved environment, so the next build re-reads (and re-reports) every page."""
    (doctrees / "environment.pickle").unlink(missing_ok=True)
