"""Adapter methods on a tiny Llama: each trains a repeated batch with a finite, falling loss and keeps the invariant
that makes it that method (frozen weights untouched, LoRA merges to the same outputs, PiSSA's residual plus adapter
is the original weight, GaLore's updates lie in its projection, BAdam moves only the active block ...)."""

from __future__ import annotations

import contextlib
import importlib.util
import math
from pathlib import Path

import pytest

from tuneforge.core import ConfigError, ModelError
from tuneforge.core.config import validate_options
from tuneforge.plugins.adapters import badam, freeze, full, galore, llama_pro, lora, oft, qlora

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ((full, full.FULL), (freeze, freeze.FREEZE), (lora, lora.LORA), (qlora, qlora.QLORA),
           (galore, galore.GALORE), (badam, badam.BADAM), (oft, oft.OFT), (llama_pro, llama_pro.LLAMA_PRO))
METHODS = {spec.name: spec for _, spec in PLUGINS}
VOCAB, HIDDEN, LAYERS = 128, 64, 2


# ---------------------------------------------------------------------------------------------------------------
# Helpers: a tiny Llama, a resolved run, a plain training loop
# ---------------------------------------------------------------------------------------------------------------


def tiny_llama(layers: int = LAYERS):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=128, num_hidden_layers=layers,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         tie_word_embeddings=False)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # logits of order 1, as in a trained model, so adapters can move the loss (see tiny_llama)
        model.lm_head.weight.normal_(0.0, HIDDEN ** -0.5)
    return model


def batch():
    import torch

    generator = torch.Generator().manual_seed(1)
    return torch.randint(0, VOCAB, (4, 16), generator=generator)


def make_run(method_name: str, options: dict | None = None, family=None, tmp_path: Path | None = None,
             training: dict | None = None):
    """A real ResolvedRun (config validated like a YAML file's), with the method's options validated."""
    from tuneforge.core.config import RunConfig
    from tuneforge.core.resolve import ResolvedRun
    from tuneforge.plugins.stages.sft import SFT

    method = METHODS[method_name]
    config = RunConfig.model_validate({"model": "tiny", "data": {"datasets": ["demo"]},
                                       "output_dir": str(tmp_path or "/nonexistent"), "seed": 0,
                                       "training": training or {}})
    adapter_options = validate_options(method.options, options or {}, "adapter")
    return ResolvedRun(config=config, config_path=Path("run.yaml"), family=family, variant=None,
                       model_source="tiny", template=None, adapter=method, adapter_options=adapter_options,
                       stage=SFT, stage_options=None, datasets=(), plugins=())


def prepare(model, run):
    return run.adapter.prepare(model, run.adapter_options, run)


def build_optimizer(model, run, learning_rate: float, tmp_path: Path):
    """What run_training and the Trainer do: configure_training, the method's optimizer, else the Trainer's own."""
    from transformers import Trainer, TrainingArguments

    arguments = {"output_dir": str(tmp_path / "checkpoints"), "use_cpu": True, "learning_rate": learning_rate,
                 "weight_decay": 0.0, "optim": run.config.training.optimizer, "seed": 0, "report_to": []}
    method = run.adapter
    if method.configure_training is not None:
        arguments = method.configure_training(run.adapter_options, dict(arguments), run)
    optimizer = method.optimizer(model, run.adapter_options, arguments) if method.optimizer else None
    if optimizer is None:
        optimizer_cls, kwargs = Trainer.get_optimizer_cls_and_kwargs(TrainingArguments(**arguments), model)
        params = kwargs.pop("params", None) or [p for p in model.parameters() if p.requires_grad]
        optimizer = optimizer_cls(params, **kwargs)
    return optimizer


def train(model, optimizer, steps: int, on_step=None) -> list[float]:
    ids = batch()
    model.train()
    losses = []
    for step in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if on_step is not None:
            on_step(step + 1)
    return losses


def assert_falls(losses: list[float], factor: float = 0.95) -> None:
    assert all(math.isfinite(loss) for loss in losses), losses
    assert losses[-1] < factor * losses[0], f"loss did not fall: {losses}"


