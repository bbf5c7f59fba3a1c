"""`python -m infospace register`: copy, hash, check and append a source, keeping the registry's comments; then the
new formats (a saved page, a Telegram export) through the real DAG, and nothing left to do afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml

from conftest import REPO, copy_project, final_table, run_snakemake

PAGE = REPO / "tests" / "data" / "html" / "ru_cp1251.html"
EXPORT = REPO / "tests" / "data" / "telegram" / "result.json"


def register(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "infospace", "register", *args], cwd=project, capture_output=True,
                          text=True)


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("register") / "project")
    result = register(project, str(PAGE), "--format", "html", "--country", "KZ", "--languages", "ru",
                      "--published", "2025-09-29", "--published-basis", "stated_in_text", "--publisher", "unknown")
    assert result.returncode == 0, result.stderr
    result = register(project, str(EXPORT), "--format", "telegram_json", "--name", "embassy-channel.json",
                      "--id", "embassy-press-channel-export", "--country", "RU", "--affiliation", "government",
                      "--affiliation-evidence", "A test channel export written by the project.",
                      "--languages", "ru,en")
    assert result.returncode == 0, result.stderr
    return project


def test_register_appends_an_entry_and_keeps_the_registry(registered: Path) -> None:
    before = (REPO / "config" / "sources.yaml").read_text(encoding="utf-8")
    after = (registered / "config" / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n") + "\n\n  - id: ru-cp1251\n")  # comments and entries as they were
    entries = {e["id"]: e for e in yaml.safe_load(after)["sources"]}
    page = entries["ru-cp1251"]
    assert (page["format"], page["country"], page["published"], page["published_precision"]) == (
        "html", "KZ", "2025-09-29", "day")
    assert page["publisher"] == page["original_source"] == page["terms"] == page["retrieved"] == "unknown"
    assert page["url"] is None and page["languages_declared"] == ["ru"]
    assert (registered / "data" / "raw" / "ru_cp1251.html").read_bytes() == PAGE.read_bytes()
    channel = entries["embassy-press-channel-export"]
    assert channel["path"] == "embassy-channel.json" and channel["affiliation"] == "government"
    assert (registered / "data" / "raw" / "embassy-channel.json").read_bytes() == EXPORT.read_bytes()


def test_register_refuses_with_the_field_named(registered: Path, tmp_path: Path) -> None:
    registry = (registered / "config" / "sources.yaml").read_text(encoding="utf-8")
    again = register(registered, str(PAGE), "--format", "html", "--country", "KZ")
    assert again.returncode == 2 and "field `id`: 'ru-cp1251' is already registered" in again.stderr
    other = tmp_path / "ru_cp1251.html"
    other.write_text("<html><body><p>Another page with the same name.</p></body></html>", encoding="utf-8")
    clash = register(registered, str(other), "--format", "html", "--country", "KZ", "--id", "another-page")
    assert clash.returncode == 2 and "field `path`" in clash.stderr and "never replaced" in clash.stderr
    missing = register(registered, str(other), "--format", "html", "--id", "another-page", "--name", "other.html")
    assert missing.returncode == 2 and "field `country`" in missing.stderr
    bad_format = register(registered, str(other), "--format", "pdf", "--country", "KZ", "--name", "other.html")
    assert bad_format.returncode == 2 and "field `format`" in bad_format.stderr
    assert (registered / "config" / "sources.yaml").read_text(encoding="utf-8") == registry  # nothing written
    assert not (registered / "data" / "raw" / "other.html").exists()


def test_registered_sources_build_and_then_nothing_is_left_to_do(registered: Path) -> None:
    result = run_snakemake(registered, cores=4)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    again = run_snakemake(registered, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr

    documents = final_table(registered, "documents")
    page = documents.filter(pl.col("source_id") == "ru-cp1251").row(0, named=True)
    assert page["title"] == "В Астане обсудили сотрудничество в сфере СМИ" and page["published_origin"] == "page"
    messages = documents.filter(pl.col("source_id") == "embassy-press-channel-export")
    assert sorted(messages["message_id"].to_list()) == [2, 5, 6, 8, 9, 11, 15]
    gaps = final_table(registered, "message_gaps")
    assert gaps.select("first_missing", "last_missing").rows() == [(7, 7), (13, 14)]

    dataset = registered / "results" / "dataset"
    card = (dataset / "README.md").read_text(encoding="utf-8")
    assert "## Telegram exports" in card and "7, 13–14" in card and "date_unixtime" in card
    assert "config_name: message_gaps" in card
    croissant = json.loads((dataset / "croissant.json").read_text(encoding="utf-8"))
    assert any(r["@id"] == "message_gaps" for r in croissant["recordSet"])
    audit = final_table(registered, "audit")
    assert {"telegram:service", "telegram:poll", "telegram:media_only", "related_stories", "footer"} <= set(
        audit["reason"])
