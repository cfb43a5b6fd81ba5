"""Benchmark among participating gemeenten (as the Divosa Benchmark): the monthly totals of the other participants next
to a gemeente's own figures, without revealing any other gemeente or any small count.

Disclosure control (issue 18). A gemeente user can look again after every upload, choose other groups, other months and
other peildata, and combine whatever the page shows. So:

1. Fixed groups only: "alle andere deelnemers" and "andere deelnemers in dezelfde grootteklasse" (the size class of the
   newest gemeente-indeling). No total over a group the user composes (a referentiegroep): two such groups that differ in
   one gemeente would give that gemeente's figures by subtraction, whatever the threshold.
2. Contributors fixed per release. A release is one table of months (the window of the viewer's own monitor) over one
   fixed set of contributors: the other participants whose current upload covers every month of the window completely
   (its first and last fully covered month, stored with the upload). A file that starts or ends inside the window does
   not count at all, so no month holds a frozen stock or only the survivors of a later start, and the stock identity
   holds within a release.
3. Releases are frozen and stored (table `releases`, per viewing gemeente). A new release for a group is made only when
   its contributors differ from those of EVERY earlier release the viewer could see (any group) in either no gemeente or
   in at least MIN_PARTICIPANTS gemeenten; a contributor "differs" when it is in one set and not the other, or in both
   with another upload. A gemeente's figures for a month depend only on its upload, so two releases differ in a
   combination of at least MIN_PARTICIPANTS gemeenten' figures, never in one. Until enough gemeenten have changed, the
   page keeps showing the last release (and says from when it is). The viewer's own uploads never count in its releases.
4. Each release has at least MIN_PARTICIPANTS contributors; its cells are suppressed as the gemeente's own table is
   (portal.eigen.suppress.monthly: fewer than MIN_CELL persons, and cells that would reveal those through the stock
   identity), and every count shown is rounded to tens as CBS rounds its own tables; the rates are computed from those
   rounded counts, so they add no precision.
5. Counts are persons: the monitors run on episodes (portal.eigen.episodes.merge), in which one person has at most one
   start and one end per month.
Synthetic and real files are never mixed (only real uploads are participants). Individual figures of other gemeenten
only through `beheer_overzicht` (beheer role only).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from portal.charts import nl_number
from portal.eigen import suppress
from portal.eigen.schema import MIN_PARTICIPANTS

COUNTS = ("bestand", "instroom", "uitstroom", "uitstroom_werk")
AFRONDING = 10  # shown counts are rounded to tens, as CBS does
ALLE = "alle andere deelnemers"
KLASSE = "andere deelnemers in dezelfde grootteklasse"

Bijdragers = frozenset[tuple[str, int]]  # (gemeente, upload id)


@dataclass(frozen=True)
class Release:
    groep: str
    versie: int
    tijd: str  # ISO time of publication
    van: dt.date  # first and last month (first day) of the window
    tot: dt.date
    bijdragers: Bijdragers
    cijfers: pl.DataFrame | None  # maand, bestand, instroom, uitstroom, uitstroom_werk: exact sums (never shown unrounded);
    # None once an upload it rests on was deleted (withdrawn: its contributors still count for the differencing check)


def verschil(a: Bijdragers, b: Bijdragers) -> int:
    """How many gemeenten contribute differently to two releases: in one and not the other, or with another upload."""
    da, db = dict(a), dict(b)
    return sum(1 for g in da.keys() | db.keys() if da.get(g) != db.get(g))


def covers(upload: dict, van: dt.date, tot: dt.date) -> bool:
    """Whether an upload covers every month from van to tot completely (maand_van / maand_tot as jjjj-mm)."""
    first, last = upload.get("maand_van"), upload.get("maand_tot")
    return bool(first and last) and first <= f"{van:%Y-%m}" and last >= f"{tot:%Y-%m}"


def candidates(uploads: dict[str, dict], eigen: str, codes: Iterable[str] | None, van: dt.date, tot: dt.date
               ) -> tuple[Bijdragers, int]:
    """(contributors, how many other participants of the group were left out because their file does not cover the
    window). uploads: gemeente -> its current real upload."""
    group = [g for g in uploads if g != eigen and (codes is None or g in set(codes))]
    ok = frozenset((g, int(uploads[g]["id"])) for g in group if covers(uploads[g], van, tot))
    return ok, len(group) - len(ok)


def _sums(bijdragers: Bijdragers, monthly_of: Callable[[str, int], pl.DataFrame]) -> pl.DataFrame:
    parts = [monthly_of(g, u).select("maand", *COUNTS) for g, u in sorted(bijdragers)]
    return pl.concat(parts).group_by("maand").agg(pl.col(c).sum().cast(pl.Int64) for c in COUNTS).sort("maand")


def publish(groepen: dict[str, Iterable[str] | None], uploads: dict[str, dict], eigen: str, van: dt.date, tot: dt.date,
            earlier: list[Release], monthly_of: Callable[[str, int], pl.DataFrame], tijd: str
            ) -> tuple[dict[str, tuple[Release | None, str | None]], list[Release]]:
    """The release to show per group (in the order given) and the new releases to store (module note, rules 2–3).

    earlier: every stored release of this viewing gemeente, oldest first. monthly_of(gemeente, upload id): that upload's
    monitors.monthly over the window, on episodes; tijd: now (ISO), the time of a new release. Returns ({group: (release or None, Dutch note or None)}, new)."""
    seen = list(earlier)
    new: list[Release] = []
    out: dict[str, tuple[Release | None, str | None]] = {}
    for groep, codes in groepen.items():
        mine = [r for r in seen if r.groep == groep]
        latest = mine[-1] if mine else None
        cand, left_out = candidates(uploads, eigen, codes, van, tot)
        notes = []
        if left_out:
            notes.append(f"{nl_number(left_out)} {'deelnemer telt' if left_out == 1 else 'deelnemers tellen'} niet mee: het "
                         f"bestand beslaat niet alle maanden van {van:%m-%Y} t/m {tot:%m-%Y} volledig.")
        if latest is not None and latest.cijfers is not None and latest.bijdragers == cand and (latest.van, latest.tot) == (van, tot):
            out[groep] = (latest, " ".join(notes) or None)
            continue
        if len(cand) < MIN_PARTICIPANTS:
            reason = _too_few(len(cand))
        else:
            clash = [r for r in seen if 0 < verschil(cand, r.bijdragers) < MIN_PARTICIPANTS]
            if not clash:
                rel = Release(groep, (latest.versie + 1) if latest else 1, tijd, van, tot, cand, _sums(cand, monthly_of))
                new.append(rel)
                seen.append(rel)
                out[groep] = (rel, " ".join(notes) or None)
                continue
            reason = (f"Nieuwe of vervangen uploads van minder dan {MIN_PARTICIPANTS} andere gemeenten sinds een eerder getoonde "
                      f"stand: een nieuwe stand zou met die eerdere de cijfers van die gemeenten prijsgeven. Hij komt er zodra "
                      f"minstens {MIN_PARTICIPANTS} gemeenten nieuwe gegevens hebben geleverd.")
        if latest is not None and latest.cijfers is None:
            out[groep] = (None, " ".join([reason, "De laatst getoonde stand is ingetrokken: een upload waarop hij rustte is "
                                                  "verwijderd.", *notes]))
        elif latest is not None:
            notes.append(f"U ziet de stand van {_when(latest.tijd)} (maanden {latest.van:%m-%Y} t/m {latest.tot:%m-%Y}, "
                         f"{nl_number(len(latest.bijdragers))} gemeenten). {reason}")
            out[groep] = (latest, " ".join(notes))
        else:
            out[groep] = (None, " ".join([reason, *notes]))
    return out, new


def _when(tijd: str) -> str:
    try:
        return f"{dt.datetime.fromisoformat(tijd):%d-%m-%Y}"
    except ValueError:
        return tijd or "eerder"


def _too_few(k: int) -> str:
    wie = "heeft geen andere gemeente" if k == 0 else "heeft 1 andere gemeente" if k == 1 else f"hebben {nl_number(k)} andere gemeenten"
    return (f"Te weinig deelnemers: voor deze vergelijking {wie} gegevens aangeleverd over alle maanden. Het portaal toont een "
            f"totaal pas vanaf {MIN_PARTICIPANTS} gemeenten, zodat de cijfers van een afzonderlijke gemeente niet te herleiden zijn.")


def afronden(x: pl.Expr) -> pl.Expr:
    """Round a count to tens, halves up (as CBS rounds its tables)."""
    return ((x + AFRONDING // 2) // AFRONDING * AFRONDING).cast(pl.Int64)


def shown(release: Release) -> tuple[pl.DataFrame, suppress.Suppressed]:
    """What the page shows of a release: per month gemeenten, the four counts suppressed (portal.eigen.suppress.monthly)
    and rounded to tens, and instroom_pct / uitstroom_pct / uitstroom_werk_pct per 100 uitkeringen at the start of the
    month (bestand − instroom + uitstroom), all from the rounded counts. Also the suppression (for its note)."""
    res = suppress.monthly(release.cijfers)
    t = res.frame.with_columns(afronden(pl.col(c)) for c in COUNTS)
    begin = pl.col("bestand") - pl.col("instroom") + pl.col("uitstroom")
    t = t.with_columns([pl.when(begin > 0).then(pl.col(c) / begin * 100).alias(f"{c}_pct") for c in ("instroom", "uitstroom", "uitstroom_werk")])
    return t.select("maand", pl.lit(len(release.bijdragers)).alias("gemeenten"), *COUNTS,
                    "instroom_pct", "uitstroom_pct", "uitstroom_werk_pct"), res


def to_row(r: Release) -> dict:
    """A release as a row of the `releases` table (without viewer and id)."""
    return {"groep": r.groep, "versie": r.versie, "tijd": r.tijd, "van": r.van.isoformat(), "tot": r.tot.isoformat(),
            "bijdragers": json.dumps(sorted(r.bijdragers)),
            "cijfers": r.cijfers.with_columns(pl.col("maand").dt.to_string("%Y-%m-%d")).write_json()}


def from_row(row: dict) -> Release:
    if not row["cijfers"]:
        return Release(row["groep"], int(row["versie"]), row["tijd"], dt.date.fromisoformat(row["van"]),
                       dt.date.fromisoformat(row["tot"]), _bijdragers(row["bijdragers"]), None)
    cijfers = pl.read_json(row["cijfers"].encode(), schema={"maand": pl.String, **{c: pl.Int64 for c in COUNTS}})
    return Release(row["groep"], int(row["versie"]), row["tijd"], dt.date.fromisoformat(row["van"]),
                   dt.date.fromisoformat(row["tot"]), _bijdragers(row["bijdragers"]), cijfers.with_columns(pl.col("maand").str.to_date("%Y-%m-%d")))


def _bijdragers(text: str) -> Bijdragers:
    return frozenset((g, int(u)) for g, u in json.loads(text))


def beheer_overzicht(per_gemeente: pl.DataFrame) -> pl.DataFrame:
    """FOR THE BEHEER ROLE ONLY (the page checks the role): per participating gemeente the months supplied and its
    figures in its latest month. Never shown to a gemeente user."""
    latest = per_gemeente.sort("maand").group_by("gemeente").agg(
        pl.col("maand").min().alias("eerste_maand"), pl.col("maand").max().alias("laatste_maand"),
        pl.col("maand").n_unique().alias("maanden"), *[pl.col(c).last() for c in COUNTS])
    return latest.sort("gemeente")