def snapshot(model) -> dict:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def changed(before: dict, model) -> set[str]:
    import torch

    return {name for name, p in model.named_parameters()
            if name in before and not torch.equal(before[name], p.detach())}


def share(model) -> float:
    from tuneforge.core.model_loader import parameter_report

    return parameter_report(model).share


def logits(model, ids=None):
    import torch

    model.eval()
    with torch.no_grad():
        return model(input_ids=batch() if ids is None else ids).logits


def family_with_targets(*targets):
    from tuneforge.core import ModelFamily, ModelVariant

    return ModelFamily(name="test-llama", architecture="llama", template="llama3",
                       variants=(ModelVariant("test-llama-1m", "org/test", 0.001, 64),), lora_targets=targets)


# ---------------------------------------------------------------------------------------------------------------
# full and freeze
# ---------------------------------------------------------------------------------------------------------------


def test_full_trains_every_parameter(tmp_path, capsys):
    model = tiny_llama()
    run = make_run("full")
    model = prepare(model, run)
    assert share(model) == 1.0
    before = snapshot(model)
    losses = train(model, build_optimizer(model, run, 1e-3, tmp_path), 6)
    assert_falls(losses)
    assert changed(before, model) == set(before)


def test_freeze_trains_only_the_last_layers_and_named_modules(tmp_path, capsys):
    model = tiny_llama()
    run = make_run("freeze", {"layers": 1, "modules": ["lm_head"]})
    model = prepare(model, run)
    assert "freeze: training layers 1-1, lm_head" in capsys.readouterr().err
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {name for name in snapshot(model) if name.startswith("model.layers.1.") or
                         name == "lm_head.weight"}
    expected_share = sum(p.numel() for n, p in model.named_parameters() if n in trainable) / model.num_parameters()
    assert share(model) == pytest.approx(expected_share)
    before = snapshot(model)
    losses = train(model, build_optimizer(model, run, 1e-3, tmp_path), 6)
    assert_falls(losses)
    assert changed(before, model) == trainable  # every frozen weight is byte-identical


def test_freeze_first_layers_and_only_some_submodules(tmp_path):
    model = tiny_llama()
    run = make_run("freeze", {"layers": 1, "side": "first", "layer_modules": ["mlp", "self_attn.o_proj"]})
    model = prepare(model, run)
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert trainable == {"model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight",
                         "model.layers.0.mlp.down_proj.weight", "model.layers.0.self_attn.o_proj.weight"}
    before = snapshot(model)
    assert_falls(train(model, build_optimizer(model, run, 1e-3, tmp_path), 5), 0.99)
    assert changed(before, model) == trainable


def test_freeze_refuses_what_the_model_does_not_have():
    with pytest.raises(ConfigError, match="the model has 2 decoder layers"):
        prepare(tiny_llama(), make_run("freeze", {"layers": 3}))
    with pytest.raises(ConfigError, match=r"adapter.modules: no module named 'lm_haed'.*lm_head"):
        prepare(tiny_llama(), make_run("freeze", {"modules": ["lm_haed"]}))
    with pytest.raises(ConfigError, match="adapter.layer_modules: no module named 'ffn'"):
        prepare(tiny_llama(), make_run("freeze", {"layer_modules": ["ffn"]}))


# ---------------------------------------------------------------------------------------------------------------
# LoRA and its variants
# ---------------------------------------------------------------------------------------------------------------


def base_weights(peft_model) -> dict:
    return {name: p.detach().clone() for name, p in peft_model.named_parameters() if "lora_" not in name}


