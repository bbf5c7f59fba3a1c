"""Write envs/pipeline.yaml from requirements.lock, so `--sdm conda` users get the same pinned versions.

Run after every change of the lock: `python scripts/sync_envs.py`. tests/test_environment.py checks they agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)")


def locked_pins(lock_text: str) -> list[str]:
    """Every `name==version` pin of a pip lock file, in file order."""
    return [f"{m.group(1)}=={m.group(2)}" for line in lock_text.splitlines() if (m := PIN.match(line))]


def render_env(pins: list[str]) -> str:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = [
        "# Generated from requirements.lock by scripts/sync_envs.py; do not edit by hand.",
        "# The conda environment of every rule: Python plus the exact pip pins of the lock file.",
        "name: infospace-pipeline",
        "channels:",
        "  - conda-forge",
        "  - nodefaults",
        "dependencies:",
        f"  - python={python}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {pin}" for pin in pins]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    pins = locked_pins((REPO / "requirements.lock").read_text(encoding="utf-8"))
    (REPO / "envs" / "pipeline.yaml").write_text(render_env(pins), encoding="utf-8")
    print(f"envs/pipeline.yaml: {len(pins)} pins")
