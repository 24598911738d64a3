"""Charts: matplotlib set up once for Chinese text.

``use_cjk_font()`` finds an installed CJK font and makes matplotlib use it; a
missing font is a clear warning (never silent tofu boxes). Cases call it
first, so it also sets their text sizes (:data:`CASE_TEXT`): a case's figure
is usually 8-14 inches wide, which the site's text column and a printed page
show at about half size, where matplotlib's 10 pt legends became unreadable.
The packs' own charts (below) choose their sizes themselves and keep them.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

# Preferred families, best first. Noto comes from Debian's fonts-noto-cjk.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "WenQuanYi Zen Hei", "Noto Serif CJK SC", "SimHei", "Microsoft YaHei", "PingFang SC")


class MissingFontWarning(UserWarning):
    """No CJK font is installed; Chinese text would show as empty boxes."""


def cjk_font_family() -> str | None:
    """The first installed family from CJK_FAMILIES, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


# Text sizes of case charts (points; relative sizes such as "medium" follow font.size), see the module docstring.
CASE_TEXT: dict[str, Any] = {"font.size": 15.0, "legend.fontsize": "medium", "legend.title_fontsize": "medium",
             "axes.titlesize": "large", "axes.labelsize": "medium", "xtick.labelsize": "medium",
             "ytick.labelsize": "medium", "figure.titlesize": "large"}


def use_cjk_font() -> str | None:
    """Configure matplotlib for Chinese text, with text sizes readable at half size (:data:`CASE_TEXT`);
    return the family used (None, with a warning, if none)."""
    import matplotlib

    for key, value in CASE_TEXT.items():
        matplotlib.rcParams[key] = value  # type: ignore[index, unused-ignore]
    return _cjk_family()


def _cjk_family() -> str | None:
    """Make matplotlib draw Chinese text (sizes unchanged); the family used, or None with a warning."""
    import matplotlib

    family = cjk_font_family()
    if family is None:
        warnings.warn("no Chinese (CJK) font found; charts would show boxes instead of hanzi. "
                      "Install one, e.g. Debian's fonts-noto-cjk (make does this when run as root).",
                      MissingFontWarning, stacklevel=2)
        return None
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.hashsalt"] = "kebao"  # deterministic SVG ids
    return family


