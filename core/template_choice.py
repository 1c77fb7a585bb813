"""`template: auto` once the tokenizer is known, and `template: tokenizer`.

A registry model names its template. A local folder or an unknown hub id only tells us its architecture, and many
families share one (Llama 2, Llama 3, DeepSeek, Yi ... are all `llama`), so the choice uses the tokenizer:
1. the tokenizer carries its own chat template: take the first template of those families that renders exactly like
   it on probe conversations, and that template's family; if none does, train with the tokenizer's own template
   (`template: tokenizer`) and say so;
2. it carries none: the families' templates whose special tokens the tokenizer has; exactly one -> take it,
   several -> the user must choose (the error lists them), because nothing in the folder tells the chat format.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any, Optional

from tuneforge.core.errors import ModelError
from tuneforge.core.records import Message

TOKENIZER = "tokenizer"

PROBES = (
    (Message("user", "Hello there."), Message("assistant", "Hi! How can I help?")),
    (Message("system", "You are terse."), Message("user", "Name a colour."), Message("assistant", "Blue."),
     Message("user", "Another."), Message("assistant", "Red.")),
)


def _renders_like_tokenizer(template, tokenizer) -> bool:
    from tuneforge.core.errors import TemplateError
    from tuneforge.core.templates import hf_messages, render_text

    for probe in PROBES:
        try:
            ours = render_text(template, probe)
        except TemplateError:
            continue  # e.g. no system turn: judged on the other probes
        try:
            theirs = tokenizer.apply_chat_template(hf_messages(probe), tokenize=False)
        except Exception:  # the official template rejects the probe (e.g. system); not evidence either way
            continue
        if ours != theirs:
            return False
    return True


def _has_tokens(template, tokenizer) -> bool:
    from tuneforge.core.templates import special_tokens

    vocab = tokenizer.get_vocab()
    return all(token in vocab for token in special_tokens(template))


def family_templates(family, catalog) -> list[Any]:
    """Registry entries of a family's templates: its default first, then each variant's, without repeats."""
    names = [family.template] + [v.template for v in family.variants if v.template]
    return [catalog.get("template", name) for name in dict.fromkeys(names)]


def architecture_candidates(run, catalog) -> list[tuple[Any, Any]]:
    """(family entry, template entry) for every family of the run's architecture; the resolved family first."""
    families = [e for e in catalog.items("model") if e.spec.architecture == run.family.architecture]
    families.sort(key=lambda e: e.spec.name != run.family.name)
    pairs = []
    for family in families:
        pairs.extend((family, template) for template in family_templates(family.spec, catalog))
    return pairs


def choose_template(run, tokenizer, catalog):
    """Return `run` with its template settled for this tokenizer (unchanged when the config named one)."""
    from tuneforge.core.resolve import used_plugin

    requested = run.config.template.name
    if requested not in ("auto", TOKENIZER) or (requested == "auto" and run.variant is not None):
        return run
    chosen: Optional[tuple[Any, Any]] = None
    if requested == "auto" and run.family is not None:
        candidates = architecture_candidates(run, catalog)
        if getattr(tokenizer, "chat_template", None):
            chosen = next(((f, t) for f, t in candidates if _renders_like_tokenizer(t.spec, tokenizer)), None)
        else:
            fitting = {t.name: (f, t) for f, t in candidates if _has_tokens(t.spec, tokenizer)}
            if len(fitting) != 1:
                what = (f"several templates fit it ({', '.join(sorted(fitting))})" if fitting else
                        f"no template of the '{run.family.architecture}' families fits it (missing special tokens)")
                raise ModelError(f"{run.model_source} has no chat template of its own, and {what}; set "
                                 "`template: NAME` (and `model` to a registry name if you know the checkpoint)")
            chosen = next(iter(fitting.values()))
    if chosen is not None:
        family_entry, template_entry = chosen
        plugins = tuple(p for p in run.plugins if p.role not in ("template", "model")) + (
            used_plugin("model", family_entry), used_plugin("template", template_entry))
        return dataclasses.replace(run, family=family_entry.spec, template=template_entry.spec, plugins=plugins)
    return _tokenizer_template(run, tokenizer, explicit=requested == TOKENIZER)


def _tokenizer_template(run, tokenizer, explicit: bool):
    from tuneforge.core.resolve import UsedPlugin

    if not getattr(tokenizer, "chat_template", None):
        raise ModelError(f"`template: {run.config.template.name}` needs a chat template, but the tokenizer of "
                         f"{run.model_source} has none; set `template: NAME` (see `tune plugins list --kind "
                         "template`)")
    from tuneforge.core.tokenizer_template import from_tokenizer

    if not explicit:
        warnings.warn(f"no registered template renders like the chat template of {run.model_source}; training with "
                      "the tokenizer's own template (`template: tokenizer`)", stacklevel=2)
    template = from_tokenizer(tokenizer)
    plugins = tuple(p for p in run.plugins if p.role != "template") + (
        UsedPlugin("template", template.name, "tokenizer", run.model_source, ""),)
    return dataclasses.replace(run, template=template, plugins=plugins)
