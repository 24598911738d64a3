"""`kebao check`'s links check of the public site's downloads (no build: a hand-made site folder).

The public programme page must offer the pack's files for participants and the office, each the very file
in the pack, and none of the trainer's (the trainer guide, the whole pack's zip).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from kebao.book.programmes import find_pack
from kebao.catalog import load_catalog
from kebao.check.links import Site, download_items
from kebao.packs.files import name_of
from kebao.paths import PackAddress

ADDRESS = PackAddress("nev-class", "2026-11")


def site_offering(root: Path, keys: tuple[str, ...]) -> Site:
    """A pack with a handbook, a trainer guide and a zip, and a site whose programme page links ``keys``."""
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()  # unplannable in the fixture catalogue
    folder = root / "build" / "packs" / ADDRESS.relative
    folder.mkdir(parents=True)
    for key in ("handbook.pdf", "trainer-guide.pdf", "zip"):
        (folder / name_of(ADDRESS, key)).write_bytes(f"stand-in {key}".encode())
    html = root / "_build" / "html"
    page = html / "book" / "generated" / "programmes" / "nev-class.html"
    page.parent.mkdir(parents=True)
    (html / "_downloads").mkdir()
    links = []
    for key in keys:
        name = name_of(ADDRESS, key)
        shutil.copy(folder / name, html / "_downloads" / name)
        links.append(f'<a class="reference download internal" href="../../../_downloads/{name}">{name}</a>')
    page.write_text("<html><body>" + "".join(links) + "</body></html>", encoding="utf-8")
    return Site(html)


def check(root: Path, site: Site) -> tuple[str, str]:
    (item,) = download_items(site, root, load_catalog(root), Path("build/packs"))
    return item.status, item.text or item.message


def test_the_public_downloads_alone_pass(catalog_root: Path) -> None:
    site = site_offering(catalog_root, ("handbook.pdf",))
    pack = find_pack(catalog_root, Path("build/packs"), "nev-class", "2026-11")
    assert [Path(item.path).name for item in pack.offered(public=True)] == [name_of(ADDRESS, "handbook.pdf")]
    assert check(catalog_root, site)[0] == "passed"


def test_a_trainer_guide_on_the_public_site_fails(catalog_root: Path) -> None:
    site = site_offering(catalog_root, ("handbook.pdf", "trainer-guide.pdf", "zip"))
    status, text = check(catalog_root, site)
    assert status == "failed"
    for key in ("trainer-guide.pdf", "zip"):
        assert f"offers build/packs/nev-class/2026-11/{name_of(ADDRESS, key)}, which is for trainers only" in text


def test_a_missing_handbook_fails(catalog_root: Path) -> None:
    status, text = check(catalog_root, site_offering(catalog_root, ()))
    assert status == "failed" and f"offers no download of build/packs/nev-class/2026-11/" \
        f"{name_of(ADDRESS, 'handbook.pdf')}" in text
