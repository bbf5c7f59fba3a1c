"""The great-expectations gate: each suite on good and corrupted tables, the cross-table checks, and end to end."""

from __future__ import annotations

import hashlib
import io
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from infospace.provenance import byte_accounting_problems  # noqa: E402
from infospace.schema import schema_for  # noqa: E402
from infospace.shards import WHOLE_FILE, Shard  # noqa: E402
from infospace.tables import to_arrow  # noqa: E402
from infospace.validate import (  # noqa: E402
    CROSS_CHECKS,
    CROSS_TABLE,
    TABLE_NAMES,
    TABLE_SIZES,
    Tables,
    accounting_problems,
    cross_table_frame,
    cross_table_problems,
    pandas_frame,
    run_suites,
    table_sizes_frame,
    validate_config,
)

CONFIG = validate_config({}, ["en", "ru"])
RAW = {
    "s1": "Menu\nAll news\nFirst paragraph here.\n\n  Second paragraph.\nSubscribe to us\n".encode(),
    "s2": "Привет мир.\nHello world.\n".encode(),
}


def _span(raw: bytes, line: str) -> tuple[int, int]:
    start = raw.index(line.encode())
    return start, start + len(line.encode())


def _table(table: str, rows: list[dict]) -> pl.DataFrame:
    schema = pl.from_arrow(schema_for(table).empty_table()).schema
    return pl.from_dicts(rows, schema=schema)


def _document(doc_id: str, text: str, split: str, translation_group: str | None = None, language: str = "en") -> dict:
    source_id, position = doc_id.split("/")
    return {
        "doc_id": doc_id, "source_id": source_id, "position": int(position), "byte_start": 0, "byte_end": 10,
        "text": text, "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "n_paragraphs": 1,
        "n_chars": len(text), "title": None, "published": None, "published_precision": "unknown",
        "published_origin": "unknown", "author": None, "author_role": None, "views": None, "rubric": None,
        "photo_credit": None, "hashtags": [], "links": [], "tags": [], "reactions": [], "dateline": None,
        "forwarded_from": None, "encoding": "utf-8",
        "mojibake_repaired": False, "language": language, "languages": [language], "is_mixed_language": False,
        "language_score": 0.9, "dup_cluster_id": None, "translation_group": translation_group, "split": split,
    }


def _paragraph(para_id: str, line: str, split: str, language: str = "en", translation_group: str | None = None):
    doc_id = para_id.rsplit("/", 1)[0]
    source_id = doc_id.split("/")[0]
    start, end = _span(RAW[source_id], line)
    return {"para_id": para_id, "doc_id": doc_id, "source_id": source_id, "index": int(para_id.rsplit("/", 1)[1]),
            "byte_start": start, "byte_end": end, "text": line.strip(), "language": language,
            "language_score": 0.8, "script": "Latn", "is_duplicate": False, "dup_cluster_id": None,
            "translation_group": translation_group, "split": split}


def _audit(source_id: str, line: str, reason: str) -> dict:
    start, end = _span(RAW[source_id], line)
    return {"audit_id": f"{source_id}/a{start}", "source_id": source_id, "doc_id": None, "byte_start": start,
            "byte_end": end, "text": line, "reason": reason, "rule": "test", "duplicate_of": None}


def _source(source_id: str) -> dict:
    raw = RAW[source_id]
    return {"source_id": source_id, "path": f"{source_id}.txt", "sha256": hashlib.sha256(raw).hexdigest(),
            "n_bytes": len(raw), "format": "web_article", "encoding": "utf-8", "publisher": "unknown",
            "original_source": "unknown", "country": "BY", "affiliation": "unknown", "affiliation_evidence": "x",
            "url": None, "published": "unknown", "published_precision": "unknown", "published_basis": "unknown",
            "retrieved": "unknown", "retrieved_precision": "unknown", "languages_declared": ["en"],
            "terms": "unknown", "notes": ""}


