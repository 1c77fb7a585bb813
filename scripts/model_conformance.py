"""Run the model-family conformance check once per architecture of the built-in families and record the results
in plugins/models/conformance.json (shown by `tune models list`) and docs/models.md.

    python scripts/model_conformance.py            # all architectures
    python scripts/model_conformance.py llama qwen2

Families sharing an architecture share the check (it runs on the first family's tiny configuration).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "plugins" / "models" / "conformance.json"


def builtin_families() -> dict[str, list]:
    from tuneforge.registry import get_catalog

    by_architecture: dict[str, list] = {}
    for entry in get_catalog().items("model"):
        if entry.plugin.distribution == "tuneforge":
            by_architecture.setdefault(entry.spec.architecture, []).append(entry.spec)
    return by_architecture


def run(only: list[str]) -> dict:
    import transformers

    from tuneforge.testing import ArchitectureUnavailable, check_model_family_trains

    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() and only else {"architectures": {}}
    for architecture, families in sorted(builtin_families().items()):
        if only and architecture not in only:
            continue
        start = time.perf_counter()
        row = {"families": sorted(f.name for f in families)}
        try:
            with tempfile.TemporaryDirectory() as workdir:
                row.update(status="passed", **check_model_family_trains(families[0], workdir))
        except ArchitectureUnavailable as exc:
            row.update(status="unavailable", reason=str(exc))
        except AssertionError as exc:
            row.update(status="failed", reason=str(exc))
        row["seconds"] = round(time.perf_counter() - start, 2)
        results["architectures"][architecture] = row
        print(f"{architecture:24} {row['status']:12} {row.get('reason', '')}", flush=True)
    results["transformers"] = transformers.__version__
    results["checked"] = time.strftime("%Y-%m-%d")
    return results


def write_docs(results: dict) -> None:
    rows = results["architectures"]
    passed = sum(r["status"] == "passed" for r in rows.values())
    lines = ["# Model families: conformance per architecture", "",
             f"Checked {results['checked']} with transformers {results['transformers']} by "
             "`python scripts/model_conformance.py`: a tiny random-weight model of each architecture takes LoRA on "
             "the family's declared targets, trains one step with a finite loss that changes the adapter, and "
             "reloads from disk with identical logits.", "",
             f"**{passed} of {len(rows)} architectures pass.**", "",
             "| architecture | status | families | reason |", "|---|---|---|---|"]
    for architecture, row in sorted(rows.items()):
        lines.append(f"| {architecture} | {row['status']} | {', '.join(row['families'])} | {row.get('reason', '')} |")
    (ROOT / "docs" / "models.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    results = run(sys.argv[1:])
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    write_docs(results)
    failed = [a for a, r in results["architectures"].items() if r["status"] == "failed"]
    sys.exit(1 if failed else 0)
