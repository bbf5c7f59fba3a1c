"""The message-id gap report of Telegram exports: which ids between a channel's first and last exported message
are missing (deleted, or left out of the export). Every exported message counts, documents and audited ones alike
(service messages, media-only posts, bad records with a known id)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from infospace.schema import schema_for


def message_gaps(messages: pl.DataFrame, facts: Mapping[str, Mapping[str, Any]]) -> pl.DataFrame:
    """One row per run of missing ids of each source: source_id, channel, channel_id, first_missing, last_missing,
    n_missing. `messages` has source_id and record_id (the message ids, as strings) of every exported message;
    `facts` maps each source_id to its export's facts (name, id)."""
    ids = (messages.drop_nulls("record_id").filter(pl.col("record_id").str.contains(r"^\d+$"))
           .select("source_id", pl.col("record_id").cast(pl.Int64).alias("id")).unique().sort("source_id", "id"))
    gaps = (ids.with_columns(pl.col("id").shift(-1).over("source_id").alias("next"))
            .filter(pl.col("next") - pl.col("id") > 1)
            .select("source_id", (pl.col("id") + 1).alias("first_missing"), (pl.col("next") - 1).alias("last_missing"),
                    (pl.col("next") - pl.col("id") - 1).alias("n_missing")))
    channels = pl.DataFrame(
        {"source_id": list(facts), "channel": [f.get("name") for f in facts.values()],
         "channel_id": [None if f.get("id") is None else str(f["id"]) for f in facts.values()]},
        schema={"source_id": pl.String, "channel": pl.String, "channel_id": pl.String})
    return gaps.join(channels, on="source_id", how="left").select(schema_for("message_gaps").names)


def channel_summary(messages: pl.DataFrame, gaps: pl.DataFrame) -> pl.DataFrame:
    """Per source: first and last exported id, messages exported, ids missing, gaps."""
    ids = messages.drop_nulls("record_id").filter(pl.col("record_id").str.contains(r"^\d+$")).select(
        "source_id", pl.col("record_id").cast(pl.Int64).alias("id")).unique()
    exported = ids.group_by("source_id").agg(pl.col("id").min().alias("first_id"), pl.col("id").max().alias("last_id"),
                                             pl.len().alias("exported"))
    missing = gaps.group_by("source_id").agg(pl.col("n_missing").sum().alias("missing"), pl.len().alias("gaps"))
    return (exported.join(missing, on="source_id", how="left")
            .with_columns(pl.col("missing").fill_null(0), pl.col("gaps").fill_null(0)).sort("source_id"))
