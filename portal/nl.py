"""Dutch formats, one rule per kind: numbers (1.234,5), euros (€ 1,2 mln; € 1.234), dates (7 december 2026), date and
time (7 december 2026, 14:05) and months (december 2026). A missing number is "–".

Where a date echoes a value of a gemeente's own client file (Eigen bestand: a peildatum, a begin- or einddatum) it is
written as the file writes it, 31-10-2026 (`DATUM_KORT`); tables show months as 10-2026 (`MAAND_KORT`).

Standard library only and no other portal module: the ETL, the user database and every page use it."""

from __future__ import annotations

import re
from datetime import date, datetime

MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november",
           "december")
LEEG = "–"  # no value
DATUM_KORT = "%d-%m-%Y"  # strftime (also polars dt.strftime): a date of a client file, 31-10-2026
MAAND_KORT = "%m-%Y"  # a month in a table cell, 10-2026


def nl_number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (decimals=1); 1234567 -> '1.234.567'; None -> '–'."""
    if value is None:
        return LEEG
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def nl_euro(value: float | None) -> str:
    """Amounts as users read them: € 1,2 mln from a million up, else € 12.345; None -> '–'."""
    if value is None:
        return LEEG
    if abs(value) >= 1e6:
        return f"€ {nl_number(value / 1e6, 1)} mln"
    return f"€ {nl_number(value)}"


def nl_month(value: date) -> str:
    """A month (any day of it) -> 'december 2026'."""
    return f"{MAANDEN[value.month - 1]} {value.year}"


def nl_date(value: str | date | None) -> str:
    """A date, a datetime or an ISO text ('2026-12-07', '2026-12-07T14:05:00') -> '7 december 2026'. Nothing -> '';
    text that is not an ISO date comes back unchanged."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {nl_month(value)}"


def nl_datetime(value: str | date | None) -> str:
    """'2026-11-23T14:05:00' -> '23 november 2026, 14:05'; a date alone -> '23 november 2026'; nothing -> '–'.

    A time with a UTC offset (the data build's) is shown in the server's local time, like the times the portal stores
    itself. Text that is not an ISO date or time comes back unchanged."""
    if not value:
        return LEEG
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone()
        return f"{nl_date(value)}, {value:%H:%M}"
    return nl_date(value)


def nl_date_short(value: date) -> str:
    """A date of a client file as the file writes it: 31-10-2026."""
    return value.strftime(DATUM_KORT)


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def nl_dates_in(text: str | None) -> str | None:
    """Every ISO date inside a text written the Dutch way: '2014-12-31 (afgeleid)' -> '31 december 2014 (afgeleid)'.
    For texts from the data (a source's peildatum) that are shown on screen. Nothing stays nothing."""
    if not text:
        return text

    def dutch(m: re.Match) -> str:
        try:
            return nl_date(date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return m[0]

    return _ISO_DATE.sub(dutch, text)
