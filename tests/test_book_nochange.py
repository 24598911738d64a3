"""`kebao book` with nothing changed stops before Sphinx, pydantic or a kernel is loaded; a change still rebuilds.

Uses the session's built site (tests/conftest.py); what it edits it puts back, and rebuilds, before it ends.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kebao.book.nochange import BookStamp, outputs_fingerprint, sources_fingerprint

from .book_site import BuiltSite, run_book

HEAVY = ("sphinx", "pydantic", "jupyter_client", "myst_nb", "pandas", "nbformat")


def imported(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``kebao book`` under ``-X importtime``: its result and every module it imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "kebao", "book", "--root", str(root), *args],
                            capture_output=True, text=True, timeout=900)
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return result, modules


@pytest.mark.slow
@pytest.mark.kernel
def test_no_change_book_imports_nothing_heavy_and_a_change_rebuilds(built_site: BuiltSite) -> None:
    root = built_site.root
    assert run_book(root, "--quiet").returncode == 0  # whatever earlier tests did, the stamp is now current
    result, modules = imported(root, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nothing changed since the last public build" in result.stderr
    assert result.stdout.strip() == str((root / "_build/html/index.html").resolve())
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"a no-change kebao book imported {heavy[:10]}"

    guide = root / "book/guide/designers.md"
    original = guide.read_text(encoding="utf-8")
    try:
        guide.write_text(original + "\n\n本段由测试临时加入：无变化检查之后的真实修改。\n", encoding="utf-8")
        result, modules = imported(root, "--quiet", "--no-packs")
        assert result.returncode == 0, result.stderr[-3000:]
        assert "nothing changed" not in result.stderr and "sphinx" in modules
        assert "本段由测试临时加入" in (root / "_build/html/book/guide/designers.html").read_text(encoding="utf-8")
        again = run_book(root, "--quiet", "--no-packs")
        assert "nothing changed since the last public build" in again.stderr, "the edited build recorded its stamp"
    finally:
        guide.write_text(original, encoding="utf-8")
        assert run_book(root, "--quiet").returncode == 0


def test_the_stamp_follows_sources_and_outputs(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "curricula").mkdir(parents=True)
    (root / "curricula/strands.yml").write_text("strands: []\n", encoding="utf-8")
    (root / "_build/html").mkdir(parents=True)
    (root / "_build/html/index.html").write_text("<p>site</p>", encoding="utf-8")
    stamp = BookStamp(root, packs=True)
    assert stamp.unchanged() is None, "never built"
    stamp.record()
    assert BookStamp(root, packs=True).unchanged() is not None
    assert BookStamp(root, packs=False).unchanged() is None, "--no-packs is another build"
    sources = sources_fingerprint(root, True)
    (root / ".git").mkdir()
    (root / ".git/index").write_text("x", encoding="utf-8")
    (root / "_build/.doctrees").mkdir()
    assert sources_fingerprint(root, True) == sources, "hidden folders and _build are not sources"
    (root / "curricula/strands.yml").write_text("strands: [x]\n", encoding="utf-8")
    assert BookStamp(root, packs=True).unchanged() is None, "an edited source"
    BookStamp(root, packs=True).record()
    outputs = outputs_fingerprint(root)
    (root / "build/packs/p/c").mkdir(parents=True)
    (root / "build/packs/p/c/handbook.pdf").write_bytes(b"%PDF")
    assert outputs_fingerprint(root) != outputs, "a pack is an output"
    assert BookStamp(root, packs=True).unchanged() is None
    BookStamp(root, packs=True).record()
    (root / "_build/html/index.html").unlink()
    assert BookStamp(root, packs=True).unchanged() is None, "a deleted site"
    BookStamp(root, packs=True).forget()
    assert not (root / "_build/.kebao-book-stamp.json").exists()


def test_each_site_edition_has_its_own_stamp(tmp_path: Path) -> None:
    """A public build's stamp says nothing of the trainer site: `kebao book --edition trainer` after it builds."""
    from kebao.stamps import Stamp

    (tmp_path / "_build/html").mkdir(parents=True)
    (tmp_path / "_build/html/index.html").write_text("public", encoding="utf-8")
    public, trainer = BookStamp(tmp_path, True, "public"), BookStamp(tmp_path, True, "trainer")
    assert isinstance(public, Stamp) and public.file != trainer.file
    assert sources_fingerprint(tmp_path, True, "public") != sources_fingerprint(tmp_path, True, "trainer")
    public.record()
    assert public.unchanged() is not None, "recorded: the public site counts as built"
    assert BookStamp(tmp_path, True, "trainer").unchanged() is None, "the trainer site was never built"
    assert outputs_fingerprint(tmp_path, "public") != outputs_fingerprint(tmp_path, "trainer")


def test_of_the_records_only_the_verification_lists_count(tmp_path: Path) -> None:
    """An import into the records database changes nothing the site shows; a new verification list does."""
    (tmp_path / "_config.yml").write_text("title: t\n", encoding="utf-8")
    records = tmp_path / "records"
    records.mkdir()
    (records / "kebao.sqlite").write_bytes(b"one")
    before = sources_fingerprint(tmp_path, packs=False)
    (records / "kebao.sqlite").write_bytes(b"two, after an import")
    (records / "sheets").mkdir()
    (records / "sheets" / "a.xlsx").write_bytes(b"pre-filled")
    assert sources_fingerprint(tmp_path, packs=False) == before
    listed = records / "certificates" / "p" / "c" / "verification.html"
    listed.parent.mkdir(parents=True)
    listed.write_text("<p>2026-AAAA</p>", encoding="utf-8")
    assert sources_fingerprint(tmp_path, packs=False) != before
