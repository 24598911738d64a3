"""`kebao book` for real: packs, generated pages, jupyter-book build with every case executed.

The repository's own site is built once per test session (the ``built_site``
fixture, tests/conftest.py: a copy of the repository's content in a temporary
folder), with ``kebao book`` in a subprocess as a user runs it. A second, tiny
repository checks that a broken build lists every problem at once. The
remaining tests are fast and need no build (the pure lane).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from kebao.book import BookError
from kebao.book.files import sync_folder
from kebao.book.generate import generate, page_files
from kebao.book.markdown import doc, esc, join_lines
from kebao.book.offline import external_resources
from kebao.book.programmes import find_pack
from kebao.catalog import load_catalog
from kebao.packs.files import name_of
from kebao.paths import PackAddress
from kebao.sphinxext import join_chinese_lines

from .book_site import PRIVATE_MARK, VERIFICATION_MARK, BuiltSite, run_book
from .paths import FIXTURES, REPO


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            values = {k: v or "" for k, v in attrs}
            self.links.append((values.get("href", ""), values))


def links(page: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


# -- the real site (slow: packs, every case run in a kernel, Sphinx) -----------------------


@pytest.mark.slow
@pytest.mark.kernel
def test_the_build_is_warning_free_and_prints_the_index(built_site: BuiltSite) -> None:
    assert not re.search(r": (WARNING|ERROR|CRITICAL|SEVERE):", built_site.output), built_site.output[-5000:]
    assert built_site.printed.strip().splitlines()[-1] == str((built_site.html / "index.html").resolve())
    assert "book/index.html" in (built_site.html / "index.html").read_text(encoding="utf-8")


def offered(page: Path) -> dict[str, Path]:
    """File name -> the file behind each download link of a built page."""
    found = {}
    for href, attrs in links(page):
        if "download" in attrs.get("class", ""):
            target = Path(unquote(urljoin(page.as_uri(), href).removeprefix("file://")))
            found[target.name] = target
    return found


@pytest.mark.slow
@pytest.mark.kernel
def test_every_programme_page_offers_its_pack_to_whom_it_is_for(built_site: BuiltSite,
                                                                trainer_site: BuiltSite) -> None:
    """The public page offers the participants' files and no trainer's; the trainer site offers them all."""
    for programme in built_site.programmes:
        pack = find_pack(built_site.root, Path("build/packs"), programme.id, Path(programme.zip).parent.name)
        assert pack.offered(public=True) and pack.offered(public=False), pack  # something on each side to check
        page = Path("book", "generated", "programmes", f"{programme.id}.html")
        public, trainer = offered(built_site.html / page), offered(trainer_site.html / page)
        assert programme.title in (built_site.html / page).read_text(encoding="utf-8")
        for item in pack.downloads:
            name = Path(item.path).name
            for site, links_of in ((trainer_site, trainer), *(((built_site, public),) if item.public else ())):
                assert name in links_of, f"{site.edition} {page} does not offer {name}"
                target = links_of[name]
                assert target.is_file() and "_downloads" in target.parts, f"{name} on {site.edition} {page}"
                assert target.read_bytes() == (built_site.root / item.path).read_bytes()
            if not item.public:
                assert name not in public, f"the public {page} offers the trainer's {name}"
        assert f"{programme.id}-hours.png" in (built_site.html / page).read_text(encoding="utf-8")
    shipped = [path.name for path in built_site.html.rglob("*") if path.is_file()]
    assert not [name for name in shipped if "培训师指南" in name or name.endswith(".zip")], "trainer files shipped"
    assert [name for name in trainer_site.html.rglob("*培训师指南.pdf")], "the trainer site has no trainer guide"


@pytest.mark.slow
@pytest.mark.kernel
def test_every_cohort_file_is_on_its_programme_page_with_its_pack(built_site: BuiltSite,
                                                                   trainer_site: BuiltSite) -> None:
    """`kebao book` builds every cohort file's pack; the programme page lists the cohort (dates, size, venue) and
    offers its pack as it offers the default one: participants' files on both sites, the trainer's on one."""
    catalog = load_catalog(built_site.root)
    cohorts = [(programme, cohort) for programme, found in catalog.cohorts.items() for cohort in found.values()]
    assert len(cohorts) >= 2, cohorts  # the repository's examples (cohorts/)
    for programme, cohort in cohorts:
        pack = find_pack(built_site.root, Path("build/packs"), programme, cohort.id)
        page = Path("book", "generated", "programmes", f"{programme}.html")
        text = (built_site.html / page).read_text(encoding="utf-8")
        assert cohort.id in text and cohort.venue in text and cohort.start.isoformat() in text
        public, trainer = offered(built_site.html / page), offered(trainer_site.html / page)
        for item in pack.downloads:
            name = Path(item.path).name
            assert name in trainer and trainer[name].read_bytes() == (built_site.root / item.path).read_bytes()
            assert (name in public) == item.public, f"{name} on the public {page}"


def site_texts(html: Path) -> dict[str, str]:
    """Every text file of a built site (pages, scripts, sources, search index) as text, hanzi unescaped."""
    texts = {}
    for path in html.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".txt", ".json", ".md", ".ipynb", ".py", ".csv"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.name == "searchindex.js":  # JSON with \uXXXX escapes
                text = json.dumps(json.loads(text[text.index("(") + 1:text.rindex(")")]), ensure_ascii=False)
            texts[path.relative_to(html).as_posix()] = text
    return texts


@pytest.mark.slow
@pytest.mark.kernel
def test_the_public_site_holds_no_trainer_material(built_site: BuiltSite, trainer_site: BuiltSite) -> None:
    """No trainer note or teaching note of any module or case is in any file of the public site; all are in the
    trainer site."""
    assert len(built_site.trainer_texts) >= 10, built_site.trainer_texts  # modules' and cases' notes to look for
    public = site_texts(built_site.html)
    leaks = [f"{name}: {text}" for name, content in public.items() for text in built_site.trainer_texts
             if text in content]
    assert leaks == [], "trainer material on the public site:\n" + "\n".join(leaks[:20])
    assert not [name for name, content in public.items()
                if name.endswith(".html") and 'class="dropdown trainer-note' in content]
    trainer = "\n".join(content for name, content in site_texts(trainer_site.html).items() if name.endswith(".html"))
    assert [text for text in trainer_site.trainer_texts if text not in trainer] == []


@pytest.mark.slow
@pytest.mark.kernel
def test_the_certificates_verification_list_is_published_and_no_other_record(built_site: BuiltSite,
                                                                             trainer_site: BuiltSite) -> None:
    """A certificate's QR code points to verify/<programme>/<cohort>.html: both sites have the list, and nothing
    else of the records (the database, a roster, certificate PDFs) is in any file of either site."""
    for site in (built_site, trainer_site):
        published = site.html / "verify" / "xpcc-cadres" / "xpcc-2026-12.html"
        assert VERIFICATION_MARK in published.read_text(encoding="utf-8")
        texts = site_texts(site.html)
        assert [name for name, text in texts.items() if PRIVATE_MARK in text] == []
        assert [name for name, text in texts.items() if VERIFICATION_MARK in text] == [
            "verify/xpcc-cadres/xpcc-2026-12.html"]  # not in the search index or a page's source
        assert not [path for path in site.html.rglob("*") if path.suffix in (".pdf", ".sqlite")
                    and "certificates" in path.as_posix()]


@pytest.mark.slow
@pytest.mark.kernel
def test_every_module_and_case_has_a_page(built_site: BuiltSite) -> None:
    catalog = load_catalog(built_site.root)
    for module in catalog.modules.values():
        page = built_site.html / "book" / "generated" / "modules" / f"{module.id}.html"
        assert module.title.zh in page.read_text(encoding="utf-8"), page
    for case in catalog.cases.values():
        text = (built_site.html / "cases" / f"{case.id}.html").read_text(encoding="utf-8")
        heading = next(line[2:].strip() for line in case.body.splitlines() if line.startswith("# "))
        assert heading in text, f"case {case.id}: its title is not on its page"
        if "```{code-cell}" in case.body:
            assert "cell_output" in text, f"case {case.id}: no code output on its page"
    for index in ("programmes", "modules", "cases"):
        assert (built_site.html / "book" / "generated" / f"{index}.html").is_file()


@pytest.mark.slow
@pytest.mark.kernel
def test_case_charts_are_on_the_page(built_site: BuiltSite) -> None:
    catalog = load_catalog(built_site.root)
    with_charts = [c.id for c in catalog.cases.values() if "plt.show()" in c.body or "fig" in c.body]
    assert with_charts
    for case_id in with_charts:
        text = (built_site.html / "cases" / f"{case_id}.html").read_text(encoding="utf-8")
        images = re.findall(r'<img[^>]+src="([^"]+\.png)"', text)
        assert images, f"case {case_id} draws a chart but its page shows none"
        for src in images:
            assert (built_site.html / "cases" / unquote(src)).resolve().is_file(), src


@pytest.mark.slow
@pytest.mark.kernel
def test_programme_charts_are_their_packs_figures(built_site: BuiltSite) -> None:
    """A cold book takes each programme's hours chart from the pack it just built instead of drawing it again;
    the bytes are those the site drew itself (charts.png of the decided plan)."""
    from kebao import charts
    from kebao.packs.context import decide
    from kebao.packs.page import hours_figure
    from kebao.paths import GENERATED, PACKS

    catalog = load_catalog(built_site.root)
    for programme in built_site.programmes:
        ctx = decide(catalog, programme.id)
        chart = (built_site.root / GENERATED / "programmes" / f"{programme.id}-hours.png").read_bytes()
        pack = built_site.root / PACKS / PackAddress(programme.id, ctx.cohort.id).relative
        assert chart == (pack / "figures" / "hours-per-strand.png").read_bytes(), programme.id
    assert chart == charts.png(hours_figure(ctx))


@pytest.mark.slow
@pytest.mark.kernel
def test_case_code_is_folded_and_its_outputs_shown(built_site: BuiltSite) -> None:
    """Each code cell of a case page has its source behind a "显示代码" toggle; outputs are not folded."""
    for case_id in built_site.cases:
        text = (built_site.html / "cases" / f"{case_id}.html").read_text(encoding="utf-8")
        sources = len(re.findall(r'<div class="cell_input docutils container">', text))
        folded = re.findall(r'<details class="[^"]*\bhide above-input">\s*<summary[^>]*>(.*?)</summary>\s*'
                            r'<div class="cell_input docutils container">', text, re.S)
        assert len(folded) == sources, f"case {case_id}: {sources - len(folded)} code cell(s) not folded"
        prompts = {tuple(re.findall(r'<p class="(collapsed|expanded)[^"]*">([^<]*)</p>', summary))
                   for summary in folded}
        assert prompts <= {(("collapsed", "显示代码"), ("expanded", "隐藏代码"))}, prompts
        assert "below-input" not in text, f"case {case_id}: an output is folded"
        if sources:
            assert "cell_output" in text


@pytest.mark.slow
@pytest.mark.kernel
def test_every_inline_script_is_written_once(built_site: BuiltSite, trainer_site: BuiltSite) -> None:
    """sphinx-thebe's `const THEBE_JS_URL` twice on a page is a SyntaxError (Sphinx 7.4 wrote it twice)."""
    pages = [*built_site.html.rglob("*.html"), *trainer_site.html.rglob("*.html")]
    assert any("const THEBE_JS_URL" in page.read_text(encoding="utf-8") for page in pages)
    twice = [page for page in pages if page.read_text(encoding="utf-8").count("const THEBE_JS_URL") > 1]
    assert twice == []


