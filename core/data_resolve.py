"""Which datasets a run uses: registry names, your own files and folders, resolved to specs and formats.

Kept apart from `resolve.py` so that the data side (local dataset indexes, hub and streamed sources) grows here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tuneforge.core.config import DataSection, DatasetRef
from tuneforge.core.specs import DatasetFormat, DatasetSpec


@dataclass(frozen=True)
class ResolvedDataset:
    ref: DatasetRef
    spec: Optional[DatasetSpec]
    format: Optional[DatasetFormat]  # None: detected from the data when it loads

    @property
    def label(self) -> str:
        return self.ref.label


def resolve_datasets(data: DataSection, catalog, config_dir: Path, used: list) -> tuple[ResolvedDataset, ...]:
    """Each `data.datasets` entry -> spec (for a named dataset) and format; appends the plugins used to `used`."""
    from tuneforge.core.resolve import used_plugin

    datasets = []
    for ref in data.datasets:
        spec = None
        if ref.name is not None:
            entry = catalog.get("dataset", ref.name)
            used.append(used_plugin("dataset", entry))
            spec = entry.spec
        format_name = ref.format or (spec.format if spec else None)
        fmt = None
        if format_name is not None:
            format_entry = catalog.get("format", format_name)
            used.append(used_plugin("format", format_entry))
            fmt = format_entry.spec
        datasets.append(ResolvedDataset(ref, spec, fmt))
    return tuple(datasets)