def test_lora_leaves_the_base_unchanged_and_merges_to_the_same_outputs(tmp_path, capsys):
    import torch

    model = prepare(tiny_llama(), make_run("lora", {"r": 4, "alpha": 8}))
    assert "lora: r 4, alpha 8" in capsys.readouterr().err
    # auto without a family: every linear layer but the output head
    wrapped = {name.rsplit(".", 1)[-1] for name, m in model.named_modules() if hasattr(m, "lora_A")}
    assert wrapped == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    assert 0 < share(model) < 0.2
    base = base_weights(model)
    before = snapshot(model)
    losses = train(model, build_optimizer(model, make_run("lora"), 1e-2, tmp_path), 8)
    assert_falls(losses)
    assert not changed(base, model)  # the base is byte-identical
    assert any("lora_B" in name for name in changed(before, model))
    adapted = logits(model)
    merged = model.merge_and_unload()
    assert type(merged).__name__ == "LlamaForCausalLM"
    assert torch.allclose(logits(merged), adapted, atol=1e-5)


def test_lora_targets_follow_the_family_and_typos_fail():
    model = prepare(tiny_llama(), make_run("lora", family=family_with_targets("q_proj", "v_proj")))
    assert {n.rsplit(".", 1)[-1] for n, m in model.named_modules() if hasattr(m, "lora_A")} == {"q_proj", "v_proj"}
    with pytest.raises(ConfigError, match="no linear layer named q_prj"):
        prepare(tiny_llama(), make_run("lora", {"targets": ["q_prj"]}))


def test_rslora_scales_by_the_square_root_of_the_rank():
    model = prepare(tiny_llama(), make_run("lora", {"r": 4, "alpha": 8, "rslora": True}))
    layer = model.base_model.model.model.layers[0].self_attn.q_proj
    assert layer.scaling["default"] == pytest.approx(8 / math.sqrt(4))


