"""Packing: examples packed into one row give the same logits and loss as alone, the packer keeps every example
once and within the length, and packing is refused where the attention cannot keep examples apart."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from tuneforge.core import ConfigError
from tuneforge.core.errors import DataError
from tuneforge.core.packing import check_packing_supported, pack_rows

PAD = 0
TINY = {"vocab_size": 96, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 128,
        "tie_word_embeddings": False}


def tiny_llama(implementation: str):
    import torch
    from transformers import AutoModelForCausalLM, LlamaConfig

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(LlamaConfig(**TINY), attn_implementation=implementation)
    with torch.no_grad():  # logits of order 1 (the default init gives near-uniform ones), so leaks show in the loss
        model.lm_head.weight.normal_(0.0, TINY["hidden_size"] ** -0.5)
    return model.eval()


def examples() -> list[dict[str, list[int]]]:
    """Different lengths and real label masks: a masked prompt, a fully trained row (its first label is trained,
    which only the boundary rule keeps out of a packed loss), a masked middle turn, a single token."""
    rng = random.Random(0)
    rows = []
    for length, masked in [(9, range(4)), (14, ()), (5, range(2)), (21, range(6, 12)), (1, ()), (12, range(3)),
                           (7, range(1))]:
        ids = [rng.randrange(1, TINY["vocab_size"]) for _ in range(length)]
        rows.append({"input_ids": ids, "labels": [-100 if i in masked else t for i, t in enumerate(ids)]})
    return rows


def alone(model, rows):
    """(loss = summed token loss / trained tokens, {input ids: logits}) of each row run by itself."""
    import torch
    import torch.nn.functional as F

    total, count, logits = 0.0, 0, {}
    with torch.no_grad():
        for row in rows:
            out = model(input_ids=torch.tensor([row["input_ids"]])).logits[0]
            labels = torch.tensor(row["labels"][1:], dtype=torch.long)
            total += F.cross_entropy(out[:-1], labels, ignore_index=-100, reduction="sum").item()
            count += int((labels != -100).sum())
            logits[tuple(row["input_ids"])] = out
    return total / count, logits


def segments(batch):
    """(input ids, logits slice index) of every example in a packed batch, from where the positions restart."""
    for r, positions in enumerate(batch["position_ids"].tolist()):
        starts = [i for i, p in enumerate(positions) if p == 0] + [len(positions)]
        for start, end in zip(starts, starts[1:]):
            ids = tuple(batch["input_ids"][r, start:end].tolist())
            if any(ids):  # skip the padding block
                yield ids, (r, slice(start, end))


@pytest.mark.parametrize("flatten", [False, True], ids=["rows", "flattened"])
@pytest.mark.parametrize("implementation", ["sdpa", "eager"])
def test_packed_batch_gives_the_loss_and_logits_of_the_examples_alone(implementation, flatten):
    import torch

    from tuneforge.core.collators import PackedCollator

    model = tiny_llama(implementation)
    rows = examples()
    expected_loss, expected_logits = alone(model, rows)
    packed = pack_rows(rows, max_length=24)
    assert len(packed) < len(rows)  # several examples really share rows
    batch = PackedCollator(pad_token_id=PAD, flatten=flatten)(packed)
    with torch.no_grad():
        out = model(**batch)
    assert out.loss.item() == pytest.approx(expected_loss, abs=1e-5)
    found = dict(segments(batch))
    assert sorted(found) == sorted(expected_logits)
    for ids, where in found.items():
        torch.testing.assert_close(out.logits[where], expected_logits[ids], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("leak", ["plain concatenation", "positions restart but a cache is passed"])
def test_without_isolation_the_packed_loss_differs(leak):
    """The control that shows the equivalence test can fail: same rows and labels, isolation taken away."""
    import torch

    from tuneforge.core.collators import PackedCollator

    model = tiny_llama("sdpa")
    rows = examples()
    expected_loss, _ = alone(model, rows)
    batch = PackedCollator(pad_token_id=PAD)(pack_rows(rows, max_length=24))
    if leak == "plain concatenation":
        del batch["position_ids"]
    else:  # transformers looks for restarts only without a cache, which is why the collator sends use_cache=False
        del batch["use_cache"]
    with torch.no_grad():
        loss = model(**batch).loss.item()
    assert abs(loss - expected_loss) > 1e-3


def test_packer_keeps_every_example_once_within_the_length_with_boundary_labels_ignored():
    rng = random.Random(1)
    max_length = 64
    rows = []
    for n in range(300):
        length = rng.randint(1, max_length)
        rows.append({"input_ids": [n] * length, "labels": [n + 1000 + i for i in range(length)]})
    packed = pack_rows(rows, max_length)

    seen = []
    for row in packed:
        assert len(row["input_ids"]) == len(row["labels"]) == len(row["position_ids"]) <= max_length
        starts = [i for i, p in enumerate(row["position_ids"]) if p == 0] + [len(row["position_ids"])]
        assert starts[0] == 0
        for start, end in zip(starts, starts[1:]):
            assert row["position_ids"][start:end] == list(range(end - start))
            n = row["input_ids"][start]
            original = rows[n]
            assert row["input_ids"][start:end] == original["input_ids"]
            assert row["labels"][start] == -100  # never trained as the continuation of the example before
            assert row["labels"][start + 1:end] == original["labels"][1:]
            seen.append(n)
    assert sorted(seen) == list(range(len(rows)))
    # Best-fit decreasing uses at most 11/9 of the optimal number of rows, plus one.
    lower_bound = math.ceil(sum(len(r["input_ids"]) for r in rows) / max_length)
    assert len(packed) <= 11 * lower_bound / 9 + 1


def test_packer_shuffles_with_a_seed_and_refuses_rows_too_long():
    rows = [{"input_ids": [i] * (i % 7 + 1), "labels": [i] * (i % 7 + 1)} for i in range(40)]
    assert pack_rows(rows, 8, seed=3) == pack_rows(rows, 8, seed=3)
    assert sorted(map(str, pack_rows(rows, 8, seed=3))) == sorted(map(str, pack_rows(rows, 8)))
    with pytest.raises(DataError, match="row 1 has 9 tokens, more than the packing length 8"):
        pack_rows([rows[0], {"input_ids": [1] * 9, "labels": [1] * 9}], 8)


def test_packing_is_refused_where_attention_cannot_keep_examples_apart():
    from transformers import LlamaConfig, Qwen3NextConfig

    assert check_packing_supported(tiny_llama("sdpa")) == "sdpa"
    assert check_packing_supported(LlamaConfig(**TINY), "flash_attention_2") == "flash_attention_2"

    with pytest.raises(ConfigError) as excinfo:
        check_packing_supported(LlamaConfig(**TINY), "paged|sdpa")
    assert "'paged|sdpa'" in str(excinfo.value) and "`sdpa`" in str(excinfo.value)

    with pytest.raises(ConfigError, match="linear_attention layers"):
        check_packing_supported(Qwen3NextConfig(num_hidden_layers=4), "sdpa")

    class OwnMaskModel:  # a model whose module does not build masks with transformers' masking utilities
        config = LlamaConfig(**TINY)
    OwnMaskModel.config._attn_implementation = "sdpa"
    with pytest.raises(ConfigError, match="OwnMaskModel .* builds its attention mask itself"):
        check_packing_supported(OwnMaskModel())


def test_sft_stage_picks_the_packed_collator_for_packed_data():
    from tuneforge.core.collators import PackedCollator, PaddingCollator
    from tuneforge.plugins.stages.sft import sft_collator

    def context(packing, implementation="sdpa"):
        return SimpleNamespace(run=SimpleNamespace(config=SimpleNamespace(data=SimpleNamespace(packing=packing))),
                               tokenizer=SimpleNamespace(pad_token_id=PAD), model=tiny_llama(implementation))

    assert isinstance(sft_collator(context(False)), PaddingCollator)
    packed = sft_collator(context(True))
    assert isinstance(packed, PackedCollator) and not packed.flatten


def test_trainer_learns_from_packed_rows(tmp_path):
    import torch
    from transformers import Trainer, TrainingArguments

    from tuneforge.core.collators import PackedCollator

    rng = random.Random(2)
    rows = []
    for _ in range(48):  # counting sequences: learnable, and each example's start needs its own context
        start, length = rng.randrange(1, 60), rng.randint(4, 14)
        ids = list(range(start, start + length))
        rows.append({"input_ids": ids, "labels": [-100] + ids[1:]})
    model = tiny_llama("sdpa").train()
    args = TrainingArguments(output_dir=str(tmp_path), per_device_train_batch_size=4, max_steps=24,
                             learning_rate=1e-2, logging_steps=1, report_to=[], use_cpu=True, disable_tqdm=True,
                             save_strategy="no", remove_unused_columns=False, seed=0)
    trainer = Trainer(model=model, args=args, train_dataset=pack_rows(rows, 32, seed=0),
                      data_collator=PackedCollator(pad_token_id=PAD))
    trainer.train()
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert len(losses) == 24 and all(math.isfinite(loss) for loss in losses)
    assert sum(losses[-4:]) / 4 < 0.7 * sum(losses[:4]) / 4
    assert torch.isfinite(next(model.parameters())).all()
