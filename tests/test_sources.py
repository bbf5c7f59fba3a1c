"""The integrity gate: every snakemake invocation refuses a registry that disagrees with data/raw/."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

import pytest
import yaml

from infospace.sources import check_registry, load_registry

from conftest import REPO, RAW_DIR, copy_project, run_snakemake

REGISTRY = REPO / "config" / "sources.yaml"
SCHEMA = REPO / "config" / "sources.schema.yaml"


def test_registry_is_valid_and_complete():
    entries = load_registry(REGISTRY, SCHEMA)
    assert check_registry(entries, RAW_DIR) == []
    assert len(entries) == 5
    for entry in entries:
        assert hashlib.sha256((RAW_DIR / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


def test_schema_documents_every_field():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    fields = schema["properties"]["sources"]["items"]["properties"]
    assert all(spec.get("description") for spec in fields.values())
    used = {key for entry in yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))["sources"] for key in entry}
    assert used <= set(fields)


def edit_registry(project: Path, change: Callable[[list[dict]], None]) -> None:
    path = project / "config" / "sources.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document["sources"])
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_writable(project: Path) -> None:
    for path in (project / "data" / "raw").iterdir():
        path.chmod(0o644)


def missing_file(project: Path) -> None:
    make_writable(project)
    (project / "data" / "raw" / "001_2f5605ce6e089bda.txt").unlink()
    # Keep the directory otherwise registered-only.


def changed_bytes(project: Path) -> None:
    make_writable(project)
    with (project / "data" / "raw" / "003_1a1ef730ee62db7a.txt").open("ab") as handle:
        handle.write(b"\nappended line\n")


def unregistered_file(project: Path) -> None:
    (project / "data" / "raw" / "005_new.txt").write_text("Unprovenanced text\n", encoding="utf-8")


def dotdot_path(project: Path) -> None:
    edit_registry(project, lambda s: s[0].update(path="../../config/config.yaml"))


def absolute_path(project: Path) -> None:
    edit_registry(project, lambda s: s[0].update(path="/etc/hostname"))


def symlink_out(project: Path) -> None:
    outside = project / "outside.txt"
    outside.write_bytes((RAW_DIR / "000_835fbf6a27ae7567.txt").read_bytes())
    (project / "data" / "raw" / "link.txt").symlink_to(outside)
    edit_registry(project, lambda s: s[0].update(path="link.txt"))


def wrong_type(project: Path) -> None:
    edit_registry(project, lambda s: s[1].update(languages_declared="en"))


def unknown_enum(project: Path) -> None:
    edit_registry(project, lambda s: s[2].update(affiliation="propaganda"))


def duplicate_id(project: Path) -> None:
    edit_registry(project, lambda s: s[1].update(id=s[0]["id"]))


def duplicate_path(project: Path) -> None:
    def change(sources: list[dict]) -> None:
        sources.append({**sources[0], "id": "a-second-entry-for-000"})
    edit_registry(project, change)


CASES = {
    "missing file": (missing_file, [r"001_2f5605ce6e089bda.txt is missing", "field `path`"]),
    "changed bytes": (changed_bytes, ["003_1a1ef730ee62db7a.txt has sha256", "field `sha256`", "re-register",
                                      "bump the dataset version"]),
    "unregistered file": (unregistered_file, ["005_new.txt: file in data/raw/ is not registered"]),
    "path with ..": (dotdot_path, ["field `path`", "escapes"]),
    "absolute path": (absolute_path, ["field `path`", "escapes"]),
    "symlink out": (symlink_out, ["field `path`", "outside"]),
    "wrong type": (wrong_type, ["sources[1]", "field `languages_declared`", "is not of type 'array'"]),
    "unknown enum": (unknown_enum, ["sources[2]", "field `affiliation`", "'propaganda' is not one of"]),
    "duplicate id": (duplicate_id, ["field `id`", "is already used by sources[0]"]),
    "duplicate path": (duplicate_path, ["field `path`", "'000_835fbf6a27ae7567.txt' is already used"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gate_stops_every_invocation(case: str, tmp_path: Path):
    breaker, messages = CASES[case]
    project = copy_project(tmp_path / "project")
    breaker(project)
    result = run_snakemake(project, "--dry-run")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Source registry check failed" in output
    for message in messages:
        assert message in output, (message, output[-3000:])
