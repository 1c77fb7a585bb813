"""Shared test setup: offline, one thread, a private TUNEFORGE_HOME, and the reference data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for _switch in ("TUNEFORGE_DISABLE_PLUGINS", "TUNEFORGE_PLUGINS", "TUNEFORGE_STRICT_PLUGINS"):
    os.environ.pop(_switch, None)

# The example packs' own tests run inside test_packs.py, with the packs installed; not in this session.
collect_ignore = ["packs"]

ROOT = Path(__file__).resolve().parents[1]
REFDATA = ROOT.parent / "shared" / "refdata"


@pytest.fixture(scope="session")
def refdata() -> Path:
    if not REFDATA.is_dir():
        pytest.skip(f"reference data not found at {REFDATA} (it ships beside the checkout as ../shared/refdata)")
    return REFDATA


@pytest.fixture(scope="session", autouse=True)
def tuneforge_home(tmp_path_factory) -> Path:
    """Built tiny models are cached here once per test session, never in the user's home."""
    home = tmp_path_factory.mktemp("tuneforge-home")
    os.environ["TUNEFORGE_HOME"] = str(home)
    return home


@pytest.fixture(autouse=True)
def _fresh_catalog():
    from tuneforge.registry import reset_catalog

    reset_catalog()
    yield
    reset_catalog()
