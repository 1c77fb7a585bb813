"""Step 4 of a run: load each dataset, align it to standard records, report what was dropped, mix, encode.

Encoding goes through the chat template in batches (one tokenizer call per batch), so the trained-token mask is the
template's and the ids are exactly what the official template would tokenize.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from tuneforge.core.errors import DataError

ENCODE_BATCH = 1000


@dataclass
class DatasetReport:
    label: str
    source: str
    format: str
    fingerprint: Optional[str]
    rows: int = 0
    aligned: int = 0
    dropped: list[Any] = field(default_factory=list)  # tuneforge.core.data.Dropped, in row order

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.label, "source": self.source, "format": self.format, "fingerprint": self.fingerprint,
                "rows": self.rows, "aligned": self.aligned, "dropped": len(self.dropped),
                "first_dropped": [f"row {d.row}: {d.reason}" for d in self.dropped[:5]]}


@dataclass
class PreparedData:
    train: list[dict[str, list[int]]]
    eval: list[dict[str, list[int]]]
    reports: list[DatasetReport]
    truncated: int = 0
    untrainable: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"train_rows": len(self.train), "eval_rows": len(self.eval), "truncated": self.truncated,
                "dropped_nothing_to_train": self.untrainable, "datasets": [r.to_dict() for r in self.reports]}


def _source_rows(dataset, catalog) -> tuple[str, Optional[Path], Iterable[tuple[int, dict]]]:
    """(description, local path or None, iterator of (row number, raw row))."""
    from tuneforge.core import data

    spec = dataset.spec
    if dataset.ref.path is not None:
        return str(dataset.ref.path), dataset.ref.path, data.read_rows(dataset.ref.path)
    if spec.file is not None:
        path = data.resolve_packaged_file(spec) if spec.package else Path(spec.file)
        return str(path), path, data.read_rows(path)
    return (spec.hub_id or spec.url), None, _hub_rows(spec)


def _hub_rows(spec) -> Iterator[tuple[int, dict]]:
    """Rows of a dataset on the hub (or at a URL). Only reached when the user named such a dataset."""
    try:
        from datasets import load_dataset

        if spec.hub_id:
            loaded = load_dataset(spec.hub_id, name=spec.subset, split=spec.split)
        else:
            kind = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}.get(Path(spec.url).suffix,
                                                                                                "json")
            loaded = load_dataset(kind, data_files=spec.url, split="train")
    except Exception as exc:  # network, missing dataset, auth: tell the user which dataset and why
        raise DataError(f"dataset '{spec.name}' could not be loaded from {spec.hub_id or spec.url}: {exc}") from exc
    for number, row in enumerate(loaded, start=1):
        yield number, row


def load_records(dataset, run, catalog) -> tuple[list[Any], list[tuple[DatasetReport, int]], DatasetReport]:
    """Aligned records of one dataset, each one's (report, source row), and the dataset's report."""
    from tuneforge.core import data

    description, path, rows = _source_rows(dataset, catalog)
    rows = list(rows)
    fmt = dataset.format
    if fmt is None:
        fmt = data.detect_format([row for _, row in rows[:20]], [e.spec for e in catalog.items("format")],
                                 source=description)
    # Later mappings win: the format's defaults (applied by align_rows), the dataset spec's, the run config's.
    columns = data.merge_mapping(dataset.spec.columns if dataset.spec else {}, dataset.ref.columns)
    tags = data.merge_mapping(dataset.spec.tags if dataset.spec else {}, dataset.ref.tags)
    result = data.align_rows(rows, fmt, columns, tags, source=description, strict=run.config.data.strict)
    report = DatasetReport(label=dataset.label, source=description, format=fmt.name,
                           fingerprint=data.fingerprint(path) if path is not None and path.is_file() else None,
                           rows=len(rows), aligned=len(result.records), dropped=list(result.dropped))
    limit = dataset.ref.max_samples
    origins = [(report, row) for row in result.rows[:limit]]
    return result.records[:limit], origins, report


def encode_records(run, tokenizer, records: list[Any], origins: list[tuple[DatasetReport, int]]):
    """Encode in batches through the template. A conversation the template cannot render is dropped and reported
    like a bad row (strict mode raises, naming file and row). Yields each `Encoded` that rendered."""
    from tuneforge.core.data import Dropped
    from tuneforge.core.errors import TemplateError
    from tuneforge.core.templates import encode_batch

    options = run.config.template

    def encode(indices: list[int]):
        return encode_batch(run.template, tokenizer, [(records[i].messages, records[i].tools) for i in indices],
                            cutoff_len=run.config.data.cutoff_len, mask_history=options.mask_history,
                            train_on_prompt=options.train_on_prompt)

    for start in range(0, len(records), ENCODE_BATCH):
        pending = list(range(start, min(start + ENCODE_BATCH, len(records))))
        while pending:
            try:
                yield from encode(pending)
                break
            except TemplateError as exc:
                bad = getattr(exc, "index", None)
                if bad is None:
                    raise
                report, row = origins[pending[bad]]
                dropped = Dropped(report.source, row, f"template '{run.template.name}': {exc}")
                if run.config.data.strict:
                    raise DataError(f"{dropped} (strict mode stops at the first bad record)") from None
                report.dropped.append(dropped)
                # Rendering goes in order, so the records before the bad one render: encode them, go on after it.
                head, pending = pending[:bad], pending[bad + 1:]
                if head:
                    yield from encode(head)


def prepare_data(run, tokenizer, catalog) -> PreparedData:
    config = run.config.data
    records: list[Any] = []
    origins: list[tuple[DatasetReport, int]] = []
    reports = []
    for dataset in run.datasets:
        loaded, loaded_origins, report = load_records(dataset, run, catalog)
        wrong = sorted({r.kind for r in loaded} - set(run.stage.needs))
        if wrong:
            raise DataError(f"dataset {dataset.label} holds {', '.join(wrong)} records, but stage "
                            f"'{run.stage.name}' trains on {', '.join(run.stage.needs)} records; pick a dataset "
                            "made for this stage (`tune plugins list --kind dataset`)")
        records.extend(loaded)
        origins.extend(loaded_origins)
        reports.append(report)
    if config.max_samples is not None:
        records, origins = records[: config.max_samples], origins[: config.max_samples]
    if not records:
        raise DataError("no usable records: every dataset is empty or every row was dropped (see the report above)")

    rows: list[dict[str, list[int]]] = []
    truncated = untrainable = 0
    for item in encode_records(run, tokenizer, records, origins):
        truncated += item.truncated
        if all(label == -100 for label in item.labels):
            untrainable += 1  # cut-off left no trained token: it would only add padding
            continue
        rows.append({"input_ids": item.input_ids, "labels": item.labels})
    if not rows:
        raise DataError(f"no record has a trained token left after cutoff_len={config.cutoff_len}; raise cutoff_len")

    order = list(range(len(rows)))
    random.Random(run.config.seed).shuffle(order)
    n_eval = int(round(len(rows) * config.val_size))
    eval_rows = [rows[i] for i in order[:n_eval]]
    train_rows = [rows[i] for i in order[n_eval:]]
    return PreparedData(train_rows, eval_rows, reports, truncated, untrainable)