def good_tables() -> Tables:
    documents = [
        _document("s1/0", "First paragraph here.\nSecond paragraph.", "train"),
        _document("s2/0", "Привет мир.", "test", translation_group="t1", language="ru"),
        _document("s2/1", "Hello world.", "test", translation_group="t1"),
    ]
    paragraphs = [
        _paragraph("s1/0/0", "First paragraph here.", "train"),
        _paragraph("s1/0/1", "  Second paragraph.", "train"),
        _paragraph("s2/0/0", "Привет мир.", "test", language="ru", translation_group="t1"),
        _paragraph("s2/1/0", "Hello world.", "test", translation_group="t1"),
    ]
    audit = [_audit("s1", "Menu", "navigation"), _audit("s1", "All news", "navigation"),
             _audit("s1", "Subscribe to us", "call_to_action")]
    duplicates = [{"cluster_id": "document/s1/0", "level": "document", "member_id": "s1/0", "kept_id": "s1/0",
                   "method": "exact", "similarity": 1.0}]
    return Tables(
        sources=_table("sources", [_source("s1"), _source("s2")]),
        documents=_table("documents", documents),
        paragraphs=_table("paragraphs", paragraphs),
        audit=_table("audit", audit),
        duplicates=_table("duplicates", duplicates),
    )


def arrow_of(tables: Tables) -> dict:
    """Arrow tables with the schema's types; nullability relaxed so corrupted (null) values reach the suites."""
    relaxed = {name: pa.schema([f.with_nullable(True) for f in schema_for(name)]) for name in TABLE_NAMES}
    return {name: parquet_round_trip(getattr(tables, name).to_arrow().cast(relaxed[name])) for name in TABLE_NAMES}


def parquet_round_trip(table: pa.Table) -> pa.Table:
    """What reading the table back from a Parquet file gives (e.g. timestamp[s] becomes timestamp[ms])."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return pq.read_table(io.BytesIO(buffer.getvalue()))


def schemas_of(arrow: dict) -> dict:
    """Each table's schema, as if each were one file named after the table."""
    return {name: [(name, table.schema)] for name, table in arrow.items()}


def raw_dir_of(raw: dict[str, bytes]) -> Path:
    """A folder holding `raw` as `<source_id>.txt` files (the sources' registered paths)."""
    folder = Path(tempfile.mkdtemp(prefix="raw-"))
    for source_id, data in raw.items():
        (folder / f"{source_id}.txt").write_bytes(data)
    return folder


def problems_of(tables: Tables, raw: dict | None = None) -> dict[str, list[str]]:
    arrow = arrow_of(tables)
    raw_dir = raw_dir_of(RAW if raw is None else raw)
    shards = {s: [Shard(WHOLE_FILE, 0, 0, 0, len(RAW[s]))] for s in tables.sources["source_id"]}
    return cross_table_problems(tables, CONFIG, accounting_problems(tables, raw_dir, shards),
                                schemas_of(arrow))


def replace(tables: Tables, **frames: pl.DataFrame) -> Tables:
    return Tables(**{name: frames.get(name, getattr(tables, name)) for name in TABLE_NAMES})


def failed(frames: dict, tmp_path: Path) -> list[tuple[str, str, str | None]]:
    _, failures = run_suites(frames, CONFIG, tmp_path / "docs")
    return [(f.suite, f.expectation, f.kwargs.get("column")) for f in failures]


# --- cross-table checks in polars -------------------------------------------------------------------------------


def test_good_tables_have_no_cross_table_problems() -> None:
    problems = problems_of(good_tables())
    assert set(problems) == set(CROSS_CHECKS)
    assert all(found == [] for found in problems.values()), problems


def test_document_in_two_splits_is_found() -> None:
    tables = good_tables()
    twin = tables.documents.filter(pl.col("doc_id") == "s1/0").with_columns(split=pl.lit("test"))
    problems = problems_of(replace(tables, documents=pl.concat([tables.documents, twin])))
    assert any("s1/0" in p and "test" in p for p in problems["id_in_one_split"])


def test_cross_split_translation_pair_is_found() -> None:
    tables = good_tables()
    documents = tables.documents.with_columns(
        split=pl.when(pl.col("doc_id") == "s2/1").then(pl.lit("train")).otherwise("split"))
    paragraphs = tables.paragraphs.with_columns(
        split=pl.when(pl.col("doc_id") == "s2/1").then(pl.lit("train")).otherwise("split"))
    problems = problems_of(replace(tables, documents=documents, paragraphs=paragraphs))
    assert any("t1" in p for p in problems["translation_group_in_one_split"])


