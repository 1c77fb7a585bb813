"""Model families N-Q (OLMo, OpenChat, OpenCoder, Orion, Phi, Qwen): the specs hold together, and every
architecture the installed transformers has trains through the conformance kit (once per distinct setup: the
generations of one architecture share its LoRA targets and tiny configuration); the others say why they cannot."""

from __future__ import annotations

import dataclasses
import re

import pytest

from tuneforge.core import ModelFamily
from tuneforge.core.specs import NAME_PATTERN
from tuneforge.plugins.models import olmo, openchat, opencoder, orion, phi, qwen

MODULES = (olmo, openchat, opencoder, orion, phi, qwen)
FAMILIES = (olmo.OLMO, olmo.OLMO_1_7, openchat.OPENCHAT, openchat.OPENCHAT_3_6, opencoder.OPENCODER, orion.ORION,
            phi.PHI, phi.PHI3, phi.PHI3_5, phi.PHI4, phi.PHI4_MINI, phi.PHIMOE, phi.PHI3_SMALL,
            qwen.QWEN, qwen.QWEN1_5, qwen.CODEQWEN1_5, qwen.QWEN2, qwen.QWEN2_MATH, qwen.QWEN2_5, qwen.QWEN2_5_CODER,
            qwen.QWEN2_5_MATH, qwen.QWEN2_5_1M, qwen.QWQ, qwen.QWEN1_5_MOE, qwen.QWEN2_MOE, qwen.QWEN3, qwen.QWEN3_MOE,
            qwen.QWEN3_2507)
# Architectures whose code lives only in the checkpoints (trust_remote_code); transformers cannot build them.
REMOTE_CODE = {"orion", "phi3small", "qwen"}
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def distinct_setups() -> list[ModelFamily]:
    """The first family of each (architecture, LoRA targets, tiny configuration): the others would train the same
    tiny model the same way."""
    first: dict[tuple, ModelFamily] = {}
    for family in FAMILIES:
        first.setdefault((family.architecture, family.lora_targets, repr(sorted(family.tiny_config.items()))), family)
    return list(first.values())


def registered(module) -> list[ModelFamily]:
    specs: list = []
    module.register_models(register=specs.append)
    return specs


def test_the_hooks_register_exactly_the_family_constants():
    assert [f for module in MODULES for f in registered(module)] == list(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.name)
def test_family_spec_validates_and_its_rows_are_well_formed(family):
    assert dataclasses.replace(family) == family  # __post_init__ runs again on the rebuilt spec
    assert family.variants and family.tiny_config
    for variant in family.variants:
        assert HUB_ID.match(variant.hub_id), f"{variant.name}: hub id {variant.hub_id!r}"
        assert NAME_PATTERN.match(variant.name)
        # Names carry the family's generation: e.g. no `phi-4` row in a Qwen family.
        assert variant.name.split("-")[0].rstrip("0123456789.") in {"olmo", "openchat", "opencoder", "orion", "phi",
                                                                    "qwen", "codeqwen", "qwq"}, variant.name
        assert 0.1 < variant.params < 1000 and 1024 <= variant.context_length <= 2_000_000, variant
    assert family.capabilities.trust_remote_code == (family.architecture in REMOTE_CODE)


def test_variant_names_and_hub_ids_are_unique_across_these_families():
    names = [v.name for f in FAMILIES for v in f.variants]
    hub_ids = [v.hub_id for f in FAMILIES for v in f.variants]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert len(hub_ids) == len(set(hub_ids)), sorted(h for h in hub_ids if hub_ids.count(h) > 1)


def test_moe_flag_matches_the_tiny_models_experts():
    """A family is `moe` exactly when its architecture routes tokens to experts (fused 3-D expert weights)."""
    from tuneforge.testing import build_tiny_model

    for family in FAMILIES:
        if family.architecture in REMOTE_CODE:
            continue
        model = build_tiny_model(family)
        has_experts = any(p.dim() == 3 for p in model.parameters())
        assert family.capabilities.moe == has_experts, family.name


@pytest.mark.parametrize("family", [f for f in distinct_setups() if f.architecture not in REMOTE_CODE],
                         ids=lambda f: f.name)
def test_family_trains_with_lora_and_reloads(family, tmp_path):
    from tuneforge.testing import check_model_family_trains

    result = check_model_family_trains(family, tmp_path)
    assert result["architecture"] == family.architecture
    assert 0 < result["trainable"] < result["total"]


@pytest.mark.parametrize("family", [f for f in distinct_setups() if f.architecture in REMOTE_CODE],
                         ids=lambda f: f.name)
def test_remote_code_architecture_is_reported_unavailable(family, tmp_path):
    from tuneforge.testing import ArchitectureUnavailable, check_model_family_trains

    with pytest.raises(ArchitectureUnavailable) as caught:
        check_model_family_trains(family, tmp_path)
    assert f"'{family.architecture}'" in str(caught.value)
