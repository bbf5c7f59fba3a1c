"""Per-shard signatures: all that the corpus-wide steps (dedup, translation, split) see of one shard's rows.

Documents: id, keep-rule columns (published, forwarded, n_chars), record_id (for the unique-id check), exact-key
hash and LSH band keys (infospace.dedup.signatures), and translation features (numbers, entity skeletons, glossary
terms). Paragraphs: id, document, the document's keep-rule columns, length, exact-key hash and band keys. Rows keep
the order of the parse-stage tables, so a row's position in the concatenation of all shards finds its text again.
"""

from __future__ import annotations

import polars as pl

from infospace.dedup import DedupConfig, signatures
from infospace.translation import TranslationConfig, translation_features


def document_signatures(documents: pl.DataFrame, dedup: DedupConfig, translation: TranslationConfig) -> pl.DataFrame:
    """Signatures of parse-stage documents."""
    keep = documents.select("doc_id", "source_id", "position", "record_id", "published",
                            pl.col("forwarded_from").is_not_null().alias("forwarded"), "n_chars")
    features = translation_features(documents, translation).drop("doc_id")
    return pl.concat([keep, signatures(documents["text"], dedup.documents), features], how="horizontal")


def paragraph_signatures(paragraphs: pl.DataFrame, documents: pl.DataFrame, dedup: DedupConfig) -> pl.DataFrame:
    """Signatures of parse-stage paragraphs (with their document's published and forwarded flag)."""
    parents = documents.select("doc_id", "published", pl.col("forwarded_from").is_not_null().alias("forwarded"))
    keep = paragraphs.select("para_id", "doc_id", pl.col("text").str.len_chars().cast(pl.Int64).alias("length")).join(
        parents, on="doc_id", how="left", maintain_order="left")
    return pl.concat([keep, signatures(paragraphs["text"], dedup.paragraphs)], how="horizontal")
