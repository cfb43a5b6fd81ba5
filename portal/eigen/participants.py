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
3. Releases are frozen and stored (table `releases`, per viewing gemeente). A new release for a group is made only when,
   compared with EVERY earlier release the viewer could see (any group, any window), each count of each month that
   both show (and the stock just before each window, which the stock identity reveals) is the same in all gemeenten or
   differs in at least MIN_PARTICIPANTS of them; a gemeente "differs" in a count when it contributes to one release
   and not the other, or to both with another value. The difference of two releases is then a combination of at least
   MIN_PARTICIPANTS gemeenten' figures, never one gemeente's. Values are compared through keyed fingerprints
   (`sporen`): a new monthly upload with the same history is no change, and what is stored reveals no count. When the
   whole group cannot be shown, the contributors of the group's last release are tried (new months for the same
   gemeenten; a newcomer waits until enough others change). Otherwise the page keeps showing the last release (and
   says from when it is). The viewer's own uploads never count in its releases.
   3b. Pairs are not enough: four releases B, B+P, B+Q, B+P+Q+X each differ pairwise in at least five gemeenten, yet
   (B+P+Q+X) − (B+P) − (B+Q) + B = X. So a new release is also refused when ANY combination of the viewer's releases
   (with it) would give one gemeente's figure, or the change of one gemeente's figure, exactly (`bepaald`: linear
   algebra per count; found by an independent check).
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
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
import polars as pl

from portal.eigen import suppress
from portal.eigen.schema import MIN_PARTICIPANTS

COUNTS = ("bestand", "instroom", "uitstroom", "uitstroom_werk")
AFRONDING = 10  # shown counts are rounded to tens, as CBS does
ALLE = "alle andere deelnemers"
KLASSE = "andere deelnemers in dezelfde grootteklasse"

Bijdragers = frozenset[tuple[str, int]]  # (gemeente, upload id)
Sporen = dict[str, dict[str, str]]  # gemeente -> {"jjjj-mm/telling": keyed fingerprint of that count}


@dataclass(frozen=True)
class Release:
    groep: str
    versie: int
    tijd: str  # ISO time of publication
    van: dt.date  # first and last month (first day) of the window
    tot: dt.date
    bijdragers: Bijdragers
    sporen: Sporen  # per contributor the fingerprints of its counts: what the differencing check compares
    cijfers: pl.DataFrame | None  # maand, bestand, instroom, uitstroom, uitstroom_werk: exact sums (never shown unrounded);
    # None once an upload it rests on was deleted (withdrawn: its fingerprints still count for the differencing check)


def spoor(secret: bytes, key: str, value: object) -> str:
    """The keyed fingerprint of one value (HMAC-SHA256 with the installation key, so small counts cannot be guessed back)."""
    return hmac.new(secret, f"{key}={value}".encode(), hashlib.sha256).hexdigest()[:16]


def sporen(table: pl.DataFrame, secret: bytes) -> dict[str, str]:
    """Keyed fingerprints (HMAC-SHA256 with the installation key, so small counts cannot be guessed back) of one
    gemeente's counts in a window, per month and count, plus the stock at the end of the month before the window
    (bestand − instroom + uitstroom of its first month): a release also reveals that one through the stock identity."""
    rows = table.sort("maand").select("maand", *COUNTS).rows(named=True)
    out = {}
    if rows:
        first = rows[0]
        before = first["maand"] - dt.timedelta(days=1)
        out[f"{before:%Y-%m}/bestand"] = spoor(secret, f"{before:%Y-%m}/bestand",
                                               first["bestand"] - first["instroom"] + first["uitstroom"])
    for r in rows:
        for c in COUNTS:
            out[f"{r['maand']:%Y-%m}/{c}"] = spoor(secret, f"{r['maand']:%Y-%m}/{c}", r[c])
    return out


def getoond(sp: Sporen) -> set[str]:
    """The counts a release shows: every contributor has every count of the window (rule 2), so the first one's."""
    return set(next(iter(sp.values()), {}))


def verschillen(a: Sporen, b: Sporen, shows: Callable[[Sporen], set[str]] = getoond) -> list[int]:
    """For every count of a month that two releases both show (`shows`: the keys a release shows): in how many
    gemeenten the two differ (a contributor of only one of them, or of both with another value; a contributor without
    the key counts as absent). The difference of the two sums is a combination of those."""
    keys = shows(a) & shows(b)
    gemeenten = a.keys() | b.keys()
    return [sum(1 for g in gemeenten if a.get(g, {}).get(k) != b.get(g, {}).get(k)) for k in sorted(keys)]


def botst(a: Sporen, b: Sporen, shows: Callable[[Sporen], set[str]] = getoond) -> bool:
    """Whether two releases differ in 1 to MIN_PARTICIPANTS − 1 gemeenten in some count they share (module note, rule 3)."""
    return any(0 < n < MIN_PARTICIPANTS for n in verschillen(a, b, shows))