def test_dora_has_magnitude_vectors_that_train(tmp_path):
    import torch

    model = tiny_llama()
    originals = {name: m.weight.detach().clone() for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    model = prepare(model, make_run("lora", {"r": 4, "dora": True}))
    layers = {name: m for name, m in model.named_modules() if hasattr(m, "lora_magnitude_vector")}
    assert len(layers) == 7 * LAYERS
    for name, layer in layers.items():
        magnitude = layer.lora_magnitude_vector["default"].weight
        original = originals[name.removeprefix("base_model.model.")]
        assert magnitude.shape == (original.shape[0],) and magnitude.requires_grad
        assert torch.allclose(magnitude, original.norm(dim=1), atol=1e-6)  # starts at the weight's row norms
    before = snapshot(model)
    assert_falls(train(model, build_optimizer(model, make_run("lora"), 1e-2, tmp_path), 8))
    assert all(name in changed(before, model) for name in before if "lora_magnitude_vector" in name)
    adapted = logits(model)
    assert torch.allclose(logits(model.merge_and_unload()), adapted, atol=1e-5)


@pytest.mark.parametrize("init", ["pissa", "pissa_niter_4"])
def test_pissa_residual_plus_adapter_is_the_original_weight(init, tmp_path):
    import torch

    model = tiny_llama()
    originals = {name: m.weight.detach().clone() for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    model = prepare(model, make_run("lora", {"r": 4, "alpha": 8, "init": init}))
    layers = {name: m for name, m in model.named_modules() if hasattr(m, "lora_A")}
    assert layers
    for name, layer in layers.items():
        residual = layer.base_layer.weight
        adapter = layer.scaling["default"] * layer.lora_B["default"].weight @ layer.lora_A["default"].weight
        original = originals[name.removeprefix("base_model.model.")]
        assert not torch.allclose(residual, original, atol=1e-3)  # the principal part really moved out
        assert torch.allclose(residual + adapter, original, atol=1e-5)
    assert_falls(train(model, build_optimizer(model, make_run("lora"), 1e-2, tmp_path), 6))


def test_pissa_adapter_is_converted_for_the_original_base(tmp_path):
    import torch
    from peft import PeftModel

    original = tiny_llama()
    original.save_pretrained(tmp_path / "base")
    run = make_run("lora", {"r": 4, "alpha": 8, "init": "pissa"}, tmp_path=tmp_path / "run")
    model = prepare(tiny_llama(), run)
    [callback] = lora.trainer_callbacks(run)
    state = type("State", (), {"is_world_process_zero": True})()
    callback.on_train_begin(None, state, None, model=model)
    train(model, build_optimizer(model, run, 1e-2, tmp_path), 6)
    callback.on_train_end(None, state, None, model=model)
    trained = logits(model)
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tmp_path / "base")
    reloaded = PeftModel.from_pretrained(base, tmp_path / "run" / "pissa_converted")
    assert reloaded.peft_config["default"].r == 8  # rank 2r on the original weights
    assert torch.allclose(logits(reloaded), trained, atol=1e-4)
    assert lora.trainer_callbacks(make_run("lora")) is None  # plain LoRA needs no conversion


def test_loraplus_gives_b_a_higher_learning_rate(tmp_path):
    run = make_run("lora", {"r": 4, "loraplus_ratio": 16})
    model = prepare(tiny_llama(), run)
    optimizer = build_optimizer(model, run, 1e-3, tmp_path)
    ids = {id(p): name for name, p in model.named_parameters()}
    rates = {ids[id(p)]: group["lr"] for group in optimizer.param_groups for p in group["params"]}
    assert rates and set(rates) == {name for name, p in model.named_parameters() if p.requires_grad}
    assert {lr for name, lr in rates.items() if "lora_A" in name} == {1e-3}
    assert all(lr == pytest.approx(16e-3) for name, lr in rates.items() if "lora_B" in name)
    assert_falls(train(model, optimizer, 6))
    assert lora.LORA.optimizer(model, validate_options(lora.LoraOptions, {}, "adapter"), {}) is None


# ---------------------------------------------------------------------------------------------------------------
# QLoRA
# ---------------------------------------------------------------------------------------------------------------


def test_qlora_refuses_an_unquantized_base():
    with pytest.raises(ConfigError, match=r"qlora needs a quantized base: set model.quantization \(e.g. method: "
                                          r"bnb-4bit\)"):
        prepare(tiny_llama(), make_run("qlora"))


def test_qlora_trains_lora_on_a_4bit_base(tmp_path):
    if importlib.util.find_spec("bitsandbytes") is None:
        pytest.skip("bitsandbytes is not installed (pip install 'tuneforge[quant]')")
    import warnings

    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    tiny_llama().save_pretrained(tmp_path / "base")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoModelForCausalLM.from_pretrained(
            tmp_path / "base", device_map="cpu", quantization_config=BitsAndBytesConfig(
                load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.float32))
        run = make_run("qlora", {"r": 4, "alpha": 16})
        model = prepare(model, run)
        import bitsandbytes as bnb

        layers = [m for m in model.modules() if hasattr(m, "lora_A")]
        assert len(layers) == 7 * LAYERS
        assert all(isinstance(layer.base_layer, bnb.nn.Linear4bit) for layer in layers)
        assert all(type(layer.base_layer.weight).__name__ == "Params4bit" and
                   layer.base_layer.weight.dtype == torch.uint8 for layer in layers)
        base = base_weights(model)
        losses = train(model, build_optimizer(model, run, 1e-2, tmp_path), 6)
    assert_falls(losses)
    assert not changed(base, model)


# ---------------------------------------------------------------------------------------------------------------
# GaLore
# ---------------------------------------------------------------------------------------------------------------


def test_galore_optimizer_projects_every_target_update(tmp_path):
    if importlib.util.find_spec("galore_torch") is None:
        pytest.skip("galore-torch is not installed (pip install 'tuneforge[galore]')")
    import warnings

    run = make_run("galore", {"rank": 4, "update_proj_gap": 100})
    model = prepare(tiny_llama(), run)
    assert share(model) == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # galore_torch's AdamW announces its own deprecation
        optimizer = build_optimizer(model, run, 1e-3, tmp_path)
    assert type(optimizer).__module__ == "galore_torch.adamw"
    targets = {p: name for name, p in model.named_parameters() if ".layers." in name and name.endswith("proj.weight")}
    assert len(targets) == 7 * LAYERS
    previous: dict = {}

    def check_projection(step):
        for p, name in targets.items():
            state = optimizer.state[p]
            ortho = state["projector"].ortho_matrix
            assert state["exp_avg"].numel() < p.numel() and 4 in state["exp_avg"].shape, name
            if p in previous:  # between projection updates, the step lies in the projector's subspace
                delta = p.detach() - previous[p]
                if ortho.shape[0] == delta.shape[0]:  # left projection P (m x r): delta = P N
                    residual = delta - ortho @ (ortho.T @ delta)
                else:  # right projection Q (r x n): delta = N Q
                    residual = delta - (delta @ ortho.T) @ ortho
                assert residual.norm() < 1e-5 * max(delta.norm(), 1e-12) + 1e-9, name
                assert delta.norm() > 0, name
            previous[p] = p.detach().clone()
        for name, p in model.named_parameters():  # the rest keeps full-size Adam moments
            if p not in targets:
                assert optimizer.state[p]["exp_avg"].shape == p.shape, name

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        losses = train(model, optimizer, 6, on_step=check_projection)
    assert_falls(losses)


def test_galore_training_arguments_and_refusals():
    run = make_run("galore", {"rank": 8, "layerwise": True}, family=family_with_targets("q_proj", "v_proj"))
    arguments = galore.GALORE.configure_training(run.adapter_options, {"optim": "adamw_torch"}, run)
    assert arguments["optim"] == "galore_adamw_layerwise"
    assert arguments["optim_target_modules"] == ["q_proj", "v_proj"]
    assert arguments["optim_args"] == "rank=8, update_proj_gap=200, scale=0.25, proj_type=std"
    with pytest.raises(ConfigError, match="training.optimizer='sgd' conflicts with the galore method"):
        other = make_run("galore", training={"optimizer": "sgd"})
        galore.GALORE.configure_training(other.adapter_options, {}, other)
    with pytest.raises(ConfigError, match="cannot accumulate gradients"):
        galore.GALORE.configure_training(run.adapter_options, {"gradient_accumulation_steps": 2}, run)
    if importlib.util.find_spec("galore_torch") is not None:
        with pytest.raises(ConfigError, match="rank 64 is not below the smaller dimension of any target layer"):
            prepare(tiny_llama(), make_run("galore", {"rank": 64}))
        with pytest.raises(ConfigError, match="matches no linear layer"):
            prepare(tiny_llama(), make_run("galore", {"targets": ["attention_dense"]}))


# ---------------------------------------------------------------------------------------------------------------
# BAdam
# ---------------------------------------------------------------------------------------------------------------


def test_badam_changes_only_the_active_block(tmp_path, capsys):
    import torch

    run = make_run("badam", {"switch_every": 2})
    model = prepare(tiny_llama(), run)
    assert "badam: 2 blocks of 1 layer(s), ascending, switching every 2 steps; starting with layers 0-0" \
        in capsys.readouterr().err
    layer0 = {n for n in snapshot(model) if n.startswith("model.layers.0.")}
    layer1 = {n for n in snapshot(model) if n.startswith("model.layers.1.")}
    assert {n for n, p in model.named_parameters() if p.requires_grad} == layer0
    optimizer = build_optimizer(model, run, 1e-3, tmp_path)
    params = dict(model.named_parameters())
    states: dict[int, set] = {}
    snapshots = {0: snapshot(model)}

    def record(step):
        snapshots[step] = snapshot(model)
        states[step] = {n for n, p in params.items() if optimizer.state.get(p)}

    losses = train(model, optimizer, 6, on_step=record)
    assert_falls(losses)
    # steps 1-2 train layer 0 only, steps 3-4 layer 1 only, steps 5-6 layer 0 again
    for (start, end), block in (((0, 2), layer0), ((2, 4), layer1), ((4, 6), layer0)):
        moved = {n for n in params if not torch.equal(snapshots[start][n], snapshots[end][n])}
        assert moved == block, (start, end)
    assert states[1] == layer0 and states[3] == layer1  # the left block's optimizer state is dropped
    assert optimizer.badam_schedule.steps == 6


def test_badam_orders_and_the_guard_against_a_foreign_optimizer():
    import torch

    def order(options, seed=0):
        schedule = badam.BlockSchedule(tiny_llama(4), validate_options(badam.BadamOptions, options, "adapter"), seed)
        return [schedule.sequence[i] for i in range(len(schedule.sequence))]

    assert order({"order": "descending"}) == [3, 2, 1, 0]
    assert order({"layers_per_block": 3}) == [0, 1]  # 4 layers: a block of 3 and a block of 1
    assert sorted(order({"order": "random"})) == [0, 1, 2, 3]
    assert order({"order": "random"}, seed=5) == order({"order": "random"}, seed=5)
    [guard] = badam.trainer_callbacks(make_run("badam"))
    plain = torch.optim.AdamW(tiny_llama().parameters())
    with pytest.raises(ConfigError, match="did not take the optimizer the method built"):
        guard.on_train_begin(None, None, None, optimizer=plain)
    assert badam.trainer_callbacks(make_run("full")) is None


# ---------------------------------------------------------------------------------------------------------------
# OFT
# ---------------------------------------------------------------------------------------------------------------


def test_oft_rotations_are_orthogonal_and_keep_singular_values(tmp_path):
    import torch

    model = tiny_llama()
    originals = {name: m.weight.detach().clone() for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)}
    run = make_run("oft", {"block_size": 16, "cayley_neumann": False})
    model = prepare(model, run)
    base = base_weights(model)
    base = {n: p for n, p in base.items() if "oft_" not in n}
    assert_falls(train(model, build_optimizer(model, run, 1e-2, tmp_path), 6))
    assert not changed(base, model)  # the base is byte-identical
    layers = {name: m for name, m in model.named_modules() if hasattr(m, "oft_R")}
    assert len(layers) == 7 * LAYERS
    for name, layer in layers.items():
        rotation = layer.get_delta_weight("default")
        assert not torch.allclose(rotation, torch.eye(rotation.shape[0]), atol=1e-4)  # training moved it
        assert torch.allclose(rotation @ rotation.T, torch.eye(rotation.shape[0]), atol=1e-5)
    adapted = logits(model)
    merged = model.merge_and_unload()
    assert torch.allclose(logits(merged), adapted, atol=1e-4)
    for name, module in merged.named_modules():
        if isinstance(module, torch.nn.Linear) and name != "lm_head":
            assert torch.allclose(torch.linalg.svdvals(module.weight), torch.linalg.svdvals(originals[name]),
                                  atol=1e-4), name


