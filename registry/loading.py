"""Load plugins one at a time, so that a broken one is marked broken and everything else keeps working.

pluggy's own `load_setuptools_entrypoints` stops at the first plugin that fails to import; here each import, API
check and registration hook call is guarded per plugin, and a plugin's registrations count only if all of its
registration hooks succeed and its specs pass the catalog's cross-checks.
"""

from __future__ import annotations

import importlib
import traceback as tb
from typing import Any, Iterable

from tuneforge.core.errors import PluginError, SpecError, did_you_mean
from tuneforge.core.hookspecs import HOOK_API_VERSION, PROJECT
from tuneforge.core.kinds import KIND_BY_HOOK, KINDS
from tuneforge.registry.catalog import (
    BROKEN,
    CONFLICT,
    DISABLED,
    INCOMPATIBLE,
    Catalog,
    Conflict,
    PluginInfo,
    VARIANT,
    Registered,
)
from tuneforge.registry.discovery import PluginSource, disabled_reason, strict_mode

API_ATTRIBUTE = "tuneforge_api"


def _spec_types() -> dict[str, type]:
    import tuneforge.core as core

    return {kind.name: getattr(core, kind.spec_type) for kind in KINDS}


def _new_plugin_manager():
    import pluggy

    from tuneforge.core import hookspecs

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


def _hook_names() -> set[str]:
    from tuneforge.core import hookspecs

    return {name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), f"{PROJECT}_spec")}


def _implemented_hooks(obj: Any) -> list[str]:
    return sorted(name for name in dir(obj) if hasattr(getattr(obj, name, None), f"{PROJECT}_impl"))


def _check_registration_signatures(obj: Any, hooks: list[str]) -> str | None:
    """Registration hooks are called directly as `hook(register=...)`: they must take exactly that argument."""
    import inspect

    for name in hooks:
        if name in KIND_BY_HOOK:
            parameters = list(inspect.signature(getattr(obj, name)).parameters)
            if parameters != ["register"]:
                return f"hook {name}({', '.join(parameters)}) must take exactly one argument named `register`"
    return None


def _mark(info: PluginInfo, status: str, reason: str, with_traceback: bool = True) -> None:
    info.status, info.reason = status, reason
    if with_traceback:
        info.traceback = tb.format_exc()


def _check_api(info: PluginInfo, obj: Any) -> bool:
    declared = getattr(obj, API_ATTRIBUTE, None)
    if declared is None:
        return True
    info.api = str(declared)
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        supported = SpecifierSet(str(declared))
    except InvalidSpecifier:
        _mark(info, BROKEN, f"{API_ATTRIBUTE} = {declared!r} is not a version range like '>=1.0,<2'", False)
        return False
    if HOOK_API_VERSION not in supported:
        _mark(info, INCOMPATIBLE,
              f"supports hook API {declared}, this tuneforge has API {HOOK_API_VERSION}; upgrade the plugin "
              f"or tuneforge", False)
        return False
    return True


def _collect(info: PluginInfo, obj: Any, spec_types: dict[str, type]) -> dict[str, list[Any]] | None:
    """Call each registration hook the plugin implements; all-or-nothing per plugin."""
    collected: dict[str, list[Any]] = {}
    for kind in KINDS:
        hook = getattr(obj, kind.hook, None)
        if hook is None or not hasattr(hook, f"{PROJECT}_impl"):
            continue
        expected = spec_types[kind.name]
        specs: list[Any] = []

        def register(spec: Any, _kind=kind, _expected=expected, _specs=specs) -> None:
            if not isinstance(spec, _expected):
                raise SpecError(f"{_kind.hook} got {type(spec).__name__}; expected a tuneforge.core.{_expected.__name__}")
            _specs.append(spec)

        try:
            hook(register=register)
        except Exception as exc:  # a plugin's bug must not take the catalog down
            _mark(info, BROKEN, f"{kind.hook} raised {type(exc).__name__}: {exc}")
            return None
        collected[kind.name] = specs
    return collected


def _cross_check(kind: str, spec: Any, available: dict[str, dict[str, Any]]) -> str | None:
    """References between specs: a model's templates and a dataset's format must exist."""
    if kind == "model":
        wanted = {spec.template} | {v.template for v in spec.variants if v.template}
        missing = sorted(t for t in wanted if t not in available["template"])
        if missing:
            return f"model family '{spec.name}' uses template(s) {', '.join(missing)}, which no loaded plugin registers"
    if kind == "dataset" and spec.format not in available["format"]:
        return (f"dataset '{spec.name}' uses format '{spec.format}'"
                f"{did_you_mean(spec.format, available['format'])}, which no loaded plugin registers")
    return None


