"""Chinese search on the site: queries split the way the index is, and result snippets from files.

Sphinx's Chinese search (``html_search_language: zh``) splits the text of
pages into words with jieba (``cut_for_search``), but in the browser it splits
a query only at spaces and punctuation. A query of four or more hanzi
(三会一课) is then one word that the index does not hold (it holds 三会 and
一课), and nothing is found. :class:`ChineseSearch` is Sphinx's Chinese
language with a query splitter, given through Sphinx's own hook
(``js_splitter_code``, written into ``_static/language_data.js``): each run of
hanzi becomes the fewest words of the index that cover the most of its
characters (``templates/site/zh-splitter.js``). Sphinx then finds the pages
that hold every word, as for any query of several words.

Result snippets: Sphinx's search page fetches each result's page to show a
snippet, which browsers refuse for ``file://`` pages (a site opened from a
folder or a USB stick): a console error per result and no snippets. The search
page loads ``_static/kebao-search.js``, which, only when the page comes from
``file://``, loads ``_static/kebao-pages.js`` (the main text of every page,
written when the build finishes: :func:`write_page_texts`) and answers those
fetches from it. Served over HTTP it does nothing.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.search.zh import SearchChinese

SITE_FILES = resources.files("kebao").joinpath("templates", "site")
SEARCH_SCRIPT = "kebao-search.js"  # in templates/site/static, loaded by the search page
PAGES_SCRIPT = "kebao-pages.js"  # written into _static: docname -> the page's main HTML, for file://

_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.S)  # sphinx-book-theme's main text
_DROPPED = re.compile(r"<(script|style|svg|template)\b.*?</\1\s*>|<img\b[^>]*>|<a class=\"headerlink\"[^>]*>.*?</a>",
                      re.S | re.I)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_ID = re.compile(r"""\bid=("[^"]*"|'[^']*')""")


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search, whose queries are split into the index's own words (see the module docstring)."""

    js_splitter_code = SITE_FILES.joinpath("zh-splitter.js").read_text(encoding="utf-8")


def main_html(page: str) -> str:
    """The main text of a built page, as HTML with only ``id`` attributes, inside ``<div role="main">``.

    Sphinx's snippet code reads ``[role="main"]`` and the element of a section's id; images, scripts,
    styles and heading links are left out. An empty string for a page without a main text.
    """
    found = _ARTICLE.search(page)
    if found is None:
        return ""

    def only_id(tag: re.Match[str]) -> str:
        ident = _ID.search(tag[2])
        return f"<{tag[1]} id={ident[1]}>" if ident else f"<{tag[1]}>"

    body = _TAG.sub(only_id, _DROPPED.sub("", found[1]))
    return '<div role="main">' + re.sub(r"\s*\n\s*", "\n", body).strip() + "</div>"


def write_page_texts(app: Sphinx, exception: Exception | None) -> None:
    """``_static/kebao-pages.js``: every page's main text (:func:`main_html`), rewritten only when it changed."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages: dict[str, str] = {}
    for docname in sorted(app.env.found_docs):
        path = outdir / f"{docname}{app.builder.out_suffix}"  # type: ignore[attr-defined]
        if path.is_file():
            text = main_html(path.read_text(encoding="utf-8"))
            if text:
                pages[docname] = text
    script = "window.KEBAO_PAGES = " + json.dumps(pages, ensure_ascii=False, sort_keys=True) + ";\n"
    target = outdir / "_static" / PAGES_SCRIPT
    if not target.is_file() or target.read_text(encoding="utf-8") != script:
        target.write_text(script, encoding="utf-8")


def _static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(SITE_FILES.joinpath("static")))


def _search_page_script(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                        doctree: object) -> None:
    if pagename == "search":
        app.add_js_file(SEARCH_SCRIPT)


def setup(app: Sphinx) -> None:
    """Called by :func:`kebao.sphinxext.setup`."""
    app.add_search_language(ChineseSearch)
    app.connect("builder-inited", _static_path)
    app.connect("html-page-context", _search_page_script)
    app.connect("build-finished", write_page_texts)
