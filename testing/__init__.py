"""The conformance kit: the same checks for every plugin, built-in or third-party.

Use it from a pack's tests by subclassing `PluginContract` (pytest collects the inherited tests):

    from tuneforge.testing import PluginContract

    class TestMyPack(PluginContract):
        plugin = "my-plugin"          # the entry-point name

or call the check functions directly. The pytest plugin (`tuneforge.testing.pytest_plugin`, auto-loaded when
tuneforge is installed) adds the `tuneforge_catalog` fixture.
"""

from tuneforge.testing.contracts import (
    ArchitectureUnavailable,
    ModelFamilyContract,
    PluginContract,
    build_tiny_model,
    check_imports_without_torch,
    check_model_family_trains,
    check_plugin_loads,
    check_specs_revalidate,
)

__all__ = ["ArchitectureUnavailable", "ModelFamilyContract", "PluginContract", "build_tiny_model", "check_imports_without_torch",
           "check_model_family_trains", "check_plugin_loads", "check_specs_revalidate"]
