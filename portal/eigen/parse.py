"""Vectorised parsing of the strings in an uploaded file: dates, months, amounts and birth years, as Dutch exports
write them. Each function returns a polars expression that is null where the text cannot be read (the caller turns a
non-empty text with a null result into a problem for the user)."""

from __future__ import annotations

from datetime import date

import polars as pl

EARLIEST = date(1965, 1, 1)  # the Algemene Bijstandswet: no spell begins earlier; earlier dates are misread
DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
EXCEL_EPOCH = date(1899, 12, 30)  # serial day 0 in Excel's 1900 system (after its 1900 leap-year bug)


def _tries(s: pl.Expr, excel: bool) -> dict[str, pl.Expr]:
    tries = {f: s.str.to_date(f, strict=False) for f in DATE_FORMATS}
    tries["jjjjmmdd"] = pl.when(s.str.contains(r"^\d{8}$")).then(s.str.to_date("%Y%m%d", strict=False))
    tries["iso met tijd"] = pl.when(s.str.contains(r"^\d{4}-\d{2}-\d{2}[ T]")).then(
        s.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
    if excel:
        serial = s.str.extract(r"^(\d{4,5})(?:\.0+)?$", 1).cast(pl.Int64)
        tries["excel"] = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    return tries


def to_date(s: pl.Expr, excel: bool = False, earliest: date = EARLIEST, only: list[str] | None = None) -> pl.Expr:
    """dd-mm-jjjj, jjjj-mm-dd, dd/mm/jjjj, dd.mm.jjjj, jjjjmmdd, an ISO date with a time, and (excel=True) an Excel serial
    day number (`only`: just these of them). Dates before `earliest` (for spells 1965) count as unreadable (a two-digit
    year read as year 24, a wrong column)."""
    s = s.str.strip_chars()
    tries = _tries(s, excel)
    d = pl.coalesce([t for name, t in tries.items() if only is None or name in only] or [pl.lit(None, pl.Date)])
    return pl.when(d >= earliest).then(d)


def dates(s: pl.Series, excel: bool = False, earliest: date = EARLIEST) -> pl.Series:
    """to_date on a whole column, faster: first with only the formats its first thousand values use, then with all
    formats on the (usually no) rows that missed."""
    sample = pl.DataFrame({"s": s.drop_nulls().head(1000).str.strip_chars()})
    found = sample.select(**{k: t.is_not_null().any() for k, t in _tries(pl.col("s"), excel).items()}).row(0, named=True)
    used = [k for k, hit in found.items() if hit]
    frame = pl.DataFrame({"s": s})
    out = frame.with_columns(d=to_date(pl.col("s"), excel, earliest, only=used))["d"].alias(s.name)
    missed = (s.is_not_null() & out.is_null()).arg_true()
    if len(missed) and len(used) < len(found):
        rest = frame[missed].with_columns(d=to_date(pl.col("s"), excel, earliest))["d"]
        out = out.scatter(missed, rest)
    return out


def month_index(s: pl.Expr, excel: bool = False) -> pl.Expr:
    """The month as year * 12 + month - 1, from jjjj-mm, jjjjmm, mm-jjjj, jjjj/mm, mm/jjjj or any date to_date reads."""
    s = s.str.strip_chars()
    ym = s.str.extract_groups(r"^(?<y>\d{4})[-/]?(?<m>\d{1,2})$")
    my = s.str.extract_groups(r"^(?<m>\d{1,2})[-/](?<y>\d{4})$")
    y = pl.coalesce(ym.struct["y"], my.struct["y"]).cast(pl.Int64)
    m = pl.coalesce(ym.struct["m"], my.struct["m"]).cast(pl.Int64)
    direct = pl.when(m.is_between(1, 12) & (y >= EARLIEST.year)).then(y * 12 + m - 1)
    d = to_date(s, excel)
    return pl.coalesce(direct, d.dt.year().cast(pl.Int64) * 12 + d.dt.month().cast(pl.Int64) - 1)


def month_start(idx: pl.Expr) -> pl.Expr:
    return pl.date(idx // 12, idx % 12 + 1, 1)


def month_end(idx: pl.Expr) -> pl.Expr:
    return month_start(idx).dt.month_end()


def amount(s: pl.Expr) -> pl.Expr:
    """Euro amounts: 1.234,56 and 1234,56 (Dutch), 1234.56, with or without € or EUR and spaces; 1.234 is a thousand."""
    s = s.str.strip_chars(" €EUR\u00a0").str.replace_all(" ", "", literal=True)
    dutch = s.str.contains(",", literal=True) | s.str.contains(r"^-?\d{1,3}(\.\d{3})+$")
    s = pl.when(dutch).then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)).otherwise(s)
    return pl.when(s.str.contains(r"^-?\d+(\.\d+)?$")).then(s.cast(pl.Float64, strict=False))


BIRTH_EARLIEST = date(1800, 1, 1)


def birth_year(s: pl.Expr, peiljaar: int, as_date: pl.Expr | None = None, excel: bool = False) -> pl.Expr:
    """A birth year from a birth date, a year (>= 1000) or an age in years (< 200; taken at the peildatum). `as_date`:
    the column already read with dates(..., earliest=BIRTH_EARLIEST)."""
    s = s.str.strip_chars()
    n = s.str.extract(r"^(\d{1,4})(?:[.,]0+)?$", 1).cast(pl.Int64)
    if as_date is None:
        as_date = to_date(s, excel, earliest=BIRTH_EARLIEST)
    d = pl.when(n.is_null()).then(as_date.dt.year().cast(pl.Int64))
    return pl.coalesce(d, pl.when(n >= 1000).then(n), pl.when(n < 200).then(peiljaar - n))
