"""Numbers from untrusted input, kept within what every later stage can store.

A hostile or broken dump can hold ``1e300``, ``NaN`` or a thirty-digit id, which would fail far from
their cause (a typed array, a manifest, a Parquet column); these helpers answer None (or "") instead.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# seconds since the epoch of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z
EARLIEST_TIMESTAMP, LATEST_TIMESTAMP = -62135596800, 253402300799


def int64_or_none(value: Any) -> "int | None":
    """``int(value)`` when that is a whole number within 64 bits, else None.

    Accepts what ``int()`` accepts (an int, a finite float, which is truncated, or a
    string of digits); a bool, None, NaN, an infinity or anything out of range gives None.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if INT64_MIN <= number <= INT64_MAX else None


def utc_iso(seconds_since_epoch: Any) -> str:
    """Seconds since the epoch (int, float or string) as ``YYYY-MM-DDTHH:MM:SSZ``; "" when
    it is no finite number of seconds between the years 1 and 9999."""
    try:
        seconds = float(seconds_since_epoch)
    except (TypeError, ValueError, OverflowError):
        return ""
    if not math.isfinite(seconds) or not EARLIEST_TIMESTAMP <= seconds <= LATEST_TIMESTAMP:
        return ""
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
