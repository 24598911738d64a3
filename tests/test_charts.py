"""Chart text: case charts readable at the size the site and a handbook show them; pack charts unchanged."""

from __future__ import annotations

import matplotlib
from matplotlib.font_manager import FontProperties

from kebao.charts import CASE_TEXT, hours_chart, png, use_cjk_font


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
