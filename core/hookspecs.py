"""Every hook a tuneforge plugin can implement, in one file. Each docstring is that hook's reference documentation.

A plugin is a module (or object) with functions decorated by `tuneforge.core.hookimpl`, named after these specs,
listed under an entry point in one of the groups of `tuneforge.core.kinds.KINDS`. Registration hooks are called
once per plugin when the catalog loads, offline and without heavy imports; each is given a `register` callback and
returns nothing. Lifecycle hooks are called during a run on every loaded plugin, in pluggy's order (last registered
first), and are where a model plugin patches its architecture or any plugin adds a trainer callback.

A plugin module may declare which hook API versions it supports with a module attribute, for example
`tuneforge_api = ">=1.0,<2"`; a plugin whose range excludes `HOOK_API_VERSION` is listed as incompatible and not
loaded.
"""

from __future__ import annotations

import pluggy

PROJECT = "tuneforge"
HOOK_API_VERSION = "1.0"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------------------------------------------
# Registration hooks: called once per plugin while the catalog loads
# ---------------------------------------------------------------------------------------------------------------


@hookspec
def register_models(register):
    """Register model families.

    Parameters:
        register: call `register(family)` with a `tuneforge.core.ModelFamily` for each family this plugin provides.
            The spec validates when constructed; the catalog also checks that its default template (and every
            variant's template) exists and that no variant name is taken by another family.

    Returns: nothing. Entry-point group: `tuneforge.models`. Since: API 1.0.
    """


@hookspec
def register_templates(register):
    """Register chat templates.

    Parameters:
        register: call `register(template)` with a `tuneforge.core.ChatTemplate` for each template: how system,
            user, assistant, tool-call and tool-result turns become text, where bos/eos and stop words go, the
            default system prompt.

    Returns: nothing. Entry-point group: `tuneforge.templates`. Since: API 1.0.
    """


@hookspec
def register_dataset_formats(register):
    """Register dataset formats (alpaca, sharegpt, openai messages, preference pairs, KTO, text ...).

    Parameters:
        register: call `register(fmt)` with a `tuneforge.core.DatasetFormat` whose `align` turns one raw row into
            the standard `tuneforge.core.Record`.

    Returns: nothing. Entry-point group: `tuneforge.formats`. Since: API 1.0.
    """


@hookspec
def register_datasets(register):
    """Register named datasets.

    Parameters:
        register: call `register(spec)` with a `tuneforge.core.DatasetSpec`: source (hub id, URL or file), format
            and column mapping, stages it serves, languages, licence, approximate size. The catalog checks that the
            format exists.

    Returns: nothing. Entry-point group: `tuneforge.datasets`. Since: API 1.0.
    """


@hookspec
def register_adapters(register):
    """Register adapter methods (full, freeze, LoRA and its variants, GaLore, BAdam ...).

    Parameters:
        register: call `register(method)` with a `tuneforge.core.AdapterMethod`: an options dataclass and the
            function that prepares a model (and optionally its optimizer).

    Returns: nothing. Entry-point group: `tuneforge.adapters`. Since: API 1.0.
    """


@hookspec
def register_stages(register):
    """Register training stages (pt, sft, rm, dpo, kto, orpo, simpo, ppo, grpo ...).

    Parameters:
        register: call `register(stage)` with a `tuneforge.core.TrainingStage`: the record kinds it needs, the model
            head it trains and the function that builds its trainer from a `StageContext`.

    Returns: nothing. Entry-point group: `tuneforge.stages`. Since: API 1.0.
    """


@hookspec
def register_quantizers(register):
    """Register quantization backends (bitsandbytes 4/8-bit, torchao, HQQ ...).

    Parameters:
        register: call `register(quantizer)` with a `tuneforge.core.Quantizer` whose `build_config(options)` returns
            the transformers quantization config the model is loaded with.

    Returns: nothing. Entry-point group: `tuneforge.quantizers`. Since: API 1.0.
    """


@hookspec
def register_rewards(register):
    """Register reward functions for online RL stages (accuracy, format, length, reward-model adapter ...).

    Parameters:
        register: call `register(reward)` with a `tuneforge.core.RewardFunction`.

    Returns: nothing. Entry-point group: `tuneforge.rewards`. Since: API 1.0.
    """


@hookspec
def register_benchmarks(register):
    """Register evaluation suites and metrics (MMLU-style multiple choice, BLEU, ROUGE ...).

    Parameters:
        register: call `register(benchmark)` with a `tuneforge.core.Benchmark`.

    Returns: nothing. Entry-point group: `tuneforge.benchmarks`. Since: API 1.0.
    """


# ---------------------------------------------------------------------------------------------------------------
# Lifecycle hooks: called during a run, on every loaded plugin
# ---------------------------------------------------------------------------------------------------------------


@hookspec
def prepare_model_config(run, config):
    """Adjust the transformers model config before weights are loaded.

    Parameters:
        run: the resolved run (`tuneforge.core.pipeline.ResolvedRun`): config, model family, variant, template.
        config: the `transformers.PretrainedConfig` about to be used; change it in place.

    Returns: nothing. Called after the config is read and before the tokenizer and weights load. Since: API 1.0.
    """


@hookspec
def prepare_tokenizer(run, tokenizer):
    """Adjust the tokenizer after it loads (special tokens, padding side ...).

    Parameters:
        run: the resolved run.
        tokenizer: the loaded tokenizer; change it in place.

    Returns: nothing. Called after the template's own tokenizer preparation (pad token). Since: API 1.0.
    """


@hookspec
def prepare_model(run, model):
    """Patch the loaded model before the adapter method attaches (architecture fixes, custom layers ...).

    Parameters:
        run: the resolved run.
        model: the loaded `transformers.PreTrainedModel`; change it in place.

    Returns: nothing. Called after the weights load and before the adapter method prepares the model.
    Since: API 1.0.
    """


@hookspec
def trainer_callbacks(run):
    """Contribute `transformers.TrainerCallback` objects to the trainer.

    Parameters:
        run: the resolved run.

    Returns: a list of callbacks (or None). All plugins' lists are concatenated. Since: API 1.0.
    """