def test_oft_block_size_must_divide_the_inputs():
    with pytest.raises(ConfigError, match="block_size 24 does not divide the input size 64"):
        prepare(tiny_llama(), make_run("oft", {"block_size": 24}))


# ---------------------------------------------------------------------------------------------------------------
# LLaMA Pro block expansion
# ---------------------------------------------------------------------------------------------------------------


def test_llama_pro_starts_as_the_same_function_and_trains_only_new_blocks(tmp_path):
    import torch

    model = tiny_llama(4)
    original = snapshot(model)
    expected = logits(model)
    run = make_run("llama-pro", {"new_layers": 2})
    model = prepare(model, run)
    assert model.config.num_hidden_layers == 6 and len(model.model.layers) == 6
    assert torch.equal(logits(model), expected)  # the zeroed copies add exactly nothing
    # copies follow layers 1 and 3: expanded 0,1,[2],3,4,[5]
    mapping = {0: 0, 1: 1, 3: 2, 4: 3}
    new = {n for n, p in model.named_parameters() if n.startswith(("model.layers.2.", "model.layers.5."))}
    assert {n for n, p in model.named_parameters() if p.requires_grad} == new
    assert [layer.self_attn.layer_idx for layer in model.model.layers] == list(range(6))
    before = snapshot(model)
    assert_falls(train(model, build_optimizer(model, run, 1e-3, tmp_path), 6))
    assert changed(before, model) == new
    for name, p in model.named_parameters():  # every original weight is untouched, wherever it now sits
        parts = name.split(".")
        if name in new:
            continue
        if parts[1] == "layers":
            parts[2] = str(mapping[int(parts[2])])
        assert torch.equal(p, original[".".join(parts)]), name
    trained = logits(model)
    model.save_pretrained(tmp_path / "expanded")
    from transformers import AutoModelForCausalLM

    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path / "expanded")
    assert reloaded.config.num_hidden_layers == 6
    assert torch.allclose(logits(reloaded), trained, atol=1e-6)
    generated = reloaded.generate(batch()[:1, :4], max_new_tokens=3, do_sample=False)  # the KV cache fits 6 layers
    assert generated.shape == (1, 7)


