"""Chart text: case charts readable at the size the site and a handbook show them; pack charts unchanged."""

from __future__ import annotations

import matplotlib
from matplotlib.font_manager import FontProperties

from kebao.charts import CASE_TEXT, hours_chart, lanes_of, png, timetable_chart, use_cjk_font


def points(key: str) -> float:
    return float(FontProperties(size=matplotlib.rcParams[key]).get_size_in_points())


def test_use_cjk_font_makes_case_chart_text_readable_at_half_size() -> None:
    """A 13-inch case figure is shown at about half size: its legend, ticks and labels need ≥ 14 pt to stay
    ≥ 7 pt on screen and paper (matplotlib's default legend is 10 pt; cases had set 8 and 9)."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert points("legend.fontsize") < 14  # the default that was too small
        use_cjk_font()
        for key in ("legend.fontsize", "xtick.labelsize", "ytick.labelsize", "axes.labelsize", "axes.titlesize"):
            assert points(key) >= 14, key
        assert points("axes.titlesize") > points("legend.fontsize")


def test_pack_charts_keep_their_text_sizes() -> None:
    """The packs' own charts set only the font, so drawing one does not change matplotlib's sizes."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = {key: matplotlib.rcParams[key] for key in CASE_TEXT}
        assert png(hours_chart([("s", "党建", 4.0, 4.0)], {"s": "#1E3A8A"})).startswith(b"\x89PNG")
        assert {key: matplotlib.rcParams[key] for key in CASE_TEXT} == before


def test_parallel_group_sessions_are_drawn_side_by_side_not_on_top_of_each_other() -> None:
    sessions = [("12-09", 8.5, 11.0, "a", "教务组"), ("12-09", 8.5, 11.0, "b", "学工组"),
                ("12-09", 8.5, 11.0, "a", "党政办组"), ("12-09", 14.0, 16.0, "a", "全体"),
                ("12-10", 8.5, 10.0, "b", "全体"), ("12-10", 10.0, 11.0, "a", "全体")]
    assert lanes_of(sessions) == [(0, 3), (1, 3), (2, 3), (0, 3), (0, 1), (0, 1)]
    figure = timetable_chart(sessions, {"a": "#1E3A8A", "b": "#B45309"}, {"a": "甲", "b": "乙"})
    bars = [(round(p.get_y(), 3), round(p.get_height(), 3), p.get_x()) for p in figure.axes[0].patches]
    parallel = sorted(bar for bar in bars[:3])
    assert all(a[0] + a[1] < b[0] for a, b in zip(parallel, parallel[1:], strict=False)), parallel  # a gap
    assert {round(h, 3) for _, h, _ in bars[:4]} == {round(0.7 / 3 * 0.75, 3)} and bars[4][1] == 0.7
    assert png(figure).startswith(b"\x89PNG")
