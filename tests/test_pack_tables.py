"""The printed pack's tables: column widths decided before weasyprint lays them out (kebao.packs.tables)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from kebao.packs.export import page_html
from kebao.packs.tables import fixed_widths

LONG = "教师演示一辆已编好程序的小车巡线；提问没有人遥控它怎么知道往哪边拐，各组把传感器放在黑线上读出数值" * 2
TABLE = ("<table><thead><tr><th>时间</th><th>模块编号</th><th>内容与活动</th></tr></thead><tbody>"
         f"<tr><td>09:00—10:40</td><td><code>robot-line-following-programming-advanced</code></td>"
         f"<td>{LONG}</td></tr><tr><td>0–8 分钟</td><td>x</td><td>导入</td></tr></tbody></table>")


def test_simple_tables_get_fixed_columns_and_others_are_left_alone() -> None:
    out = fixed_widths(TABLE)
    assert out.count("<col ") == 3 and 'style="table-layout: fixed; width: 100%"' in out
    widths = [float(w) for w in re.findall(r'<col style="width: ([0-9.]+)%">', out)]
    assert abs(sum(widths) - 100) < 0.1 and widths[2] > widths[0]
    assert widths[1] / 100 * 50 >= len("robot-line-following-programming-advanced") * 0.55  # the id's width, in em
    narrow = "<table><tr><th>时段</th><th>时间</th></tr><tr><td>上午</td><td>10:00—11:30</td></tr></table>"
    assert re.search(r'width: [0-9.]+em"><colgroup><col style="width: [0-9.]+em">', fixed_widths(narrow))
    left = ['<table class="cover-facts"><tr><th>a</th><td>b</td></tr></table>',
            '<table><tr><td colspan="2">a</td></tr><tr><td>b</td><td>c</td></tr></table>',
            '<table><tr><td><img src="x.png"></td></tr></table>',
            "<table><tr><td>a</td></tr><tr><td>b</td><td>c</td></tr></table>"]
    for table in left:
        assert fixed_widths(table) == table
    assert fixed_widths(TABLE) == out  # same text, same widths


def _boxes(box: Any, cell: Any = None) -> Any:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TableCellBox):
        cell = box
    if isinstance(box, boxes.TextBox) and cell is not None:
        yield box, cell
    for child in getattr(box, "children", []):
        yield from _boxes(child, cell)


@pytest.mark.parametrize("large_print", [False, True])
def test_no_text_leaves_its_cell_and_short_cells_stay_on_one_line(large_print: bool) -> None:
    """Laid out by weasyprint for real: every piece of text inside its cell (a long id breaks), and the short
    cells (a date and time, a duration) on one line."""
    import weasyprint

    page = page_html(TABLE * 2, "participant", "课包", "", "页眉", "zh", large_print=large_print)
    document = weasyprint.HTML(string=page).render()
    seen, lines = 0, {}
    for page_box in document.pages:
        for text, cell in _boxes(page_box._page_box):
            seen += 1
            assert text.position_x + text.width <= cell.content_box_x() + cell.width + 0.5, text.text
            lines.setdefault((id(cell), cell.element.text if cell.element is not None else ""), set()).add(
                text.position_y)
    assert seen
    short = {key: ys for key, ys in lines.items() if key[1] in ("09:00—10:40", "0–8 分钟", "时间")}
    assert short and all(len(ys) == 1 for ys in short.values()), short
