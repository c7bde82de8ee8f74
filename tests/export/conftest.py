"""Fixtures for the export tests (factories live in tests/export_factories.py)."""

from __future__ import annotations

import pytest

from export_factories import mixed


@pytest.fixture
def mixed_splits():
    """A small build's splits with every source and heterogeneous meta."""
    return mixed()
