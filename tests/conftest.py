"""Shared fixtures: the tiny catalogue in tests/fixtures/catalog, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def catalog_root(tmp_path: Path) -> Path:
    """A private copy of the fixture catalogue that a test may change."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "catalog", root)
    return root
