"""The seeds alone, cold, against an earlier revision of the workflow: alternating runs on the same machine.

    .venv/bin/python benchmarks/seeds_versus.py --baseline REV --baseline-python PATH [--runs 3] [--workdir DIR]

Each run builds the five seed files from nothing with `snakemake --cores 4` under `/usr/bin/time -v`, once with
this checkout (a fresh copy, as benchmarks/scale.py makes it) and once with revision REV (`git archive REV`), whose
own environment PATH (a Python with REV's requirements.lock installed) provides its snakemake. The two alternate,
so that a slower spell of the machine falls on both. It prints every run, then the median, fastest and slowest of
each, and a no-op rerun of this checkout.

REV's environment, once (its lock pins the versions of that time):
    python3 -m venv /tmp/baseline-venv
    git show REV:requirements.lock > /tmp/baseline.lock
    /tmp/baseline-venv/bin/pip install -r /tmp/baseline.lock
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import tarfile
from pathlib import Path

from scale import REPO, SNAKEMAKE, make_project, timed


def baseline_project(folder: Path, revision: str) -> Path:
    """The files of `revision` (git archive), nothing built."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def clean(project: Path) -> None:
    for name in ("results", "logs", ".snakemake"):
        shutil.rmtree(project / name, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="git revision to compare with, e.g. 0d0a059")
    parser.add_argument("--baseline-python", type=Path, required=True,
                        help="python of an environment with the revision's requirements.lock installed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "benchmarks" / "work" / "seeds-versus")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    commands = {
        "this checkout": (make_project(args.workdir / "current", None, 50_000), SNAKEMAKE),
        args.baseline: (baseline_project(args.workdir / "baseline", args.baseline),
                        str(args.baseline_python.with_name("snakemake"))),
    }
    walls: dict[str, list[float]] = {label: [] for label in commands}
    for run in range(1, args.runs + 1):
        for label, (project, snakemake) in commands.items():
            clean(project)
            figures = timed([snakemake, "--cores", "4"], project, args.workdir / f"{project.name}-{run}.log")
            walls[label].append(figures["wall"])
            print(f"run {run}, {label}: cold `snakemake --cores 4` {figures['wall']:.1f} s wall "
                  f"({figures['user']:.1f} s user, {figures['system']:.1f} s system)", flush=True)
    project, snakemake = commands["this checkout"]
    noop = timed([snakemake, "--cores", "4"], project, args.workdir / "current-noop.log")
    print()
    print("| workflow | runs | median wall s | fastest | slowest |")
    print("|---|---|---|---|---|")
    for label, values in walls.items():
        print(f"| {label} | {len(values)} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} |")
    print(f"no-op rerun of this checkout: {noop['wall']:.2f} s")


if __name__ == "__main__":
    main()
