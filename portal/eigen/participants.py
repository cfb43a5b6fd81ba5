"""Benchmark among participating gemeenten (as the Divosa Benchmark): a gemeente's own monthly figures against the
aggregate of the other participants (all, its size class, or a referentiegroep: the page passes the codes).

Privacy: an aggregate month is shown only when at least MIN_PARTICIPANTS other gemeenten contribute to it; the asking
gemeente is never part of its own comparison group; and when several groups are shown side by side, a month of a group
whose contributors differ from an already shown group by fewer than MIN_PARTICIPANTS gemeenten (one set inside the
other) is left out, because the difference of the two sums would be the figures of those few gemeenten. Synthetic and
real files are never mixed. Individual figures of other gemeenten only through `beheer_overzicht` (beheer role only).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from portal.charts import nl_number
from portal.eigen.schema import MIN_PARTICIPANTS

COUNTS = ("bestand", "instroom", "uitstroom", "uitstroom_werk")


def _others(per_gemeente: pl.DataFrame, eigen: str, codes: Iterable[str] | None, synthetisch: bool) -> pl.DataFrame:
    f = per_gemeente.filter(pl.col("gemeente") != eigen)
    if "synthetisch" in f.columns:
        f = f.filter(pl.col("synthetisch") == synthetisch)
    if codes is not None:
        f = f.filter(pl.col("gemeente").is_in(list(codes)))
    return f


def _too_few(k: int) -> str:
    wie = "heeft geen andere gemeente" if k == 0 else "heeft 1 andere gemeente" if k == 1 else f"hebben {nl_number(k)} andere gemeenten"
    return (f"Te weinig deelnemers: voor deze vergelijking {wie} gegevens aangeleverd. Het portaal toont een "
            f"totaal pas vanaf {MIN_PARTICIPANTS} gemeenten, zodat de cijfers van een afzonderlijke gemeente niet te "
            "herleiden zijn.")


def aggregate(per_gemeente: pl.DataFrame, eigen: str, codes: Iterable[str] | None = None,
              synthetisch: bool = False) -> tuple[pl.DataFrame | None, str | None]:
    """The other participants' monthly totals and rates.

    per_gemeente: gemeente, maand, bestand, instroom, uitstroom, uitstroom_werk (monitors.monthly per participant,
    stacked), optionally synthetisch. codes: the comparison group (None = all participants). Returns (frame, note) with
    per month: maand, gemeenten (how many contribute), the four sums, and instroom_pct / uitstroom_pct /
    uitstroom_werk_pct per 100 bijstandsontvangers at the start of the month (bestand − instroom + uitstroom, the same
    contributors); months with fewer than MIN_PARTICIPANTS contributors are left out (the note says so). Returns
    (None, Dutch reason) when no month has enough contributors.
    """
    f = _others(per_gemeente, eigen, codes, synthetisch)
    per_month = f.group_by("maand").agg(pl.col("gemeente").n_unique().alias("gemeenten"), *[pl.col(c).sum() for c in COUNTS])
    ok = per_month.filter(pl.col("gemeenten") >= MIN_PARTICIPANTS)
    if ok.is_empty():
        return None, _too_few(int(per_month["gemeenten"].max() or 0) if per_month.height else 0)
    begin = pl.col("bestand") - pl.col("instroom") + pl.col("uitstroom")
    out = ok.sort("maand").with_columns(
        [pl.when(begin > 0).then(pl.col(c) / begin * 100).alias(f"{c}_pct") for c in ("instroom", "uitstroom", "uitstroom_werk")])
    dropped = per_month.height - ok.height
    note = None
    if dropped:
        note = (f"{nl_number(dropped)} {'maand is' if dropped == 1 else 'maanden zijn'} weggelaten: daarin leverden minder dan "
                f"{MIN_PARTICIPANTS} andere gemeenten gegevens aan.")
    return out, note


def aggregates(per_gemeente: pl.DataFrame, eigen: str, groepen: dict[str, Iterable[str] | None],
               synthetisch: bool = False) -> dict[str, tuple[pl.DataFrame | None, str | None]]:
    """Several comparison groups for one screen (e.g. {"alle deelnemers": None, "grootteklasse": [...],
    "referentiegroep": [...]}), in the order given. A month of a later group is left out when its contributors and those
    of an earlier shown group differ by 1 to MIN_PARTICIPANTS − 1 gemeenten with one set inside the other."""
    shown: list[tuple[str, dict]] = []  # (label, {maand: frozenset of contributors})
    result: dict[str, tuple[pl.DataFrame | None, str | None]] = {}
    for label, codes in groepen.items():
        f = _others(per_gemeente, eigen, codes, synthetisch)
        sets = {m: frozenset(g) for m, g in f.group_by("maand").agg(pl.col("gemeente").unique()).iter_rows()}
        unsafe = set()
        for other_label, other in shown:
            for m, s in sets.items():
                o = other.get(m)
                if o is None or s == o:
                    continue
                small, big = (s, o) if len(s) <= len(o) else (o, s)
                if small <= big and 0 < len(big - small) < MIN_PARTICIPANTS:
                    unsafe.add((m, other_label))
        bad_months = {m for m, _ in unsafe}
        frame, note = aggregate(f.filter(~pl.col("maand").is_in(list(bad_months))), eigen, None, synthetisch)
        if bad_months:
            labels = "', '".join(sorted({lb for _, lb in unsafe}))
            if frame is None and f.filter(~pl.col("maand").is_in(list(bad_months))).is_empty():
                note = (f"Geen vergelijking: in elke maand zou het verschil met '{labels}' de cijfers van minder dan "
                        f"{MIN_PARTICIPANTS} gemeenten prijsgeven.")
            else:
                extra = (f"{nl_number(len(bad_months))} {'maand is' if len(bad_months) == 1 else 'maanden zijn'} weggelaten: het "
                         f"verschil met '{labels}' zou de cijfers van minder dan {MIN_PARTICIPANTS} gemeenten prijsgeven.")
                note = extra if note is None else f"{note} {extra}"
        result[label] = (frame, note)
        if frame is not None:
            shown.append((label, {m: s for m, s in sets.items() if m not in bad_months}))
    return result


def beheer_overzicht(per_gemeente: pl.DataFrame) -> pl.DataFrame:
    """FOR THE BEHEER ROLE ONLY (the page checks the role): per participating gemeente the months supplied and its
    figures in its latest month. Never shown to a gemeente user."""
    latest = per_gemeente.sort("maand").group_by("gemeente").agg(
        pl.col("maand").min().alias("eerste_maand"), pl.col("maand").max().alias("laatste_maand"),
        pl.col("maand").n_unique().alias("maanden"), *[pl.col(c).last() for c in COUNTS])
    return latest.sort("gemeente")
