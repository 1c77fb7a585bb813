"""How training stages turn standard records into token rows: preference pairs, KTO examples and plain text.

Every conversation goes through the chat-template engine (`tuneforge.core.templates`), never through a trainer
library's own chat templating, so the ids a stage trains on are exactly what the model's official template renders,
and the trained tokens are the ones the template marks. A stage plugin names one of these functions as its
`TrainingStage.encode`; a third-party stage can use them the same way.

Each encoder is `encode(records, template, tokenizer, data_options) -> StageRows`. `data_options` is the run's
`data` section (`cutoff_len` and `truncation` are read; None: no cut-off). A record that cannot be encoded (the
template cannot render it, or it lacks what the stage needs) is not an error: it is left out and listed in
`StageRows.failures` as (its index in `records`, the reason), so the data worker can report it by file and row.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from tuneforge.core.errors import TemplateError
from tuneforge.core.records import Record
from tuneforge.core.templates import IGNORE_INDEX, ChatTemplate, encode_rendered, training_segments

BATCH = 1000  # conversations per tokenizer call


class StageRows(list):
    """The encoded rows (a plain list of dicts), with what encoding cost: `truncated` rows were cut at cutoff_len
    and kept; `untrainable` records were dropped because nothing trained was left after the cut; `failures` are
    the records that could not be encoded, as (index in the records given, reason)."""

    def __init__(self, rows: Sequence[dict[str, Any]] = (), truncated: int = 0, untrainable: int = 0,
                 failures: Optional[list[tuple[int, str]]] = None) -> None:
        super().__init__(rows)
        self.truncated = truncated
        self.untrainable = untrainable
        self.failures = failures if failures is not None else []


def run_encoder(encode: Callable[..., Any], records: Sequence[Record], template: Optional[ChatTemplate],
                tokenizer: Any, data_options: Any = None) -> StageRows:
    """Call a stage's encoder (`TrainingStage.encode`) the way the data worker does: the result is a StageRows with
    failures indexed into `records`. An encoder that raises TemplateError with `.index` (the record at fault)
    instead of listing its failures has that record left out and is called again on the others."""
    remaining = list(range(len(records)))
    raised: list[tuple[int, str]] = []
    while True:
        try:
            rows = encode([records[i] for i in remaining], template, tokenizer, data_options)
            break
        except TemplateError as exc:
            bad = getattr(exc, "index", None)
            if bad is None or not 0 <= bad < len(remaining):
                raise
            raised.append((remaining.pop(bad), str(exc)))
    listed = [(remaining[i], reason) for i, reason in getattr(rows, "failures", ())]
    return StageRows(rows, getattr(rows, "truncated", 0), getattr(rows, "untrainable", 0), sorted(raised + listed))


def row_tokens(row: dict[str, Any]) -> int:
    """Tokens one row puts through the model (all its sequences: a pair counts chosen and rejected)."""
    return sum(len(value) for key, value in row.items() if key.endswith("input_ids"))


def _trains(labels: Sequence[int]) -> bool:
    return any(label != IGNORE_INDEX for label in labels)


def _render(template: ChatTemplate, records: Sequence[Record], conversations: Callable[[Record], list],
            requirement: Callable[[Record], Optional[str]], failures: list) -> tuple[list[int], list[list]]:
    """Render every conversation of each record (`conversations(record)` -> [(messages, tools)]); a record that
    misses a requirement or that the template rejects becomes a failure. Returns (kept indices, renders)."""
    kept, rendered = [], []
    for i, record in enumerate(records):
        problem = requirement(record)
        if problem is None:
            try:
                sides = [training_segments(template, messages, tools) for messages, tools in conversations(record)]
            except TemplateError as exc:
                problem = f"template '{template.name}': {exc}"
        if problem is not None:
            failures.append((i, problem))
            continue
        kept.append(i)
        rendered.append(sides)
    return kept, rendered


def _encode(template: ChatTemplate, tokenizer: Any, rendered: list, data_options: Any) -> list:
    """Token ids and labels (templates.Encoded) of rendered conversations, only the final answer trained."""
    cutoff = getattr(data_options, "cutoff_len", None) if data_options is not None else None
    truncation = getattr(data_options, "truncation", None) or "drop_turns"
    encoded = []
    for start in range(0, len(rendered), BATCH):
        encoded.extend(encode_rendered(template, tokenizer, rendered[start:start + BATCH], cutoff_len=cutoff,
                                       mask_history=True, truncation=truncation).encoded())
    return encoded


def encode_preference(records: Sequence[Record], template: ChatTemplate, tokenizer: Any,
                      data_options: Any = None) -> StageRows:
    """Preference pairs -> rows {chosen_input_ids, chosen_labels, rejected_input_ids, rejected_labels}.

    Chosen and rejected are each encoded as a whole conversation (the prompt messages, then that answer), so both
    sequences are token-exact renders; only the final answer and its end-of-turn suffix are trained (the prompt's
    earlier answers are context). A pair where the cut-off leaves either answer with nothing trained is dropped.
    """
    rows = StageRows()

    def pair(record):
        return [(tuple(record.messages) + (answer,), tuple(record.tools)) for answer in (record.chosen, record.rejected)]

    def complete(record):
        if record.chosen is None or record.rejected is None:
            return "a preference record needs both a chosen and a rejected answer"
        return None

    _, rendered = _render(template, records, pair, complete, rows.failures)
    chosen = _encode(template, tokenizer, [sides[0] for sides in rendered], data_options)
    rejected = _encode(template, tokenizer, [sides[1] for sides in rendered], data_options)
    for good, bad in zip(chosen, rejected):
        if not (_trains(good.labels) and _trains(bad.labels)):
            rows.untrainable += 1
            continue
        rows.truncated += good.truncated or bad.truncated
        rows.append({"chosen_input_ids": good.input_ids, "chosen_labels": good.labels,
                     "rejected_input_ids": bad.input_ids, "rejected_labels": bad.labels})
    return rows


def encode_kto(records: Sequence[Record], template: ChatTemplate, tokenizer: Any,
               data_options: Any = None) -> StageRows:
    """KTO examples (a conversation ending with the answer, and a desirable/undesirable label) -> rows
    {input_ids, labels, kto_label, kl_input_ids, kl_labels}.

    The `kl_` sequence pairs this example's prompt with the next example's answer (the last with the first): the
    mismatched pairs from which KTO estimates its KL baseline. They are fixed here, at the token level, so the
    reference log-probs of every sequence a step needs can also be computed once before training.
    """
    rows = StageRows()

    def judged(record):
        if record.kto_label is None:
            return "a KTO record needs a desirable/undesirable label"
        if not record.messages or record.messages[-1].role != "assistant":
            return "a KTO record is a conversation that ends with the assistant's answer being judged"
        return None

    kept, rendered = _render(template, records, lambda r: [(tuple(r.messages), tuple(r.tools))], judged,
                             rows.failures)
    examples = []
    for index, item in zip(kept, _encode(template, tokenizer, [sides[0] for sides in rendered], data_options)):
        if not _trains(item.labels):
            rows.untrainable += 1
            continue
        rows.truncated += item.truncated
        examples.append((bool(records[index].kto_label), item, _prompt_length(item.labels)))
    cutoff = getattr(data_options, "cutoff_len", None) if data_options is not None else None
    for n, (label, item, split) in enumerate(examples):
        _, other, other_split = examples[(n + 1) % len(examples)]
        kl_ids = item.input_ids[:split] + other.input_ids[other_split:]
        kl_labels = [IGNORE_INDEX] * split + other.labels[other_split:]
        rows.append({"input_ids": item.input_ids, "labels": item.labels, "kto_label": label,
                     "kl_input_ids": kl_ids[:cutoff], "kl_labels": kl_labels[:cutoff]})
    return rows


def _prompt_length(labels: Sequence[int]) -> int:
    """Tokens before the first trained one: the prompt, up to and including the assistant's header."""
    for position, label in enumerate(labels):
        if label != IGNORE_INDEX:
            return position
    return len(labels)


