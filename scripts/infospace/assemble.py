"""Assemble one shard's final rows: the corpus-wide mappings (duplicates, translation groups, splits) applied to it.

The mappings are small tables keyed by id; joining them to one shard's langid-stage rows gives exactly the rows
that shard contributes to the final tables, whatever the other shards hold.
"""

from __future__ import annotations

import polars as pl

from infospace.dedup import apply_duplicates
from infospace.translation import with_translation_groups


def assemble_shard(documents: pl.DataFrame, paragraphs: pl.DataFrame, audit: pl.DataFrame,
                   duplicates: pl.DataFrame, translation_groups: pl.DataFrame,
                   splits: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Final (split-stage) documents and paragraphs, and the audit, of one shard.

    `documents`/`paragraphs` are the shard's langid-stage tables, `audit` its parse-stage audit; `splits` maps every
    kept doc_id of the corpus to its split.
    """
    ids = pl.concat([documents["doc_id"], paragraphs["para_id"]])
    mine = duplicates.filter(pl.col("member_id").is_in(ids.implode()))
    documents, paragraphs, audit = apply_duplicates(documents, paragraphs, audit, mine)
    documents = with_translation_groups(documents, translation_groups).join(splits, on="doc_id", how="left")
    paragraphs = with_translation_groups(paragraphs, translation_groups).join(splits, on="doc_id", how="left")
    missing = documents.filter(pl.col("split").is_null())["doc_id"].to_list()
    if missing:
        raise ValueError(f"{len(missing)} kept document(s) have no split, e.g. {missing[:5]}")
    return documents, paragraphs, audit