# Hatches per strand position, so that strands stay apart in greyscale print.
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo", "**")


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

    _cjk_family()
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def hours_chart(rows: Sequence[tuple[str, str, float, float]], colours: Mapping[str, str],
                language: str = "zh", mark_short: float | None = None) -> Figure:
    """Bars of planned vs target 学时 per strand; rows are (strand id, label, target, planned).

    ``mark_short``: a strand planned more than this many 学时 below its target gets a red dashed bar up
    to the target and its shortfall written beside it (the studio's nearest plan).
    """
    figure, axes = _figure(7, 0.5 + 0.55 * max(len(rows), 1))
    labels = [label for _, label, _, _ in rows]
    positions = list(range(len(rows)))
    planned = [row[3] for row in rows]
    target = [row[2] for row in rows]
    bars = axes.barh(positions, planned, height=0.6, edgecolor="black", linewidth=0.6,
                     color=[colours.get(row[0], "#999999") for row in rows])
    for index, bar in enumerate(bars):
        bar.set_hatch(HATCHES[index % len(HATCHES)])
    axes.scatter(target, positions, marker="|", s=400, color="black", zorder=3,
                 label="目标" if language == "zh" else "target")
    for position, value, goal in zip(positions, planned, target, strict=True):
        if mark_short is not None and goal - value > mark_short:
            axes.barh(position, goal - value, left=value, height=0.6, fill=False, edgecolor="#C62828",
                      linestyle="--", linewidth=1.2)
            gap = f"{goal - value:.3g}"
            short = f"{value:g}（差 {gap}）" if language == "zh" else f"{value:g} (short {gap})"
            axes.annotate(short, (goal, position), xytext=(4, 0), textcoords="offset points", va="center",
                          color="#C62828", fontweight="bold")
            continue
        axes.annotate(f"{value:g}", (value, position), xytext=(4, 0), textcoords="offset points", va="center")
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel("学时" if language == "zh" else "hours (学时)")
    axes.set_xlim(0, max([*planned, *target, 1.0]) * (1.3 if mark_short is not None else 1.12))
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def timetable_chart(sessions: Sequence[tuple[str, float, float, str, str]], colours: Mapping[str, str],
                    strand_labels: Mapping[str, str], language: str = "zh") -> Figure:
    """A Gantt view: one row per day; sessions are (day label, start hour, end hour, strand id, text).

    Sessions at the same time (a split's groups side by side) share their day's row in lanes, one above the
    other, instead of covering each other.
    """
    days = list(dict.fromkeys(day for day, *_ in sessions))
    figure, axes = _figure(9, 0.8 + 0.42 * max(len(days), 1))
    order = {strand: index for index, strand in enumerate(dict.fromkeys(s for *_, s, _ in sessions))}
    seen: set[str] = set()
    for (day, start, end, strand, _text), (lane, lanes) in zip(sessions, lanes_of(sessions), strict=True):
        row = days.index(day)
        label = strand_labels.get(strand, strand) if strand not in seen else None
        seen.add(strand)
        height = 0.7 / lanes  # each lane's share of the row; a parallel bar leaves a gap to the next
        axes.barh(row - 0.35 + height * (lane + 0.5), end - start, left=start,
                  height=height if lanes == 1 else height * 0.75,
                  color=colours.get(strand, "#999999"),
                  edgecolor="black", linewidth=0.5, hatch=HATCHES[order[strand] % len(HATCHES)], label=label)
    axes.set_yticks(range(len(days)), days)
    axes.invert_yaxis()
    axes.set_xlim(7.5, 21.5)
    axes.set_xticks(range(8, 22, 2), [f"{h:02d}:00" for h in range(8, 22, 2)])
    axes.grid(axis="x", linestyle=":", linewidth=0.6)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(order), 5), frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def lanes_of(sessions: Sequence[tuple[str, float, float, str, str]]) -> list[tuple[int, int]]:
    """(lane, lanes of its day) for each session: the first lane free at its start; a day's lanes are as many
    as its most sessions at one time (1 for a day without parallel sessions)."""
    lane_of: dict[int, int] = {}
    ends: dict[str, list[float]] = {}
    for index in sorted(range(len(sessions)), key=lambda i: (sessions[i][0], sessions[i][1], i)):
        day, start, end, *_ = sessions[index]
        free = ends.setdefault(day, [])
        lane = next((n for n, last in enumerate(free) if last <= start + 1e-9), len(free))
        free[lane:lane + 1] = [end]
        lane_of[index] = lane
    return [(lane_of[i], len(ends[sessions[i][0]])) for i in range(len(sessions))]


def coverage_chart(outcomes: Sequence[str], modules: Sequence[str], covered: set[tuple[int, int]],
                   language: str = "zh") -> Figure:
    """A grid of programme outcomes (rows) against modules (columns); a filled square = addressed."""
    figure, axes = _figure(max(6.0, 0.45 * len(modules) + 3), 0.8 + 0.45 * max(len(outcomes), 1))
    for row, column in sorted(covered):
        axes.add_patch(_square(column, row))
    axes.set_xlim(-0.5, len(modules) - 0.5)
    axes.set_ylim(len(outcomes) - 0.5, -0.5)
    axes.set_xticks(range(len(modules)), modules, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(outcomes)), outcomes, fontsize=9)
    axes.set_xticks([x - 0.5 for x in range(len(modules) + 1)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(len(outcomes) + 1)], minor=True)
    axes.grid(which="minor", color="#BBBBBB", linewidth=0.5)
    axes.tick_params(which="minor", length=0)
    return figure


def _square(x: float, y: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.35, y - 0.35), 0.7, 0.7, color="#1E3A8A")


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes with no version metadata (byte-identical reruns)."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    return buffer.getvalue()


def save(figure: Figure, path: Path) -> Path:
    """Write a figure as PNG (see :func:`png`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png(figure))
    return path