def encode_text(records: Sequence[Record], template: Optional[ChatTemplate], tokenizer: Any,
                data_options: Any = None) -> StageRows:
    """Plain text (continued pretraining) -> rows {input_ids, labels}, every token trained.

    Each text is tokenized as the tokenizer does by default (a begin-of-text token where the model's tokenizer adds
    one) and closed with the eos token, so the model learns where a document ends. The template is not used. A text
    longer than cutoff_len is split into consecutive rows of cutoff_len tokens rather than cut, so no text is lost
    (the pt stage then packs rows together).
    """
    rows = StageRows()
    kept = []
    for i, record in enumerate(records):
        if record.text is None:
            rows.failures.append((i, "a pretraining record needs a `text`"))
        else:
            kept.append(record.text)
    cutoff = getattr(data_options, "cutoff_len", None) if data_options is not None else None
    eos = tokenizer.eos_token_id
    for start in range(0, len(kept), BATCH):
        for ids in tokenizer(kept[start:start + BATCH])["input_ids"]:
            ids = list(ids)
            if eos is not None and (not ids or ids[-1] != eos):
                ids.append(eos)
            step = cutoff or len(ids)
            # A lone token (an empty text's eos, a split's last token) predicts nothing.
            pieces = [ids[i:i + step] for i in range(0, len(ids), step) if len(ids[i:i + step]) > 1]
            if not pieces:
                rows.untrainable += 1
            rows.extend({"input_ids": piece, "labels": list(piece)} for piece in pieces)
    return rows
