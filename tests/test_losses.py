"""The chunked cross-entropy (`training.loss: chunked`) gives transformers' causal-LM loss and its gradients on random
inputs, holds one chunk of logits at a time, and is what the SFT trainer computes when asked for it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tuneforge.core import ConfigError

BATCH, SEQ, HIDDEN, VOCAB = 3, 37, 16, 101
TOLERANCE = 1e-5


def random_problem(seed: int = 0, ignored: bool = True):
    import torch

    generator = torch.Generator().manual_seed(seed)
    hidden = torch.randn(BATCH, SEQ, HIDDEN, generator=generator, requires_grad=True)
    head = torch.nn.Linear(HIDDEN, VOCAB, bias=False)
    with torch.no_grad():
        head.weight.copy_(torch.randn(VOCAB, HIDDEN, generator=generator))
    labels = torch.randint(0, VOCAB, (BATCH, SEQ), generator=generator)
    if ignored:  # a masked prompt, padding at the end of a row, and a scattered position
        labels[0, :10] = -100
        labels[2, -6:] = -100
        labels[1, 17] = -100
    return hidden, head, labels


def plain_and_chunked(chunk_size: int, num_items_in_batch=None, ignored: bool = True):
    import torch
    from transformers.loss.loss_utils import ForCausalLMLoss

    from tuneforge.core.losses import chunked_cross_entropy

    hidden, head, labels = random_problem(ignored=ignored)
    plain = ForCausalLMLoss(head(hidden), labels, VOCAB, num_items_in_batch=num_items_in_batch)
    plain_grads = torch.autograd.grad(plain, (hidden, head.weight))
    chunked = chunked_cross_entropy(hidden, head, labels, chunk_size, num_items_in_batch=num_items_in_batch)
    chunked_grads = torch.autograd.grad(chunked, (hidden, head.weight))
    return (plain, *plain_grads), (chunked, *chunked_grads)


@pytest.mark.parametrize("chunk_size", [1, 4, 7, 64, 4096])  # 7 and 64 do not divide the 92 trained tokens
@pytest.mark.parametrize("normalised_by", ["mean", "num_items_in_batch"])
def test_chunked_loss_equals_the_plain_loss_and_its_gradients(chunk_size, normalised_by):
    import torch

    items = torch.tensor(123) if normalised_by == "num_items_in_batch" else None
    (loss, grad_hidden, grad_head), (c_loss, c_grad_hidden, c_grad_head) = plain_and_chunked(chunk_size, items)
    assert loss.dtype == c_loss.dtype == torch.float32
    assert torch.allclose(c_loss, loss, rtol=0, atol=TOLERANCE), (c_loss.item(), loss.item())
    assert torch.allclose(c_grad_hidden, grad_hidden, rtol=0, atol=TOLERANCE)
    assert torch.allclose(c_grad_head, grad_head, rtol=0, atol=TOLERANCE)
    # ignored positions (and the last one, which has no next token) get no gradient, as in the plain loss
    assert torch.count_nonzero(c_grad_hidden[0, :9]) == 0 and torch.count_nonzero(c_grad_hidden[:, -1]) == 0
    assert torch.count_nonzero(c_grad_hidden[0, 9]) > 0


def test_unshifted_labels_match_plain_cross_entropy():
    import torch
    import torch.nn.functional as F

    from tuneforge.core.losses import chunked_cross_entropy

    hidden, head, labels = random_problem(seed=3)
    plain = F.cross_entropy(head(hidden).reshape(-1, VOCAB), labels.reshape(-1), ignore_index=-100)
    chunked = chunked_cross_entropy(hidden, head, labels, 5, shift=False)
    assert torch.allclose(chunked, plain, rtol=0, atol=TOLERANCE)


def test_no_chunk_holds_more_than_chunk_size_logits():
    import torch

    from tuneforge.core.losses import chunked_cross_entropy

    hidden, head, labels = random_problem()
    shapes = []
    head.register_forward_hook(lambda module, args, output: shapes.append(tuple(output.shape)))
    chunked_cross_entropy(hidden, head, labels, 10).backward()
    trained = int((torch.nn.functional.pad(labels, (0, 1), value=-100)[..., 1:] != -100).sum())
    chunks = math.ceil(trained / 10)
    assert len(shapes) == 2 * chunks  # forward, then recomputed one chunk at a time in the backward pass
    assert all(rows <= 10 and vocab == VOCAB for rows, vocab in shapes)
    assert sum(rows for rows, _ in shapes) == 2 * trained  # only trained positions are projected


def test_nothing_to_train_behaves_like_the_plain_loss():
    import torch
    from transformers.loss.loss_utils import ForCausalLMLoss

    from tuneforge.core.losses import chunked_cross_entropy

    hidden, head, labels = random_problem()
    labels[:] = -100
    assert torch.isnan(ForCausalLMLoss(head(hidden), labels, VOCAB)) and \
        torch.isnan(chunked_cross_entropy(hidden, head, labels, 8))
    summed = chunked_cross_entropy(hidden, head, labels, 8, num_items_in_batch=torch.tensor(4))
    summed.backward()
    assert summed.item() == 0.0 and torch.count_nonzero(hidden.grad) == 0


def test_a_half_precision_head_is_upcast_per_chunk():
    import torch
    from transformers.loss.loss_utils import ForCausalLMLoss

    from tuneforge.core.losses import chunked_cross_entropy

    hidden, head, labels = random_problem()
    head = head.to(torch.bfloat16)
    hidden = hidden.detach().to(torch.bfloat16)
    plain = ForCausalLMLoss(head(hidden), labels, VOCAB)  # upcasts the whole logits to float32
    chunked = chunked_cross_entropy(hidden, head, labels, 9)
    assert chunked.dtype == torch.float32
    assert torch.allclose(chunked, plain, rtol=0, atol=TOLERANCE)


# ---------------------------------------------------------------------------------------------------------------
# On a model, and in the trainer
# ---------------------------------------------------------------------------------------------------------------


def tiny_llama():
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                                         tie_word_embeddings=False))
    with torch.no_grad():
        model.lm_head.weight.normal_(0.0, 32 ** -0.5)
    return model


def batch(padded: bool = True):
    import torch

    generator = torch.Generator().manual_seed(5)
    ids = torch.randint(0, 97, (4, 24), generator=generator)
    mask = torch.ones_like(ids)
    labels = ids.clone()
    if padded:
        mask[1, -7:] = 0
        labels[mask == 0] = -100
        labels[:, :5] = -100  # the prompt
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


@pytest.mark.parametrize("with_lora", [False, True])
def test_model_loss_and_gradients_match_the_models_own_loss(with_lora):
    import torch

    from tuneforge.core.losses import causal_lm_chunked_loss

    model = tiny_llama()
    if with_lora:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj", "lm_head"],
                                                 init_lora_weights="gaussian"))
    model.train()
    inputs = batch()
    trainable = [p for p in model.parameters() if p.requires_grad]
    plain = model(**inputs).loss
    plain_grads = torch.autograd.grad(plain, trainable)
    chunked = causal_lm_chunked_loss(model, inputs, chunk_size=13)
    chunked_grads = torch.autograd.grad(chunked, trainable)
    assert torch.allclose(chunked, plain, rtol=0, atol=TOLERANCE)
    for got, want in zip(chunked_grads, plain_grads):
        assert torch.allclose(got, want, rtol=1e-4, atol=TOLERANCE)


def make_training(loss: str, chunk: int = 16):
    from tuneforge.core.config import TrainingSection

    return TrainingSection(loss=loss, loss_chunk_size=chunk)


def test_trainer_class_is_unchanged_for_the_default_loss():
    from transformers import Trainer

    from tuneforge.core.losses import trainer_class_for_loss

    assert trainer_class_for_loss(Trainer, make_training("default")) is Trainer
    chunked = trainer_class_for_loss(Trainer, make_training("chunked", 16))
    assert issubclass(chunked, Trainer) and chunked.loss_chunk_size == 16


def test_chunked_trainer_gives_the_default_trainers_loss_and_gradients(tmp_path: Path):
    import torch
    from transformers import Trainer, TrainingArguments

    from tuneforge.core.losses import trainer_class_for_loss

    inputs = batch()
    items = (inputs["labels"][..., 1:] != -100).sum() * 2  # as if this were half of an accumulated batch
    results = []
    for loss in ("default", "chunked"):
        model = tiny_llama().train()
        trainer_cls = trainer_class_for_loss(Trainer, make_training(loss, 16))
        trainer = trainer_cls(model=model, args=TrainingArguments(output_dir=str(tmp_path / loss), use_cpu=True,
                                                                  report_to=[]))
        value = trainer.compute_loss(model, dict(inputs), num_items_in_batch=items)
        value.backward()
        results.append((value.detach(), [p.grad.clone() for p in model.parameters()]))
    (plain, plain_grads), (chunked, chunked_grads) = results
    assert torch.allclose(chunked, plain, rtol=0, atol=TOLERANCE)
    assert all(torch.allclose(a, b, rtol=1e-4, atol=TOLERANCE) for a, b in zip(chunked_grads, plain_grads))


def test_chunked_loss_refuses_a_model_that_soft_caps_its_logits():
    import torch
    from transformers import Gemma2Config, Gemma2ForCausalLM

    from tuneforge.core.losses import check_chunked_loss_supported

    torch.manual_seed(0)
    model = Gemma2ForCausalLM(Gemma2Config(vocab_size=97, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                           num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                                           final_logit_softcapping=0.5))
    with pytest.raises(ConfigError, match="changes its logits after the output head"):
        check_chunked_loss_supported(model, batch()["input_ids"])
    model.config.final_logit_softcapping = None
    check_chunked_loss_supported(model, batch()["input_ids"])  # the same model without soft-capping passes