@pytest.mark.slow
@pytest.mark.kernel
def test_trainer_notes_are_folded_on_the_trainer_site(trainer_site: BuiltSite) -> None:
    page = trainer_site.html / "book" / "generated" / "modules" / f"{trainer_site.module_with_trainer_note}.html"
    text = page.read_text(encoding="utf-8")
    assert re.search(r'<div class="dropdown trainer-note admonition">\s*<p class="admonition-title">给培训师</p>', text)
    assert "togglebutton.js" in text
    assert "{trainer-note}" not in text and ":::" not in text


@pytest.mark.slow
@pytest.mark.kernel
def test_nothing_is_loaded_from_the_internet(built_site: BuiltSite) -> None:
    assert external_resources(built_site.html) == []


@pytest.mark.slow
@pytest.mark.kernel
def test_search_finds_chinese_words(built_site: BuiltSite) -> None:
    text = (built_site.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    for word in ("党建", "新能源"):
        assert word in index["terms"], (f"the search index has no '{word}': Sphinx's Chinese search needs jieba "
                                        "(pip install jieba) to split Chinese text into words")


# -- a broken repository: every problem at once -------------------------------------


@pytest.mark.slow
@pytest.mark.kernel
def test_a_broken_site_lists_every_problem(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("generated"))
    fixture_repo(root)
    module = root / "curricula" / "modules" / "party-theory.md"
    module.write_text(module.read_text(encoding="utf-8") + "\n见 {doc}`不存在的页面 </nowhere>`。\n",
                      encoding="utf-8")
    case = root / "cases" / "red-dates.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n```{code-cell} ipython3\nraise RuntimeError('坏数据')\n```\n",
                    encoding="utf-8")

    result = run_book(root, "--no-packs", "--quiet")
    assert result.returncode == 2, result.stdout + result.stderr
    error = result.stderr[result.stderr.index("kebao: error:"):]
    assert "party-theory.md" in error and "nowhere" in error
    assert "red-dates" in error and "坏数据" in result.stderr
    assert not (root / "_build" / ".doctrees" / "environment.pickle").exists()  # next build reports them again