def bepaald(releases: list[Sporen], shows: Callable[[Sporen], set[str]] = getoond) -> bool:
    """Whether some combination of these releases gives one gemeente's figure, or the change of one gemeente's figure
    between two of its uploads, exactly (module note, rule 3b). Per count of a month: each release that shows it is a
    0/1 row over 'atoms' (a gemeente with one value of that count); a combination isolates an atom when its unit vector
    lies in the row space, i.e. when the atom's row of a null-space basis is zero, and a change of one gemeente when two
    of its atoms have equal rows. Counts with the same pattern are checked once."""
    patterns: set[tuple] = set()
    keys = [shows(sp) if sp else set() for sp in releases]
    for k in set().union(*keys):
        atoms: dict[tuple[str, str], int] = {}
        rows = []
        for sp, ks in zip(releases, keys):
            if k in ks:
                rows.append(tuple(sorted(atoms.setdefault((g, f[k]), len(atoms)) for g, f in sp.items() if k in f)))
        if len(rows) > 1:
            owner: dict[str, int] = {}
            patterns.add((tuple(rows), tuple(owner.setdefault(g, len(owner)) for g, _ in atoms)))
    return any(_isolates(rows, owners) for rows, owners in patterns)


@lru_cache(maxsize=256)
def _isolates(rows: tuple[tuple[int, ...], ...], owners: tuple[int, ...]) -> bool:
    a = np.zeros((len(rows), len(owners)))
    for i, row in enumerate(rows):
        a[i, list(row)] = 1.0
    _, sv, vt = np.linalg.svd(a)
    rank = int((sv > 1e-9 * max(sv[0], 1.0)).sum())
    null = vt[rank:].T  # atoms x (atoms - rank): a combination of releases is orthogonal to it
    if null.shape[1] == 0:
        return True  # every atom follows
    if (np.abs(null).max(axis=1) < 1e-9).any():
        return True
    pairs = (pair for g in set(owners) for pair in combinations([i for i, o in enumerate(owners) if o == g], 2))
    return any(np.abs(null[x] - null[y]).max() < 1e-9 for x, y in pairs)


def covers(upload: dict, van: dt.date, tot: dt.date) -> bool:
    """Whether an upload covers every month from van to tot completely (maand_van / maand_tot as jjjj-mm)."""
    first, last = upload.get("maand_van"), upload.get("maand_tot")
    return bool(first and last) and first <= f"{van:%Y-%m}" and last >= f"{tot:%Y-%m}"


def candidates(uploads: dict[str, dict], eigen: str, codes: Iterable[str] | None, van: dt.date, tot: dt.date) -> Bijdragers:
    """The other participants of the group whose current upload covers the window. uploads: gemeente -> that upload."""
    group = [g for g in uploads if g != eigen and (codes is None or g in set(codes))]
    return frozenset((g, int(uploads[g]["id"])) for g in group if covers(uploads[g], van, tot))


def pogingen(alle: Bijdragers, vorige: Sporen | None) -> list[Bijdragers]:
    """The contributor sets to try in turn: all candidates, then only those that contributed to the last release shown
    (`vorige`: its fingerprints), so that one newcomer waits for four more instead of holding back the new months."""
    tries = [alle]
    if vorige is not None:
        sticky = frozenset(m for m in alle if m[0] in vorige)
        if sticky != alle:
            tries.append(sticky)
    return tries


def kies(tries: list[Bijdragers], sporen_of: Callable[[Bijdragers], Sporen], same: Sporen | None, seen: list[Sporen],
         shows: Callable[[Sporen], set[str]] = getoond) -> tuple[Bijdragers, Sporen, bool] | None:
    """The first contributor set of `tries` (with at least MIN_PARTICIPANTS) that may be shown (module note, rule 3):
    (set, its fingerprints, new?). Not new when its fingerprints are `same` (those of the last release, when that one
    covers the same months): that release is shown again. New when compared with every release in `seen` (this
    viewer's, oldest first) no count it shares differs in 1 to MIN_PARTICIPANTS − 1 gemeenten (`botst`) and no
    combination gives one gemeente's figure (`bepaald`). None when no set may be shown."""
    for cand in (c for c in tries if len(c) >= MIN_PARTICIPANTS):
        sp = sporen_of(cand)
        if same is not None and sp == same:
            return cand, sp, False
        if not any(botst(sp, r, shows) for r in seen) and not bepaald([*seen, sp], shows):
            return cand, sp, True
    return None


