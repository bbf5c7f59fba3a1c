"""Dedup on the real seeds (langid-stage tables of a real workflow run), plus planted copies of real documents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from infospace.dedup import (JaccardCache, UnionFind, candidate_pairs, dedup_config, deduplicate, keep_order,
                             normalize_key, normalized_keys, shingle, verified_pairs)



def _concat(project: Path, pattern: str) -> pl.DataFrame:
    paths = sorted((project / "results").glob(pattern))
    assert len(paths) == 5, pattern  # one per seed source
    return pl.concat([pl.read_parquet(p) for p in paths], how="vertical_relaxed")


@pytest.fixture(scope="module")
def seeds(built_project: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The langid-stage documents and paragraphs and the parse-stage audit of a real workflow run on the seeds."""
    return (_concat(built_project, "langid/*/*/documents.parquet"), _concat(built_project, "langid/*/*/paragraphs.parquet"),
            _concat(built_project, "parsed/*/*/audit.parquet"))


def plant_copy(documents: pl.DataFrame, paragraphs: pl.DataFrame, doc_id: str, new_position: int,
               edit=lambda text: text, forwarded_from: str | None = "copycat") -> tuple[pl.DataFrame, pl.DataFrame]:
    """Add a copy of `doc_id` (paragraph texts passed through `edit`) as a new document of the same source."""
    doc = documents.filter(pl.col("doc_id") == doc_id)
    source = doc["source_id"][0]
    new_id = f"{source}/{new_position}"
    paras = (paragraphs.filter(pl.col("doc_id") == doc_id)
             .with_columns(pl.col("text").map_elements(edit, return_dtype=pl.String),
                           pl.lit(new_id).alias("doc_id"),
                           (pl.lit(new_id + "/") + pl.col("index").cast(pl.String)).alias("para_id"),
                           pl.col("byte_start") + 10_000_000, pl.col("byte_end") + 10_000_000))
    text = "\n".join(paras.sort("index")["text"].to_list())
    doc = doc.with_columns(pl.lit(new_id).alias("doc_id"), pl.lit(new_position, dtype=pl.Int32).alias("position"),
                           pl.lit(text).alias("text"), pl.lit(len(text), dtype=pl.Int64).alias("n_chars"),
                           pl.lit(forwarded_from, dtype=pl.String).alias("forwarded_from"))
    return pl.concat([documents, doc], how="vertical_relaxed"), pl.concat([paragraphs, paras], how="vertical_relaxed")


def drop_word(text: str) -> str:
    words = text.split(" ")
    return " ".join(words[:3] + words[4:]) if len(words) > 10 else text


# --- normalized key ---------------------------------------------------------------------------------------------

def test_key_keeps_yo_and_short_i_distinct() -> None:
    assert normalize_key("Ёлка") != normalize_key("Елка")
    assert normalize_key("йод") != normalize_key("иод")
    assert normalize_key("ЙОД") == "йод"  # NFKC keeps й composed; casefold keeps it a letter


def test_key_ignores_punctuation_emoji_case_and_spaces() -> None:
    assert normalize_key("❗️ Россия  всегда держит слово!!!") == normalize_key("россия всегда, держит слово")
    assert normalize_key("🇷🇺🇧🇾 9-10 июня") == "9 10 июня"


def test_key_of_symbol_only_texts_stays_distinct() -> None:
    keys = normalized_keys(pl.Series(["👍", "🔥", "👍"]))
    assert keys[0] != keys[1] and keys[0] == keys[2]


# --- near duplicates --------------------------------------------------------------------------------------------

