"""The certificates' verification lists on the site: ``verify/<programme>/<cohort>.html``.

``kebao records certificates`` writes, beside each cohort's certificate PDFs under
``records/certificates/<programme>/<cohort>/``, a ``verification.html`` that shows only what a certificate
shows to check it (code, masked name, programme, dates, 学时, 学分, issuer): the one file of the records
meant to be published. The QR code on each certificate points to its place on the site,
``verify/<programme>/<cohort>.html#CODE`` (docs/records.md). ``kebao book`` copies every such list into the
site it builds (both editions), after Sphinx and before the site is published; nothing else under
``records/`` is read, and the site's search index never sees the lists.
"""

from __future__ import annotations

from pathlib import Path

from .. import paths
from ..atomic import write_atomic

LIST = "verification.html"


def verification_lists(root: Path) -> dict[str, bytes]:
    """``verify/<programme>/<cohort>.html`` -> the list's bytes, for every cohort with certificates issued."""
    base = Path(root) / paths.CERTIFICATES
    return {f"verify/{path.parent.parent.name}/{path.parent.name}.html": path.read_bytes()
            for path in sorted(base.glob(f"*/*/{LIST}"))}


def list_files(root: Path) -> list[Path]:
    """The verification lists the site would publish (what the book's no-change stamp looks at)."""
    return sorted((Path(root) / paths.CERTIFICATES).glob(f"*/*/{LIST}"))


def publish_lists(root: Path, outdir: Path) -> list[str]:
    """Copy the verification lists into the built site ``outdir``; the names written."""
    lists = verification_lists(root)
    for name, data in lists.items():
        write_atomic(Path(outdir) / name, data)
    return list(lists)
