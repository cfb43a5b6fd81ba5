"""Uitstroomkans: the probability of leaving the bijstand (for any reason, or for work) within 6 and 12 months after
instroom.

Own implementation in polars (the portal does not ship lifelines); tested against the Freireich 6-MP data and against
files whose answer is known by construction (tests/test_eigen_monitors.py).

- Time is days in benefit: einde − begin + 1 (einde is the last day with benefit). "Within 6 months" is within
  round(6 × 365,25 / 12) = 183 days, "within 12 months" within 365 days.
- A spell still running on the file's peildatum is right-censored there (duration peildatum − begin + 1); so is a spell
  that started shortly before the peildatum: it counts as at risk only for the days it was observed.
- Event "einde": any ending; the kans is 1 − S(t), S the Kaplan–Meier survival. Variance: Greenwood.
- Event "werk": an ending with reden werk, with the other endings as a *competing risk*: the kans is the cumulative
  incidence (Aalen–Johansen) F(t) = Σ_{t_j ≤ t} S(t_j−) · d_werk,j / n_j, the share that actually leaves for work within t
  (CBS and Divosa count uitstroom naar werk so). Not 1 − KM with the other endings censored: that is the kans in a world
  without other exits and comes out too high (issue 18: 28,1 % against a true 22,9 % at 12 months). Without censoring
  F(t) is exactly the share of the cohort that left for work by t. Variance: the delta-method variance of the cumulative
  incidence (Marubini & Valsecchi 1995; Pintilie 2006, eq. 4.4):
  Var F(t) = Σ [F(t) − F(t_j)]² d_j / (n_j (n_j − d_j)) + Σ S(t_j−)² d_werk,j (n_j − d_werk,j) / n_j³
             − 2 Σ [F(t) − F(t_j)] S(t_j−) d_werk,j / n_j²   (sums over t_j ≤ t; d_j: endings of any kind);
  without censoring it equals the binomial variance F (1 − F) / n.
- Both: events are the episodes of portal.eigen.episodes (a re-entry within 31 days continues the spell).
- Only spells that began on or after `vanaf` count: a file holds the spells that ran in its period, so of the cohorts
  that began before it only the survivors are present (left truncation); their uitstroomkans would be far too low.
  By default `vanaf` is the first month the file covers completely (portal.eigen.episodes.covered), not the earliest
  einde: a few old ended spells would otherwise add cohorts of which only they are present.
- Ties: events at a time count before censorings at the same time (the usual convention).
- Interval: 95 % on the log(−log(1 − kans)) scale (as `conf.type="log-log"` in R's survival package for 1 − S), with
  the variance above.
- Age at instroom (group "leeftijd"): completed years from the date of birth to the begin where the file has a date of
  birth; with only a birth year (or an age) the year of the begin minus the birth year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from portal.eigen.episodes import covered
from portal.eigen.maanden import _mi
from portal.eigen.schema import LEEFTIJDSGRENZEN, LEEFTIJDSGROEPEN, ONBEKEND

Z95 = 1.959963984540054
HORIZONS = (6, 12)  # months
GROEPERINGEN = ("totaal", "cohort", "halfjaar", "leeftijd", "fasering")


def horizon_days(months: int) -> int:
    return round(months * 365.25 / 12)


def _km(frame: pl.LazyFrame) -> pl.LazyFrame:
    """frame: groep, t (days), e (bool event), w (number of spells with this groep, t and e) -> per groep and distinct
    t: n (at risk), d (events), c (censored), s (survival just after t), gw (Greenwood sum of d / (n (n − d)) up to t)."""
    agg = (frame.group_by("groep", "t").agg(d=(pl.col("w") * pl.col("e")).sum().cast(pl.Int64), m=pl.col("w").sum().cast(pl.Int64))
           .sort("groep", "t"))
    agg = agg.with_columns(n=pl.col("m").sum().over("groep") - pl.col("m").cum_sum().over("groep") + pl.col("m"))
    q = 1 - pl.col("d") / pl.col("n")
    return agg.with_columns(
        c=pl.col("m") - pl.col("d"),
        s=pl.when(q > 0).then(q.log()).otherwise(float("-inf")).cum_sum().over("groep").exp(),
        gw=pl.when(pl.col("n") > pl.col("d")).then(pl.col("d") / (pl.col("n") * (pl.col("n") - pl.col("d"))))
        .otherwise(float("inf")).cum_sum().over("groep"),
    ).drop("m")


def _aj(frame: pl.LazyFrame) -> pl.LazyFrame:
    """frame: groep, t, e (any ending), k (ending for work), w -> per groep and distinct t: n (at risk), d (endings for
    work), f (cumulative incidence of work, Aalen–Johansen) and v (its delta-method variance, module note)."""
    agg = (frame.group_by("groep", "t").agg(dall=(pl.col("w") * pl.col("e")).sum().cast(pl.Int64),
                                            d=(pl.col("w") * pl.col("k")).sum().cast(pl.Int64), m=pl.col("w").sum().cast(pl.Int64))
           .sort("groep", "t"))
    n = pl.col("m").sum().over("groep") - pl.col("m").cum_sum().over("groep") + pl.col("m")
    agg = agg.with_columns(n=n.cast(pl.Float64))
    q = 1 - pl.col("dall") / pl.col("n")
    s = pl.when(q > 0).then(q.log()).otherwise(float("-inf")).cum_sum().over("groep").exp()
    agg = agg.with_columns(sp=s.shift(1, fill_value=1.0).over("groep"))  # S(t−): survival just before t
    agg = agg.with_columns(f=(pl.col("sp") * pl.col("d") / pl.col("n")).cum_sum().over("groep"))
    n, d, dall, sp, f = pl.col("n"), pl.col("d"), pl.col("dall"), pl.col("sp"), pl.col("f")
    a = pl.when(n > dall).then(dall / (n * (n - dall))).otherwise(0.0)  # all left: F stays, the term is 0
    b = sp * d / n ** 2
    agg = agg.with_columns(A=a.cum_sum().over("groep"), B=(f * a).cum_sum().over("groep"), C=(f ** 2 * a).cum_sum().over("groep"),
                           D=(sp ** 2 * d * (n - d) / n ** 3).cum_sum().over("groep"), E=b.cum_sum().over("groep"),
                           G=(f * b).cum_sum().over("groep"))
    v = f ** 2 * pl.col("A") - 2 * f * pl.col("B") + pl.col("C") + pl.col("D") - 2 * (f * pl.col("E") - pl.col("G"))
    return agg.select("groep", "t", pl.col("n").cast(pl.Int64), "d", "f", v=pl.max_horizontal(v, pl.lit(0.0)))


def _estimate(frame: pl.LazyFrame, naar: str) -> pl.LazyFrame:
    """Per groep and distinct t: n (at risk), d (events counted: any ending, or endings for work), kans, se, and s, gw:
    the interval's inputs on the log(−log(1 − kans)) scale (for naar "einde" S and the Greenwood sum)."""
    if naar == "einde":
        km = _km(frame.select("groep", "t", "e", "w"))
        return km.select("groep", "t", "n", "d", kans=1 - pl.col("s"), se=pl.col("s") * pl.col("gw").sqrt(), s="s", gw="gw")
    aj = _aj(frame)
    s = 1 - pl.col("f")
    return aj.select("groep", "t", "n", "d", kans="f", se=pl.col("v").sqrt(), s=s,
                     gw=pl.when(s > 0).then(pl.col("v") / s ** 2).otherwise(float("inf")))


