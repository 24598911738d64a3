"""The kebao site: pages generated from the catalogue, built by jupyter-book 1 (Sphinx) into _build/html.

The steps of ``kebao book``, in order (see :func:`kebao.book.run.make_book`):

1. packs     ``kebao.packs.build.build_all`` builds (or finds fresh) every
             programme's default pack, because programme pages link to them;
2. generate  :mod:`.pages` and :mod:`.programmes` turn the catalogue, each
             programme's default plan and timetable, and the packs into
             Markdown pages and PNG charts, which :mod:`.files` writes into
             ``book/generated/`` only where their bytes changed (Sphinx then
             re-reads only those pages);
3. build     :mod:`.site` runs Sphinx with the configuration jupyter-book
             derives from ``_config.yml`` and ``_toc.yml``; case notebooks are
             executed through jupyter-cache, warnings are errors, every problem
             is listed; :mod:`kebao.sphinxext` folds trainer notes and fails a
             page that loads anything from the internet (:mod:`.offline`).
"""

from __future__ import annotations

from ..errors import KebaoError

GENERATED = "book/generated"  # relative to the repository root; git-ignored
HTML = "_build/html"


class BookError(KebaoError):
    """The site cannot be generated or built: a missing pack, a failed case, a Sphinx warning…"""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", problems: tuple[str, ...] = ()):
        self.hint = hint
        self.problems = problems
        listed = "".join(f"\n  {line}" for line in problems)
        super().__init__(message + listed + (f"\n({hint})" if hint else ""))
