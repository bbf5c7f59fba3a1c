"""Progress of long loops (records, paragraphs, batches): a tqdm bar on the terminal, nothing elsewhere.

The bar goes to stderr, and only when stderr is a terminal and the CI variable is unset, so CI logs, cluster job
logs and redirected output stay quiet. The bar is display only: it never changes what a step computes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def shown() -> bool:
    """Whether progress is drawn: stderr is a terminal, and neither CI nor INFOSPACE_PROGRESS=0 is set."""
    if os.environ.get("CI") or os.environ.get("INFOSPACE_PROGRESS") == "0":
        return False
    return sys.stderr.isatty()


def progress(items: Iterable[T], what: str, unit: str = "records", total: int | None = None) -> Iterator[T]:
    """`items`, drawing `what`: done, rate and ETA (when the total is known) while they are consumed."""
    if not shown():
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    yield from tqdm(items, desc=what, unit=f" {unit}", total=total, file=sys.stderr, mininterval=0.5,
                    dynamic_ncols=True, leave=False)
