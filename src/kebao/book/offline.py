"""Find what a built site would load from the internet (it must work in a training room without it).

Searched: ``src``/``href`` of ``script``, ``link``, ``img``, ``iframe``,
``source``, ``audio``, ``video``, ``embed`` and ``object`` (``data``) in every
HTML file, and ``url(…)``/``@import`` in every CSS file. A URL with a scheme
(``http:``, ``https:``, …) or starting with ``//`` counts; ``data:`` URLs and
relative paths do not. Ordinary links (``<a href>``) are not loads and are allowed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_LOADING = {"script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
            "source": ("src", "srcset"), "audio": ("src",), "video": ("src", "poster"), "embed": ("src",),
            "object": ("data",)}
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)
_LOCAL_SCHEMES = re.compile(r"^\s*(?:data|blob|about):", re.I)
_TAG = re.compile(r"<(" + "|".join(_LOADING) + r")\b([^>]*)>", re.I)
_ATTRIBUTE = re.compile(r"""([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


@dataclass(frozen=True, order=True)
class ExternalResource:
    """One thing a page would fetch from another host."""

    file: Path
    tag: str
    attribute: str
    url: str

    @property
    def kind(self) -> str:
        return {"script": "a script", "link": "a stylesheet or icon", "img": "an image"}.get(self.tag, "a file")


def is_remote(url: str) -> bool:
    return bool(_REMOTE.match(url)) and not _LOCAL_SCHEMES.match(url)


def _remote_loads(text: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, url) of each remote load in an HTML text (comments are skipped)."""
    found: list[tuple[str, str, str]] = []
    for tag in _TAG.finditer(_COMMENT.sub("", text)):
        name = tag[1].lower()
        for attribute in _ATTRIBUTE.finditer(tag[2]):
            key = attribute[1].lower()
            if key not in _LOADING[name]:
                continue
            value = html.unescape(attribute[2].strip("\"'"))
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if key == "srcset" else [value]
            found.extend((name, key, url) for url in urls if is_remote(url))
    return found


def external_resources(site: Path) -> list[ExternalResource]:
    """Every remote load in the HTML and CSS files under ``site``, sorted."""
    found: list[ExternalResource] = []
    for pattern in ("*.html", "*.css"):
        for path in sorted(site.rglob(pattern)):
            text = path.read_text(encoding="utf-8", errors="replace")
            if pattern == "*.css":
                urls = [("css", "url", match[1] or match[2]) for match in _CSS_URL.finditer(text)]
                found.extend(ExternalResource(path, *u) for u in urls if is_remote(u[2]))
            else:
                found.extend(ExternalResource(path, tag, key, url) for tag, key, url in _remote_loads(text))
    return sorted(found)