def kaplan_meier(duur: list[float] | pl.Series, event: list[bool] | pl.Series) -> pl.DataFrame:
    """One Kaplan–Meier curve: per distinct time t: n (at risk), d (events), c (censored), s (S(t)), se (Greenwood
    standard error of S), onder/boven (95 % log-log interval of S)."""
    f = pl.LazyFrame({"groep": "alle", "t": pl.Series(duur, dtype=pl.Float64), "e": pl.Series(event, dtype=pl.Boolean), "w": 1})
    out = _km(f).collect()
    return out.select("t", "n", "d", "c", "s", se=pl.col("s") * pl.col("gw").sqrt(), **_loglog("s", "gw"))


def _loglog(s: str, gw: str) -> dict[str, pl.Expr]:
    """95 % interval of S on the log(−log S) scale; null where S is 0 or 1 (no interval on that scale)."""
    ok = (pl.col(s) > 0) & (pl.col(s) < 1)
    w = Z95 * pl.col(gw).sqrt() / pl.col(s).log().abs()
    return {"onder": pl.when(ok).then(pl.col(s).pow(w.exp())), "boven": pl.when(ok).then(pl.col(s).pow((-w).exp()))}


CAP_MONTHS = 24  # the longest horizon (at most 1022 days: t is packed into ten bits) a prepared file answers (uitstroomkans 6/12 and the 24-month curve)


