"""Plugin discovery, guarded loading and the catalog. `get_catalog()` is what the rest of tuneforge calls."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional

from tuneforge.registry.catalog import Catalog, PluginInfo, Registered
from tuneforge.registry.discovery import PluginSource, discover

_catalog: Optional[Catalog] = None
_extra: list[PluginSource] = []


def get_catalog(refresh: bool = False) -> Catalog:
    """The catalog of every installed plugin (plus throwaway test plugins), loaded once per process."""
    global _catalog
    if _catalog is None or refresh:
        from tuneforge.registry.loading import load_catalog

        _catalog = load_catalog(discover() + _extra)
    return _catalog


def reset_catalog() -> None:
    """Forget the loaded catalog (the next `get_catalog()` discovers and loads again)."""
    global _catalog
    _catalog = None


@contextmanager
def temporary_plugin(obj: Any, name: str, kind: str = "model", distribution: str = "test-plugins",
                     version: str = "0") -> Iterator[Catalog]:
    """Add an in-process plugin object (a module or class with hookimpls) for the duration of a `with` block."""
    source = PluginSource(name, kind, getattr(obj, "__name__", name), distribution, version, obj=obj)
    _extra.append(source)
    reset_catalog()
    try:
        yield get_catalog()
    finally:
        _extra.remove(source)
        reset_catalog()


__all__ = ["Catalog", "PluginInfo", "PluginSource", "Registered", "get_catalog", "reset_catalog", "temporary_plugin"]
