"""Quantizer plugins (bnb-4bit, bnb-8bit, torchao-int8, torchao-int4): options validated like the adapter's, the
transformers config each builds, quantized loading through the model loader and LoRA training on the quantized
base on this CPU, and clear refusals (int4 on CPU, untrainable quantizations, missing packages, full training)."""

from __future__ import annotations

import importlib.util
import warnings
from contextlib import ExitStack
from pathlib import Path

import pytest

from tuneforge.core import ConfigError, NotFoundError, Quantizer
from tuneforge.core.config import RunConfig, validate_options
from tuneforge.plugins.quantizers import bnb, torchao

PLUGINS = {"bnb": bnb, "torchao": torchao}
SPECS = {spec.name: spec for spec in (bnb.BNB_4BIT, bnb.BNB_8BIT, torchao.TORCHAO_INT8, torchao.TORCHAO_INT4)}
HAS_BNB = importlib.util.find_spec("bitsandbytes") is not None
HAS_TORCHAO = importlib.util.find_spec("torchao") is not None
needs_bnb = pytest.mark.skipif(not HAS_BNB, reason="bitsandbytes is not installed (pip install 'tuneforge[quant]')")
needs_torchao = pytest.mark.skipif(not HAS_TORCHAO, reason="torchao is not installed (pip install 'tuneforge[torchao]')")


@pytest.fixture
def catalog():
    """The catalog with the quantizer plugins: through their entry points, or added here until they are declared."""
    from tuneforge.registry import get_catalog, temporary_plugin

    with ExitStack() as stack:
        for name, module in PLUGINS.items():
            if get_catalog().find("quantizer", f"{name}-8bit" if name == "bnb" else "torchao-int8") is None:
                stack.enter_context(temporary_plugin(module, name, kind="quantizer", distribution="tuneforge"))
        yield get_catalog()


def test_quantizers_are_registered_through_entry_points():
    from tuneforge.registry import get_catalog

    catalog = get_catalog(refresh=True)
    missing = [name for name in SPECS if catalog.find("quantizer", name) is None]
    if missing:  # the entry points are added to pyproject.toml by the lead
        pytest.skip(f"not registered through the tuneforge.quantizers entry points yet: {', '.join(missing)}")
    assert {name: catalog.spec("quantizer", name) for name in SPECS} == SPECS


def test_every_quantizer_lists_its_package_and_takes_validated_options():
    assert SPECS["bnb-4bit"].requires == SPECS["bnb-8bit"].requires == ("bitsandbytes",)
    assert SPECS["torchao-int8"].requires == SPECS["torchao-int4"].requires == ("torchao",)
    options = validate_options(bnb.Bnb4bitOptions, {"quant_type": "fp4", "double_quant": False}, "model.quantization")
    assert (options.quant_type, options.double_quant, options.compute_dtype) == ("fp4", False, "auto")
    with pytest.raises(ConfigError, match=r"`model.quantization.quant_type`: Input should be 'nf4' or 'fp4'"):
        validate_options(bnb.Bnb4bitOptions, {"quant_type": "int4"}, "model.quantization")
    with pytest.raises(ConfigError, match=r"unknown option `model.quantization.quanttype` \(did you mean `quant_type`"):
        validate_options(bnb.Bnb4bitOptions, {"quanttype": "nf4"}, "model.quantization")
    with pytest.raises(ConfigError, match="threshold"):
        validate_options(bnb.Bnb8bitOptions, {"threshold": -1}, "model.quantization")
    with pytest.raises(ConfigError, match="group_size"):
        validate_options(torchao.Int8Options, {"group_size": 0}, "model.quantization")


def run_config(model: str, quantization, adapter: str = "qlora") -> RunConfig:
    return RunConfig.model_validate({"model": {"name": model, "quantization": quantization},
                                     "data": {"datasets": ["tuneforge_demo"]}, "adapter": adapter,
                                     "output_dir": "/nonexistent", "seed": 0})


def test_the_model_section_takes_a_method_and_its_options():
    config = run_config("tiny-llama", "bnb-4bit")
    assert config.model.quantization.method == "bnb-4bit" and config.model.quantization.options() == {}
    config = run_config("tiny-llama", {"method": "bnb-4bit", "quant_type": "fp4"})
    assert config.model.quantization.options() == {"quant_type": "fp4"}
    assert run_config("tiny-llama", None).model.quantization is None


def test_resolution_validates_options_and_records_the_plugin(catalog):
    from tuneforge.core.resolve import resolve_quantizer

    used: list = []
    spec, options = resolve_quantizer(run_config("tiny-llama", {"method": "bnb-4bit", "quant_type": "fp4"}),
                                      None, catalog, used, check_installed=False)
    assert spec == bnb.BNB_4BIT and options == bnb.Bnb4bitOptions(quant_type="fp4")
    assert [(u.role, u.name, u.distribution) for u in used] == [("quantizer", "bnb-4bit", "tuneforge")]
    with pytest.raises(ConfigError, match=r"unknown option `model.quantization.bits`"):
        resolve_quantizer(run_config("tiny-llama", {"method": "bnb-4bit", "bits": 4}), None, catalog)
    with pytest.raises(NotFoundError, match="bnb-4bit"):
        resolve_quantizer(run_config("tiny-llama", "bnb-4bits"), None, catalog)
    assert resolve_quantizer(run_config("tiny-llama", None), None, catalog) == (None, None)