# -- fast: generation without Sphinx ---------------------------------------------------


def fixture_repo(root: Path, packs: bool = True) -> Path:
    """The fixture catalogue with its plannable programme only, and stand-in packs."""
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()  # deliberately short of skills modules
    if packs:
        for programme in load_catalog(root).programmes.values():
            folder = root / "build" / "packs" / programme.id / programme.cohort.id
            folder.mkdir(parents=True)
            with zipfile.ZipFile(folder / f"{programme.id}-{programme.cohort.id}.zip", "w") as bundle:
                bundle.writestr("readme.txt", "stand-in pack")
    return root


def test_a_missing_pack_is_a_clear_error(catalog_root: Path) -> None:
    fixture_repo(catalog_root, packs=False)
    with pytest.raises(BookError, match=r"(?s)no course pack for programme .*kebao pack --all"):
        generate(catalog_root)
    with pytest.raises(BookError, match="build/packs/nev-class/2026-11/nev-class-2026-11.zip is missing"):
        find_pack(catalog_root, "build/packs", "nev-class", "2026-11")


@pytest.mark.slow  # pure, but three generations with charts (~1.2 s): make test (not test-fast) runs it
def test_generated_pages_are_rewritten_only_when_they_change(catalog_root: Path) -> None:
    catalog = load_catalog(fixture_repo(catalog_root))
    first = generate(catalog_root, catalog)
    assert "modules/party-theory.md" in first.report.written and first.report.unchanged == ()
    again = generate(catalog_root, catalog)
    assert again.report.written == () and again.report.removed == ()
    (catalog_root / "curricula" / "modules" / "industry-plan.md").unlink()  # no other file names it
    changed = generate(catalog_root)
    assert changed.report.removed == ("modules/industry-plan.md",)
    assert "modules.md" in changed.report.written


