"""Safe HTML by construction (issue 16): the sanitiser, Markdown escaping, and what validate reports."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from kebao.cli import main
from kebao.sanitize import clean_html, escape_markdown, markdown_problems, removals

ATTACKS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="  java\tscript:alert(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">link</a>',
    '<iframe src="https://example.org"></iframe>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<div onclick="alert(1)" style="position:fixed">x</div>',
    '<object data="x.swf"></object><embed src="x">',
    '<form action="https://example.org"><input name="p"></form>',
    '<body onload="alert(1)">',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<<script>script>alert(1)<</script>/script>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_active_survives(attack: str) -> None:
    cleaned = clean_html(attack).lower()
    for needle in ("<script", "onerror", "onload", "onclick", "javascript:", "<iframe", "<object", "<embed",
                   "<form", "data:text", "position:fixed"):
        assert needle not in cleaned, (attack, cleaned)


def test_formatting_tables_and_images_keep_working() -> None:
    html = ('<table class="dataframe" border="1"><thead><tr style="text-align: right;"><th>主题</th></tr></thead>'
            '<tbody><tr><td><b>12</b></td></tr></tbody></table>'
            '<img alt="学时" src="data:image/png;base64,iVBORw0KGgo="><a href="#x" class="anchor-link">¶</a>'
            '<!--kebao:trainer--><p>仅培训师</p><!--/kebao:trainer-->')
    assert clean_html(html) == html.replace("<tr style=\"text-align: right;\">", '<tr style="text-align:right">')


def test_svg_charts_become_images_that_run_nothing() -> None:
    svg = '<svg viewBox="0 0 10 10"><path d="M0 0L10 10"/><script>alert(1)</script></svg>'
    cleaned = clean_html(f"<div>{svg}</div>")
    assert cleaned.startswith('<div><img alt="" src="data:image/svg+xml;base64,')
    data = cleaned.split("base64,")[1].split('"')[0]
    assert 'viewBox="0 0 10 10"' in base64.b64decode(data).decode()  # the same drawing, inside an <img>


def test_removals_say_what_goes() -> None:
    assert removals("<b>fine</b>") == []
    assert removals('<img src=x onerror="alert(1)">') == ["the onerror= attribute of <img>"]
    assert removals('<a href="javascript:x">y</a>') == ['the URL href="javascript:x" of <a>']
    assert removals("<style>p{}</style><script>x</script>", active=True) == ["<script> with its content"]


def test_escaped_markdown_is_literal_text() -> None:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    title = 'A <script>alert(1)</script> & "q" `x` *y* [l](javascript:z) {doc}`t` $m$ 中文'
    html = markdown2html_mistune(escape_markdown(title))
    assert "<script" not in html and "<a " not in html and "<em>" not in html and "<code>" not in html
    assert "&lt;script&gt;" in html and "中文" in html


def test_markdown_problems_are_located(tmp_path: Path) -> None:
    body = ("text\n\n```\n<script>in code</script>\n```\n\n"
            "some <img src=x onerror=alert(1)> here\n\n<script>x</script>\n")
    problems = markdown_problems(tmp_path / "m.md", body, 10)
    assert [(p.location.line, p.message.split("remove: ", 1)[1]) for p in problems] == [
        (16, "the onerror= attribute of <img>"), (18, "<script> with its content")]


def test_validate_reports_raw_html_with_file_and_line(catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Reported, not refused: packs and the site remove it anyway; `kebao check` fails on it (CI)."""
    from kebao.check.content import check_content

    module = sorted((catalog_root / "curricula" / "modules").glob("*.md"))[0]
    lines = module.read_text(encoding="utf-8").splitlines()
    module.write_text("\n".join([*lines, "", "<img src=x onerror=alert(1)>", ""]), encoding="utf-8")
    assert main(["validate", str(catalog_root)]) == 0
    out = capsys.readouterr().out
    assert f"curricula/modules/{module.name}:{len(lines) + 2}:1: body: warning: raw HTML" in out
    assert "the onerror= attribute of <img>" in out
    checked, catalog = check_content(catalog_root)
    assert catalog is not None and checked.status == "failed"
    assert [item.name for item in checked.failures] == [f"curricula/modules/{module.name}"]


PLANTED = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def test_pack_pages_escape_every_plain_text_field(catalog_root: Path) -> None:
    """Programme title, partner, summary, outcomes, venue, module titles, outcomes, assessment: text, not HTML."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from kebao.catalog import load_catalog
    from kebao.packs import frontmatter, page
    from kebao.packs.context import decide

    programme = catalog_root / "curricula" / "programmes" / "nev-class.yml"
    text = programme.read_text(encoding="utf-8")
    programme.write_text(text.replace("新能源汽车技术专项培训班", "新能源汽车<script>window.__pwned=3</script>班"),
                         encoding="utf-8")
    ctx = decide(load_catalog(catalog_root), "nev-class", settings=[f"venue={PLANTED}"])
    sections = (frontmatter.overview, frontmatter.check_in, frontmatter.contacts, frontmatter.site_visits,
                frontmatter.assessment, frontmatter.materials_checklist)
    shown = [*(section(ctx) or "" for section in sections), *(page.module_page(ctx, m)[0] for m in ctx.plan.modules),
             *(text for reading in page.case_readings(ctx) for kind, text in reading.parts if kind == "markdown")]
    for markdown in shown:
        html = markdown2html_mistune(markdown)
        assert "<script" not in html and "<img" not in html, html
    assert "&lt;img src=x onerror=" in markdown2html_mistune(frontmatter.overview(ctx))
    cover = frontmatter.cover(ctx, "participant")
    assert "<script" not in cover and "&lt;script&gt;window.__pwned=3" in cover
