"""The kebao site: pages generated from the catalogue, built by jupyter-book 1 (Sphinx) into _build/html.

The steps of ``kebao book``, in order (see :func:`kebao.book.run.make_book`):

1. packs     ``kebao.packs.build.build_all`` builds (or finds fresh) the pack of
             every cohort of every programme (its own and its cohort files'),
             because programme pages link to them;
2. generate  :mod:`.pages` and :mod:`.programmes` turn the catalogue, each
             programme's decided default pack (reused from step 1), and the packs into
             Markdown pages and PNG charts, which :mod:`.files` writes into
             the generated folder (``paths.GENERATED``) only where their bytes changed (Sphinx then
             re-reads only those pages);
3. build     :mod:`.site` runs Sphinx with the configuration jupyter-book
             derives from ``_config.yml`` and ``_toc.yml``; case notebooks come
             from jupyter-cache, filled first by :mod:`.cases` from the packs'
             case runs (or runs in parallel), warnings are errors, every problem
             is listed; :mod:`kebao.sphinxext` folds trainer notes and fails a
             page that loads anything from the internet (:mod:`.offline`).
"""

from __future__ import annotations

from ..errors import BookError

__all__ = ["BookError"]
