"""Imported once by a kernel template (``build.KERNEL_PRELOAD``): first-use costs paid per batch, not per pack.

A pack's kernel forked from a template that has imported this module finds
matplotlib's Chinese font already loaded (the Noto CJK collection is 20+ MB
and took ~0.4 s on first use in every kernel). Everything here happens in
memory inside ``rc_context``, so a notebook sees the same matplotlib settings
as in a fresh kernel; only caches are warm. (The pack's files are written
outside the kernel, so their libraries are not needed here.)
"""

from __future__ import annotations


def _warm() -> None:
    import matplotlib

    from ..charts import hours_chart, png

    with matplotlib.rc_context():
        png(hours_chart([("warm", "课包 kebao", 1.0, 1.0)], {"warm": "#1E3A8A"}))


_warm()
