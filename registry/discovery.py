"""Find plugins through entry points without importing them, and apply the environment switches."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Optional

from tuneforge.core.kinds import KINDS

ENV_DISABLE = "TUNEFORGE_DISABLE_PLUGINS"
ENV_ONLY = "TUNEFORGE_PLUGINS"
ENV_STRICT = "TUNEFORGE_STRICT_PLUGINS"


@dataclass(frozen=True)
class PluginSource:
    """Where a plugin comes from: an entry point (module path) or, in tests, an object handed over directly."""

    name: str
    kind: str
    module: str
    distribution: str
    version: str
    obj: Any = None  # set for throwaway plugins registered in-process (tests); then `module` is informative only

    @property
    def key(self) -> str:
        """Identity used to load each module once even when it is listed under several kinds."""
        return f"object:{id(self.obj)}" if self.obj is not None else self.module


def discover() -> list[PluginSource]:
    """Every plugin entry point of every tuneforge group, read from installed metadata (nothing imported)."""
    from importlib.metadata import entry_points

    everything = entry_points()  # one scan of installed metadata; selecting per group is then cheap
    # `dist.name` / `dist.version` parse the METADATA file on every access: read them once per distribution.
    identity: dict[int, tuple[str, str]] = {}
    sources = []
    for kind in KINDS:
        for ep in everything.select(group=kind.group):
            dist = getattr(ep, "dist", None)
            if id(dist) not in identity:
                identity[id(dist)] = (dist.name, dist.version) if dist is not None else ("unknown", "unknown")
            distribution, version = identity[id(dist)]
            sources.append(PluginSource(ep.name, kind.name, ep.value, distribution, version))
    return sources


def _env_list(variable: str) -> Optional[set[str]]:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def selectors_of(source: PluginSource) -> set[str]:
    """The names a user can select a plugin by: entry-point name, `kind:name`, its distribution (a whole pack),
    or `distribution:name` (exactly one plugin, when two packs use the same entry-point name)."""
    return {source.name, f"{source.kind}:{source.name}", source.distribution, f"{source.distribution}:{source.name}"}


def disabled_reason(listings: list[PluginSource]) -> Optional[str]:
    """Why the environment switches exclude a plugin module (all its entry-point listings), or None to load it."""
    names = set().union(*(selectors_of(source) for source in listings))
    only = _env_list(ENV_ONLY)
    if only is not None and not names & only:
        return f"not listed in {ENV_ONLY}"
    disabled = _env_list(ENV_DISABLE)
    if disabled is not None and names & disabled:
        return f"disabled by {ENV_DISABLE}"
    return None


def strict_mode() -> bool:
    return os.environ.get(ENV_STRICT, "").strip().lower() in ("1", "true", "yes", "on")