def test_llama_pro_refuses_copies_that_would_change_the_model():
    with pytest.raises(ModelError, match="computes something different"):
        prepare(tiny_llama(), make_run("llama-pro", {"new_layers": 1, "output_projections": ["o_proj"]}))
    with pytest.raises(ModelError, match="has no linear layer named out_proj"):
        prepare(tiny_llama(), make_run("llama-pro", {"output_projections": ["out_proj"]}))
    with pytest.raises(ConfigError, match="more than the model's 2 decoder layers"):
        prepare(tiny_llama(), make_run("llama-pro", {"new_layers": 3}))


def test_llama_pro_spreads_the_copies_evenly():
    assert llama_pro.insertion_points(32, 8) == [3, 7, 11, 15, 19, 23, 27, 31]
    assert llama_pro.insertion_points(5, 2) == [1, 4]
    assert llama_pro.insertion_points(4, 4) == [0, 1, 2, 3]


# ---------------------------------------------------------------------------------------------------------------
# Options, catalog, end to end
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "options", "message"), [
    ("full", {"r": 8}, "takes no options"),
    ("freeze", {"layers": -1}, "cannot be negative"),
    ("freeze", {"layers": 0}, "nothing would train"),
    ("freeze", {"side": "middle"}, "adapter.side"),
    ("lora", {"r": 0}, "`r` \\(the rank\\) must be a positive integer"),
    ("lora", {"dropout": 1.0}, "`dropout` must be in"),
    ("lora", {"init": "pisa"}, "`init` must be one of default, gaussian, pissa, pissa_niter_N"),
    ("lora", {"init": "pissa", "dora": True}, "cannot be combined with `dora: true`"),
    ("lora", {"loraplus_ratio": 0.5}, "must be >= 1"),
    ("lora", {"ranks": 4}, "unknown option `adapter.ranks`"),
    ("qlora", {"init": "pissa"}, "needs full-precision base weights"),
    ("galore", {"rank": 0}, "`rank` must be a positive integer"),
    ("galore", {"proj_type": "diagonal"}, "adapter.proj_type"),
    ("galore", {"optimizer": "adamw_8bit"}, "adapter.optimizer"),
    ("badam", {"switch_every": 0}, "`switch_every` must be a positive number"),
    ("badam", {"layers_per_block": 0}, "`layers_per_block` must be a positive integer"),
    ("oft", {"block_size": 1}, "`block_size` must be at least 2"),
    ("llama-pro", {"new_layers": 0}, "`new_layers` must be a positive number"),
    ("llama-pro", {"output_projections": []}, "`output_projections` is empty"),
])
def test_options_are_validated_with_clear_messages(method, options, message):
    with pytest.raises(ConfigError, match=message):
        validate_options(METHODS[method].options, options, "adapter")


