"""Start-up time of `tune plugins list` and `tune --help`, with the built-ins only and with 300 extra plugins.

Run: `OMP_NUM_THREADS=1 python bench/startup.py`. It generates a pack of 300 small plugin modules (model families
with two variants each, and datasets), installs it with `pip --target` into a temporary folder, and times each
command in a fresh process (best and median of 5 runs, after one untimed warm-up run). It also checks once, in
process, that neither command imports torch, and exits non-zero if one does.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

RUNS = 5
MODELS, DATASETS = 200, 100  # 300 plugins: roughly the mix of the built-in catalogue
TARGET_S = 0.5  # `plugins list` with 300 extra plugins
# `--json` skips the rich table: the difference from `plugins list` is the cost of rendering it.
COMMANDS = {"plugins list": ["plugins", "list"], "plugins list --json": ["plugins", "list", "--json"],
            "--help": ["--help"]}
HEAVY = ("torch", "transformers", "peft", "trl", "datasets", "accelerate")

MODEL_MODULE = '''\
"""Benchmark plugin: the {name} model family."""

from tuneforge.core import Capabilities, ModelFamily, ModelVariant, hookimpl

FAMILY = ModelFamily(
    name="{name}",
    architecture="llama",
    template="chatml",
    variants=(
        ModelVariant("{name}-1b", "bench-org/{name}-1b", 1.2, 8192, "base"),
        ModelVariant("{name}-1b-instruct", "bench-org/{name}-1b-instruct", 1.2, 8192, "instruct"),
    ),
    lora_targets=("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"),
    capabilities=Capabilities(sdpa=True, flash_attention=True),
    tiny_config={{"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4}},
    license="Apache-2.0",
    description="Generated for the start-up benchmark.",
)


@hookimpl
def register_models(register):
    register(FAMILY)
'''

DATASET_MODULE = '''\
"""Benchmark plugin: the {name} dataset."""

from tuneforge.core import DatasetSpec, hookimpl

DATASET = DatasetSpec(
    name="{name}",
    format="alpaca",
    hub_id="bench-org/{name}",
    split="train",
    columns={{"prompt": "question", "response": "answer"}},
    stages=("sft",),
    languages=("en",),
    license="CC-BY-4.0",
    size=10000,
    description="Generated for the start-up benchmark.",
)


@hookimpl
def register_datasets(register):
    register(DATASET)
'''


def generate_pack(folder: Path) -> Path:
    """Write a distribution `tuneforge-bench-pack` with one module and one entry point per plugin."""
    package = folder / "tuneforge_bench_pack"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Generated plugins for bench/startup.py."""\n')
    models, datasets = [], []
    for i in range(MODELS):
        name = f"benchnet{i:03d}"
        (package / f"{name}.py").write_text(MODEL_MODULE.format(name=name))
        models.append(f'{name} = "tuneforge_bench_pack.{name}"')
    for i in range(DATASETS):
        name = f"bench_data_{i:03d}"
        (package / f"{name}.py").write_text(DATASET_MODULE.format(name=name))
        datasets.append(f'{name.replace("_", "-")} = "tuneforge_bench_pack.{name}"')
    pyproject = textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=70"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "tuneforge-bench-pack"
        version = "0.1.0"

        [tool.setuptools]
        packages = ["tuneforge_bench_pack"]

        [project.entry-points."tuneforge.models"]
        {models}

        [project.entry-points."tuneforge.datasets"]
        {datasets}
        """).format(models="\n".join(models), datasets="\n".join(datasets))
    (folder / "pyproject.toml").write_text(pyproject)
    return folder


def environment(site: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUNEFORGE_")}
    # An installed tuneforge has bytecode caches; without them every run recompiles tuneforge's own modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", COLUMNS="120")
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def time_command(args: list[str], env: dict[str, str]) -> list[float]:
    """Wall times of RUNS fresh processes, after one untimed run (bytecode caches, file-system cache)."""
    times = []
    for attempt in range(RUNS + 1):
        start = time.perf_counter()
        result = subprocess.run([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"`python {' '.join(args)}` failed (exit {result.returncode}):\n{result.stderr}")
        if attempt:
            times.append(elapsed)
    return times


# Runs the CLI's main in-process, then reports which heavy libraries ended up in sys.modules.
HEAVY_CHECK = """
import contextlib, io, json, sys
from tuneforge.cli.app import main
for argv in (["--help"], ["plugins", "list"]):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(argv)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise
heavy = json.loads(sys.argv[1])
with open(sys.argv[2], "w") as out:
    json.dump({"heavy": sorted(m for m in heavy if m in sys.modules), "modules": len(sys.modules)}, out)
"""


def heavy_imports(env: dict[str, str], scratch: Path) -> dict:
    report = scratch / "heavy.json"
    result = subprocess.run([sys.executable, "-c", HEAVY_CHECK, json.dumps(HEAVY), str(report)], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"in-process check failed:\n{result.stderr}")
    return json.loads(report.read_text())


def count_plugins(env: dict[str, str]) -> int:
    result = subprocess.run([sys.executable, "-m", "tuneforge", "plugins", "list", "--json"], env=env,
                            capture_output=True, text=True, check=True)
    return len({row["module"] for row in json.loads(result.stdout)})


def install(pack: Path, site: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--no-index", "--no-deps", "--no-build-isolation", "--target", str(site), str(pack)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"pip install of the generated pack failed:\n{result.stderr}")


def main() -> int:
    extra = f"+{MODELS + DATASETS} plugins"
    times: dict[tuple[str, str], list[float]] = {}
    torch_imported = False
    with tempfile.TemporaryDirectory(prefix="tuneforge-bench-") as tmp:
        scratch = Path(tmp)
        start = time.perf_counter()
        install(generate_pack(scratch / "pack"), scratch / "site")
        print(f"generated and installed {MODELS + DATASETS} plugins in {time.perf_counter() - start:.1f} s")

        load_before = os.getloadavg()[0]
        times[("python -c pass", "-")] = time_command(["-c", "pass"], environment(None))
        for label, site in (("built-ins only", None), (extra, scratch / "site")):
            env = environment(site)
            check = heavy_imports(env, scratch)
            torch_imported |= "torch" in check["heavy"]
            print(f"{label}: {count_plugins(env)} plugin modules; in-process `--help` + `plugins list` loaded "
                  f"{check['modules']} modules; heavy libraries imported: {', '.join(check['heavy']) or 'none'}")
            for command, args in COMMANDS.items():
                times[(f"tune {command}", label)] = time_command(["-m", "tuneforge", *args], env)

    # Other processes on a small machine inflate the median; the best run is the figure least affected by them.
    print(f"\nload average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    print(f"{'command':<25} {'installed':<16} {'best s':>8} {'median s':>9}")
    for (command, label), runs in times.items():
        print(f"{command:<25} {label:<16} {min(runs):>8.3f} {statistics.median(runs):>9.3f}")
    best = min(times[("tune plugins list", extra)])
    verdict = "met" if best < TARGET_S else "MISSED"
    print(f"\ntarget: `tune plugins list` with {extra} under {TARGET_S} s (best of {RUNS}): {verdict}")
    if torch_imported:
        print("FAIL: torch was imported by `tune --help` or `tune plugins list`", file=sys.stderr)
        return 1
    print("torch was not imported by `tune --help` or `tune plugins list`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
