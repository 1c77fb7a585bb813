"""Cache of encoded datasets: `$TUNEFORGE_HOME/cache/data/<fingerprint>/` holds a run's train and eval rows (Arrow,
written by `datasets`' save_to_disk, memory-mapped when read back) and its data report.

The fingerprint covers everything that decides the rows: the data (file digests, or hub id, subset and split), the
chat template (its fields and its Jinja text), the tokenizer (a digest of its whole definition), the plugins that
read and align the data, and every data option that changes the rows. `data.cache: false` turns the cache off.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

# Bump when what an entry holds, or how rows are encoded, changes: older entries are then never read again.
CACHE_FORMAT = 1


def cache_root() -> Path:
    from tuneforge.core.resolve import cache_dir

    return cache_dir() / "cache" / "data"


def fingerprint(parts: dict[str, Any]) -> str:
    """A short hex digest of `parts` (JSON-serialisable, key order does not matter)."""
    text = json.dumps({"cache_format": CACHE_FORMAT, **parts}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def tokenizer_fingerprint(tokenizer: Any) -> dict[str, Any]:
    """What identifies a tokenizer's output: a digest of its full definition (vocabulary, merges, added tokens,
    normalizer ...), its name, class and size."""
    digest = hashlib.sha256()
    backend = getattr(tokenizer, "_tokenizer", None)
    if backend is not None and hasattr(backend, "to_str"):
        digest.update(backend.to_str().encode("utf-8"))
    else:  # a slow tokenizer: its vocabulary is the best available summary
        digest.update(json.dumps(sorted(tokenizer.get_vocab().items())).encode("utf-8"))
    return {"name": getattr(tokenizer, "name_or_path", ""), "class": type(tokenizer).__name__,
            "size": len(tokenizer), "split_special_tokens": bool(getattr(tokenizer, "split_special_tokens", False)),
            "sha256": digest.hexdigest()}


def template_fingerprint(template: Any) -> dict[str, Any]:
    """A chat template's name, data fields and exported Jinja (a custom renderer is covered by its plugin's
    version, which the caller adds)."""
    from tuneforge.core.templates import to_jinja

    fields = {f.name: getattr(template, f.name) for f in dataclasses.fields(template)
              if not callable(getattr(template, f.name))}
    return {"name": template.name, "fields": fields, "jinja": to_jinja(template)}


@dataclass
class CacheEntry:
    """An entry read back: the train and eval rows as `datasets.Dataset`, the example lengths, the saved report."""

    path: Path
    train: Any
    eval: Any
    lengths: Any  # numpy array: token count of every encoded example, before packing
    meta: dict[str, Any]


def load(key: str) -> Optional[CacheEntry]:
    """The entry for `key`, or None when there is none (or it cannot be read: it is then rebuilt)."""
    folder = cache_root() / key
    if not (folder / "meta.json").is_file():
        return None
    try:
        import numpy as np

        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return CacheEntry(folder, _load_split(folder, "train", meta), _load_split(folder, "eval", meta),
                          np.load(folder / "lengths.npy"), meta)
    except Exception:  # a damaged or foreign entry is a miss, and gets rewritten
        return None


def _load_split(folder: Path, name: str, meta: dict[str, Any]):
    from datasets import Dataset, Features, load_from_disk

    if name in meta["empty"]:  # datasets cannot read back an empty dataset it saved: it is rebuilt from its features
        features = Features.from_dict(meta["empty"][name])
        return Dataset.from_dict({column: [] for column in features}, features=features)
    return load_from_disk(str(folder / name))


def save(key: str, train: Any, eval_rows: Any, lengths: Any, meta: dict[str, Any]) -> Path:
    """Write an entry atomically (a half-written entry is never read) and return its folder."""
    import numpy as np
    from datasets.utils import logging as datasets_logging

    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / key
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=root))
    bars = datasets_logging.is_progress_bar_enabled()
    datasets_logging.disable_progress_bar()
    try:
        empty = {}
        for name, split in (("train", train), ("eval", eval_rows)):
            if len(split):
                split.save_to_disk(str(staging / name))
            else:
                empty[name] = split.features.to_dict()
        np.save(staging / "lengths.npy", np.asarray(lengths, dtype=np.int32))
        (staging / "meta.json").write_text(json.dumps({**meta, "empty": empty}, ensure_ascii=False, default=str),
                                           encoding="utf-8")
        if folder.exists():  # an entry that could not be read
            shutil.rmtree(folder)
        staging.rename(folder)
    except OSError:
        if not (folder / "meta.json").is_file():  # another process may have written the same entry meanwhile
            raise
    finally:
        if bars:
            datasets_logging.enable_progress_bar()
        shutil.rmtree(staging, ignore_errors=True)
    return folder