def test_paragraph_with_a_split_other_than_its_document_is_found() -> None:
    tables = good_tables()
    paragraphs = tables.paragraphs.with_columns(
        split=pl.when(pl.col("para_id") == "s1/0/1").then(pl.lit("validation")).otherwise("split"))
    assert problems_of(replace(tables, paragraphs=paragraphs))["paragraph_split_matches_document"]


def test_duplicate_cluster_across_splits_is_found() -> None:
    tables = good_tables()
    duplicates = pl.concat([tables.duplicates, _table("duplicates", [{
        "cluster_id": "document/s1/0", "level": "document", "member_id": "s2/0", "kept_id": "s1/0",
        "method": "near", "similarity": 0.9}])])
    assert problems_of(replace(tables, duplicates=duplicates))["duplicate_cluster_in_one_split"]


def test_paragraph_clusters_are_held_to_the_split_steps_link_rule() -> None:
    tables = good_tables()
    # "Second paragraph." (train) and "Hello world." (test): one cluster across splits, both keys under 40 chars.
    paragraphs = tables.paragraphs.with_columns(
        dup_cluster_id=pl.when(pl.col("para_id").is_in(["s1/0/1", "s2/1/0"])).then(pl.lit("paragraph/s1/0/1")))
    clustered = replace(tables, paragraphs=paragraphs)
    arrow = arrow_of(clustered)
    schemas = schemas_of(arrow)

    def found(min_chars: int | None) -> list[str]:
        return cross_table_problems(clustered, CONFIG, RAW, schemas,
                                    paragraph_link_min_chars=min_chars)["duplicate_cluster_in_one_split"]

    # Keys: "second paragraph" (16 characters) and "hello world" (11): both link from 11 characters down.
    assert found(0) and found(11)
    assert found(12) == found(40) == found(None) == []


def test_orphans_are_found() -> None:
    tables = good_tables()
    documents = tables.documents.with_columns(source_id=pl.lit("nowhere"))
    paragraphs = tables.paragraphs.with_columns(doc_id=pl.lit("ghost/0"))
    problems = problems_of(replace(tables, documents=documents, paragraphs=paragraphs))
    assert problems["document_source_registered"] and problems["paragraph_document_exists"]


def test_byte_gap_overlap_and_round_trip_are_found() -> None:
    tables = good_tables()
    gap = tables.audit.filter(pl.col("text") != "All news")
    problems = problems_of(replace(tables, audit=gap))["byte_accounting"]
    assert problems and "All news" in problems[0]

    overlap = tables.paragraphs.with_columns(
        byte_start=pl.when(pl.col("para_id") == "s1/0/0").then(pl.col("byte_start") - 3).otherwise("byte_start"))
    assert any("overlaps" in p for p in problems_of(replace(tables, paragraphs=overlap))["byte_accounting"])

    edited = tables.paragraphs.with_columns(
        text=pl.when(pl.col("para_id") == "s2/1/0").then(pl.lit("Hello, world.")).otherwise("text"))
    assert any("round trip" in p for p in problems_of(replace(tables, paragraphs=edited))["byte_accounting"])


def test_byte_accounting_allows_white_space_gaps_and_a_bom() -> None:
    raw = "\ufeffA line.\r\n\r\n   \nB line.\n".encode()
    spans = pl.DataFrame({"id": ["p0", "p1"], "byte_start": [3, raw.index(b"B")],
                          "byte_end": [3 + len(b"A line."), len(raw) - 1], "text": ["A line.", "B line."]})
    assert byte_accounting_problems("s", raw, "utf-8", spans) == []


def test_byte_accounting_uses_the_source_encoding() -> None:
    raw = "Привет\n".encode("windows-1251")
    spans = pl.DataFrame({"id": ["p0"], "byte_start": [0], "byte_end": [6], "text": ["Привет"]})
    assert byte_accounting_problems("s", raw, "windows-1251", spans) == []
    assert byte_accounting_problems("s", raw, "utf-8", spans)


def test_missing_raw_file_is_a_problem() -> None:
    raw = dict(RAW)
    del raw["s2"]
    assert problems_of(good_tables(), raw)["byte_accounting"] == ["s2: raw file not found"]


