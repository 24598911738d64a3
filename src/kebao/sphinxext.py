"""kebao's Sphinx extension, loaded by the book (``sphinx: extra_extensions: [kebao.sphinxext]``).

* Two editions (``kebao_edition``: ``public``, the default, or ``trainer``;
  :mod:`kebao.book.site` builds each with its own Sphinx environment). The
  public site leaves trainer material out while pages are read, so it is in no
  page, search index or download folder:

  - ``trainer-note``: the directive that modules and cases use for notes meant
    for trainers only (see :mod:`kebao.content`). The public site drops it; on
    the trainer site it is a collapsed admonition titled "给培训师" with the
    classes ``dropdown trainer-note``, which sphinx-togglebutton (bundled with
    jupyter-book) folds::

        :::{trainer-note}
        Facilitation tips, answer keys…
        :::

    An argument after the directive name is added to the title
    (``:::{trainer-note} 参考答案`` -> "给培训师：参考答案").
  - a case's teaching notes are a trainer note too (``:::{trainer-note} 教学说明``);
    a plain ``## 教学说明`` section is refused when the catalogue is loaded
    (:func:`kebao.content.open_trainer_sections`), so it never reaches a page;
  - page sources (``_sources``, which hold trainer notes as written): the
    public site copies none (``html_copy_source``);
  - ``{only} trainer`` blocks (the trainer edition sets the tag ``trainer``):
    generated programme pages put the trainer's downloads in one. Sphinx
    decides ``only`` when it writes a page, after it has collected the files
    to copy; deciding it while reading keeps those files out of the public site.
* Case pages fold their code: every code cell of a page under ``cases/`` shows
  its outputs, and its source behind a "显示代码" toggle (myst-nb's
  ``hide-input``, the words from :mod:`kebao.labels`), unless the cell is
  already hidden or removed by its tags.
* An offline check: when the HTML build finishes, every page is searched for
  scripts, stylesheets or images loaded from the internet (``src``/``href`` with
  ``http(s)://`` or ``//``), and each one found is a warning (so ``-W`` fails the
  build). The site must work in a training room without internet.
* Chinese line joining: a line break inside a Chinese paragraph would show as
  a space in the browser (``写成\n可复用`` -> "写成 可复用"), so a line break
  between two Chinese characters or punctuation marks is removed from the text
  (never inside code or literal blocks).
* Safe HTML: every raw-HTML node of a page (raw HTML in Markdown, HTML
  outputs of case notebooks) passes :func:`kebao.sanitize.clean_html` when
  the page is resolved (removals from the page's own content logged with
  ``-v``; sphinx-thebe's two scripts on every page are removed without a
  word); links with ``javascript:`` or other unsafe URLs lose their target.
* Chinese search: Sphinx splits Chinese text into words with jieba; without
  it no Chinese word is searchable, so a Chinese site without jieba is a
  warning (an error with ``-W``). jieba logs at DEBUG level to stderr by
  default; it is made quiet. Queries are split into the index's words and
  result snippets work from ``file://`` (:mod:`kebao.book.search`).
* Inline scripts once: Sphinx 7.4 writes a script that an extension adds
  after the builder has started (``add_js_file(None, body=…)``) twice, because
  it stores it once under the name ``None`` and once under ``''``
  (sphinx-doc/sphinx#13402, fixed upstream in 2025). sphinx-thebe's
  ``const THEBE_JS_URL = …`` twice is a SyntaxError on every page; kebao passes
  ``''`` for ``None`` as the upstream fix does.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from docutils import nodes  # type: ignore[import-untyped, unused-ignore]
from sphinx.application import Sphinx
from sphinx.config import ENUM, Config
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging as sphinx_logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import process_only_nodes

from .content import TRAINER_NOTE_TITLE
from .labels import Language, label
from .paths import CASES, SITE_EDITIONS

logger = sphinx_logging.getLogger(__name__)
_CJK = "\u2014\u2018\u2019\u201c\u201d\u2026\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_IS_CJK = re.compile(f"[{_CJK}]")
_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_LITERAL = (nodes.literal_block, nodes.literal, nodes.raw, nodes.comment, nodes.doctest_block)
TRAINER_TAG = "trainer"  # the tag the trainer edition sets, for ``{only} trainer`` blocks


def site_language(config: Config) -> Language:
    """The language of the site's own words (kebao.labels): Chinese unless Sphinx's ``language`` is not."""
    return "en" if str(config.language or "zh").lower().startswith("en") else "zh"


def is_trainer_edition(config: Config) -> bool:
    return bool(config.kebao_edition == "trainer")


class TrainerNote(SphinxDirective):
    """``:::{trainer-note} [title]``: a folded "给培训师" admonition."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        self.assert_has_content()
        if not is_trainer_edition(self.config):
            return []
        text = "\n".join(self.content)
        title_text = TRAINER_NOTE_TITLE + (f"：{self.arguments[0]}" if self.arguments else "")
        admonition = nodes.admonition(text, classes=["dropdown", "trainer-note"])
        self.set_source_info(admonition)
        textnodes, messages = self.state.inline_text(title_text, self.lineno)
        title = nodes.title(title_text, "", *textnodes)
        title.source, title.line = self.state_machine.get_source_and_line(self.lineno)
        admonition += title
        admonition += messages
        self.state.nested_parse(self.content, self.content_offset, admonition)
        return [admonition]