def _entry_keys(kind: str, spec: Any) -> list[tuple[str, str]]:
    """The catalog keys a spec occupies: (kind, name), and for a model family (variant, name) for each variant."""
    keys = [(kind, spec.name)]
    if kind == "model":
        keys += [(VARIANT, v.name) for v in spec.variants]
    return keys


def load_catalog(sources: Iterable[PluginSource]) -> Catalog:
    """Import, check and register each plugin, guarded; then merge their specs into a Catalog."""
    spec_types = _spec_types()
    hook_names = _hook_names()
    pm = _new_plugin_manager()

    # A module listed under several kinds (entry-point groups) is one plugin: group its listings first.
    listings: dict[str, list[PluginSource]] = {}
    for source in sources:
        listings.setdefault(source.key, []).append(source)

    infos: dict[str, PluginInfo] = {}
    objects: dict[str, Any] = {}
    for key, group in listings.items():
        source = group[0]
        info = PluginInfo(source.name, list(dict.fromkeys(s.kind for s in group)), source.module,
                          source.distribution, source.version)
        infos[key] = info
        reason = disabled_reason(group)
        if reason:
            _mark(info, DISABLED, reason, False)
            continue
        try:
            obj = source.obj if source.obj is not None else importlib.import_module(source.module)
        except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt in an import is still the plugin's fault
            if isinstance(exc, KeyboardInterrupt):
                raise
            _mark(info, BROKEN, f"import of {source.module} failed: {type(exc).__name__}: {exc}")
            continue
        info.hooks = _implemented_hooks(obj)
        unknown = [h for h in info.hooks if h not in hook_names]
        if unknown:
            _mark(info, BROKEN, "; ".join(f"unknown hook '{h}'{did_you_mean(h, hook_names)}" for h in unknown), False)
            continue
        if not _check_api(info, obj):
            continue
        problem = _check_registration_signatures(obj, info.hooks)
        if problem:
            _mark(info, BROKEN, problem, False)
            continue
        # Only lifecycle hooks go through pluggy; registering every plugin there would cost ~0.2 ms each for
        # nothing (registration hooks are called directly, one plugin at a time, below).
        if any(hook not in KIND_BY_HOOK for hook in info.hooks):
            try:
                pm.register(obj, name=key)
            except Exception as exc:  # pluggy validates hook signatures against the specs
                _mark(info, BROKEN, f"hook validation failed: {exc}")
                continue
        objects[key] = obj

    # Registration: each plugin's specs are collected in isolation first.
    collected: dict[str, dict[str, list[Any]]] = {}
    for key, obj in objects.items():
        specs = _collect(infos[key], obj, spec_types)
        if specs is not None:
            collected[key] = specs

    # Merge kinds without references first, so models and datasets can be checked against them.
    entries: dict[str, dict[str, Registered]] = {kind.name: {} for kind in KINDS}
    entries[VARIANT] = {}
    owners: dict[tuple[str, str], list[PluginInfo]] = {}
    order = sorted(KINDS, key=lambda k: k.name in ("model", "dataset"))
    for kind in order:
        for key, specs in collected.items():
            info = infos[key]
            if info.status == BROKEN:
                continue
            for spec in specs.get(kind.name, []):
                problem = _cross_check(kind.name, spec, entries)
                if problem:
                    _mark(info, BROKEN, problem, False)
                    break
                for index, name in _entry_keys(kind.name, spec):
                    owners.setdefault((index, name), []).append(info)
                    entries[index].setdefault(name, Registered(kind.name, name, spec, info))
                info.registered.setdefault(kind.name, []).append(spec.name)

    # A plugin that broke during the merge contributes nothing.
    broken = {id(i) for i in infos.values() if i.status == BROKEN}
    for kind_entries in entries.values():
        for name in [n for n, r in kind_entries.items() if id(r.plugin) in broken]:
            del kind_entries[name]
    conflicts: dict[tuple[str, str], Conflict] = {}
    for (kind, name), plugins in owners.items():
        plugins = [p for p in plugins if id(p) not in broken]
        if len(plugins) > 1:
            conflict = Conflict(kind, name, tuple(plugins))
            conflicts[(kind, name)] = conflict
            entries[kind].pop(name, None)
            for p in plugins:
                p.status = CONFLICT
                p.reason = (p.reason + "; " if p.reason else "") + conflict.message()

    for key, obj in objects.items():
        if infos[key].status == BROKEN and pm.is_registered(obj):
            pm.unregister(obj)

    catalog = Catalog(list(infos.values()), entries, conflicts, pm)
    if strict_mode() and catalog.problems:
        raise PluginError("TUNEFORGE_STRICT_PLUGINS is set and some plugins did not load: " + "; ".join(
            f"{p.label}: {p.status}, {p.reason}" for p in catalog.problems))
    return catalog
