"""Model families R-Z (Seed-Coder ... Zephyr) plus GPT-2, Pythia, OPT, StableLM, TinyLlama and ERNIE 4.5: the specs
validate, hub ids look like `org/name`, registry keys are unique, every architecture the installed transformers has
trains one LoRA step and reloads (one family per architecture), the others are reported unavailable with the
architecture named."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tuneforge.plugins.models.ernie4_5 import ERNIE4_5, ERNIE4_5_MOE
from tuneforge.plugins.models.gpt2 import GPT2
from tuneforge.plugins.models.llama import LLAMA2, LLAMA3, LLAMA3_1, LLAMA3_2, LLAMA3_3
from tuneforge.plugins.models.opt import OPT
from tuneforge.plugins.models.pythia import PYTHIA
from tuneforge.plugins.models.seed_coder import SEED_CODER
from tuneforge.plugins.models.seed_oss import SEED_OSS
from tuneforge.plugins.models.skywork import SKYWORK, SKYWORK_O1
from tuneforge.plugins.models.smollm import SMOLLM, SMOLLM2
from tuneforge.plugins.models.solar import SOLAR
from tuneforge.plugins.models.stablelm import STABLELM, STABLELM2
from tuneforge.plugins.models.starcoder2 import STARCODER2
from tuneforge.plugins.models.telechat import TELECHAT, TELECHAT2, TELECHAT2_5
from tuneforge.plugins.models.tiny_llama import TINY_LLAMA
from tuneforge.plugins.models.tinyllama import TINYLLAMA
from tuneforge.plugins.models.vibethinker import VIBETHINKER
from tuneforge.plugins.models.vicuna import VICUNA
from tuneforge.plugins.models.xuanyuan import XUANYUAN, XUANYUAN2
from tuneforge.plugins.models.xverse import XVERSE, XVERSE_65B, XVERSE_MOE
from tuneforge.plugins.models.yayi import YAYI
from tuneforge.plugins.models.yi import YI, YI_1_5, YI_CODER
from tuneforge.plugins.models.yuan import YUAN2
from tuneforge.plugins.models.zephyr import ZEPHYR, ZEPHYR_ORPO

FAMILIES = (SEED_CODER, SEED_OSS, SKYWORK, SKYWORK_O1, SMOLLM, SMOLLM2, SOLAR, STARCODER2, TELECHAT,
            TELECHAT2, TELECHAT2_5, VIBETHINKER, VICUNA, XUANYUAN, XUANYUAN2, XVERSE, XVERSE_65B, XVERSE_MOE, YAYI,
            YI, YI_1_5, YI_CODER, YUAN2, ZEPHYR, ZEPHYR_ORPO, GPT2, PYTHIA, OPT, STABLELM, STABLELM2, TINYLLAMA,
            ERNIE4_5, ERNIE4_5_MOE)
LLAMA_FAMILIES = (LLAMA2, LLAMA3, LLAMA3_1, LLAMA3_2, LLAMA3_3)
MODULES = {"seed_coder", "seed_oss", "skywork", "smollm", "solar", "starcoder2", "telechat", "vibethinker", "vicuna",
           "xuanyuan", "xverse", "yayi", "yi", "yuan", "zephyr", "gpt2", "pythia", "opt", "stablelm",
           "tinyllama", "ernie4_5"}
HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Architectures that exist only as remote code on the Hub (the installed transformers lacks them).
REMOTE = {"skywork", "telechat", "xverse", "yuan"}


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
    assert family.capabilities.trust_remote_code == (family.architecture in REMOTE), family.name


def test_names_are_unique_across_families_and_the_catalog():
    """Registry keys collide neither with each other nor with any family another plugin already registered."""
    from tuneforge.registry import get_catalog, reset_catalog

    families = FAMILIES + LLAMA_FAMILIES + (TINY_LLAMA,)
    family_names = [f.name for f in families]
    variant_names = [v.name for f in families for v in f.variants]
    assert len(family_names) == len(set(family_names))
    assert len(variant_names) == len(set(variant_names)), sorted(
        n for n in set(variant_names) if variant_names.count(n) > 1)
    try:
        others = [entry.spec for entry in get_catalog().items("model")
                  if entry.plugin.module.rsplit(".", 1)[-1] not in MODULES and entry.spec not in families]
    finally:
        reset_catalog()
    clashes = {f.name for f in others} & set(family_names)
    clashes |= {v.name for f in others for v in f.variants} & set(variant_names)
    assert not clashes, sorted(clashes)


@pytest.mark.parametrize("family", [f for f in FAMILIES if not f.capabilities.trust_remote_code],
                         ids=lambda f: f.name)
def test_declared_lora_targets_are_linear_layers_of_the_tiny_model(family):
    import torch

    from tuneforge.testing import build_tiny_model
    from tuneforge.testing.contracts import linear_module_names

    model = build_tiny_model(family)
    if family.lora_targets:
        names = linear_module_names(model)
        assert set(family.lora_targets) <= names, sorted(set(family.lora_targets) - names)
    else:
        # "All linear but the head": GPT-2's projections are Conv1D, which peft's all-linear includes.
        from transformers.pytorch_utils import Conv1D

        projections = {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, Conv1D)}
        assert family.architecture == "gpt2" and projections == {"c_attn", "c_proj", "c_fc"}, projections
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
        assert architecture in REMOTE
        assert all(f.capabilities.trust_remote_code for f in FAMILIES if f.architecture == architecture)
        with pytest.raises(ArchitectureUnavailable) as raised:
            check_model_family_trains(family, tmp_path)
        assert f"'{architecture}'" in str(raised.value)


def test_gpt2_lora_reaches_the_conv1d_projections(tmp_path):
    """Empty targets on GPT-2 must still adapt attention and MLP, not only the head (which peft excludes)."""
    from peft import LoraConfig, get_peft_model

    from tuneforge.testing import build_tiny_model

    model = get_peft_model(build_tiny_model(GPT2), LoraConfig(r=4, target_modules="all-linear",
                                                              task_type="CAUSAL_LM"))
    adapted = {n.split(".lora_A")[0].rsplit(".", 1)[-1] for n, _ in model.named_parameters() if ".lora_A" in n}
    assert adapted == {"c_attn", "c_proj", "c_fc"}