class JoinChineseLines(SphinxTransform):
    """Remove line breaks between Chinese characters in text (see the module docstring).

    MyST turns a soft line break into its own ``Text("\\n")`` node, so the
    characters on either side may sit in the neighbouring text nodes.
    """

    default_priority = 800

    def apply(self, **kwargs: Any) -> None:
        texts = [t for t in self.document.findall(nodes.Text)
                 if t and t.parent is not None and not isinstance(t.parent, _LITERAL)]
        for index, text in enumerate(texts):
            if "\n" not in text:
                continue
            before = texts[index - 1][-1:] if index > 0 else ""
            after = texts[index + 1][:1] if index + 1 < len(texts) else ""
            joined = join_chinese_lines(str(text), before, after)
            if joined != text and text.parent is not None:
                text.parent.replace(text, nodes.Text(joined))


class DecideOnlyWhileReading(SphinxTransform):
    """``{only}`` blocks decided while the page is read, so the public site never collects their downloads."""

    default_priority = 210

    def apply(self, **kwargs: Any) -> None:
        process_only_nodes(self.document, self.app.builder.tags)


class FoldCaseCode(SphinxPostTransform):
    """Code cells of case pages: outputs shown, source folded behind a toggle (see the module docstring)."""

    default_priority = 150  # before myst-nb's HideInputCells (199), which draws the toggle
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        if not self.env.docname.startswith(f"{CASES.as_posix()}/"):
            return
        for cell in self.document.findall(nodes.container):
            if cell.get("nb_element") != "cell_code" or cell.get("hide_mode") or not cell.children:
                continue
            if cell.children[0].get("nb_element") == "cell_code_source":
                cell["hide_mode"] = "input"
                cell["prompt_show"] = label("site_show_code", site_language(self.config))
                cell["prompt_hide"] = label("site_hide_code", site_language(self.config))


def join_chinese_lines(text: str, before: str = "", after: str = "") -> str:
    """``text`` without line breaks that have a Chinese character on both sides.

    ``before`` and ``after`` are the characters just outside ``text``.
    """
    def replace(match: re.Match[str]) -> str:
        previous = text[match.start() - 1] if match.start() > 0 else before
        following = text[match.end()] if match.end() < len(text) else after
        return "" if _IS_CJK.match(previous or " ") and _IS_CJK.match(following or " ") else match[0]

    return _BREAK.sub(replace, text)


