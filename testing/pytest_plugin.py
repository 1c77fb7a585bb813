"""pytest plugin of the conformance kit (registered through the `pytest11` entry point)."""

from __future__ import annotations

import pytest


@pytest.fixture
def tuneforge_catalog():
    """The catalog of installed plugins, freshly loaded for the test."""
    from tuneforge.registry import get_catalog, reset_catalog

    reset_catalog()
    yield get_catalog()
    reset_catalog()
