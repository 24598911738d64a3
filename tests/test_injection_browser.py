"""Planted scripts in every text field and body run nowhere: packs and the site, opened in headless Chromium.

The fixture catalogue gets ``<script>`` and ``<img onerror>`` in the programme's title, partner, summary and
outcomes, the cohort's venue (``--set``), every module's title, outcomes, assessment, body and a trainer
note, the case's title, summary and body, and a case code cell that displays such HTML. Each planted script
would set ``window.__pwned``; the pages are opened in Chromium and it must stay unset, with no event-handler
attribute left in the page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from kebao.catalog import load_catalog
from kebao.packs.files import name_of
from kebao.paths import PackAddress

from .browser import Page, browser_tab
from .paths import FIXTURES, REPO

NOTEBOOK = REPO / "notebooks" / "course_pack.ipynb"


def plant(n: int) -> str:
    return (f'<script>window.__pwned = "script {n}"</script><img src="x" onerror="window.__pwned = \'img {n}\'">'
            f'<a href="javascript:window.__pwned=\'link {n}\'">l{n}</a>')


def planted_repo(root: Path) -> Path:
    shutil.copytree(FIXTURES / "catalog", root)
    (root / "curricula" / "programmes" / "cadres-course.yml").unlink()
    programme = root / "curricula" / "programmes" / "nev-class.yml"
    text = programme.read_text(encoding="utf-8")
    title = json.dumps("新能源<b>汽车</b> & `x` {doc}`y` " + plant(1), ensure_ascii=False)
    partner = json.dumps("某汽车企业" + plant(3), ensure_ascii=False)
    text = text.replace("{zh: 新能源汽车技术专项培训班,", f"{{zh: {title},")
    text = text.replace("{zh: 某汽车企业,", f"{{zh: {partner},")
    programme.write_text(text, encoding="utf-8")
    for number, module in enumerate(sorted((root / "curricula" / "modules").glob("*.md")), start=10):
        body = module.read_text(encoding="utf-8")
        body += f"\n\n段落 {plant(number)}\n\n<div>{plant(number + 100)}</div>\n\n:::{{trainer-note}}\n" \
                f"提示 {plant(number + 200)}\n:::\n"
        module.write_text(body, encoding="utf-8")
    for case in sorted((root / "cases").glob("*.md")):
        body = case.read_text(encoding="utf-8")
        body += (f"\n\n说明 {plant(900)}\n\n```{{code-cell}} ipython3\nfrom IPython.display import HTML, display\n"
                 f"display(HTML({plant(901)!r}))\n```\n")
        case.write_text(body, encoding="utf-8")
    load_catalog(root)  # still valid content: raw HTML is a warning of validate, removed where it is shown
    return root


def assert_nothing_ran(page: Page, url: str, expect: str) -> None:
    page.open(url, expect)
    page.pump(1.0)
    assert page.evaluate("window.__pwned === undefined"), page.evaluate("String(window.__pwned)")
    handlers = page.evaluate("""[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
        .filter(a => a.name.startsWith('on') || a.value.trim().toLowerCase().startsWith('javascript:'))
        .map(a => e.tagName + ' ' + a.name))""")
    assert handlers == []
    dialogs = [e for e in page.events if e["method"] == "Page.javascriptDialogOpening"]
    assert dialogs == []


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.browser
def test_scripts_planted_in_a_pack_never_run(tmp_path: Path, screenshots: Path) -> None:
    root = planted_repo(tmp_path / "repo")
    out = tmp_path / "packs"
    result = subprocess.run([sys.executable, "-m", "kebao", "pack", "nev-class", "--root", str(root), "--out",
                             str(out), "--notebook", str(NOTEBOOK), "--set", f"venue=实训车间{plant(2)}",
                             "--set", "id=planted"],  # a cohort of its own: the venue differs from the programme's
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = out / "nev-class" / "planted"
    with browser_tab(tmp_path / "profile", ("Page", "Runtime"), screenshots) as page:
        address = PackAddress("nev-class", "planted")
        for name in (name_of(address, "handbook.html"), name_of(address, "trainer-guide.html")):
            html = (folder / name).read_text(encoding="utf-8")
            assert "&lt;script&gt;window.__pwned" in html  # the title and the venue shown as text
            assert_nothing_ran(page, (folder / name).as_uri(), quote(name))
        page.screenshot("injection-pack")


@pytest.mark.slow
@pytest.mark.kernel
@pytest.mark.browser
def test_scripts_planted_in_the_site_never_run(tmp_path: Path, screenshots: Path) -> None:
    root = planted_repo(tmp_path / "repo")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns("generated"))
    for programme in load_catalog(root).programmes.values():  # stand-in packs: the site links them
        folder = root / "build" / "packs" / programme.id / programme.cohort.id
        folder.mkdir(parents=True)
        with zipfile.ZipFile(folder / f"{programme.id}-{programme.cohort.id}.zip", "w") as bundle:
            bundle.writestr("readme.txt", "stand-in pack")
    result = subprocess.run([sys.executable, "-m", "kebao", "book", "--root", str(root), "--no-packs", "--quiet"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    html = root / "_build" / "html"
    generated = html / "book" / "generated"
    pages = [generated / "programmes" / "nev-class.html", *sorted((generated / "modules").glob("*.html")),
             *sorted((html / "cases").glob("*.html"))]
    assert len(pages) > 3
    programme = pages[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned" in programme and "新能源&lt;b&gt;汽车&lt;/b&gt;" in programme
    with browser_tab(tmp_path / "profile", ("Page", "Runtime"), screenshots) as page:
        for path in pages:
            assert_nothing_ran(page, path.as_uri(), path.name)
        page.open(pages[0].as_uri(), pages[0].name)
        page.screenshot("injection-site")