def test_module_page_shows_fields_and_includes_the_body(catalog_root: Path) -> None:
    catalog = load_catalog(fixture_repo(catalog_root))
    files = page_files(catalog_root, catalog)
    module = catalog.modules["battery-practicum"]
    page = files["modules/battery-practicum.md"].decode()
    assert page.startswith("% Generated") and f"# {esc(module.title.zh)}" in page
    assert "](<project:/book/generated/modules/hv-safety.md>)" in page  # prerequisite link
    assert "```{include} ../../../curricula/modules/battery-practicum.md" in page
    programme = files["programmes/nev-class.md"].decode()
    assert "](<path:/build/packs/nev-class/2026-11/nev-class-2026-11.zip>)" in programme
    assert files["programmes/nev-class-hours.png"].startswith(b"\x89PNG")


def test_programme_page_keeps_trainer_downloads_for_the_trainer_site(catalog_root: Path) -> None:
    """Participants' files in the public box; the trainer guide and the zip only inside ``{only} trainer``."""
    catalog = load_catalog(fixture_repo(catalog_root))
    address = PackAddress("nev-class", "2026-11")
    folder = catalog_root / "build" / "packs" / address.relative
    for key in ("handbook.pdf", "trainer-guide.pdf"):
        (folder / name_of(address, key)).write_bytes(b"%PDF stand-in")
    programme = page_files(catalog_root, catalog)["programmes/nev-class.md"].decode()
    public, only, trainer = programme.partition("````{only} trainer\n")
    assert only and trainer.count("````") == 1, programme  # one block, closed
    handbook, guide = name_of(address, "handbook.pdf"), name_of(address, "trainer-guide.pdf")
    assert f"/{handbook}>)" in public and f"/{handbook}>)" not in trainer
    for name in (guide, address.zip_name):
        assert f"/{name}>)" not in public and f"/{name}>)" in trainer.split("````")[0], name
    assert "下载：2026-11" in public and "培训师下载：2026-11" in trainer


