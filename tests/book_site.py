"""The repository's site built for real, in a copy of its content (the ``built_site`` fixture, tests/conftest.py).

``kebao book`` reads the catalogue (``curricula/``, ``cases/``), runs the
course-pack notebook (``notebooks/``) into ``build/packs``, writes
``book/generated`` and builds ``_config.yml`` + ``_toc.yml`` + ``book/`` into
``_build/html``. :func:`copy_content` copies exactly those inputs, so the build
writes into the copy and never into the checkout.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kebao.catalog import load_catalog
from kebao.content import trainer_note_blocks

from .paths import REPO

SITE_CONTENT = ("curricula", "cases", "cohorts", "notebooks", "book", "_config.yml", "_toc.yml", "jupytext.toml")
_HANZI = re.compile(r"[\u4e00-\u9fff]+")
_NOT_CONTENT = shutil.ignore_patterns("generated", ".ipynb_checkpoints", "__pycache__", ".jupyter_cache")


@dataclass(frozen=True)
class Programme:
    id: str
    title: str
    zip: str  # relative to the repository


@dataclass(frozen=True)
class BuiltSite:
    root: Path  # the copy of the repository the site was built in
    html: Path
    output: str  # what `kebao book` printed (stdout and stderr)
    printed: str  # its stdout alone
    programmes: tuple[Programme, ...]
    modules: tuple[str, ...]
    cases: tuple[str, ...]
    module_with_trainer_note: str
    trainer_texts: tuple[str, ...]  # a distinctive run of hanzi from every trainer note of a module or case
    edition: str = "public"


def run_book(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kebao book --root ROOT ARGS`` in a subprocess (from the tests' working directory: it must write nothing
    there, which the checkout guard in tests/conftest.py sees when that is the checkout)."""
    return subprocess.run([sys.executable, "-m", "kebao", "book", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=900)


def copy_content(root: Path, source: Path = REPO) -> Path:
    """The inputs of ``kebao book`` from ``source`` (without anything generated) into the new folder ``root``."""
    root.mkdir(parents=True)
    for name in SITE_CONTENT:
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name, ignore=_NOT_CONTENT)
        else:
            shutil.copy2(source / name, root / name)
    return root


VERIFICATION_MARK = "核验清单-测试标记"  # in the planted verification list: the site must publish it
PRIVATE_MARK = "不得发布-测试学员身份证"  # in every other planted records file: the site must never show it


def plant_records(root: Path) -> Path:
    """Learner records beside the content, as an office's checkout has them: a certificate's verification list
    (published under verify/), and a database, a roster and a certificate PDF's stand-in (never published)."""
    cohort = root / "records" / "certificates" / "xpcc-cadres" / "xpcc-2026-12"
    cohort.mkdir(parents=True)
    (cohort / "verification.html").write_text(
        f"<!doctype html><html><body><p>{VERIFICATION_MARK}</p><p id='2026-AAAA-BBBB-CCCC'>张*三</p></body></html>",
        encoding="utf-8")
    (cohort / "001-2026-AAAA-BBBB-CCCC.pdf").write_text(PRIVATE_MARK, encoding="utf-8")
    (root / "records" / "kebao.sqlite").write_text(PRIVATE_MARK, encoding="utf-8")
    (root / "records" / "roster.csv").write_text(f"姓名\n{PRIVATE_MARK}\n", encoding="utf-8")
    return root


def trainer_texts(bodies: list[str]) -> tuple[str, ...]:
    """The longest run of hanzi (at least 8) of each trainer note in ``bodies``: text that, shown anywhere, can
    only have come from a trainer note (the site joins Chinese lines, and a run of hanzi crosses no markup)."""
    found = set()
    for body in bodies:
        for _first, _last, inner in trainer_note_blocks(body):
            runs = sorted(_HANZI.findall(inner), key=len)
            if runs and len(runs[-1]) >= 8:
                found.add(runs[-1])
    return tuple(sorted(found))


def build_site(root: Path, edition: str = "public") -> BuiltSite:
    """``kebao book --quiet`` on ``root`` (a copy made by :func:`copy_content`), the public site or, with
    ``edition="trainer"``, the trainer site (``--edition trainer``); fails the test if it fails."""
    catalog = load_catalog(root)
    result = run_book(root, "--quiet", *(("--edition", "trainer", "--no-packs") if edition == "trainer" else ()))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"kebao book failed:\n{output[-20000:]}"
    programmes = []
    for programme in sorted(catalog.programmes.values(), key=lambda p: p.id):
        cohort = programme.cohort.id
        programmes.append(Programme(programme.id, programme.title.zh,
                                    f"build/packs/{programme.id}/{cohort}/{programme.id}-{cohort}.zip"))
    noted = sorted(m.id for m in catalog.modules.values() if trainer_note_blocks(m.body))
    assert noted, "no module has a trainer note to check"
    texts = trainer_texts([m.body for m in catalog.modules.values()] + [c.body for c in catalog.cases.values()])
    html = root / "_build" / ("trainer/html" if edition == "trainer" else "html")
    return BuiltSite(root, html, output, result.stdout, tuple(programmes), tuple(sorted(catalog.modules)),
                     tuple(sorted(catalog.cases)), noted[0], texts, edition)