@dataclass(frozen=True)
class Prepared:
    """One pass over the spells, aggregated: how many spells per (jaar, helft, leeftijd, fasering, t, ended, werk),
    with t in days capped at CAP_MONTHS (longer spells counted as censored just after it). Every uitstroomkans and curve
    is computed from this small table; prepare once per file and peildatum, then ask for any grouping."""

    cube: pl.DataFrame
    peildatum: dt.date
    vanaf: dt.date | None
    cap_days: int


def file_start(spells: pl.DataFrame, peildatum: dt.date) -> dt.date | None:
    """The first day of the first month the file covers completely (portal.eigen.episodes.covered); None without spells."""
    got = covered(spells, peildatum)
    return None if got is None else got[0]


def age_at_begin(spells: pl.DataFrame) -> pl.Expr:
    """Age at the begin in years: completed years since the date of birth where the file has one, else the year of the
    begin minus the birth year (the age reached in that year)."""
    by_year = pl.col("begin").dt.year().cast(pl.Int32) - pl.col("geboortejaar")
    if "geboortedatum" not in spells.columns:
        return by_year
    b, g = pl.col("begin"), pl.col("geboortedatum")
    before_birthday = (b.dt.month().cast(pl.Int32) * 100 + b.dt.day()) < (g.dt.month().cast(pl.Int32) * 100 + g.dt.day())
    exact = b.dt.year().cast(pl.Int32) - g.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    return pl.when(g.is_not_null()).then(exact).otherwise(by_year)


