"""Model families A-D (Aya ... dots.ocr): the specs validate, hub ids look like `org/name`, every architecture the
installed transformers has trains one LoRA step and reloads (one family per architecture), the others are reported
unavailable with the architecture named."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tuneforge.plugins.models.baichuan import BAICHUAN, BAICHUAN2
from tuneforge.plugins.models.bloom import BLOOM, BLOOMZ
from tuneforge.plugins.models.bluelm import BLUELM
from tuneforge.plugins.models.breeze import BREEZE
from tuneforge.plugins.models.chatglm import CHATGLM3
from tuneforge.plugins.models.chinese_llama2 import CHINESE_LLAMA2
from tuneforge.plugins.models.codegemma import CODEGEMMA
from tuneforge.plugins.models.codestral import CODESTRAL
from tuneforge.plugins.models.cohere import AYA_23, COMMAND_R
from tuneforge.plugins.models.dbrx import DBRX
from tuneforge.plugins.models.deepseek import DEEPSEEK_LLM, DEEPSEEK_MATH, DEEPSEEK_MOE
from tuneforge.plugins.models.deepseek_coder import DEEPSEEK_CODER
from tuneforge.plugins.models.deepseek_r1_distill import (DEEPSEEK_R1_DISTILL_LLAMA, DEEPSEEK_R1_DISTILL_QWEN,
                                                          DEEPSEEK_R1_DISTILL_QWEN3)
from tuneforge.plugins.models.deepseek_v2 import DEEPSEEK_CODER_V2, DEEPSEEK_V2, DEEPSEEK_V2_5
from tuneforge.plugins.models.deepseek_v3 import DEEPSEEK_R1, DEEPSEEK_V3
from tuneforge.plugins.models.devstral import DEVSTRAL
from tuneforge.plugins.models.llama import LLAMA2, LLAMA3, LLAMA3_1, LLAMA3_2, LLAMA3_3
from tuneforge.plugins.models.tiny_llama import TINY_LLAMA

FAMILIES = (AYA_23, BAICHUAN, BAICHUAN2, BLOOM, BLOOMZ, BLUELM, BREEZE, CHATGLM3, CHINESE_LLAMA2,
            CODEGEMMA, CODESTRAL, COMMAND_R, DBRX, DEEPSEEK_LLM, DEEPSEEK_MATH, DEEPSEEK_MOE, DEEPSEEK_CODER,
            DEEPSEEK_V2, DEEPSEEK_CODER_V2, DEEPSEEK_V2_5, DEEPSEEK_V3, DEEPSEEK_R1, DEEPSEEK_R1_DISTILL_QWEN,
            DEEPSEEK_R1_DISTILL_LLAMA, DEEPSEEK_R1_DISTILL_QWEN3, DEVSTRAL)
LLAMA_FAMILIES = (LLAMA2, LLAMA3, LLAMA3_1, LLAMA3_2, LLAMA3_3)
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")


def by_architecture() -> dict[str, object]:
    first: dict[str, object] = {}
    for family in FAMILIES:
        first.setdefault(family.architecture, family)
    return first


def installed(architecture: str) -> bool:
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    return architecture in CONFIG_MAPPING_NAMES


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_spec_revalidates_and_hub_ids_look_like_org_name(family):
    assert dataclasses.replace(family) == family
    for variant in family.variants:
        assert dataclasses.replace(variant) == variant
        assert HUB_ID.match(variant.hub_id), (variant.name, variant.hub_id)
    assert family.tiny_config, f"{family.name} has no tiny configuration"


def test_names_are_unique_across_families():
    """Registry keys must not collide with each other nor with the families already in the catalog."""
    families = FAMILIES + LLAMA_FAMILIES + (TINY_LLAMA,)
    family_names = [f.name for f in families]
    variant_names = [v.name for f in families for v in f.variants]
    assert len(family_names) == len(set(family_names))
    assert len(variant_names) == len(set(variant_names)), sorted(
        n for n in set(variant_names) if variant_names.count(n) > 1)


@pytest.mark.parametrize("family", [f for f in FAMILIES if not f.capabilities.trust_remote_code],
                         ids=lambda f: f.name)
def test_declared_lora_targets_are_linear_layers_of_the_tiny_model(family):
    from tuneforge.testing import build_tiny_model
    from tuneforge.testing.contracts import linear_module_names

    model = build_tiny_model(family)
    names = linear_module_names(model)
    if family.lora_targets:
        assert set(family.lora_targets) <= names, sorted(set(family.lora_targets) - names)
    else:
        # "All linear but the head" must not reach an MoE router.
        import torch

        routers = [n for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)
                   and (n.endswith(".gate") or ".router" in n)]
        assert not routers, routers


@pytest.mark.parametrize("architecture", sorted(by_architecture()))
def test_architecture_conformance(architecture, tmp_path):
    """Installed architectures: tiny model -> LoRA -> one step changes the adapter -> reload gives the same
    logits. Missing ones (remote-code checkpoints) raise ArchitectureUnavailable naming the architecture."""
    from tuneforge.testing import ArchitectureUnavailable, check_model_family_trains

    family = by_architecture()[architecture]
    if installed(architecture):
        figures = check_model_family_trains(family, tmp_path)
        assert figures["architecture"] == architecture and 0 < figures["trainable"] < figures["total"]
    else:
        assert all(f.capabilities.trust_remote_code for f in FAMILIES if f.architecture == architecture)
        with pytest.raises(ArchitectureUnavailable) as raised:
            check_model_family_trains(family, tmp_path)
        assert f"'{architecture}'" in str(raised.value)
