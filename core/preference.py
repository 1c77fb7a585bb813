"""Preference optimisation on pre-tokenized rows: DPO and its loss variants, SimPO, ORPO and KTO, run by one small
`transformers.Trainer` subclass.

Why not TRL's DPOTrainer / KTOTrainer / ORPOTrainer (1.16): each re-tokenizes its dataset from prompt / chosen /
rejected strings or conversations with the tokenizer's own chat template (there is no path for rows that are already
token ids), and given a LoRA model without a separate reference it adds a second "ref" adapter rather than disabling
the one being trained. Here the rows come from our template engine (`tuneforge.core.stage_data`), and the losses are
a few lines each over per-sequence log-probabilities of the trained tokens. Their formulas follow TRL's, and so do
the logged metric names (`rewards/chosen`, `rewards/rejected`, `rewards/accuracies`, `rewards/margins` ...).

The reference model of DPO and KTO is, by `reference`:
- `adapter`: the same model with its adapter disabled (peft `disable_adapter()`): one copy of the base weights;
- `precompute`: the model as it is before training, run once over the data; its log-probs ride along in the rows,
  so no copy is kept and no reference forward pass runs during training;
- `copy`: a frozen deep copy of the model (a second copy of the weights);
- `auto`: `adapter` for a peft adapter, `precompute` otherwise (full or freeze training changes the base weights, and
  PiSSA moves the principal components out of them, so the base alone is not the starting model there).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Optional

from tuneforge.core.adapters import is_peft_model
from tuneforge.core.errors import ConfigError, did_you_mean

IGNORE_INDEX = -100
PAIR = ("chosen_", "rejected_")  # row key prefixes of a preference pair, in batch order
KTO = ("", "kl_")  # a KTO example and its mismatched (prompt, other answer) sequence
REFERENCES = ("auto", "adapter", "precompute", "copy")

DPO_LOSSES = ("sigmoid", "hinge", "ipo", "robust", "exo_pair", "nca_pair", "bco_pair", "sppo_hard", "aot",
              "aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm")
KTO_LOSSES = ("kto", "apo_zero_unpaired")


def check_choice(option: str, value: str, choices: tuple[str, ...]) -> None:
    """ValueError naming the option, its valid values and the closest one (options validate in __post_init__)."""
    if value not in choices:
        raise ValueError(f"`{option}` must be one of {', '.join(choices)}; got {value!r}{did_you_mean(value, choices)}")


def check_positive(option: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"`{option}` must be positive, got {value}")


# ---------------------------------------------------------------------------------------------------------------
# Log-probabilities and batches
# ---------------------------------------------------------------------------------------------------------------


def sequence_logps(model, input_ids, attention_mask, labels):
    """(sum of log p(token) over each sequence's trained tokens, number of trained tokens), both shape [N].

    A label of -100 marks a token that is not trained; the token at position t is predicted from positions < t."""
    import torch.nn.functional as F

    import torch

    logits = model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits[:, :-1, :]
    targets = labels[:, 1:]
    # One sequence at a time: the float32 copy of the logits is then one sequence long, not the whole batch.
    token_logps = torch.stack([-F.cross_entropy(logits[i].float(), targets[i], ignore_index=IGNORE_INDEX,
                                                reduction="none") for i in range(len(targets))])
    trained = targets != IGNORE_INDEX
    return (token_logps * trained).sum(-1), trained.sum(-1)


class SequenceGroupCollator:
    """Pads the sequences of each row into one batch, group by group: with groups ("chosen_", "rejected_") the
    batch holds every row's chosen sequence, then every row's rejected one, so one forward pass scores both.

    Rows hold `{group}input_ids` and `{group}labels`; optional `reference_logps` (one float per group) and
    `kto_label` are carried through as tensors."""

    def __init__(self, pad_token_id: int, groups: tuple[str, ...]) -> None:
        if pad_token_id is None:
            raise ValueError("the tokenizer has no pad token; set one before collating")
        self.pad_token_id = pad_token_id
        self.groups = groups

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        sequences = [(row[f"{group}input_ids"], row[f"{group}labels"]) for group in self.groups for row in rows]
        length = max(len(ids) for ids, _ in sequences)
        input_ids = torch.full((len(sequences), length), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(sequences), length), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(sequences), length), dtype=torch.long)
        for i, (ids, row_labels) in enumerate(sequences):
            input_ids[i, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            labels[i, :len(ids)] = torch.tensor(row_labels, dtype=torch.long)
            attention[i, :len(ids)] = 1
        batch = {"input_ids": input_ids, "attention_mask": attention, "labels": labels}
        if "reference_logps" in rows[0]:
            batch["reference_logps"] = torch.tensor(
                [row["reference_logps"][g] for g in range(len(self.groups)) for row in rows], dtype=torch.float32)
        if "kto_label" in rows[0]:
            batch["kto_label"] = torch.tensor([bool(row["kto_label"]) for row in rows], dtype=torch.bool)
        return batch


# ---------------------------------------------------------------------------------------------------------------
# Losses: each objective maps (policy log-probs, token counts, reference log-probs, batch) -> (loss, metrics)
# ---------------------------------------------------------------------------------------------------------------


def _mean(values) -> float:
    return values.float().mean().item()


def _halves(values):
    return values.chunk(2, dim=0)


@dataclass(frozen=True)
class DpoObjective:
    """Direct preference optimisation over (chosen, rejected) pairs against a reference model.

    With implicit rewards r = beta * (log pi(y|x) - log pi_ref(y|x)), loss_type picks the loss of the margin
    (TRL's formulas): sigmoid (DPO; with label_smoothing, conservative DPO), hinge (SLiC), ipo (per-token averaged,
    squared), robust (rDPO), exo_pair, nca_pair, bco_pair, sppo_hard, aot / aot_unpaired, apo_zero / apo_down,
    discopop, sigmoid_norm (length-normalised DPO). sft_weight adds that much of the chosen answers' NLL (RPO)."""

    beta: float = 0.1
    loss_type: str = "sigmoid"
    label_smoothing: float = 0.0
    discopop_tau: float = 0.05
    sft_weight: float = 0.0

    groups = PAIR
    needs_reference = True

    def __call__(self, logps, counts, reference, batch, gather: Callable = lambda t: t):
        import torch
        import torch.nn.functional as F

        chosen, rejected = _halves(logps)
        chosen_n, rejected_n = (n.clamp(min=1) for n in _halves(counts))
        ref_chosen, ref_rejected = _halves(reference.to(logps.dtype))
        chosen_ratio, rejected_ratio = chosen - ref_chosen, rejected - ref_rejected
        delta = chosen_ratio - rejected_ratio
        beta, smoothing = self.beta, self.label_smoothing
        kind = self.loss_type
        if kind == "sigmoid":
            losses = -F.logsigmoid(beta * delta) * (1 - smoothing) - F.logsigmoid(-beta * delta) * smoothing
        elif kind == "hinge":
            losses = torch.relu(1 - beta * delta)
        elif kind == "ipo":  # per-token averages, as the IPO authors do (TRL's note)
            losses = (chosen_ratio / chosen_n - rejected_ratio / rejected_n - 1 / (2 * beta)) ** 2
        elif kind == "robust":
            losses = (-(1 - smoothing) * F.logsigmoid(beta * delta)
                      + smoothing * F.logsigmoid(-beta * delta)) / (1 - 2 * smoothing)
        elif kind == "exo_pair":
            losses = (torch.sigmoid(beta * delta) * (F.logsigmoid(beta * delta) - math.log1p(-smoothing))
                      + torch.sigmoid(-beta * delta) * (F.logsigmoid(-beta * delta) - math.log(smoothing)))
        elif kind == "nca_pair":
            losses = (-F.logsigmoid(beta * chosen_ratio) - 0.5 * F.logsigmoid(-beta * chosen_ratio)
                      - 0.5 * F.logsigmoid(-beta * rejected_ratio))
        elif kind == "bco_pair":
            losses = -F.logsigmoid(beta * chosen_ratio) - F.logsigmoid(-beta * rejected_ratio)
        elif kind == "sppo_hard":
            losses = (chosen_ratio - 0.5 / beta) ** 2 + (rejected_ratio + 0.5 / beta) ** 2
        elif kind in ("aot", "aot_unpaired"):  # optimal transport: sorted within the batch
            if kind == "aot":
                gap = torch.sort(chosen - rejected).values - torch.sort(ref_chosen - ref_rejected).values
            else:
                gap = torch.sort(chosen_ratio).values - torch.sort(rejected_ratio).values
            losses = -F.logsigmoid(beta * gap) * (1 - smoothing) - F.logsigmoid(-beta * gap) * smoothing
        elif kind == "apo_zero":
            losses = 1 - torch.sigmoid(beta * chosen_ratio) + torch.sigmoid(beta * rejected_ratio)
        elif kind == "apo_down":
            losses = torch.sigmoid(beta * chosen_ratio) + 1 - torch.sigmoid(beta * delta)
        elif kind == "discopop":
            logits = beta * delta
            mix = torch.sigmoid(logits / self.discopop_tau)
            losses = -F.logsigmoid(logits) * (1 - mix) + torch.exp(-logits) * mix
        elif kind == "sigmoid_norm":
            losses = -F.logsigmoid(beta * (chosen_ratio / chosen_n - rejected_ratio / rejected_n))
        else:  # options validate loss_type; this guards direct use
            raise ValueError(f"unknown DPO loss_type {kind!r}; one of {', '.join(DPO_LOSSES)}")
        loss = losses.mean()
        nll = -chosen.sum() / chosen_n.sum()
        if self.sft_weight:
            loss = loss + self.sft_weight * nll
        rewards_chosen, rewards_rejected = (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()
        return loss, _pair_metrics(rewards_chosen, rewards_rejected, chosen, rejected, nll)


def _pair_metrics(rewards_chosen, rewards_rejected, chosen, rejected, nll) -> dict[str, float]:
    return {"rewards/chosen": _mean(rewards_chosen), "rewards/rejected": _mean(rewards_rejected),
            "rewards/accuracies": _mean(rewards_chosen > rewards_rejected),
            "rewards/margins": _mean(rewards_chosen - rewards_rejected),
            "logps/chosen": _mean(chosen.detach()), "logps/rejected": _mean(rejected.detach()),
            "nll_loss": nll.item()}


@dataclass(frozen=True)
class SimpoObjective:
    """SimPO: reference-free; rewards are beta * the average log-prob per trained token, and the chosen reward must
    beat the rejected one by the margin gamma: loss = -log sigmoid(beta * (avg_chosen - avg_rejected) - gamma).
    sft_weight adds the chosen answers' NLL (CPO-SimPO)."""

    beta: float = 2.0
    gamma: float = 1.0
    sft_weight: float = 0.0

    groups = PAIR
    needs_reference = False

    def __call__(self, logps, counts, reference, batch, gather: Callable = lambda t: t):
        import torch.nn.functional as F

        chosen, rejected = _halves(logps)
        chosen_n, rejected_n = (n.clamp(min=1) for n in _halves(counts))
        rewards_chosen, rewards_rejected = self.beta * chosen / chosen_n, self.beta * rejected / rejected_n
        loss = -F.logsigmoid(rewards_chosen - rewards_rejected - self.gamma).mean()
        nll = -chosen.sum() / chosen_n.sum()
        if self.sft_weight:
            loss = loss + self.sft_weight * nll
        return loss, _pair_metrics(rewards_chosen.detach(), rewards_rejected.detach(), chosen, rejected, nll)


@dataclass(frozen=True)
class OrpoObjective:
    """ORPO: reference-free; the SFT loss on the chosen answer plus beta (the paper's lambda) times the odds-ratio
    term -log sigmoid(log odds(chosen) - log odds(rejected)), odds from the average per-token log-prob."""

    beta: float = 0.1

    groups = PAIR
    needs_reference = False

    def __call__(self, logps, counts, reference, batch, gather: Callable = lambda t: t):
        import torch
        import torch.nn.functional as F

        chosen, rejected = _halves(logps)
        chosen_n, rejected_n = (n.clamp(min=1) for n in _halves(counts))
        average_chosen, average_rejected = chosen / chosen_n, rejected / rejected_n

        def log_one_minus_p(average):  # log(1 - exp(average)), kept finite when a probability rounds to 1
            return torch.log(-torch.expm1(average.clamp(max=-1e-6)))

        log_odds = (average_chosen - average_rejected) - (log_one_minus_p(average_chosen)
                                                          - log_one_minus_p(average_rejected))
        ratio = F.logsigmoid(log_odds)
        nll = -chosen.sum() / chosen_n.sum()
        loss = nll - self.beta * ratio.mean()
        metrics = _pair_metrics((self.beta * average_chosen).detach(), (self.beta * average_rejected).detach(),
                                chosen, rejected, nll)
        metrics.update({"log_odds_ratio": _mean(ratio.detach()), "log_odds_chosen": _mean(log_odds.detach())})
        return loss, metrics


@dataclass(frozen=True)
class KtoObjective:
    """KTO over unpaired examples marked desirable or undesirable, against a reference model.

    loss_type `kto`: desirable 1 - sigmoid(beta * (ratio - z)), undesirable 1 - sigmoid(beta * (z - ratio)), ratio
    = log pi/pi_ref of the answer, z the batch's KL estimate from mismatched (prompt, other answer) sequences,
    clamped at 0 and not back-propagated; `apo_zero_unpaired`: the same without z. Each side is weighted by
    desirable_weight / undesirable_weight (raise the weight of the rarer side, to a ratio of 1 to 4/3)."""

    beta: float = 0.1
    desirable_weight: float = 1.0
    undesirable_weight: float = 1.0
    loss_type: str = "kto"

    groups = KTO
    needs_reference = True

    def __call__(self, logps, counts, reference, batch, gather: Callable = lambda t: t):
        import torch

        answer, mismatched = _halves(logps)
        ref_answer, ref_mismatched = _halves(reference.to(logps.dtype))
        desirable = batch["kto_label"]
        ratio = answer - ref_answer
        if self.loss_type == "kto":
            kl = gather((mismatched - ref_mismatched).mean().detach()).mean().clamp(min=0)
            good = 1 - torch.sigmoid(self.beta * (ratio[desirable] - kl))
            bad = 1 - torch.sigmoid(self.beta * (kl - ratio[~desirable]))
        else:
            kl = torch.zeros((), device=logps.device)
            good = 1 - torch.sigmoid(self.beta * ratio[desirable])
            bad = torch.sigmoid(self.beta * ratio[~desirable])
        loss = torch.cat((self.desirable_weight * good, self.undesirable_weight * bad)).mean()
        rewards = (self.beta * ratio).detach()
        metrics = {"kl": kl.item()}
        if desirable.any():
            metrics.update({"rewards/chosen": _mean(rewards[desirable]), "logps/chosen": _mean(answer[desirable])})
        if (~desirable).any():
            metrics.update({"rewards/rejected": _mean(rewards[~desirable]),
                            "logps/rejected": _mean(answer[~desirable])})
        if desirable.any() and (~desirable).any():
            metrics["rewards/margins"] = metrics["rewards/chosen"] - metrics["rewards/rejected"]
        return loss, metrics


# ---------------------------------------------------------------------------------------------------------------
# Reference model
# ---------------------------------------------------------------------------------------------------------------


class AdapterDisabledReference:
    """The policy itself with its adapter switched off: the frozen base weights, no second copy."""

    kind = "adapter"

    def logps(self, trainer, model, batch):
        import torch

        unwrapped = trainer.accelerator.unwrap_model(model)
        with torch.no_grad(), unwrapped.disable_adapter():
            return sequence_logps(unwrapped, batch["input_ids"], batch["attention_mask"], batch["labels"])[0]


class CopyReference:
    """A frozen deep copy of the model as it was before training (a second copy of the weights)."""

    kind = "copy"

    def __init__(self, model) -> None:
        import copy

        self.model = copy.deepcopy(model).eval()
        for parameter in self.model.parameters():
            parameter.requires_grad_(False)

    def logps(self, trainer, model, batch):
        import torch

        device = batch["input_ids"].device
        if next(self.model.parameters()).device != device:
            self.model.to(device)
        with torch.no_grad():
            return sequence_logps(self.model, batch["input_ids"], batch["attention_mask"], batch["labels"])[0]


class PrecomputedReference:
    """Reference log-probs computed once before training and carried in each row as `reference_logps`."""

    kind = "precompute"

    def logps(self, trainer, model, batch):
        return batch["reference_logps"]


def is_stream(dataset) -> bool:
    """A streamed dataset (`data.streaming`): read as training goes, with no length and no random access."""
    return dataset is not None and not hasattr(dataset, "__len__")


def choose_reference(setting: str, model, run, streaming: bool = False) -> str:
    """`auto` -> `adapter` for a peft adapter (not PiSSA), else `precompute` (`copy` for a stream, which cannot be
    gone over before training); `adapter` needs a peft model."""
    pissa = bool(getattr(run.adapter_options, "pissa", False)) if run is not None else False
    peft = is_peft_model(model)
    if setting == "auto":
        return "adapter" if peft and not pissa else ("copy" if streaming else "precompute")
    if setting == "precompute" and streaming:
        raise ConfigError("stage.reference: precompute needs the whole dataset before training, but data.streaming "
                          "reads it as training goes; use `reference: copy` (or `auto`), or data.streaming: false")
    if setting == "adapter":
        if not peft:
            raise ConfigError(f"stage.reference: adapter needs an adapter that can be switched off (LoRA and other "
                              f"peft methods), but adapter '{run.adapter.name}' trains the model's own weights; use "
                              "`reference: precompute` (no second copy) or `reference: copy`")
        if pissa:
            raise ConfigError("stage.reference: adapter cannot be used with PiSSA initialisation: PiSSA moves the "
                              "principal components out of the base weights, so the base alone is not the starting "
                              "model; use `reference: precompute` (or `auto`)")
    return setting


def disable_dropout(model) -> None:
    """Dropout off everywhere (LoRA dropout included), so policy and reference agree exactly at the start."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0


def precompute_reference(trainer, rows: list[dict[str, Any]], groups: tuple[str, ...],
                         batch_size: int) -> list[dict[str, Any]]:
    """Copies of `rows` with `reference_logps` (one per group) from the model as it is now (before training)."""
    import torch

    model = trainer.model
    collator = SequenceGroupCollator(trainer.processing_class.pad_token_id, groups)
    device = model.get_input_embeddings().weight.device  # where the Trainer (or a device map) put the model
    was_training = model.training
    model.eval()
    out = []
    try:
        with torch.no_grad():
            for start in range(0, len(rows), batch_size):
                chunk = rows[start:start + batch_size]
                batch = collator(chunk)
                logps = sequence_logps(model, batch["input_ids"].to(device), batch["attention_mask"].to(device),
                                       batch["labels"].to(device))[0].view(len(groups), len(chunk)).cpu()
                out.extend({**row, "reference_logps": logps[:, i].tolist()} for i, row in enumerate(chunk))
    finally:
        model.train(was_training)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Trainer
# ---------------------------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def trainer_class():
    """`PreferenceTrainer`, defined on first use so that importing this module never imports transformers."""
    import torch
    from transformers import Trainer

    class PreferenceTrainer(Trainer):
        """A Trainer whose loss is a preference objective over batches of sequence groups (see the module)."""

        loss_is_scaled_for_ga = False  # compute_loss returns a per-batch mean; the Trainer divides by GA steps

        def __init__(self, *args, objective, reference=None, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.objective = objective
            self.reference = reference
            self.stage_metrics = {"train": defaultdict(list), "eval": defaultdict(list)}

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            mode = "train" if model.training else "eval"
            logps, counts = sequence_logps(model, inputs["input_ids"], inputs["attention_mask"], inputs["labels"])
            reference = None
            if self.objective.needs_reference:
                reference = self.reference.logps(self, model, inputs)
            loss, metrics = self.objective(logps, counts, reference, inputs, gather=self.accelerator.gather_for_metrics)
            for key, value in metrics.items():
                self.stage_metrics[mode][key].append(value)
            return (loss, {"logps": logps.detach()}) if return_outputs else loss

        def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
            inputs = self._prepare_inputs(inputs)
            with torch.no_grad(), self.compute_loss_context_manager():
                loss = self.compute_loss(model, inputs)
            return loss.detach(), None, None

        def log(self, logs: dict[str, float], start_time: Optional[float] = None) -> None:
            mode = "train" if self.model.training else "eval"
            metrics = {key: sum(values) / len(values) for key, values in self.stage_metrics[mode].items() if values}
            if mode == "eval":
                metrics = {f"eval_{key}": value for key, value in metrics.items()}
            logs.update(metrics)
            super().log(logs, start_time)
            self.stage_metrics[mode].clear()

    return PreferenceTrainer


def build_preference_trainer(context, objective, reference_setting: str = "auto", dropout_off: bool = True):
    """The Trainer for a preference stage: collator for the objective's sequence groups, the reference model per
    `reference_setting` (reported on the console), dropout off when asked."""
    from transformers import TrainingArguments

    from tuneforge.core.adapters import say

    model = context.model
    if dropout_off:
        disable_dropout(model)
    reference = None
    setting = None
    if objective.needs_reference:
        setting = choose_reference(reference_setting, model, context.run,
                                   streaming=is_stream(context.train_dataset))
        if setting == "adapter":
            reference = AdapterDisabledReference()
            say("reference model: the base weights with the adapter disabled (no second copy)")
        elif setting == "copy":
            reference = CopyReference(model)
            count = sum(p.numel() for p in reference.model.parameters())
            say(f"reference model: a frozen copy of the model ({count:,} more parameters in memory)"
                + ("" if is_peft_model(model) else
                   f"; adapter '{context.run.adapter.name}' trains the base weights, so they cannot be recovered by "
                   "disabling an adapter" + ("" if is_stream(context.train_dataset) else
                                             " (`reference: precompute` avoids the copy)")))
        else:
            reference = PrecomputedReference()
    trainer = trainer_class()(
        model=model,
        args=TrainingArguments(**context.training_arguments),
        train_dataset=context.train_dataset,
        eval_dataset=context.eval_dataset,
        data_collator=SequenceGroupCollator(context.tokenizer.pad_token_id, objective.groups),
        processing_class=context.tokenizer,
        callbacks=context.callbacks,
        optimizers=context.optimizers,
        objective=objective,
        reference=reference,
    )
    if setting == "precompute":
        batch_size = trainer.args.per_device_eval_batch_size
        trainer.train_dataset = precompute_reference(trainer, list(trainer.train_dataset), objective.groups,
                                                     batch_size)
        if trainer.eval_dataset is not None:
            trainer.eval_dataset = precompute_reference(trainer, list(trainer.eval_dataset), objective.groups,
                                                        batch_size)
        say(f"reference model: log-probs of the starting model precomputed for {len(trainer.train_dataset)} "
            "training rows (no second copy, no reference pass while training)")
    return trainer


def kto_balance_hint(rows, desirable_weight: float, undesirable_weight: float) -> Optional[str]:
    """The KTO paper's advice: desirable_weight * n_desirable / (undesirable_weight * n_undesirable) in [1, 4/3]."""
    if is_stream(rows):  # counting would read the whole stream once more
        return None
    desirable = sum(1 for row in rows if row["kto_label"])
    undesirable = len(rows) - desirable
    if not desirable or not undesirable:
        side = "desirable" if not desirable else "undesirable"
        return f"kto: the training rows hold no {side} example; the loss then only pushes one way"
    ratio = desirable_weight * desirable / (undesirable_weight * undesirable)
    if 1.0 <= ratio <= 4 / 3:
        return None
    low, high = undesirable_weight * undesirable / desirable, undesirable_weight * undesirable * 4 / 3 / desirable
    return (f"kto: {desirable} desirable and {undesirable} undesirable examples give a weighted ratio of {ratio:.2f}; "
            f"the KTO paper advises 1 to 4/3 (e.g. desirable_weight between {low:.2f} and {high:.2f})")


__all__ = ["DPO_LOSSES", "KTO_LOSSES", "REFERENCES", "DpoObjective", "KtoObjective", "OrpoObjective",
           "SequenceGroupCollator", "SimpoObjective", "build_preference_trainer", "choose_reference",
           "precompute_reference", "sequence_logps", "trainer_class"]
