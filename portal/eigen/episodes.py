"""Episodes and the covered period of an own client file: the definitions CBS and Divosa use (issue 18, section 4).

Herinstroom. CBS counts a person who is back in the bijstand within thirty days after leaving neither as uitstroom nor as
instroom (CBS, "Personen met bijstand; (her)instroom en uitstroom", 82662NED; the same rule in the gemeente monitors
built on CBS data). Here `einde` is the last day with benefit, so "back within thirty days after leaving" is a next
begin at most 31 days after the previous einde (at most 30 days without benefit): HERINSTROOM_DAGEN = 31. `merge` joins
such spells of one client into one *episode*; every monitor on the page counts episodes. A next begin later than that
is a new instroom and, seen from the ending, a herinstroom (CBS reports "herinstromers binnen een jaar"; the
herinstroom monitor, portal.eigen.monitors.herinstroom, shows the share back within 6 and 12 months).

Why this guarantees persons per month: after merging, a client's next episode begins more than 31 days after the
previous one ended, so one client has at most one episode start and at most one episode end in a calendar month
(a month has at most 31 days) and episodes never overlap: a monthly count of episodes is a count of persons.

Covered period. A file holds the spells that ran in its period; of the years before it, only the spells still running
then are present, plus now and then an old ended spell (a correction, a wrong date). The earliest einde is therefore
not where the file starts. `covered` looks at the number of endings per calendar month from the earliest einde up to
the peildatum and takes the split into "before" and "from" that maximises the likelihood of two Poisson rates; the
split is the file's start only when the rate before it is at most a fifth of the rate from it (a few stray endings,
not a real history). Without such a split the file is complete from the month of its earliest einde.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl

from portal.eigen.maanden import _idx, _mi, _month

HERINSTROOM_DAGEN = 31  # a next begin at most this many days after the previous einde continues the episode
START_RATIO = 5  # covered(): the endings before the start are at most 1/START_RATIO of the rate from the start


def _continues(dagen: int) -> pl.Expr:
    """Row continues the previous row's episode: same client and begin at most `dagen` after the previous einde (a
    previous spell still running (einde null) would overlap: continued as well). Rows sorted by client, begin."""
    prev_end = pl.col("einde").shift(1)
    same = (pl.col("client") == pl.col("client").shift(1)).fill_null(False)
    return same & (prev_end.is_null() | ((pl.col("begin") - prev_end).dt.total_days() <= dagen))


def _sorted(spells: pl.DataFrame) -> bool:
    """Sorted by client, then begin (one vectorised pass; a sort of millions of string keys takes seconds)."""
    c, b = pl.col("client"), pl.col("begin")
    ok = (c > c.shift(1)) | ((c == c.shift(1)) & (b >= b.shift(1)))
    return bool(spells.select(ok.fill_null(True).all()).item())


def merge(spells: pl.DataFrame, dagen: int = HERINSTROOM_DAGEN) -> pl.DataFrame:
    """One row per episode (same columns and types as `spells`): spells of one client whose next begin is at most
    `dagen` days after the previous einde are joined; the episode keeps the begin of its first spell and everything
    else (einde, reden, leefvorm, geboortejaar, …) of its last. Sorted by client and begin."""
    if spells.height == 0:
        return spells
    s = spells if _sorted(spells) else spells.sort("client", "begin")  # stored uploads are sorted already
    cont = s.select(_continues(dagen)).to_series()
    if not cont.any():
        return s
    nxt = cont.shift(-1, fill_value=False)
    first_begin = pl.when(~cont).then(pl.col("begin")).forward_fill()
    return (s.with_columns(_cont=cont, _next=nxt).with_columns(begin=first_begin)
            .filter(~pl.col("_next")).drop("_cont", "_next").select(spells.columns))


def covered(spells: pl.DataFrame, peildatum: dt.date) -> tuple[dt.date, dt.date] | None:
    """(first day of the first, first day of the last) calendar month the file covers completely; the last is the
    peildatum's month. The first: see the module note (a change point in the monthly number of endings). A file without
    any ending shows only its peildatum month. None for a file without spells."""
    if spells.height == 0:
        return None
    last = _idx(peildatum)
    ends = (spells.lazy().filter(pl.col("einde").is_not_null() & (pl.col("einde") <= peildatum))
            .select(m=_mi("einde")).group_by("m").agg(n=pl.len()).collect())
    if ends.height == 0:
        return _month(last), _month(last)
    lo = int(ends["m"].min())
    counts = np.zeros(last - lo + 1)
    counts[(ends["m"].to_numpy() - lo)] = ends["n"].to_numpy()
    return _month(lo + start_index(counts)), _month(last)


def start_index(counts: np.ndarray) -> int:
    """Index of the first complete month in a series of monthly ending counts (module note); 0 without a clear start."""
    n = len(counts)
    if n < 2:
        return 0
    cum = np.concatenate([[0.0], np.cumsum(counts)])
    total = cum[-1]

    def ll(s: np.ndarray, k: np.ndarray) -> np.ndarray:  # Poisson log-likelihood at the MLE rate s/k, up to a constant
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(s > 0, s * np.log(s / k), 0.0)

    k = np.arange(1, n)  # split: months [0, k) before, [k, n) from
    before, after = cum[k], total - cum[k]
    gain = ll(before, k.astype(float)) + ll(after, (n - k).astype(float))
    ok = before / k * START_RATIO <= after / (n - k)
    if not ok.any():
        return 0
    gain = np.where(ok, gain, -math.inf)
    return int(k[int(np.argmax(gain))])