def _check_offline(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    from .book.offline import external_resources

    for found in external_resources(Path(app.outdir)):
        logger.warning("page loads %s from the internet: <%s %s=\"%s\">; the site must work offline "
                       "(serve the file from _static, or remove it)", found.kind, found.tag, found.attribute,
                       found.url, location=str(found.file), type="kebao", subtype="offline")


def _check_jieba(app: Sphinx) -> None:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    if app.builder.format != "html" or not str(app.config.html_search_language or app.config.language).startswith("zh"):
        return
    try:
        import jieba  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        logger.warning("the site's search cannot find Chinese words: Sphinx needs jieba to split Chinese text "
                       "into words; install it (pip install jieba)", type="kebao", subtype="search")
        return
    jieba.setLogLevel(logging.WARNING)


def _sanitise(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Raw HTML of a page (Markdown's and notebook outputs') through kebao's allow-list; no javascript: links.

    Runs on ``doctree-resolved``, after myst-nb has chosen each output's MIME type. What is removed is logged
    (``-v``), not warned about: ``kebao validate`` reports raw HTML in Markdown with its line and ``kebao
    check`` fails on it, and on case outputs that hold scripts (:mod:`kebao.check.execute`).
    """
    from .sanitize import clean_html, removals, url_allowed

    for raw in list(doctree.findall(nodes.raw)):
        if "html" not in raw.get("format", "").split():
            continue
        text = raw.astext()
        cleaned = clean_html(text)
        if cleaned != text:
            active = removals(text, active=True)
            if active and raw.get(_PAGE_RAW):
                logger.info("raw HTML removed from the page: %s", "; ".join(active), location=raw)
            raw.replace_self(nodes.raw("", cleaned, format="html"))
    for reference in list(doctree.findall(nodes.reference)):
        uri = reference.get("refuri")
        if uri and not url_allowed("a", "href", uri):
            logger.info("link to %r removed from the page: only http(s), mailto, tel and relative links are "
                        "allowed", uri[:60], location=reference)
            reference.replace_self(nodes.inline("", "", *reference.children))


_PAGE_RAW = "kebao-page-raw"


def _mark_page_raw(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Mark the raw nodes the page itself holds (its Markdown's and its notebook outputs'), before other
    extensions' ``doctree-resolved`` handlers run.

    sphinx-thebe appends two ``<script>`` nodes to every page there (its Binder configuration and
    ``kernelName``): :func:`_sanitise` removes them like any other script (thebe is off and would need the
    internet), but only removals from the page's own content are logged.
    """
    for raw in doctree.findall(nodes.raw):
        raw[_PAGE_RAW] = True


def _escape_theme_titles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                         doctree: object) -> None:
    """sphinx-book-theme puts ``pagetitle`` and ``root_title`` into its templates as plain text it does not
    escape (the printed page's heading): a ``<script>`` in a programme's title would run there."""
    import html

    for key in ("pagetitle", "root_title"):
        value = context.get(key)
        if isinstance(value, str) and not hasattr(value, "__html__"):
            context[key] = html.escape(value, quote=True)


def _allow_parallel_read(app: Sphinx) -> None:
    """sphinx-external-toc loads sphinx-multitoc-numbering, which does not say whether it is safe for
    parallel reading; Sphinx then reads serially and warns (an error with -W). It only renumbers sections
    when the HTML is written (and ``use_multitoc_numbering`` is off here), so reading in parallel is safe."""
    extension = app.extensions.get("sphinx_multitoc_numbering")
    if extension is not None and extension.parallel_read_safe is None:
        extension.parallel_read_safe = True


def _set_edition(app: Sphinx, config: Config) -> None:
    """The trainer edition sets the tag ``trainer``; the public one makes sure it is not set, and copies no
    page sources into ``_sources`` (a case's source holds its trainer notes as written)."""
    if is_trainer_edition(config):
        app.tags.add(TRAINER_TAG)
        return
    if app.tags.has(TRAINER_TAG):
        app.tags.remove(TRAINER_TAG)
    config.html_copy_source = False


def _inline_scripts_once(app: Sphinx) -> None:
    """Give Sphinx ``''`` instead of ``None`` for an inline script's file name (see the module docstring)."""
    add_js_file = app.add_js_file

    def add(filename: str | None, priority: int = 500, loading_method: str | None = None, **kwargs: Any) -> None:
        add_js_file(filename or "", priority, loading_method, **kwargs)

    app.add_js_file = add  # type: ignore[method-assign]


def setup(app: Sphinx) -> dict[str, Any]:
    from .book import search

    app.add_config_value("kebao_edition", "public", "env", ENUM(*SITE_EDITIONS),
                         "public: no trainer notes, teaching notes or trainer downloads; trainer: everything")
    app.connect("config-inited", _set_edition)
    _inline_scripts_once(app)
    app.add_directive("trainer-note", TrainerNote)
    _allow_parallel_read(app)
    app.add_transform(JoinChineseLines)
    app.add_transform(DecideOnlyWhileReading)
    app.add_post_transform(FoldCaseCode)
    search.setup(app)
    app.connect("builder-inited", _check_jieba)
    app.connect("build-finished", _check_offline)
    app.connect("doctree-resolved", _mark_page_raw, priority=100)  # before sphinx-thebe's and ours (500)
    app.connect("doctree-resolved", _sanitise)
    app.connect("html-page-context", _escape_theme_titles, priority=900)  # after sphinx-book-theme's (500)
    from . import __version__

    return {"version": __version__, "env_version": _source_version(), "parallel_read_safe": True,
            "parallel_write_safe": True}


def _source_version() -> int:
    """A number that changes with this file, so that Sphinx re-reads every page when the extension changes."""
    import hashlib

    return int(hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12], 16)