def test_a_family_without_quantization_support_is_refused(catalog):
    from tuneforge.core import Capabilities
    from tuneforge.core.resolve import resolve_quantizer
    from tuneforge.plugins.models.tiny_llama import TINY_LLAMA

    import dataclasses

    family = dataclasses.replace(TINY_LLAMA, capabilities=Capabilities(quantization=False))
    with pytest.raises(ConfigError, match="does not support quantized loading"):
        resolve_quantizer(run_config("tiny-llama", "bnb-8bit"), family, catalog, check_installed=False)


def test_a_missing_package_names_the_pip_install():
    from tuneforge.core.resolve import require_packages

    absent = Quantizer(name="absent-q", build_config=lambda options: None, requires=("tuneforge-no-such-package",))
    with pytest.raises(ConfigError, match=r"needs tuneforge-no-such-package, which is not installed: run "
                                          r"`pip install 'tuneforge\[quant\]'` \(or `pip install "
                                          r"tuneforge-no-such-package`\)"):
        require_packages(absent)


@needs_bnb
def test_bnb_configs():
    import torch
    from transformers import BitsAndBytesConfig

    four = bnb.build_4bit(bnb.Bnb4bitOptions())
    assert isinstance(four, BitsAndBytesConfig) and four.load_in_4bit and not four.load_in_8bit
    assert (four.bnb_4bit_quant_type, four.bnb_4bit_use_double_quant) == ("nf4", True)
    assert four.bnb_4bit_compute_dtype == torch.float32  # `auto` on this CPU
    fp4 = bnb.build_4bit(bnb.Bnb4bitOptions(quant_type="fp4", double_quant=False, compute_dtype="bfloat16"))
    assert (fp4.bnb_4bit_quant_type, fp4.bnb_4bit_use_double_quant, fp4.bnb_4bit_compute_dtype) == \
        ("fp4", False, torch.bfloat16)
    eight = bnb.build_8bit(bnb.Bnb8bitOptions(threshold=4.0))
    assert eight.load_in_8bit and eight.llm_int8_threshold == 4.0


@needs_torchao
def test_torchao_int8_config():
    from torchao.quantization import Int8WeightOnlyConfig, PerGroup, PerRow
    from transformers import TorchAoConfig

    config = torchao.build_int8(torchao.Int8Options())
    assert isinstance(config, TorchAoConfig) and isinstance(config.quant_type, Int8WeightOnlyConfig)
    assert isinstance(config.quant_type.granularity, PerRow)
    grouped = torchao.build_int8(torchao.Int8Options(group_size=32))
    assert isinstance(grouped.quant_type.granularity, PerGroup) and grouped.quant_type.granularity.group_size == 32


@needs_torchao
def test_torchao_int4_refuses_on_cpu_with_the_measured_reason():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: int4 builds its config there")
    for packing, failure in torchao.INT4_ON_CPU.items():
        with pytest.raises(ConfigError, match=r"'torchao-int4' needs a CUDA GPU") as info:
            torchao.build_int4(torchao.Int4Options(packing_format=packing))
        assert failure in str(info.value) and "torchao-int8" in str(info.value)


@needs_torchao
def test_a_quantization_transformers_cannot_train_is_refused_before_loading():
    """int4 weight-only through torchao's Intx config loads on CPU, but transformers marks it untrainable."""
    import torch
    from torchao.quantization import IntxWeightOnlyConfig, PerGroup
    from transformers import TorchAoConfig

    from tuneforge.core.model_loader import quantization_kwargs

    untrainable = Quantizer(name="intx-int4", build_config=lambda options: TorchAoConfig(
        IntxWeightOnlyConfig(weight_dtype=torch.int4, granularity=PerGroup(32))), requires=("torchao",))
    run = make_run(Path("/nonexistent"), untrainable, None)
    with pytest.raises(ConfigError, match=r"'intx-int4': transformers cannot train adapters on this quantization"):
        quantization_kwargs(run)


# ---------------------------------------------------------------------------------------------------------------
# Loading and training on this machine
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory) -> Path:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = tmp_path_factory.mktemp("quantizable") / "model"
    torch.manual_seed(0)
    # An MLP width (96) that is not a multiple of bitsandbytes' 64-weight blocks, as tiny-llama's 352 is not.
    model = LlamaForCausalLM(LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                         tie_word_embeddings=False))
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, 64 ** -0.5)
    model.save_pretrained(folder)
    return folder