def test_near_duplicate_found_and_lsh_false_positive_rejected(seeds) -> None:
    documents, _, _ = seeds
    text = documents.sort("n_chars", descending=True)["text"][0]
    words = text.split()
    half = " ".join(words[: len(words) // 2] + ["другой"] * (len(words) - len(words) // 2))
    keys = normalized_keys(pl.Series([text, drop_word(text), half]))
    # One row per band: nearly any shared shingle makes a candidate, so the half-copy is an LSH candidate.
    loose = dedup_config({"documents": {"num_perm": 64, "num_bands": 64, "threshold": 0.8}}).documents
    sets = shingle(keys, loose)
    pairs = candidate_pairs(sets, loose)
    assert {(0, 1), (0, 2)} <= set(map(tuple, pairs.tolist()))
    verified = verified_pairs(pairs, JaccardCache(sets), loose.threshold)
    assert [(a, b) for a, b, _ in verified] == [(0, 1)]


def test_union_find_is_transitive() -> None:
    forest = UnionFind()
    forest.union("c", "b")
    forest.union("b", "a")
    forest.union("x", "y")
    assert forest.find("c") == forest.find("a") == "a"
    assert forest.groups() == [["a", "b", "c"], ["x", "y"]]


# --- whole step on the seeds ------------------------------------------------------------------------------------

def planted(seeds):
    documents, paragraphs, audit = seeds
    telegram = documents.filter(pl.col("n_paragraphs") > 5).sort("doc_id")
    exact_of, near_of = telegram["doc_id"][0], telegram["doc_id"][1]
    documents, paragraphs = plant_copy(documents, paragraphs, exact_of, 900, edit=lambda t: t.upper() + " 🔥")
    documents, paragraphs = plant_copy(documents, paragraphs, near_of, 901, edit=drop_word)
    return documents, paragraphs, audit, exact_of, near_of


def test_planted_copies_removed_and_audited(seeds) -> None:
    documents, paragraphs, audit, exact_of, near_of = planted(seeds)
    result = deduplicate(documents, paragraphs, audit, {})
    doc_rows = result.duplicates.filter(pl.col("level") == "document")
    removed = doc_rows.filter(pl.col("member_id") != pl.col("kept_id"))
    assert dict(zip(removed["kept_id"], removed["method"], strict=True)) == {exact_of: "exact", near_of: "near"}
    assert result.documents.height == documents.height - 2
    audited = result.audit.filter(pl.col("reason") == "duplicate")
    removed_paragraphs = paragraphs.join(removed.select(pl.col("member_id").alias("doc_id")), on="doc_id")
    assert audited.height == removed_paragraphs.height
    assert set(audited["duplicate_of"]) == {exact_of, near_of}
    assert audited["audit_id"].n_unique() == audited.height
    assert result.audit["audit_id"].n_unique() == result.audit.height


def test_no_two_kept_documents_share_a_normalized_text(seeds) -> None:
    documents, paragraphs, audit, _, _ = planted(seeds)
    kept = deduplicate(documents, paragraphs, audit, {}).documents
    assert normalized_keys(kept["text"]).n_unique() == kept.height


def test_duplicates_table_joins_back(seeds) -> None:
    documents, paragraphs, audit, _, _ = planted(seeds)
    result = deduplicate(documents, paragraphs, audit, {})
    docs = result.duplicates.filter(pl.col("level") == "document")
    paras = result.duplicates.filter(pl.col("level") == "paragraph")
    kept_docs = set(result.documents["doc_id"])
    assert set(docs["kept_id"]) <= kept_docs
    removed = set(docs.filter(pl.col("member_id") != pl.col("kept_id"))["member_id"])
    assert removed == set(result.audit.filter(pl.col("reason") == "duplicate")["doc_id"])
    assert not removed & kept_docs
    assert set(paras["member_id"]) | set(paras["kept_id"]) <= set(result.paragraphs["para_id"])
    flagged = result.paragraphs.filter(pl.col("dup_cluster_id").is_not_null())
    assert set(flagged["para_id"]) == set(paras["member_id"])
    assert set(flagged.filter(pl.col("is_duplicate"))["para_id"]) == set(
        paras.filter(pl.col("member_id") != pl.col("kept_id"))["member_id"])
    clustered = result.documents.filter(pl.col("dup_cluster_id").is_not_null())
    assert set(clustered["dup_cluster_id"]) == set(docs["cluster_id"])


def test_keep_rule_does_not_depend_on_input_order(seeds) -> None:
    documents, paragraphs, audit, _, _ = planted(seeds)
    first = deduplicate(documents, paragraphs, audit, {})
    rng = np.random.default_rng(7)
    shuffled = deduplicate(documents[rng.permutation(documents.height)], paragraphs[rng.permutation(paragraphs.height)],
                           audit, {})
    assert first.duplicates.equals(shuffled.duplicates)
    assert first.documents.sort("doc_id").equals(shuffled.documents.sort("doc_id"))
    assert first.paragraphs.sort("para_id").equals(shuffled.paragraphs.sort("para_id"))


def test_keep_rule_prefers_original_over_forward(seeds) -> None:
    documents, paragraphs, audit = seeds
    doc_id = documents.filter(pl.col("forwarded_from").is_not_null()).sort("doc_id")["doc_id"][0]
    documents, paragraphs = plant_copy(documents, paragraphs, doc_id, 902, forwarded_from=None)
    result = deduplicate(documents, paragraphs, audit, {})
    row = result.duplicates.filter((pl.col("level") == "document") & (pl.col("member_id") == doc_id))
    assert row["kept_id"][0].endswith("/902")  # same published day and text: the original wins


def test_fast_jaccard_and_bucket_pairs_match_the_plain_definitions() -> None:
    from itertools import combinations

    from infospace.dedup import ShingleSets, _bucket_pairs, jaccard
    rng = np.random.default_rng(3)
    lengths = rng.integers(0, 30, 40)
    sets = ShingleSets(rng.integers(0, 50, lengths.sum()).astype(np.uint64), np.concatenate([[0], np.cumsum(lengths)]))
    cache = JaccardCache(sets)
    for a, b in combinations(range(40), 2):
        assert cache(a, b) == jaccard(np.unique(sets.row(a)), np.unique(sets.row(b)))
    rows = np.sort(rng.choice(1000, 300, replace=False))
    band_keys = [rng.integers(0, k, 300).astype(np.uint64) for k in (2, 40, 150, 400)]
    expected = set()
    for keys in band_keys:
        for key in np.unique(keys):
            members = sorted(rows[keys == key].tolist())
            if len(members) > 64:
                expected.update((members[0], m) for m in members[1:])
            else:
                expected.update(combinations(members, 2))
    assert _bucket_pairs(band_keys, rows, 64).tolist() == [list(p) for p in sorted(expected)]


def test_keep_rule_comes_from_config() -> None:
    frame = pl.DataFrame({"doc_id": ["s/1", "s/2"], "n_chars": [10, 50], "forwarded": [True, False],
                          "published": [None, None]}, schema_overrides={"published": pl.Datetime("ms")})
    assert keep_order(frame, "doc_id", "n_chars")["doc_id"].to_list() == ["s/2", "s/1"]  # original over forward
    by_id = dedup_config({"keep_rule": ["smallest_id"]}).documents.keep_rule
    assert keep_order(frame, "doc_id", "n_chars", by_id)["doc_id"].to_list() == ["s/1", "s/2"]
    with pytest.raises(ValueError, match="must end with smallest_id"):
        dedup_config({"keep_rule": ["smallest_id", "longer_text"]})
