"""The catalog: what is registered under which name, by which plugin and distribution, and each plugin's status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from tuneforge.core.errors import NotFoundError, PluginError, did_you_mean
from tuneforge.core.kinds import KIND_BY_NAME

OK, BROKEN, INCOMPATIBLE, DISABLED, CONFLICT = "ok", "broken", "incompatible", "disabled", "conflict"
VARIANT = "variant"  # an extra index: model variant name -> its family (variants are registry names for `model:`)


@dataclass
class PluginInfo:
    """One plugin module and what happened when it loaded."""

    name: str
    kinds: list[str]
    module: str
    distribution: str
    version: str
    status: str = OK
    reason: str = ""
    traceback: str = ""
    api: Optional[str] = None  # the hook API range the plugin declares, if any
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)  # kind -> names

    @property
    def label(self) -> str:
        return f"plugin '{self.name}' (distribution {self.distribution} {self.version})"

    @property
    def selector(self) -> str:
        """Selects exactly this plugin in TUNEFORGE_DISABLE_PLUGINS / TUNEFORGE_PLUGINS and `tune plugins info`."""
        return f"{self.distribution}:{self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kinds": self.kinds,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "reason": self.reason,
            "api": self.api,
            "hooks": self.hooks,
            "registers": self.registered,
        }


@dataclass(frozen=True)
class Registered:
    """A spec in the catalog together with the plugin that registered it."""

    kind: str
    name: str
    spec: Any
    plugin: PluginInfo


@dataclass(frozen=True)
class Conflict:
    kind: str
    name: str
    plugins: tuple[PluginInfo, ...]

    def message(self) -> str:
        who = " and ".join(p.label for p in self.plugins)
        return (
            f"{self.kind} '{self.name}' is registered by both {who}. Keep one by disabling the other, e.g. "
            f"TUNEFORGE_DISABLE_PLUGINS={self.plugins[-1].selector} (selectors: "
            f"{', '.join(p.selector for p in self.plugins)})"
        )


class Catalog:
    """Answers "which <kind> is called X, and who provided it". Built by `tuneforge.registry.loading`."""

    def __init__(self, plugins: list[PluginInfo], entries: dict[str, dict[str, Registered]],
                 conflicts: dict[tuple[str, str], Conflict], plugin_manager: Any) -> None:
        self.plugins = plugins
        self._entries = entries
        self._conflicts = conflicts
        self.plugin_manager = plugin_manager

    # -- listing ---------------------------------------------------------------------------------------------
    def names(self, kind: str) -> list[str]:
        return sorted(self._entries.get(kind, {}))

    def items(self, kind: str) -> list[Registered]:
        return [self._entries[kind][name] for name in self.names(kind)]

    def plugin(self, name: str) -> PluginInfo:
        """A plugin by entry-point name; `kind:name` or `distribution:name` when several plugins share the name
        (a format and a template may both be called `alpaca`; two packs may both ship a `chatml`)."""
        found = [info for info in self.plugins
                 if name in (info.name, info.selector) or name in {f"{kind}:{info.name}" for kind in info.kinds}]
        if len(found) == 1:
            return found[0]
        if found:
            same_distribution = len({p.distribution for p in found}) == 1
            choices = [f"{p.kinds[0]}:{p.name}" if same_distribution else p.selector for p in found]
            raise PluginError(f"{len(found)} plugins are named '{name}': {', '.join(choices)}; "
                              "give one of these instead")
        raise NotFoundError(f"no plugin named '{name}'{did_you_mean(name, [p.name for p in self.plugins])}. "
                            "See `tune plugins list`.")

    @property
    def problems(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.status in (BROKEN, INCOMPATIBLE, CONFLICT)]

    @property
    def conflicts(self) -> list[Conflict]:
        return list(self._conflicts.values())

    # -- lookup ----------------------------------------------------------------------------------------------
    def find(self, kind: str, name: str) -> Optional[Registered]:
        """The registered entry, or None. A name two plugins registered raises PluginError naming both."""
        conflict = self._conflicts.get((kind, name))
        if conflict is not None:
            raise PluginError(conflict.message())
        return self._entries.get(kind, {}).get(name)

    def get(self, kind: str, name: str) -> Registered:
        """The registered entry; NotFoundError with a suggestion and any broken plugin that might have had it."""
        found = self.find(kind, name)
        if found is not None:
            return found
        raise NotFoundError(self._not_found_message(kind, name))

    def spec(self, kind: str, name: str) -> Any:
        return self.get(kind, name).spec

    def _not_found_message(self, kind: str, name: str) -> str:
        plural = KIND_BY_NAME[kind].plural if kind in KIND_BY_NAME else "model variants"
        listed_kind = "model" if kind == VARIANT else kind
        return (f"no {kind} named '{name}'{did_you_mean(name, self.names(kind))}.{self.unloaded_hint(listed_kind, name)}"
                f" See `tune plugins list --kind {listed_kind}` for the {len(self.names(kind))} {plural} available.")

    def unloaded_hint(self, kind: str, name: str) -> str:
        """' These plugins could have provided it but did not load: ...' for broken, incompatible or disabled
        plugins of that kind (or of that name), else ''."""
        suspects = [p for p in self.plugins if p.status in (BROKEN, INCOMPATIBLE) and (kind in p.kinds or p.name == name)]
        hint = ""
        if suspects:
            hint += " These plugins could have provided it but did not load: " + "; ".join(
                f"{p.label}: {p.status}, {p.reason}" for p in suspects) + "."
        disabled = [p for p in self.plugins if p.status == DISABLED and p.name == name]
        if disabled:
            hint += f" {disabled[0].label} is {disabled[0].reason}."
        return hint
