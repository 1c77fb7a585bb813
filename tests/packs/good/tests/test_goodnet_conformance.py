"""How a pack author runs tuneforge's conformance kit: subclass the contract, name the entry point."""

from tuneforge.testing import PluginContract


class TestGoodnetPlugin(PluginContract):
    plugin = "goodnet"
