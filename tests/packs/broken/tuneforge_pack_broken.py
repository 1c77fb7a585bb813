"""tuneforge-pack-broken: a model plugin that fails while importing, as one with a bug or a missing dependency
would. The registry must list it as broken with this error and keep loading every other plugin."""

raise RuntimeError("boom: this pack is broken on purpose")