def make_run(folder: Path, quantizer, options, adapter: str = "qlora"):
    from tuneforge.core.resolve import ResolvedRun
    from tuneforge.plugins.adapters import full, qlora
    from tuneforge.plugins.stages.sft import SFT

    method = {"qlora": qlora.QLORA, "full": full.FULL}[adapter]
    config = RunConfig.model_validate({"model": str(folder), "data": {"datasets": ["tuneforge_demo"]},
                                       "output_dir": "/nonexistent", "seed": 0})
    adapter_options = validate_options(method.options, {"r": 4, "alpha": 8} if adapter == "qlora" else {}, "adapter")
    return ResolvedRun(config=config, config_path=Path("run.yaml"), family=None, variant=None,
                       model_source=str(folder), template=None, adapter=method, adapter_options=adapter_options,
                       stage=SFT, stage_options=None, datasets=(), plugins=(), quantizer=quantizer,
                       quantizer_options=options)


def load(run, catalog):
    from tuneforge.core.model_loader import load_model

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_model(run, catalog.plugin_manager)


def train_steps(model, steps: int = 8) -> list[float]:
    import torch

    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 128, (4, 16), generator=generator)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    model.train()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
    return losses


def quantized_layers(model) -> list:
    return [module.base_layer for module in model.modules() if hasattr(module, "lora_A")]


CASES = [
    pytest.param("bnb-4bit", {"quant_type": "nf4"}, "Linear4bit", marks=needs_bnb, id="bnb-4bit-nf4"),
    pytest.param("bnb-4bit", {"quant_type": "fp4", "double_quant": False}, "Linear4bit", marks=needs_bnb,
                 id="bnb-4bit-fp4"),
    pytest.param("bnb-8bit", {}, "Linear8bitLt", marks=needs_bnb, id="bnb-8bit"),
    pytest.param("torchao-int8", {}, "Linear", marks=needs_torchao, id="torchao-int8"),
]


@pytest.mark.parametrize("name, options, layer_class", CASES)
def test_loads_quantized_and_lora_trains_on_it(model_folder, catalog, name, options, layer_class):
    import torch

    spec = SPECS[name]
    run = make_run(model_folder, spec, validate_options(spec.options, options, "model.quantization"))
    model = load(run, catalog)
    layers = quantized_layers(model)
    assert len(layers) == 7 * 2  # every linear layer of both blocks carries an adapter over a quantized base
    assert {type(layer).__name__ for layer in layers} == {layer_class}
    weight = layers[0].weight
    if name == "bnb-4bit":
        assert weight.dtype == torch.uint8 and weight.quant_type == options["quant_type"]
        assert (weight.quant_state.state2 is not None) == options.get("double_quant", True)
    elif name == "bnb-8bit":
        assert weight.dtype == torch.int8
    else:
        assert type(weight).__name__ == "Int8Tensor"
    assert model.base_model.model.lm_head.weight.dtype == torch.float32  # the head stays unquantized
    before = {key: value.clone() for key, value in model.state_dict().items() if "lora_" not in key and
              value.dtype in (torch.uint8, torch.int8)}
    with torch.no_grad():  # an evaluation pass before training (as eval_strategy runs them) must not disturb it
        model.eval()
        model(input_ids=torch.ones(2, 8, dtype=torch.long))
    losses = train_steps(model)
    assert all(map(lambda x: x == x, losses)), losses  # finite
    assert sum(losses[-3:]) / 3 < 0.8 * sum(losses[:3]) / 3, losses
    after = model.state_dict()
    assert all(torch.equal(after[key], value) for key, value in before.items())  # quantized weights untouched


@needs_bnb
def test_full_training_of_a_quantized_base_is_refused(model_folder, catalog):
    spec = SPECS["bnb-8bit"]
    run = make_run(model_folder, spec, spec.options(), adapter="full")
    with pytest.raises(ConfigError, match=r"adapter 'full' trains the base weights, but model.quantization "
                                          r"\(bnb-8bit\) quantized them"):
        load(run, catalog)


@needs_bnb
def test_4bit_weights_keep_their_training_layout_through_an_evaluation(model_folder, catalog):
    """bitsandbytes would repack 4-bit weights for CPU inference at the first eval-mode forward (and fail on the
    96-wide MLP); the bnb plugin's prepare_model hook keeps them as trained."""
    import torch

    spec = SPECS["bnb-4bit"]
    model = load(make_run(model_folder, spec, spec.options()), catalog)
    layers = quantized_layers(model)
    assert all(layer.support_avx512bf16_for_cpu is False for layer in layers)
    ids = torch.randint(0, 128, (2, 8), generator=torch.Generator().manual_seed(2))
    model.train()
    with torch.no_grad():
        training_logits = model(input_ids=ids).logits
        model.eval()
        evaluation_logits = model(input_ids=ids).logits
    assert torch.equal(evaluation_logits, training_logits)  # LoRA dropout is 0: same computation in both modes
    assert not any(getattr(layer.weight.quant_state, "packing_format_for_cpu", False) for layer in layers)
