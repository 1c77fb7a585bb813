"""tuneforge: efficient fine-tuning of large language models, where everything concrete is a plugin."""

__version__ = "0.1.0"