def publish(groepen: dict[str, Iterable[str] | None], uploads: dict[str, dict], eigen: str, van: dt.date, tot: dt.date,
            earlier: list[Release], monthly_of: Callable[[str, int], pl.DataFrame], tijd: str, secret: bytes
            ) -> tuple[dict[str, tuple[Release | None, str | None]], list[Release]]:
    """The release to show per group (in the order given) and the new releases to store (module note, rules 2–3).

    earlier: every stored release of this viewing gemeente, oldest first. monthly_of(gemeente, upload id): that upload's
    monitors.monthly over the window, on episodes; tijd: now (ISO), the time of a new release; secret: the key of the
    fingerprints. Tried in turn: all participants that cover the window, then only those of the group's last release
    (so that one newcomer waits for four more instead of holding back the new months). Returns
    ({group: (release or None, Dutch note or None)}, new releases)."""
    seen = list(earlier)
    new: list[Release] = []
    out: dict[str, tuple[Release | None, str | None]] = {}
    for groep, codes in groepen.items():
        mine = [r for r in seen if r.groep == groep]
        latest = mine[-1] if mine and mine[-1].cijfers is not None else None
        tries = pogingen(candidates(uploads, eigen, codes, van, tot), None if latest is None else latest.sporen)
        tables: dict[Bijdragers, dict[str, pl.DataFrame]] = {}

        def sporen_of(cand: Bijdragers) -> Sporen:
            tables[cand] = {g: monthly_of(g, u).select("maand", *COUNTS) for g, u in sorted(cand)}
            return {g: sporen(t, secret) for g, t in tables[cand].items()}

        same = latest.sporen if latest is not None and (latest.van, latest.tot) == (van, tot) else None
        got = kies(tries, sporen_of, same, [r.sporen for r in seen])
        shown: Release | None = None
        if got is not None and not got[2]:
            shown = latest  # the same figures (a new upload with the same history): nothing new to show
        elif got is not None:
            cand, sp, _ = got
            sums = pl.concat(tables[cand].values()).group_by("maand").agg(pl.col(c).sum().cast(pl.Int64) for c in COUNTS)
            shown = Release(groep, (mine[-1].versie + 1) if mine else 1, tijd, van, tot, cand, sp, sums.sort("maand"))
            new.append(shown)
            seen.append(shown)
        if shown is not None:
            out[groep] = (shown, None)
        elif max(len(c) for c in tries) < MIN_PARTICIPANTS and latest is None:
            out[groep] = (None, _too_few())
        else:
            wait = (f"Een nieuwe stand komt er zodra hij met een eerder getoonde stand geen cijfers van afzonderlijke gemeenten "
                    f"prijsgeeft: als minstens {MIN_PARTICIPANTS} gemeenten nieuwe of andere cijfers hebben geleverd.")
            if latest is None:
                out[groep] = (None, f"Er is nu geen stand te tonen. {wait}")
            else:
                out[groep] = (latest, f"U ziet de stand van {datum(latest.tijd)} (maanden {latest.van:%m-%Y} t/m "
                                      f"{latest.tot:%m-%Y}). {wait}")
    return out, new


def datum(tijd: str) -> str:
    """An ISO time as dd-mm-jjjj (the date of a release)."""
    try:
        return f"{dt.datetime.fromisoformat(tijd):%d-%m-%Y}"
    except ValueError:
        return tijd or "eerder"


def _too_few() -> str:
    return (f"Te weinig deelnemers: voor deze vergelijking hebben minder dan {MIN_PARTICIPANTS} andere gemeenten gegevens over "
            f"alle maanden aangeleverd. Het portaal toont een totaal pas vanaf {MIN_PARTICIPANTS} gemeenten, zodat de cijfers van "
            "een afzonderlijke gemeente niet te herleiden zijn.")


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
            "bijdragers": json.dumps(sorted(r.bijdragers)), "sporen": json.dumps(r.sporen, sort_keys=True),
            "cijfers": r.cijfers.with_columns(pl.col("maand").dt.to_string("%Y-%m-%d")).write_json()}


def from_row(row: dict) -> Release:
    cijfers = None
    if row["cijfers"]:
        cijfers = pl.read_json(row["cijfers"].encode(), schema={"maand": pl.String, **{c: pl.Int64 for c in COUNTS}})
        cijfers = cijfers.with_columns(pl.col("maand").str.to_date("%Y-%m-%d"))
    return Release(row["groep"], int(row["versie"]), row["tijd"], dt.date.fromisoformat(row["van"]),
                   dt.date.fromisoformat(row["tot"]), frozenset((g, int(u)) for g, u in json.loads(row["bijdragers"])),
                   json.loads(row["sporen"]), cijfers)


def beheer_overzicht(per_gemeente: pl.DataFrame) -> pl.DataFrame:
    """FOR THE BEHEER ROLE ONLY (the page checks the role): per participating gemeente the months supplied and its
    figures in its latest month. Never shown to a gemeente user."""
    latest = per_gemeente.sort("maand").group_by("gemeente").agg(
        pl.col("maand").min().alias("eerste_maand"), pl.col("maand").max().alias("laatste_maand"),
        pl.col("maand").n_unique().alias("maanden"), *[pl.col(c).last() for c in COUNTS])
    return latest.sort("gemeente")
