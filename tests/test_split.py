"""Split assignment: groups, stable hashing, the small-corpus rule, stability when the corpus grows, no leakage."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from infospace.schema import SPLITS, schema_for  # noqa: E402
from infospace.split import (  # noqa: E402
    SplitConfig,
    assign_group_splits,
    assign_splits,
    document_groups,
    hash_position,
    split_config,
    split_intervals,
)
from infospace.tables import to_arrow  # noqa: E402

CONFIG = split_config({"salt": "test-salt", "ratios": {"train": 0.8, "validation": 0.1, "test": 0.1}})


def make_documents(doc_ids: list[str], dup: dict[str, str] | None = None,
                   translation: dict[str, str] | None = None) -> pl.DataFrame:
    """Dedup-stage documents with placeholder values; only ids and links matter to the split."""
    dup, translation = dup or {}, translation or {}
    rows = []
    for doc_id in doc_ids:
        source_id, position = doc_id.rsplit("/", 1)
        rows.append({
            "doc_id": doc_id, "source_id": source_id, "position": int(position), "byte_start": 0, "byte_end": 1,
            "text": "x", "text_sha256": "0" * 64, "n_paragraphs": 1, "n_chars": 1, "title": None,
            "published": None, "published_precision": "unknown", "published_origin": "unknown", "author": None,
            "author_role": None, "views": None, "rubric": None, "photo_credit": None, "hashtags": [],
            "dateline": None, "forwarded_from": None, "encoding": "utf-8", "mojibake_repaired": False,
            "language": "en", "languages": ["en"], "is_mixed_language": False, "language_score": 0.9,
            "dup_cluster_id": dup.get(doc_id), "translation_group": translation.get(doc_id),
        })
    return pl.from_arrow(schema_for("documents", "dedup").empty_table()).vstack(
        pl.from_dicts(rows, schema=pl.from_arrow(schema_for("documents", "dedup").empty_table()).schema)
    )


def make_paragraphs(documents: pl.DataFrame, para_dup: dict[str, str] | None = None) -> pl.DataFrame:
    """Two paragraphs per document; `para_dup` maps a para_id to its paragraph duplicate cluster."""
    para_dup = para_dup or {}
    rows = []
    for doc_id, source_id in documents.select("doc_id", "source_id").iter_rows():
        for index in range(2):
            para_id = f"{doc_id}/{index}"
            rows.append({
                "para_id": para_id, "doc_id": doc_id, "source_id": source_id, "index": index,
                "byte_start": index * 10, "byte_end": index * 10 + 5, "text": "x", "language": "en",
                "language_score": 0.9, "script": "Latn", "is_duplicate": para_id in para_dup,
                "dup_cluster_id": para_dup.get(para_id), "translation_group": None,
            })
    schema = pl.from_arrow(schema_for("paragraphs", "dedup").empty_table()).schema
    return pl.from_dicts(rows, schema=schema)


def doc_split_map(documents: pl.DataFrame) -> dict[str, str]:
    return dict(documents.select("doc_id", "split").iter_rows())


# --- unit tests -----------------------------------------------------------------------------------------------------


def test_config_defaults_and_normalization() -> None:
    assert split_config(None).ratios == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert split_config({"ratios": {"train": 8, "validation": 1, "test": 1}}).ratios["train"] == pytest.approx(0.8)
    with pytest.raises(ValueError, match="unknown split"):
        split_config({"ratios": {"train": 0.5, "dev": 0.5}})


def test_intervals_cover_unit_interval_in_split_order() -> None:
    intervals = split_intervals(CONFIG.ratios)
    assert list(intervals) == list(SPLITS)
    assert intervals["train"][0] == 0.0 and intervals["test"][1] == 1.0
    assert intervals["train"][1] == intervals["validation"][0]


def test_hash_position_is_stable_and_salted() -> None:
    assert hash_position("s", "a/0") == hash_position("s", "a/0")
    assert hash_position("s", "a/0") != hash_position("t", "a/0")
    assert 0.0 <= hash_position("s", "a/0") < 1.0


def test_groups_union_duplicates_translations_and_paragraph_duplicates() -> None:
    documents = make_documents(
        ["a/0", "a/1", "b/0", "b/1", "c/0", "d/0"],
        dup={"a/1": "document/a/1", "b/0": "document/a/1"},
        translation={"b/0": "t1", "c/0": "t1"},
    )
    paragraphs = make_paragraphs(documents, para_dup={"b/1/0": "paragraph/b/1/0", "d/0/1": "paragraph/b/1/0"})
    groups = dict(document_groups(documents, paragraphs).iter_rows())
    assert groups["a/1"] == groups["b/0"] == groups["c/0"] == "a/1"  # chained dup + translation
    assert groups["b/1"] == groups["d/0"] == "b/1"  # via a duplicated paragraph
    assert groups["a/0"] == "a/0"
    assert dict(document_groups(documents).iter_rows())["d/0"] == "d/0"  # without paragraph links


def test_paragraphs_inherit_split_and_tables_still_match_the_schema() -> None:
    documents = make_documents([f"s/{i}" for i in range(6)])
    paragraphs = make_paragraphs(documents)
    docs_out, paras_out, report = assign_splits(documents, paragraphs, CONFIG)
    by_doc = doc_split_map(docs_out)
    assert all(by_doc[d] == s for d, s in paras_out.select("doc_id", "split").iter_rows())
    to_arrow(docs_out, "documents", "split")
    to_arrow(paras_out, "paragraphs", "split")
    assert sum(report["documents"].values()) == 6 and sum(report["paragraphs"].values()) == 12
    json.dumps(report)  # the report is plain JSON


def test_assignment_is_independent_of_row_order() -> None:
    documents = make_documents([f"s/{i}" for i in range(20)], translation={"s/3": "t", "s/17": "t"})
    paragraphs = make_paragraphs(documents)
    forward = doc_split_map(assign_splits(documents, paragraphs, CONFIG)[0])
    backward = doc_split_map(assign_splits(documents.reverse(), paragraphs.reverse(), CONFIG)[0])
    assert forward == backward


# --- the small-corpus rule ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_groups", [3, 4, 5, 7, 12, 30])
@pytest.mark.parametrize("salt", ["a", "b", "c", "infospace-split-v1"])
def test_small_corpus_rule_fills_every_split(n_groups: int, salt: str) -> None:
    config = SplitConfig(salt=salt, ratios=CONFIG.ratios)
    frame, moves = assign_group_splits([f"src/{i}" for i in range(n_groups)], config)
    counts = frame.group_by("split").len()
    assert set(counts["split"]) == set(SPLITS)
    assert len(moves) <= len(SPLITS) - 1
    assert all(move["from"] != move["to"] for move in moves)


def test_small_corpus_rule_exhaustively_for_three_to_eight_groups() -> None:
    # Many corpora of each size (different key sets) rather than a tuned example.
    for n_groups in range(3, 9):
        for variant in range(60):
            keys = [f"v{variant}/{i}" for i in range(n_groups)]
            frame, _ = assign_group_splits(keys, CONFIG)
            assert frame["split"].n_unique() == 3, (n_groups, variant)


def test_fewer_groups_than_splits_is_left_to_the_hash() -> None:
    frame, moves = assign_group_splits(["a/0", "b/0"], CONFIG)
    assert moves == [] and frame["split"].to_list() == frame["hash_split"].to_list()


def test_zero_ratio_split_is_never_filled() -> None:
    config = split_config({"salt": "z", "ratios": {"train": 0.9, "validation": 0.0, "test": 0.1}})
    frame, _ = assign_group_splits([f"k/{i}" for i in range(10)], config)
    assert "validation" not in set(frame["split"]) and set(frame["split"]) == {"train", "test"}


def test_only_hash_placed_groups_move_and_the_rule_is_inactive_on_large_corpora() -> None:
    frame, moves = assign_group_splits([f"k/{i}" for i in range(500)], CONFIG)
    assert moves == []
    assert frame["split"].to_list() == frame["hash_split"].to_list()


# --- stability and leakage ------------------------------------------------------------------------------------------


def test_adding_a_document_moves_no_existing_document() -> None:
    # A corpus large enough that every split is filled by the hash alone: the rule does not apply.
    ids = [f"src{i % 7}/{i}" for i in range(60)]
    translation = {ids[4]: "t1", ids[40]: "t1"}
    before_docs = make_documents(ids, translation=translation)
    before, _, report = assign_splits(before_docs, make_paragraphs(before_docs), CONFIG)
    assert not report["small_corpus_rule"]["applied"]
    for new_id in ["new/0", "zzz/0", "000/0", "src3/999"]:
        after_docs = make_documents(ids + [new_id], translation=translation)
        after, _, _ = assign_splits(after_docs, make_paragraphs(after_docs), CONFIG)
        after_map = doc_split_map(after)
        assert {d: after_map[d] for d in ids} == doc_split_map(before), new_id


def test_adding_documents_moves_only_groups_the_small_corpus_rule_moves() -> None:
    for variant in range(200):
        keys = [f"v{variant}/{i}" for i in range(4)]
        before, moves_before = assign_group_splits(keys, CONFIG)
        after, moves_after = assign_group_splits(keys + [f"v{variant}/new"], CONFIG)
        moved_keys = {move["group_key"] for move in moves_before + moves_after}
        changed = before.join(after, on="group_key", suffix="_after").filter(pl.col("split") != pl.col("split_after"))
        assert set(changed["group_key"]) <= moved_keys


def test_no_duplicate_or_translation_group_spans_two_splits() -> None:
    ids = [f"s{i % 5}/{i}" for i in range(40)]
    dup = {ids[1]: "document/x", ids[22]: "document/x", ids[30]: "document/y", ids[31]: "document/y"}
    translation = {ids[2]: "t1", ids[3]: "t1", ids[22]: "t2", ids[39]: "t2"}
    documents = make_documents(ids, dup=dup, translation=translation)
    paragraphs = make_paragraphs(documents, para_dup={f"{ids[5]}/0": "p/1", f"{ids[25]}/1": "p/1"})
    docs_out, paras_out, _ = assign_splits(documents, paragraphs, CONFIG)
    for column in ("dup_cluster_id", "translation_group"):
        spans = docs_out.drop_nulls(column).group_by(column).agg(pl.col("split").n_unique().alias("n"))
        assert spans["n"].max() == 1, column
    para_spans = paras_out.drop_nulls("dup_cluster_id").group_by("dup_cluster_id").agg(pl.col("split").n_unique())
    assert para_spans["split"].max() == 1
    # The chain ids[1] ~dup~ ids[22] ~translation~ ids[39] lands in one split.
    by_doc = doc_split_map(docs_out)
    assert by_doc[ids[1]] == by_doc[ids[22]] == by_doc[ids[39]]
