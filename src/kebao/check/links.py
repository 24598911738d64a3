"""Internal links of the built site: every local ``href``/``src`` resolves, and every pack can be downloaded.

Read from the built site's HTML pages (not from the sources), so the
check sees what a trainer's browser sees. A link counts as local when it has
no scheme (``https:``, ``mailto:``, ``data:`` … are left alone; loads from the
internet are :mod:`kebao.book.offline`'s business). A local link is broken
when its file does not exist, when it leads out of the site folder (it would
break once the site is copied elsewhere), or when it names an anchor
(``page.html#part``) that the target page does not define.

Each programme page of the public site (the one ``kebao check`` builds) must
offer the files for participants and the office of every cohort's pack (the
programme's own and its cohort files'), each the very
file in the packs folder (otherwise the site is older than the pack), and no
file for trainers (the trainer guide, the whole pack's zip): those are the
trainer site's. Which files a pack offers, and to whom, is the pack-file
table's (:mod:`kebao.packs.files`, :func:`kebao.book.programmes.find_pack`).
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .. import paths
from ..errors import BookError
from . import CheckResult, Item, result

if TYPE_CHECKING:  # pragma: no cover
    from ..catalog import Catalog

# tag -> attributes that name another file
_REFERENCES = {"a": ("href",), "area": ("href",), "link": ("href",), "img": ("src", "srcset"),
               "script": ("src",), "iframe": ("src",), "source": ("src", "srcset"), "audio": ("src",),
               "video": ("src", "poster"), "track": ("src",), "embed": ("src",), "object": ("data",)}
_SCHEME = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_SKIPPED_FOLDERS = ("_static", "_sources")  # theme files and page sources: not pages a reader follows links in
_SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")


@dataclass(frozen=True)
class Reference:
    """One link or load in a page."""

    line: int
    tag: str
    attribute: str
    url: str


@dataclass
class Page:
    """What the link check needs from one HTML page."""

    ids: set[str] = field(default_factory=set)
    references: list[Reference] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = _REFERENCES.get(tag, ())
        line = self.getpos()[0]
        for key, value in attrs:
            if value is None:
                continue
            if key == "id" or (tag == "a" and key == "name"):
                self.page.ids.add(value)
            if key in names:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if key == "srcset" else [value]
                self.page.references.extend(Reference(line, tag, key, url.strip()) for url in urls)


def read_page(path: Path) -> Page:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser.page


class Site:
    """The built site's pages, parsed once each when first needed."""

    def __init__(self, folder: Path):
        self.folder = Path(os.path.abspath(folder))
        self._pages: dict[Path, Page] = {}

    def pages(self) -> list[Path]:
        return sorted(path for path in self.folder.rglob("*.html")
                      if path.relative_to(self.folder).parts[0] not in _SKIPPED_FOLDERS)

    def page(self, path: Path) -> Page:
        if path not in self._pages:
            self._pages[path] = read_page(path)
        return self._pages[path]

    def resolve(self, page: Path, url: str) -> tuple[Path | None, str]:
        """The local file ``url`` on ``page`` leads to (None for a non-local URL), and its fragment."""
        if not url or _SCHEME.match(url):
            return None, ""
        parts = urlsplit(url)
        if not parts.path:
            return page, unquote(parts.fragment)
        target = Path(os.path.normpath(page.parent / unquote(parts.path)))
        if target.is_dir():
            target = target / "index.html"
        return target, unquote(parts.fragment)

    def problem(self, page: Path, reference: Reference) -> str | None:
        """Why ``reference`` on ``page`` is broken, or None."""
        target, fragment = self.resolve(page, reference.url)
        if target is None:
            return None
        if not target.is_relative_to(self.folder):
            return "leads out of the site folder"
        if not target.is_file():
            return f"no file {target.relative_to(self.folder).as_posix()} in the site"
        if fragment and target.suffix == ".html" and fragment not in self.page(target).ids:
            return f"no anchor #{fragment} in {target.relative_to(self.folder).as_posix()}"
        return None


