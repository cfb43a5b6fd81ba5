"""Months as integers (year * 12 + month − 1) and month ends: the calendar arithmetic every own-file module shares.
No imports from the rest of the portal, so episodes, monitors and survival can all use it."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import polars as pl

_LUT_FROM = dt.date(1900, 1, 1)
_LUT_DAYS = np.arange((_LUT_FROM - dt.date(1970, 1, 1)).days, (dt.date(2101, 1, 1) - dt.date(1970, 1, 1)).days).astype("datetime64[D]")
# Month index of every day 1900–2100: a gather is three times faster than year() and month() on millions of dates.
_MONTH_LUT = pl.Series("mi", (_LUT_DAYS.astype("datetime64[M]").astype(np.int64) + 1970 * 12).astype(np.int32))
_LUT_OFFSET = (_LUT_FROM - dt.date(1970, 1, 1)).days


def _mi(col: str) -> pl.Expr:
    """Month index (year * 12 + month - 1) of a date column (dates 1900–2100; null stays null)."""
    return pl.lit(_MONTH_LUT).gather(pl.col(col).cast(pl.Int32) - _LUT_OFFSET).cast(pl.Int32)


def _idx(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def _month(i: int) -> dt.date:
    return dt.date(i // 12, i % 12 + 1, 1)


def month_end(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