def test_wrong_arrow_type_is_found() -> None:
    arrow = arrow_of(good_tables())
    arrow["documents"] = arrow["documents"].set_column(
        arrow["documents"].schema.get_field_index("position"), "position",
        arrow["documents"].column("position").cast("int64"))
    problems = cross_table_problems(good_tables(), CONFIG, [], schemas_of(arrow))
    assert problems["arrow_schema_matches"] == ["documents: documents.position: type int64 != int32"]



def test_locked_split_is_checked_except_reported_merge_moves() -> None:
    tables = good_tables()  # s1/0 train, s2/0 and s2/1 test
    lock = {"s1/0": "train", "s2/0": "test", "s2/1": "validation", "gone/0": "test"}
    problems = cross_table_problems(tables, CONFIG, [], schemas_of(arrow_of(tables)),
                                    split_lock=lock)
    # s2/1 left its locked split; gone/0 is no longer in the corpus (stale, not a problem).
    assert problems["locked_split_kept"] == [
        "s2/1: split 'test' but locked in 'validation' (not a reported merge move)"]
    assert all(found == [] for name, found in problems.items() if name != "locked_split_kept")
    merged = cross_table_problems(tables, CONFIG, [], schemas_of(arrow_of(tables)),
                                  split_lock=lock, merge_moved={"s2/1"})
    assert merged["locked_split_kept"] == []


def test_locked_split_check_is_skipped_without_a_lock() -> None:
    assert problems_of(good_tables())["locked_split_kept"] == []
    assert "locked_split_kept" in CROSS_CHECKS


def test_moved_locked_document_fails_the_gate(tmp_path: Path) -> None:
    tables = good_tables()
    arrow = arrow_of(tables)
    problems = cross_table_problems(tables, CONFIG, [], schemas_of(arrow),
                                    split_lock={"s1/0": "validation"})
    frames = {name: pandas_frame(arrow[name], name) for name in TABLE_NAMES}
    frames[CROSS_TABLE] = cross_table_frame(problems)
    assert failed(frames, tmp_path) == [(CROSS_TABLE, "expect_column_values_to_be_null", "locked_split_kept")]



# --- the GX suites --------------------------------------------------------------------------------------------------


def gx_frames(tables: Tables, raw: dict | None = None) -> dict:
    arrow = arrow_of(tables)
    frames = {name: pandas_frame(arrow[name], name) for name in TABLE_NAMES}
    frames[CROSS_TABLE] = cross_table_frame(problems_of(tables, raw))
    return frames


def test_every_suite_passes_on_good_tables_and_writes_data_docs(tmp_path: Path) -> None:
    results, failures = run_suites(gx_frames(good_tables()), CONFIG, tmp_path / "docs")
    assert [f.describe() for f in failures] == []
    assert set(results) == set(TABLE_NAMES) | {CROSS_TABLE}
    assert (tmp_path / "docs" / "index.html").is_file()
    assert list((tmp_path / "docs" / "validations").rglob("*.html"))
    # GX's batch fingerprint (a pickle of each frame) is switched off: skip_batch_fingerprints.
    markers = [run["meta"]["batch_markers"] for runs in results.values() for run in runs.values()]
    assert markers and all("ge_load_time" in m and "pandas_data_fingerprint" not in m for m in markers)


def test_suites_make_no_network_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list = []

    def refuse(self, address):  # noqa: ANN001
        attempts.append(address)
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    _, failures = run_suites(gx_frames(good_tables()), CONFIG, tmp_path / "docs")
    assert failures == [] and attempts == []


def test_duplicate_id_fails_documents_suite(tmp_path: Path) -> None:
    tables = good_tables()
    frames = gx_frames(replace(tables, documents=pl.concat([tables.documents, tables.documents.head(1)])))
    found = failed({"documents": frames["documents"]}, tmp_path)
    assert ("documents", "expect_column_values_to_be_unique", "doc_id") in found


