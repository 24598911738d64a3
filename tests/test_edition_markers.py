"""Issue 16: content cannot forge the markers that cut trainer material out of the participant handbook.

A module of the fixture catalogue gets kebao's own edition markers (``<!--kebao:trainer-->``,
``<!--/kebao:trainer-->``), the same text in an attribute, and an unclosed comment, in its body and in its
trainer note (an unclosed comment hides the rest of its own output, as in any browser, and nothing after
that output). The notebook's outputs are made as ``notebooks/course_pack.ipynb`` makes them (the module
pages, the trainer notes tagged ``trainer``) and converted by the pack's nbconvert template, without a kernel.
"""

from __future__ import annotations

import re
from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook, new_output

from kebao.catalog import load_catalog
from kebao.packs import export, page
from kebao.packs.context import decide

MODULE = "battery-practicum"  # required by nev-class, so it is in the pack

BODY = """
参与者甲段 <!--kebao:trainer-->

参与者乙段 <img alt="<!--kebao:trainer-->" src="data:image/png;base64,iVBORw0KGgo=">

<div title="<!--/kebao:trainer-->">参与者丙段</div>

:::{trainer-note}
答案甲 <!--/kebao:trainer--> 答案乙 <span title="<!--/kebao:trainer-->">答案丙</span>

答案丁 <!--
:::

参与者丁段 <!--/kebao:trainer--> 参与者戊段 <!-- 作者的注释，未闭合
"""
PARTICIPANT = ("参与者甲段", "参与者乙段", "参与者丙段", "参与者丁段", "参与者戊段",
               "智能手机办公")  # the next module's page, after the unclosed comments
TRAINER = ("答案甲", "答案乙", "答案丙", "答案丁")


def planted_notebook(root: Path) -> object:
    """The notebook with the planted module first, so that every other module's page comes after it."""
    module = root / "curricula" / "modules" / f"{MODULE}.md"
    module.write_text(module.read_text(encoding="utf-8") + BODY, encoding="utf-8")
    ctx = decide(load_catalog(root), "nev-class")
    assert MODULE in ctx.plan.modules and len(ctx.plan.modules) >= 2
    outputs = []
    for module_id in sorted(ctx.plan.modules, key=lambda m: m != MODULE):  # as the notebook displays them
        text, notes = page.module_page(ctx, module_id)
        outputs.append(new_output("display_data", {"text/markdown": text}))
        if notes:
            outputs.append(new_output("display_data", {"text/markdown": notes},
                                      metadata={"tags": [page.TRAINER_TAG]}))
    nb = new_notebook(cells=[new_code_cell("", outputs=outputs, execution_count=1)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_forged_markers_neither_leak_trainer_text_nor_hide_participant_text(catalog_root: Path) -> None:
    body = export.render_body(planted_notebook(catalog_root))
    handbook, guide = export.edition(body, "participant"), export.edition(body, "trainer")
    for word in PARTICIPANT:
        assert word in text_of(handbook), f"{word} is missing from the handbook"
        assert word in text_of(guide), f"{word} is missing from the trainer guide"
    leaked = [word for word in TRAINER if word in handbook]
    assert leaked == [], f"trainer text in the participant handbook: {leaked}"
    assert [word for word in TRAINER if word not in guide] == []
    for edition in (handbook, guide):
        assert "<!--" not in edition  # no marker, forged or ours, and no author comment reaches a page
        # nbconvert's heading anchors are written <a … />; sealed as open links they would wrap what follows
        assert re.findall(r'<a class="anchor-link"[^>]*>(?!</a>)', edition) == []
    assert handbook.count('class="trainer-only"') == 0 and guide.count('class="trainer-only"') >= 1


def test_each_conversion_draws_its_own_token(catalog_root: Path) -> None:
    nb = planted_notebook(catalog_root)
    first, second = export.render_body(nb), export.render_body(nb)
    assert first.token != second.token and len(first.token) >= 32
    assert first.html.count(first.marks[0]) == first.html.count(first.marks[1]) >= 1
    assert export.edition(first, "participant") == export.edition(second, "participant")  # packs stay reproducible