@contextlib.contextmanager
def adapters_in_catalog():
    """The methods through the registry: their entry points when installed, else as throwaway plugins."""
    from tuneforge.registry import get_catalog, temporary_plugin

    with contextlib.ExitStack() as stack:
        for module, spec in PLUGINS:
            if get_catalog().find("adapter", spec.name) is None:
                stack.enter_context(temporary_plugin(module, spec.name, kind="adapter", distribution="tuneforge"))
        yield get_catalog()


def test_every_method_registers_through_the_catalog():
    with adapters_in_catalog() as catalog:
        for name, spec in METHODS.items():
            registered = catalog.get("adapter", spec.name)
            assert registered.spec is spec
            assert spec.description


def test_run_training_with_the_freeze_method(tmp_path):
    import json

    import torch
    from safetensors.torch import load_file

    from tuneforge.core.pipeline import run_training

    with adapters_in_catalog():
        outcome = run_training(ROOT / "examples" / "quickstart.yaml",
                               [f"output_dir={tmp_path / 'run'}", "adapter={method: freeze, layers: 1}",
                                "training.max_steps=4", "training.logging_steps=1", "training.learning_rate=1e-3",
                                "training.warmup_ratio=0"],
                               show_progress=False)
    manifest = json.loads((outcome.output_dir / "manifest.json").read_text())
    trained = load_file(outcome.output_dir / "model.safetensors")
    base = load_file(Path(outcome.run.model_source) / "model.safetensors")
    last = f"model.layers.{outcome.model.config.num_hidden_layers - 1}."
    assert manifest["result"]["trainable_parameters"] == sum(v.numel() for k, v in base.items() if k.startswith(last))
    for name, tensor in base.items():
        if name.startswith(last):
            assert not torch.equal(trained[name], tensor), name
        else:
            assert torch.equal(trained[name], tensor), name
    losses = [json.loads(line)["loss"] for line in (outcome.output_dir / "train_log.jsonl").read_text().splitlines()
              if "loss" in json.loads(line)]
    assert len(losses) == 4 and all(math.isfinite(loss) for loss in losses)