def test_a_failed_batch_is_validated_again_to_name_its_offending_rows(tmp_path: Path) -> None:
    # Batches are checked with BASIC results; a failed one again with SUMMARY and the ids, under the same run id.
    tables = good_tables()
    frames = gx_frames(replace(tables, documents=pl.concat([tables.documents, tables.documents.head(1)])))
    duplicated = tables.documents["doc_id"][0]
    results, failures = run_suites({"documents": frames["documents"], "paragraphs": frames["paragraphs"]}, CONFIG,
                                   tmp_path / "docs")
    [failure] = [f for f in failures if f.expectation == "expect_column_values_to_be_unique"]
    assert failure.result["partial_unexpected_index_list"] == [{"doc_id": duplicated}] * 2
    assert f"offending: {{'doc_id': {duplicated!r}}}" in failure.describe()
    passed = results["paragraphs"]["all rows"]["results"]
    assert passed and all("partial_unexpected_index_list" not in r["result"] for r in passed)
    # One page per batch in Data Docs: the detailed run replaced the first one.
    pages = sorted(p.parent.parent.parent.name for p in (tmp_path / "docs" / "validations").rglob("*.html"))
    assert pages == ["documents", "paragraphs"]


def test_unknown_language_fails_documents_and_paragraphs_suites(tmp_path: Path) -> None:
    tables = good_tables()
    frames = gx_frames(replace(tables, documents=tables.documents.with_columns(language=pl.lit("xx")),
                               paragraphs=tables.paragraphs.with_columns(language=pl.lit("zz"))))
    found = failed({"documents": frames["documents"], "paragraphs": frames["paragraphs"]}, tmp_path)
    assert ("documents", "expect_column_values_to_be_in_set", "language") in found
    assert ("paragraphs", "expect_column_values_to_be_in_set", "language") in found


def test_unknown_reason_affiliation_level_and_split_fail(tmp_path: Path) -> None:
    tables = good_tables()
    frames = gx_frames(replace(
        tables,
        audit=tables.audit.with_columns(reason=pl.lit("because")),
        sources=tables.sources.with_columns(affiliation=pl.lit("friendly")),
        duplicates=tables.duplicates.with_columns(level=pl.lit("sentence")),
        documents=tables.documents.with_columns(split=pl.lit("dev")),
    ))
    found = failed({name: frames[name] for name in ("audit", "sources", "duplicates", "documents")}, tmp_path)
    for suite, column in (("audit", "reason"), ("sources", "affiliation"), ("duplicates", "level"),
                          ("documents", "split")):
        assert (suite, "expect_column_values_to_be_in_set", column) in found


def test_ranges_nulls_and_row_counts_fail(tmp_path: Path) -> None:
    tables = good_tables()
    paragraphs = tables.paragraphs.with_columns(language_score=pl.lit(1.5), byte_end=pl.col("byte_start"))
    documents = tables.documents.with_columns(text=pl.lit(None, pl.String))
    frames = gx_frames(replace(tables, paragraphs=paragraphs, documents=documents))
    config = validate_config({"row_counts": {"documents": {"max": 2}}}, ["en", "ru"])
    _, failures = run_suites({"paragraphs": frames["paragraphs"], "documents": frames["documents"],
                              TABLE_SIZES: table_sizes_frame(tables)}, config, tmp_path / "docs")
    found = {(f.suite, f.expectation, f.kwargs.get("column")) for f in failures}
    assert ("paragraphs", "expect_column_values_to_be_between", "language_score") in found
    assert ("paragraphs", "expect_column_pair_values_a_to_be_greater_than_b", None) in found
    assert ("documents", "expect_column_values_to_not_be_null", "text") in found
    assert (TABLE_SIZES, "expect_column_values_to_be_between", "documents") in found  # 3 documents, max 2


def test_cross_table_failures_are_reported_through_gx_with_offending_rows(tmp_path: Path) -> None:
    tables = good_tables()
    documents = tables.documents.with_columns(
        split=pl.when(pl.col("doc_id") == "s2/1").then(pl.lit("train")).otherwise("split"))
    gap = tables.audit.filter(pl.col("text") != "All news")
    frames = gx_frames(replace(tables, documents=documents, audit=gap))
    _, failures = run_suites({CROSS_TABLE: frames[CROSS_TABLE]}, CONFIG, tmp_path / "docs")
    by_column = {f.kwargs["column"]: f for f in failures}
    assert {"translation_group_in_one_split", "byte_accounting", "paragraph_split_matches_document"} <= set(by_column)
    assert "All news" in by_column["byte_accounting"].describe()
    assert "t1" in by_column["translation_group_in_one_split"].describe()


