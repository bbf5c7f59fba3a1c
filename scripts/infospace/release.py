"""Release: put the packaged dataset folder in place as results/dataset/ once the gate has passed.

`package` builds the folder (results/package/dataset/) from the final tables while the gate runs, since nothing in
it depends on the gate's results; `release` needs the gate's `passed` marker. It copies the built folder into a
hidden sibling of results/dataset/, checks every file listed in SHA256SUMS against its sha256, and renames the copy
into place. A failed gate never runs `release`, and a failed release leaves an earlier dataset as it was.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

SUMS_NAME = "SHA256SUMS"


class ReleaseCheckError(Exception):
    """The built folder does not match its own SHA256SUMS."""


def sums_problems(folder: Path) -> list[str]:
    """Files of `folder`'s SHA256SUMS that are missing or whose sha256 differs, one message each."""
    problems = []
    for line in (folder / SUMS_NAME).read_text(encoding="utf-8").splitlines():
        expected, rel = line.split("  ", 1)
        path = folder / rel
        if not path.is_file():
            problems.append(f"{path}: listed in {SUMS_NAME} but missing")
            continue
        # The twin of infospace.sources.sha256_file: importing that module (polars, pyarrow, jsonschema) would add
        # 0.3 s to this job, the last one of every build.
        with path.open("rb") as handle:
            actual = hashlib.file_digest(handle, "sha256").hexdigest()
        if actual != expected:
            problems.append(f"{path}: sha256 {actual}, {SUMS_NAME} says {expected}")
    return problems


def release_dataset(built: Path, target: Path) -> None:
    """Copy `built` into a hidden sibling of `target`, check it against its SHA256SUMS, then swap it in.

    Copies, not hard links, so that editing a file of one folder never changes the other.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        # copytree also copies the built folder's mode onto the (private) mkdtemp folder.
        shutil.copytree(built, staging, dirs_exist_ok=True, copy_function=shutil.copyfile)
        problems = sums_problems(staging)
        if problems:
            raise ReleaseCheckError("the packaged dataset does not match its SHA256SUMS:\n  " + "\n  ".join(problems))
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def replace_dir(staging: Path, target: Path) -> None:
    """Put `staging` in the place of `target`: two renames on one file system, rolled back on failure."""
    old = target.with_name(f".{target.name}.previous")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        if old.exists():
            os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