def _pissa_converted(out: Path, base: Path) -> None:
    assert (out / "pissa_converted" / "adapter_model.safetensors").is_file()


def _badam_visited_every_block(out: Path, base: Path) -> None:
    import torch
    from safetensors.torch import load_file

    trained, original = load_file(out / "model.safetensors"), load_file(base / "model.safetensors")
    moved = {name for name, tensor in original.items() if not torch.equal(trained[name], tensor)}
    # switching every step over 4 steps visits all 4 layers of tiny-llama; embeddings, norm and head stay frozen
    assert {name.split(".")[2] for name in moved} == {"0", "1", "2", "3"}
    assert all(name.startswith("model.layers.") for name in moved)


def _galore_optimizer(out: Path, base: Path) -> None:
    import json

    assert json.loads((out / "training_args.json").read_text())["optim"] == "galore_adamw"


def _oft_adapter(out: Path, base: Path) -> None:
    import json

    assert json.loads((out / "adapter_config.json").read_text())["peft_type"] == "OFT"


def _expanded(out: Path, base: Path) -> None:
    import json

    assert json.loads((out / "config.json").read_text())["num_hidden_layers"] == 6


@pytest.mark.slow
@pytest.mark.parametrize(("adapter", "check"), [
    ("{method: lora, r: 4, init: pissa_niter_2, loraplus_ratio: 4}", _pissa_converted),
    ("{method: badam, switch_every: 1}", _badam_visited_every_block),
    ("{method: galore, rank: 8}", _galore_optimizer),
    ("{method: oft, block_size: 16}", _oft_adapter),
    ("{method: llama-pro, new_layers: 2}", _expanded),
])
def test_run_training_with_each_method(adapter, check, tmp_path):
    """The optimizers, TrainingArguments and callbacks the methods contribute, through the real Trainer."""
    import json

    if "galore" in adapter and importlib.util.find_spec("galore_torch") is None:
        pytest.skip("galore-torch is not installed")
    from tuneforge.core.pipeline import run_training

    with adapters_in_catalog():
        outcome = run_training(ROOT / "examples" / "quickstart.yaml",
                               [f"output_dir={tmp_path / 'run'}", f"adapter={adapter}", "training.max_steps=4",
                                "training.logging_steps=1", "training.learning_rate=1e-3",
                                "training.warmup_ratio=0"], show_progress=False)
    log = [json.loads(line) for line in (outcome.output_dir / "train_log.jsonl").read_text().splitlines()]
    losses = [entry["loss"] for entry in log if "loss" in entry]
    assert len(losses) == 4 and all(math.isfinite(loss) for loss in losses)
    check(outcome.output_dir, Path(outcome.run.model_source))