def test_missing_column_fails_the_column_list(tmp_path: Path) -> None:
    tables = good_tables()
    frame = pandas_frame(arrow_of(tables)["sources"], "sources").drop(columns=["notes"])
    assert ("sources", "expect_table_columns_to_match_ordered_list", None) in failed({"sources": frame}, tmp_path)


# --- end to end -----------------------------------------------------------------------------------------------------


def test_seeds_pass_the_gate_with_three_non_empty_splits(built_project: Path) -> None:
    import json

    from conftest import split_report_path

    report = json.loads(split_report_path(built_project).read_text())
    assert all(report["groups"][name] > 0 for name in ("train", "validation", "test")), report
    assert (built_project / "results/validation/passed").is_file()
    assert (built_project / "results/validation/data_docs/index.html").is_file()
    results = json.loads((built_project / "results/validation/results.json").read_text())
    assert results["success"] is True


@pytest.mark.parametrize("corruption", ["duplicate_id", "unknown_language", "two_splits"])
def test_corrupted_table_stops_the_pipeline_at_validate(built_project: Path, corruption: str, tmp_path: Path) -> None:
    """A copy of the built project (its results and Snakemake's records, so nothing else is due) with one final table
    corrupted: the gate fails the run and leaves the earlier dataset as it was."""
    from conftest import file_hashes, run_snakemake

    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    dataset = project / "results" / "dataset"
    before = file_hashes(dataset)
    assert before, "the built project has a packaged dataset"
    path = sorted((project / "results" / "tables").glob("telegram-*/00000/documents.parquet"))[0]
    documents = pl.read_parquet(path)
    if corruption == "duplicate_id":
        corrupted, expected = pl.concat([documents, documents.head(1)]), "expect_column_values_to_be_unique"
    elif corruption == "unknown_language":
        corrupted, expected = documents.with_columns(language=pl.lit("xx")), "expect_column_values_to_be_in_set"
    else:
        twin = documents.head(1).with_columns(
            split=pl.when(pl.col("split") == "test").then(pl.lit("train")).otherwise(pl.lit("test")))
        corrupted, expected = pl.concat([documents, twin]), "id_in_one_split"
    pq.write_table(to_arrow(corrupted, "documents").sort_by([("doc_id", "ascending")]), path)
    result = run_snakemake(project, "--forcerun", "validate")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "validate" in output and expected in output, output[-3000:]
    assert not (project / "results/validation/passed").exists()
    assert file_hashes(dataset) == before
    assert (project / "results/validation/failed/data_docs/index.html").is_file()


def test_batches_hold_fewer_rows_when_rows_are_long(tmp_path: Path) -> None:
    """Batches are cut by rows and by size (from the files' metadata): long documents get smaller batches."""
    from infospace.validate import Tables, batch_rows, validate_config

    short = pl.DataFrame({"doc_id": [f"s/{i}" for i in range(4000)], "text": ["x" * 20] * 4000})
    long = pl.DataFrame({"doc_id": [f"l/{i}" for i in range(4000)],  # distinct texts: no dictionary encoding
                         "text": [f"{i:05d}" + "y" * 2000 for i in range(4000)]})
    paths = {}
    for name, frame in (("short", short), ("long", long)):
        paths[name] = tmp_path / f"{name}.parquet"
        frame.write_parquet(paths[name])
    config = validate_config({"batch_rows": 1000, "batch_mb": 1}, ["ru", "en"])
    few = batch_rows(Tables.from_files({**{n: [paths["short"]] for n in ("sources", "audit", "duplicates",
                                                                          "message_gaps", "paragraphs")},
                                        "documents": [paths["long"]]}, []), "documents", config)
    many = batch_rows(Tables.from_files({n: [paths["short"]] for n in ("sources", "documents", "paragraphs", "audit",
                                                                       "duplicates", "message_gaps")}, []),
                      "documents", config)
    assert many == 1000  # the row cap
    assert 300 < few < 1000  # about 1 MB of 2 kB rows
    assert config.batch_mb == 1 and validate_config({}, ["ru"]).batch_mb == 64
