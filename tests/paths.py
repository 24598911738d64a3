"""Where things are: the checkout under test and the test fixtures (plain constants, importable anywhere)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The checkout. Tests read from it; none may write into it (tests/conftest.py checks)."""

FIXTURES = REPO / "tests" / "fixtures"