def prepare(spells: pl.DataFrame, peildatum: dt.date, vanaf: dt.date | None = None) -> Prepared:
    """Durations, events and group keys of the spells that began from `vanaf` (default: file_start) up to the peildatum."""
    vanaf = file_start(spells, peildatum) if vanaf is None else vanaf
    cap = horizon_days(CAP_MONTHS)
    lf = spells.lazy().filter(pl.col("begin") <= peildatum)
    if vanaf is not None:
        lf = lf.filter(pl.col("begin") >= vanaf)
    ended = pl.col("einde").is_not_null() & (pl.col("einde") <= peildatum)
    stop = pl.when(ended).then(pl.col("einde")).otherwise(pl.lit(peildatum))
    t = pl.min_horizontal((stop - pl.col("begin")).dt.total_days() + 1, pl.lit(cap + 1))
    mi = _mi("begin")
    age = age_at_begin(spells)
    lo, hi = LEEFTIJDSGRENZEN
    leeftijd = pl.when(age.is_null()).then(3).when(age < lo).then(0).when(age < hi).then(1).otherwise(2)
    ev = pl.when(~ended | (t > cap)).then(0).when(pl.col("reden") == "werk").then(2).otherwise(1)
    # One integer key (begin half-year, age group, t, event) plus fasering: a two-key group-by instead of seven keys.
    key = (((mi // 6).cast(pl.Int64) * 4 + leeftijd) * 1024 + t) * 3 + ev
    cube = (lf.select(key=key, fasering=pl.col("fasering")).group_by("key", "fasering").agg(w=pl.len().cast(pl.Int64))
            .select(jaar=(pl.col("key") // 12288 // 2).cast(pl.Int32), helft=(pl.col("key") // 12288 % 2).cast(pl.Int8),
                    leeftijd=(pl.col("key") // 3072 % 4).cast(pl.Int8), fasering="fasering",
                    t=(pl.col("key") // 3 % 1024).cast(pl.Int32), einde=pl.col("key") % 3 > 0, werk=pl.col("key") % 3 == 2, w="w")
            .collect())
    return Prepared(cube, peildatum, vanaf, cap)


def group_expr(per: str) -> pl.Expr:
    """The group label for `per` (one of GROEPERINGEN), on the prepared table."""
    if per == "totaal":
        return pl.lit("totaal")
    year = pl.col("jaar").cast(pl.String)
    if per == "cohort":
        return year
    if per == "halfjaar":
        return year + pl.when(pl.col("helft") == 0).then(pl.lit(" jan–jun")).otherwise(pl.lit(" jul–dec"))
    if per == "leeftijd":
        return pl.col("leeftijd").replace_strict(dict(enumerate((*LEEFTIJDSGROEPEN, ONBEKEND))), return_dtype=pl.String)
    if per == "fasering":
        return pl.col("fasering").fill_null(ONBEKEND)
    raise ValueError(f"onbekende groepering: {per}")


def _input(data: pl.DataFrame | Prepared, peildatum: dt.date, naar: str, per: str, vanaf: dt.date | None) -> pl.LazyFrame:
    if naar not in ("einde", "werk"):
        raise ValueError(f"onbekende uitstroom: {naar}")
    prep = data if isinstance(data, Prepared) else prepare(data, peildatum, vanaf)
    if isinstance(data, Prepared) and data.peildatum != peildatum:
        raise ValueError("het voorbereide bestand hoort bij een andere peildatum")
    return prep.cube.lazy().select(groep=group_expr(per), t="t", e="einde", k="werk", w="w")


def uitstroomkans(spells: pl.DataFrame | Prepared, peildatum: dt.date, naar: str = "einde", per: str = "cohort",
                  maanden: tuple[int, ...] = HORIZONS, vanaf: dt.date | None = None) -> pl.DataFrame:
    """Uitstroomkans per group: groep, n (spells that began on or before the peildatum), and per horizon h in `maanden`
    (spells that began from `vanaf`, see the module note): kans_h (a fraction: 1 − S for naar "einde", the cumulative
    incidence of work for "werk"), onder_h / boven_h (95 % interval, log-log; null when the kans is 0 or 1), se_h
    (Greenwood, or the delta-method standard error of the cumulative incidence), uitstroom_h (observed events of that
    kind up to h: persons, for suppression), n_risico_h (still in benefit and observed after h). naar: "einde" (any
    ending) or "werk"; per: one of GROEPERINGEN. `spells` may be a SPELLS frame or the result of prepare() (faster for
    many calls); pass episodes (portal.eigen.episodes.merge) for the page's definitions."""
    if max(maanden) > CAP_MONTHS:
        raise ValueError(f"horizon boven {CAP_MONTHS} maanden")
    base = _input(spells, peildatum, naar, per, vanaf).collect().lazy()
    est = _estimate(base, naar).collect().lazy()
    out = base.group_by("groep").agg(n=pl.col("w").sum().cast(pl.Int64))
    for h in maanden:
        hd = horizon_days(h)
        upto = (est.filter(pl.col("t") <= hd).group_by("groep")
                .agg(kans=pl.col("kans").last(), se=pl.col("se").last(), s=pl.col("s").last(), gw=pl.col("gw").last(),
                     uitstroom=pl.col("d").sum()))
        risk = base.filter(pl.col("t") > hd).group_by("groep").agg(n_risico=pl.col("w").sum().cast(pl.Int64))
        part = (out.select("groep").join(upto, on="groep", how="left").join(risk, on="groep", how="left")
                .with_columns(pl.col("kans").fill_null(0.0), pl.col("se").fill_null(0.0), pl.col("s").fill_null(1.0),
                              pl.col("gw").fill_null(0.0), pl.col("uitstroom").fill_null(0), pl.col("n_risico").fill_null(0)))
        ci = _loglog("s", "gw")
        part = part.select("groep", pl.col("kans").alias(f"kans_{h}"), (1 - ci["boven"]).alias(f"onder_{h}"),
                           (1 - ci["onder"]).alias(f"boven_{h}"), pl.col("se").alias(f"se_{h}"),
                           pl.col("uitstroom").cast(pl.Int64).alias(f"uitstroom_{h}"), pl.col("n_risico").alias(f"n_risico_{h}"))
        out = out.join(part, on="groep", how="left")
    return out.sort("groep").collect()


def curve(spells: pl.DataFrame | Prepared, peildatum: dt.date, naar: str = "einde", per: str = "totaal",
          tot_maanden: int = CAP_MONTHS, vanaf: dt.date | None = None) -> pl.DataFrame:
    """The cumulative uitstroomkans as a step curve for a chart: groep, maand (t in months), kans, onder, boven, n
    (at risk); up to `tot_maanden` months (at most CAP_MONTHS)."""
    est = _estimate(_input(spells, peildatum, naar, per, vanaf), naar).filter(
        pl.col("t") <= horizon_days(min(tot_maanden, CAP_MONTHS)))
    ci = _loglog("s", "gw")
    return est.select("groep", maand=pl.col("t") / (365.25 / 12), kans="kans", onder=1 - ci["boven"],
                     boven=1 - ci["onder"], n=pl.col("n")).sort("groep", "maand").collect()
