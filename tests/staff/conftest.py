"""Fixtures for the reference data tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from staff.models import OrgUnit

from ..factories import org_tree


@pytest.fixture
def tree(db: None) -> dict[str, OrgUnit]:
    """Already loaded: TRUST -> ICSU-MED -> DEP-ED."""
    return org_tree()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write CSV text to a file in tmp_path, in the encoding a trust's PC might use."""

    def write(text: str, name: str = "extract.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write
