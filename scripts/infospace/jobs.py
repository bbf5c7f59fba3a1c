"""What a job used, as the kernel counted it; every step's run script ends its log with this line (the benchmarks
read it: benchmarks/scale.py)."""

from __future__ import annotations

import resource


def resources_line() -> str:
    """'job resources: peak RSS <MB> MB, CPU <s> s' of this process (threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return f"job resources: peak RSS {usage.ru_maxrss / 1024:.0f} MB, CPU {usage.ru_utime + usage.ru_stime:.1f} s"


def append_resources(log_path: str) -> None:
    """Append `resources_line()` to a job's log."""
    with open(log_path, "a", encoding="utf-8") as handle:
        handle.write(resources_line() + "\n")