def test_sync_folder_writes_changed_and_removes_stale(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "gone.md").write_text("x")
    (tmp_path / "same.md").write_bytes(b"same")
    before = (tmp_path / "same.md").stat().st_mtime_ns
    report = sync_folder(tmp_path, {"same.md": b"same", "new/page.md": b"new"})
    assert report.written == ("new/page.md",) and report.unchanged == ("same.md",)
    assert report.removed == ("old/gone.md",) and not (tmp_path / "old").exists()
    assert (tmp_path / "same.md").stat().st_mtime_ns == before


def test_markdown_escaping_and_chinese_lines() -> None:
    assert esc("a*b* [x](y) {{ s }} |") == r"a\*b\* \[x\]\(y\) \{\{ s \}\} \|"
    assert join_lines("以党性教育筑牢根基，\n  以红枣 and\n more") == "以党性教育筑牢根基，以红枣 and more"
    assert doc("a <b> `c`", "cases/x") == r"[a \<b\> \`c\`](<project:/cases/x.md>)"
    assert join_chinese_lines("写成\n可复用") == "写成可复用"
    assert join_chinese_lines("\n", "的", "银") == ""
    assert join_chinese_lines("kebao\n课包") == "kebao\n课包"


def test_offline_check_finds_remote_loads(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<script src="https://cdn.example.org/x.js"></script><link href="//fonts.example.org/f.css">'
        '<img src="data:image/png;base64,AA"><img src="_static/a.png"><a href="https://example.org">ok</a>',
        encoding="utf-8")
    (tmp_path / "s.css").write_text("@import 'https://x.example/y.css'; a{background:url(img/a.png)}")
    found = external_resources(tmp_path)
    assert sorted((f.file.name, f.tag, f.url) for f in found) == [
        ("page.html", "link", "//fonts.example.org/f.css"), ("page.html", "script", "https://cdn.example.org/x.js"),
        ("s.css", "css", "https://x.example/y.css")]


@pytest.mark.slow  # a tiny Sphinx build (~3 s of imports)
def test_page_scripts_are_removed_and_logged_and_sphinx_thebe_s_only_removed(tmp_path: Path) -> None:
    """Every page's raw HTML is sanitised; a removal is logged only for the page's own content, not for the two
    <script> nodes sphinx-thebe appends to every page (the 274 lines a cold `kebao book` printed)."""
    import io

    from sphinx.application import Sphinx

    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        'extensions = ["sphinx_thebe", "kebao.sphinxext"]\n'
        'thebe_config = {"repository_url": "https://github.com/example/site"}\n', encoding="utf-8")
    (source / "index.rst").write_text(
        "Page\n====\n\nText.\n\n.. raw:: html\n\n   <p>kept</p><script>alert(1)</script>\n", encoding="utf-8")
    (source / "other.rst").write_text("Other\n=====\n\nNo raw HTML here.\n\n.. toctree::\n", encoding="utf-8")
    status, warning = io.StringIO(), io.StringIO()
    app = Sphinx(str(source), str(source), str(tmp_path / "html"), str(tmp_path / "doctrees"), "html",
                 status=status, warning=warning, freshenv=True)
    app.build()
    log = status.getvalue()
    assert log.count("raw HTML removed from the page") == 1, log
    assert "index.rst" in log.split("raw HTML removed from the page")[0].rsplit("\n", 1)[-1]
    for page in ("index.html", "other.html"):
        html = (tmp_path / "html" / page).read_text(encoding="utf-8")
        assert "alert(1)" not in html and "x-thebe-config" not in html and "kernelName =" not in html
    assert "<p>kept</p>" in (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