def page_items(site: Site, root: Path) -> tuple[list[Item], int]:
    """One item per page, failed with every broken link it has; and the number of local links checked."""
    items: list[Item] = []
    checked = 0
    for path in site.pages():
        name = path.relative_to(site.folder).as_posix()
        broken = []
        for reference in site.page(path).references:
            if not reference.url or _SCHEME.match(reference.url) or reference.url == "#":
                continue
            checked += 1
            problem = site.problem(path, reference)
            if problem:
                broken.append(f"{name}:{reference.line}: <{reference.tag} {reference.attribute}="
                              f"\"{reference.url}\">: {problem}")
        if broken:
            text = "\n".join(broken) + f"\n(the page is built from {source_of(name, root)})"
            items.append(Item(name, "failed", broken[0] + (f" (and {len(broken) - 1} more)" if len(broken) > 1
                                                           else ""), text))
        else:
            items.append(Item(name, "passed"))
    return items, checked


def source_of(page: str, root: Path) -> str:
    """The source file a page is built from, as the reader should look for it."""
    docname = page.removesuffix(".html")
    for suffix in _SOURCE_SUFFIXES:
        if (root / f"{docname}{suffix}").is_file():
            generated = docname.startswith(f"{paths.GENERATED.as_posix()}/")
            return f"{docname}{suffix}" + (" (generated by `kebao book` from the catalogue)" if generated else "")
    return "the theme or Sphinx itself"


def download_items(site: Site, root: Path, catalog: Catalog, packs: Path) -> list[Item]:
    """One item per cohort's pack (named ``downloads of PROGRAMME``, or ``…/COHORT`` for a cohort file's): its
    programme's page offers every public download of the pack, identical to the pack's, and none of the trainer's."""
    from ..book.pages import programme_doc
    from ..book.programmes import find_pack
    from ..cohort import cohorts_of

    items = []
    for programme, cohort in ((p, c) for p in sorted(catalog.programmes.values(), key=lambda p: p.id)
                              for c in cohorts_of(catalog, p.id)):
        own = cohort is programme.cohort
        name = f"downloads of {programme.id}" + ("" if own else f"/{cohort.id}")
        page = site.folder / f"{programme_doc(programme.id)}.html"
        if not page.is_file():
            items.append(Item(name, "failed", f"programme '{programme.id}' has no page "
                                              f"{page.relative_to(site.folder).as_posix()}"))
            continue
        try:
            pack = find_pack(root, packs, programme.id, cohort.id)
        except BookError as error:
            items.append(Item(name, "failed", error.message, str(error)))
            continue
        offered: dict[str, tuple[Reference, Path]] = {}
        for reference in site.page(page).references:
            target, _fragment = site.resolve(page, reference.url)
            if reference.tag == "a" and target is not None:
                offered.setdefault(Path(unquote(urlsplit(reference.url).path)).name, (reference, target))
        linked = {Path(unquote(urlsplit(reference.url).path)).name for reference in site.page(page).references}
        problems = [f"the public site offers {item.path}, which is for trainers only"
                    for item in pack.offered(public=False) if Path(item.path).name in linked]
        for wanted in (item.path for item in pack.offered(public=True)):
            file = Path(wanted).name
            if file not in offered:
                problems.append(f"the page offers no download of {wanted}")
                continue
            reference, target = offered[file]
            if not target.is_file():
                problems.append(f"the download of {wanted} ({reference.url}) leads nowhere")
            elif _digest(target) != _digest(root / wanted):
                problems.append(f"the download of {wanted} differs from the file in {packs}: the site is older "
                                "than the pack (run `kebao book`)")
        page_name = page.relative_to(site.folder).as_posix()
        if problems:
            items.append(Item(name, "failed", f"{page_name}: {problems[0]}",
                              "\n".join(f"{page_name}: {line}" for line in problems)))
        else:
            items.append(Item(name, "passed", f"{len(pack.offered(public=True))} file(s)"))
    return items


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_links(root: Path, site_folder: Path, catalog: Catalog | None, packs: Path = paths.PACKS) -> CheckResult:
    started = time.perf_counter()
    site = Site(site_folder)
    items, checked = page_items(site, root)
    if catalog is not None:
        items += download_items(site, root, catalog, packs)
    pages = len(site.pages())
    return result("links", items, time.perf_counter() - started,
                  f"{checked} local link(s) in {pages} page(s) resolve", _broken_summary(items))


def _broken_summary(items: Iterable[Item]) -> str:
    failed = [item for item in items if item.status == "failed"]
    pages = sum(not item.name.startswith("downloads of ") for item in failed)
    downloads = len(failed) - pages
    parts = ([f"{pages} page(s) with broken links"] if pages else []) + \
            ([f"{downloads} programme(s) with missing downloads"] if downloads else [])
    return ", ".join(parts)
