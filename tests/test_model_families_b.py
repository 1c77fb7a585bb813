"""Model families E-M (EXAONE ... Moonlight): the specs validate, hub ids look like `org/name`, registry keys do not
collide with any other family, declared capabilities agree with transformers, LoRA targets exist, every
architecture the installed transformers has trains one LoRA step and reloads (one family per architecture), and the
remote-code ones are reported unavailable with the architecture named."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tuneforge.plugins.models.exaone import EXAONE
from tuneforge.plugins.models.falcon import FALCON, FALCON2, FALCON_H1
from tuneforge.plugins.models.gemma import GEMMA, GEMMA2, GEMMA3, GEMMA3_TEXT, MEDGEMMA, MEDGEMMA_TEXT
from tuneforge.plugins.models.glm4 import GLM4, GLM4_0414, GLM4_MOE
from tuneforge.plugins.models.gpt_oss import GPT_OSS
from tuneforge.plugins.models.granite import (GRANITE3_0, GRANITE3_0_MOE, GRANITE3_1, GRANITE3_1_MOE, GRANITE3_2,
                                              GRANITE3_3, GRANITE4)
from tuneforge.plugins.models.hunyuan import HUNYUAN, HUNYUAN_MOE
from tuneforge.plugins.models.internlm import INTERNLM2, INTERNLM2_5, INTERNLM3
from tuneforge.plugins.models.jamba import JAMBA
from tuneforge.plugins.models.kimi import KIMI_DEV
from tuneforge.plugins.models.lingowhale import LINGOWHALE
from tuneforge.plugins.models.llama1 import LLAMA1
from tuneforge.plugins.models.llama3_chinese import LLAMA3_1_CHINESE, LLAMA3_CHINESE
from tuneforge.plugins.models.mimo import MIMO
from tuneforge.plugins.models.minimax import MINIMAX_M1, MINIMAX_TEXT_01
from tuneforge.plugins.models.minicpm import MINICPM, MINICPM3
from tuneforge.plugins.models.mistral import (MINISTRAL, MISTRAL_NEMO, MISTRAL_SMALL, MISTRAL_V0_1, MISTRAL_V0_2,
                                              MISTRAL_V0_3, MIXTRAL)
from tuneforge.plugins.models.moonlight import MOONLIGHT

FAMILIES = (EXAONE, FALCON, FALCON2, FALCON_H1, GEMMA, GEMMA2, GEMMA3_TEXT, MEDGEMMA_TEXT, GEMMA3, MEDGEMMA, GLM4,
            GLM4_0414, GLM4_MOE, GPT_OSS, GRANITE3_0, GRANITE3_1, GRANITE3_2, GRANITE3_3, GRANITE3_0_MOE,
            GRANITE3_1_MOE, GRANITE4, HUNYUAN, HUNYUAN_MOE, INTERNLM2, INTERNLM2_5, INTERNLM3, JAMBA, KIMI_DEV,
            LINGOWHALE, LLAMA1, LLAMA3_CHINESE, LLAMA3_1_CHINESE, MIMO, MINICPM, MINICPM3, MINIMAX_TEXT_01,
            MINIMAX_M1, MISTRAL_V0_1, MISTRAL_V0_2, MISTRAL_V0_3, MISTRAL_NEMO, MINISTRAL, MISTRAL_SMALL, MIXTRAL,
            MOONLIGHT)
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


def by_architecture() -> dict[str, object]:
    first: dict[str, object] = {}
    for family in FAMILIES:
        first.setdefault(family.architecture, family)
    return first


def causal_lm_class(architecture: str):
    """The class AutoModelForCausalLM builds for an architecture, or None when transformers has none."""
    import transformers
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    name = MODEL_FOR_CAUSAL_LM_MAPPING_NAMES.get(architecture)
    return getattr(transformers, name) if name else None


def defining_modules() -> list[str]:
    """The plugin modules these families are defined in (found by identity among the imported modules)."""
    import sys

    ids = {id(f) for f in FAMILIES}
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith("tuneforge.plugins.models.")
                  and any(id(value) in ids for value in vars(module).values()))


def test_modules_import_without_torch():
    """All these plugin modules together, in a fresh interpreter, import none of the heavy training libraries."""
    import json
    import subprocess
    import sys

    from tuneforge.testing.contracts import HEAVY_MODULES

    modules = defining_modules()
    assert len(modules) == 18, modules
    code = (f"import importlib, json, sys; [importlib.import_module(m) for m in {modules!r}]; "
            f"print(json.dumps([m for m in {list(HEAVY_MODULES)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_spec_revalidates_and_hub_ids_look_like_org_name(family):
    assert dataclasses.replace(family) == family
    for variant in family.variants:
        assert dataclasses.replace(variant) == variant
        assert HUB_ID.match(variant.hub_id), (variant.name, variant.hub_id)
    assert family.tiny_config, f"{family.name} has no tiny configuration"


def test_names_are_unique_across_all_families():
    """Family and variant keys collide neither among these families nor with any family in the catalog."""
    from tuneforge.registry import get_catalog

    families = {id(f): f for f in FAMILIES}
    families.update({id(entry.spec): entry.spec for entry in get_catalog().items("model")})
    family_names = [f.name for f in families.values()]
    variant_names = [v.name for f in families.values() for v in f.variants]
    assert len(family_names) == len(set(family_names)), sorted(
        n for n in set(family_names) if family_names.count(n) > 1)
    assert len(variant_names) == len(set(variant_names)), sorted(
        n for n in set(variant_names) if variant_names.count(n) > 1)


@pytest.mark.parametrize("architecture", sorted(by_architecture()))
def test_declared_capabilities_agree_with_transformers(architecture):
    """sdpa / flash attention / gradient checkpointing as the transformers class declares them; families without a
    transformers class are the remote-code ones."""
    cls = causal_lm_class(architecture)
    families = [f for f in FAMILIES if f.architecture == architecture]
    if cls is None:
        assert all(f.capabilities.trust_remote_code for f in families), architecture
        return
    for family in families:
        declared = family.capabilities
        assert (declared.sdpa, declared.flash_attention, declared.gradient_checkpointing) == (
            bool(cls._supports_sdpa), bool(cls._supports_flash_attn), bool(cls.supports_gradient_checkpointing)
        ), f"{family.name}: capabilities disagree with {cls.__name__}"


@pytest.mark.parametrize("family", [f for f in FAMILIES if causal_lm_class(f.architecture)], ids=lambda f: f.name)
def test_declared_lora_targets_are_linear_layers_of_the_tiny_model(family):
    from tuneforge.testing import build_tiny_model
    from tuneforge.testing.contracts import linear_module_names

    model = build_tiny_model(family)
    names = linear_module_names(model)
    if family.lora_targets:
        assert set(family.lora_targets) <= names, sorted(set(family.lora_targets) - names)
    # MoE routers are Linear layers named `gate` / `router` / `wg`: no family may target them, and a family is
    # declared MoE exactly when its tiny model has experts.
    assert not {"gate", "router", "wg"} & set(family.lora_targets)
    has_experts = any(getattr(model.config.get_text_config(), key, None)
                      for key in ("num_local_experts", "num_experts", "n_routed_experts"))
    assert family.capabilities.moe == has_experts, family.name


@pytest.mark.parametrize("architecture", sorted(by_architecture()))
def test_architecture_conformance(architecture, tmp_path):
    """Installed architectures: tiny model -> LoRA -> one step changes the adapter -> reload gives the same
    logits. Missing ones (remote-code checkpoints) raise ArchitectureUnavailable naming the architecture."""
    from tuneforge.testing import ArchitectureUnavailable, check_model_family_trains

    family = by_architecture()[architecture]
    if causal_lm_class(architecture):
        figures = check_model_family_trains(family, tmp_path)
        assert figures["architecture"] == architecture and 0 < figures["trainable"] < figures["total"]
    else:
        with pytest.raises(ArchitectureUnavailable) as raised:
            check_model_family_trains(family, tmp_path)
        assert f"'{architecture}'" in str(raised.value)
