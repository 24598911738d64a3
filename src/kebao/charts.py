"""Charts: matplotlib set up once for Chinese text.

``use_cjk_font()`` finds an installed CJK font and makes matplotlib use it; a
missing font is a clear warning (never silent tofu boxes).
"""

from __future__ import annotations

import warnings

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


def use_cjk_font() -> str | None:
    """Configure matplotlib for Chinese text; return the family used (None, with a warning, if none)."""
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
