"""The handling-time histogram kept on each rollup row, and the median read from it.

A median cannot be summed, so each row keeps how many cases fell into each of ten fixed
buckets of handling time; the buckets of any set of rows add up, and the median of the set
is interpolated linearly inside the bucket that holds the middle case. The estimate is
exact to within that bucket's width (e.g. within 1 h for cases handled in 2 to 4 h); the
edges follow the time limits seen in city rules (30 min … 30 days).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

# Upper edges of the buckets, in minutes; the last bucket is open-ended.
EDGES_MINUTES: tuple[int, ...] = (30, 60, 120, 240, 480, 1440, 2880, 10080, 43200)
BUCKETS = len(EDGES_MINUTES) + 1
BUCKET_FIELDS: tuple[str, ...] = tuple(f"handling_b{index}" for index in range(BUCKETS))


def bucket_bounds(index: int) -> tuple[int, int | None]:
    """The [lower, upper) minutes of bucket ``index``; upper None for the open last one."""
    lower = EDGES_MINUTES[index - 1] if index else 0
    upper = EDGES_MINUTES[index] if index < len(EDGES_MINUTES) else None
    return lower, upper


def median_minutes(counts: Sequence[int]) -> Decimal | None:
    """The median handling time, in minutes with one decimal, estimated from bucket counts.

    With n cases, the median is the (n / 2)-th: find the bucket where the running count
    reaches n / 2 and interpolate, median = lower + (n / 2 − before) / in_bucket × width.
    In the open last bucket the estimate is its lower edge (a floor, not a guess).
    None when there are no cases.
    """
    total = sum(counts)
    if not total:
        return None
    half = Decimal(total) / 2
    before = 0
    for index, count in enumerate(counts):
        if count and before + count >= half:
            lower, upper = bucket_bounds(index)
            if upper is None:
                return Decimal(lower).quantize(Decimal("0.1"))
            value = lower + (half - before) / count * (upper - lower)
            return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        before += count
    raise ValueError("bucket counts must not be negative")
