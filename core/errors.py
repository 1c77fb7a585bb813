"""Exception types: one per family of failure, each message says what, where and what to do."""

from __future__ import annotations


class TuneforgeError(Exception):
    """Base of every error tuneforge raises on purpose; the CLI prints these without a traceback."""

    title = "tuneforge error"


class SpecError(TuneforgeError, ValueError):
    """A plugin registered a spec that does not validate (bad name, missing field, unknown reference)."""

    title = "invalid plugin spec"


class PluginError(TuneforgeError):
    """A plugin could not be loaded, or a command needs a plugin that is broken, disabled or in conflict."""

    title = "plugin error"


class NotFoundError(TuneforgeError, LookupError):
    """A name (model, template, format, dataset, adapter, stage ...) is not in the catalog."""

    title = "not found"


class ConfigError(TuneforgeError, ValueError):
    """The run configuration is invalid: which file, which key, what was expected."""

    title = "invalid configuration"


class DataError(TuneforgeError, ValueError):
    """A dataset could not be read or a record could not be aligned: which file, which row, why."""

    title = "data error"


class TemplateError(TuneforgeError, ValueError):
    """A conversation cannot be rendered by a chat template (roles out of order, unsupported turn ...)."""

    title = "template error"


class ModelError(TuneforgeError):
    """A model could not be resolved or loaded."""

    title = "model error"


def did_you_mean(word: str, choices) -> str:
    """Return ' (did you mean `x`?)' for the closest choice, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
