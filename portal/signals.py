"""When may a figure carry a verdict? Ranges from rounding and chance, age, implausible source values, and the signal rule.

CBS rounds the counts behind these indicators to tens and suppresses small cells, some figures are years old, and some
are proxies. A signal (hoger / lager dan verwacht, or a scorecard signal) is only given when the whole range that
rounding allows lies outside the 95 % funnel around the expected value (portal.funnel), the figure is recent enough, and
the indicator measures what its label says. Everything else gets a plain Dutch reason instead. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from portal import metrics
from portal.nl import nl_number
from portal.paths import vandaag

VEROUDERD_NA_JAREN = 3  # a figure more than this many years older than the current year is shown as verouderd
Z = 1.96  # 95 % for the chance part of a range

# CBS's published rates: the count they rest on, and CBS's own rounding of the published figure (to halves).
CBS_RATE_BASIS = {"cbs_instroom_pct_": "bijstand_alg_instroom_", "cbs_uitstroom_pct_": "bijstand_alg_uitstroom_",
                  "cbs_uitstroom_werk_pct_": "bijstand_alg_uitstroom_werk_", "cbs_dichtheid_": "bijstand_alg_personen_"}
CBS_RATE_ROUNDING = 0.25


def current_year(today: dt.date | None = None) -> int:
    return (today or vandaag()).year


def year_of(periode: str | None) -> int | None:
    return int(periode[:4]) if periode and periode[:4].isdigit() else None


def outdated(periode: str | None, today: dt.date | None = None) -> bool:
    """More than VEROUDERD_NA_JAREN years older than the current year."""
    y = year_of(periode)
    return y is not None and current_year(today) - y > VEROUDERD_NA_JAREN


def age_text(periode: str | None, today: dt.date | None = None) -> str:
    y = year_of(periode)
    if y is None:
        return ""
    return f"cijfer uit {y}" + (" (verouderd)" if outdated(periode, today) else "")


# ---- ranges --------------------------------------------------------------------------------------------------------------
def count_range(count: float, rounded: bool | int, chance: bool, parts: int = 1) -> tuple[float, float]:
    """What the true count can be: CBS rounding to tens (c−5 … c+4) once per rounded part that was summed (a gemeente
    formed by a herindeling carries one rounding per former gemeente), widened by a 95 % Poisson interval for chance."""
    n = max(1, int(parts)) if rounded else 0
    lo, hi = max(0.0, count - 5 * n), count + 4 * n
    if chance:
        lo = _poisson_lo(lo)
        hi = _poisson_hi(hi)
    return lo, hi


def _poisson_lo(k: float) -> float:
    """Lower 95 % limit for a Poisson count (Wilson–Hilferty)."""
    if k <= 0:
        return 0.0
    return k * (1 - 1 / (9 * k) - Z / (3 * math.sqrt(k))) ** 3


def _poisson_hi(k: float) -> float:
    k1 = k + 1
    return k1 * (1 - 1 / (9 * k1) + Z / (3 * math.sqrt(k1))) ** 3


@dataclass(frozen=True)
class Spec:
    """How to get a range for an indicator: the count in the numerator, what one count is worth, extra rounding.

    Every count gets a chance term (a stock too: the number of bijstandsontvangers on a peildatum is one draw of what the
    same policy and population give; Spiegelhalter 2005). The funnel verdict takes chance from its limits instead and
    asks for the rounding range only (`range_in(..., chance=False)`)."""

    basis: str | None  # count indicator in the numerator (None: no rounding or chance applies)
    denominator: tuple[str, ...] = ()
    factor: float = 1.0
    chance: bool = True
    published_rounding: float = 0.0
    cbs_rate: str | None = None  # age group of a CBS percentage (denominator: persons with bijstand at some moment in the year)


def spec(indicator: str) -> Spec:
    for prefix, basis in CBS_RATE_BASIS.items():
        if indicator.startswith(prefix):
            lg = indicator[len(prefix):]
            if prefix == "cbs_dichtheid_":
                return Spec(basis + lg, (f"inwoners_{lg}",), 1000, True, CBS_RATE_ROUNDING)
            return Spec(basis + lg, (), 100, True, CBS_RATE_ROUNDING, cbs_rate=lg)
    ind = metrics.REGISTRY.get(indicator)
    if ind is None:
        return Spec(None)
    f = ind.formula
    if f is None:
        return Spec(indicator) if ind.additive else Spec(None)
    if len(f.plus) == 1 and not f.minus:
        return Spec(f.plus[0], f.denominator, f.factor)
    return Spec(None)


def denominator(s: Spec, vals: dict) -> float | None:
    """The count the rate is taken over, in persons: the formula's denominator, or for a CBS percentage the persons with
    bijstand at some moment in the year (≈ volume at the end + uitstroom; CBS does not publish it). None if unknown."""
    if s.cbs_rate:
        parts = [vals.get(f"bijstand_alg_personen_{s.cbs_rate}"), vals.get(f"bijstand_alg_uitstroom_{s.cbs_rate}")]
    else:
        parts = [vals.get(d) for d in s.denominator]
    return float(sum(parts)) if parts and all(p is not None for p in parts) and sum(parts) > 0 else None


def value_range(own: pl.DataFrame, indicator: str, periode: str, value: float | None,
                chance: bool | None = None) -> tuple[float | None, float | None]:
    """(lo, hi) that rounding and chance allow around `value`, from the gemeente's own observations.

    `own`: the gemeente's observations (any indicators). Without a rounded count behind it the range is the value.
    """
    if value is None:
        return None, None
    rows = own.filter((pl.col("periode") == periode) & pl.col("waarde").is_not_null()).sort("indeling")
    return range_in((dict(rows.select("indicator", "waarde").iter_rows()), dict(rows.select("indicator", "afgerond").iter_rows())),
                    indicator, value, chance)


def range_in(period: tuple[dict, dict], indicator: str, value: float | None,
             chance: bool | None = None) -> tuple[float | None, float | None]:
    """`value_range` from the gemeente's values and rounding flags of that period by indicator (latest indeling wins).

    A flag may be a number: how many rounded parts were summed into the count (see benchmark.Prepared). For a rate CBS
    published itself, the range is what the published value (± CBS's rounding) and the rounded counts allow together
    (their overlap); when the counts cannot be matched to it (the denominator is an approximation), the published value
    ± its rounding. `chance` (default: the spec's) adds the 95 % Poisson interval of the count.
    """
    if value is None:
        return None, None
    s = spec(indicator)
    vals, flags = period
    count = vals.get(s.basis) if s.basis else None
    if count is None:
        return value, value
    chance = s.chance if chance is None else chance
    c_lo, c_hi = count_range(count, flags.get(s.basis) or 0, False, flags.get(s.basis) or 0)
    den = denominator(s, vals)
    if s.published_rounding:
        lo, hi = max(0.0, value - s.published_rounding), value + s.published_rounding
        if den:  # the counts: numerator and (for a percentage) denominator each within their rounding
            d_lo, d_hi = (den - 10, den + 8) if s.cbs_rate and flags.get(s.basis) else (den, den)
            lo_c, hi_c = c_lo / d_hi * s.factor, c_hi / max(d_lo, 1) * s.factor
            if lo_c <= hi and hi_c >= lo:
                lo, hi = max(lo, lo_c), min(hi, hi_c)
        scale = count
    elif count > 0:
        lo, hi, scale = value * c_lo / count, value * c_hi / count, count
    else:  # a zero count: the value is 0 and the top of the range follows from the denominator
        lo, hi, scale = 0.0, (c_hi * s.factor / den if den else math.inf), 0
    if chance:  # the same relative widening as a Poisson interval around the count's bounds
        b_lo, b_hi = (lo / value * scale, hi / value * scale) if value > 0 and scale else (c_lo, c_hi)
        lo = lo * _poisson_lo(b_lo) / b_lo if b_lo > 0 else 0.0
        hi = hi * _poisson_hi(b_hi) / b_hi if b_hi > 0 else (_poisson_hi(0) * s.factor / den if den else math.inf)
    return lo, (min(hi, 100.0) if s.cbs_rate else hi)


# ---- implausible source values ---------------------------------------------------------------------------------------------
FLOW_FAMILY = ("bijstand_alg_instroom_", "bijstand_alg_uitstroom_", "bijstand_alg_uitstroom_werk_", "cbs_instroom_pct_",
               "cbs_uitstroom_pct_", "cbs_uitstroom_werk_pct_", "instroom_pct_", "uitstroom_pct_", "uitstroom_werk_pct_")
LARGE_VOLUME = 100  # zero instroom and zero uitstroom in a year on at least this many bijstandsontvangers is implausible


def implausible(obs: pl.DataFrame) -> pl.DataFrame:
    """Flows the source itself makes implausible: uitstroom naar werk above uitstroom, or no instroom and no uitstroom at
    all on a volume of at least LARGE_VOLUME. Columns: gemeente_code, periode, lg (age group key), leeftijd, reden."""
    out = []
    for lg, (lg_label, _) in metrics.AGE_GROUPS.items():
        ids = {k: f"bijstand_alg_{k}_{lg}" for k in ("personen", "instroom", "uitstroom", "uitstroom_werk")}
        sub = obs.filter(pl.col("indicator").is_in(list(ids.values())) & pl.col("waarde").is_not_null())
        if sub.is_empty():
            continue
        wide = (sub.sort("indeling").unique(["gemeente_code", "periode", "indicator"], keep="last")
                .pivot(on="indicator", index=["gemeente_code", "periode"], values="waarde"))
        for c in ids.values():
            if c not in wide.columns:
                wide = wide.with_columns(pl.lit(None, pl.Float64).alias(c))
        p, i, u, w = (pl.col(ids[k]) for k in ("personen", "instroom", "uitstroom", "uitstroom_werk"))
        reden = (pl.when(w > u).then(pl.format("uitstroom naar werk ({} personen) groter dan de uitstroom ({} personen)", w.cast(pl.Int64),
                                             u.cast(pl.Int64)))
                 .when((i == 0) & (u == 0) & (p >= LARGE_VOLUME))
                 .then(pl.format("geen instroom en geen uitstroom bij {} bijstandsontvangers", p.cast(pl.Int64))))
        out.append(wide.select("gemeente_code", "periode", pl.lit(lg).alias("lg"), pl.lit(lg_label).alias("leeftijd"),
                               reden.alias("reden")).drop_nulls("reden"))
    if not out:
        return pl.DataFrame(schema={"gemeente_code": pl.String, "periode": pl.String, "lg": pl.String, "leeftijd": pl.String,
                                    "reden": pl.String})
    return pl.concat(out).filter(pl.col("gemeente_code") != "NL01").sort("periode", "gemeente_code", "leeftijd")


def flow_age(indicator: str) -> str | None:
    """The age group of a flow indicator (instroom, uitstroom and their rates), None for any other indicator."""
    if not indicator.startswith(FLOW_FAMILY):
        return None
    return next((lg for lg in metrics.AGE_GROUPS if indicator.endswith("_" + lg)), None)


# ---- the signal ------------------------------------------------------------------------------------------------------------
HOGER, LAGER, BINNEN, KLEIN = "hoger dan verwacht", "lager dan verwacht", "binnen de normale spreiding", "te klein om te beoordelen"
SIGNAAL_BETEKENIS = (
    "Een signaal (hoger of lager dan verwacht) betekent: het hele bereik dat de afronding door CBS toelaat ligt buiten de "
    "95 %-trechter rond de verwachting, waarin toeval en de gewone spreiding tussen vergelijkbare gemeenten (overdispersie, "
    "Spiegelhalter 2005) zijn meegenomen; het zegt dat het verschil echt is, niet waarom.")


@dataclass(frozen=True)
class Verdict:
    label: str  # hoger / lager dan verwacht, binnen de normale spreiding, or why there is none
    reason: str = ""  # plain Dutch; empty for a real verdict
    coloured: bool = False  # only hoger / lager dan verwacht: outside the funnel (shown in colour, counted)
    favourable: bool | None = None  # for a coloured verdict: the registry's favourable direction (green) or not (red)


MIN_GROUP = 4


def blocked(indicator: str, periode: str | None, value: float | None, *, reden_onwaarschijnlijk: str | None = None,
            today: dt.date | None = None) -> Verdict | None:
    """Why a figure gets no verdict at all (no figure, a proxy, no favourable direction, implausible, verouderd), else None.
    Direction and proxies come from the registry (metrics.Indicator.lower_is_better, .no_signal)."""
    ind = metrics.get(indicator)
    if value is None:
        return Verdict("geen cijfer")
    if ind.no_signal:
        return Verdict("geen oordeel", f"Geen signaal: {ind.no_signal}.")
    if ind.lower_is_better is None:
        return Verdict("beschrijvend", "Geen signaal: meer of minder is hier niet vanzelf beter.")
    if reden_onwaarschijnlijk:
        return Verdict("bronwaarde onwaarschijnlijk", f"Geen signaal: {reden_onwaarschijnlijk}.")
    if outdated(periode, today):
        return Verdict("verouderd", f"Geen signaal: het cijfer is uit {year_of(periode)}, meer dan {VEROUDERD_NA_JAREN} jaar oud.")
    return None


def verdict(indicator: str, periode: str | None, value: float | None, positie: str | None, *,
            reden_onwaarschijnlijk: str | None = None, today: dt.date | None = None) -> Verdict:
    """The verdict from a funnel position (portal.funnel.position), unless the figure gets none (`blocked`).

    hoger / lager dan verwacht is coloured, green where the registry calls that direction favourable; binnen de normale
    spreiding is shown without colour; te klein om te beoordelen and a missing expectation say why."""
    no = blocked(indicator, periode, value, reden_onwaarschijnlijk=reden_onwaarschijnlijk, today=today)
    if no is not None:
        return no
    if positie is None:
        return Verdict("geen verwachting", f"Geen signaal: minder dan {MIN_GROUP} gemeenten in de groep hebben een cijfer, of er "
                       "staat geen telling achter dit cijfer.")
    if positie == KLEIN:
        return Verdict(KLEIN, "Geen signaal: het cijfer rust op een klein aantal of de afronding door CBS laat een waarde aan "
                       "beide kanten van een grens van de trechter toe.")
    if positie == BINNEN:
        return Verdict(BINNEN)
    return Verdict(positie, coloured=True, favourable=(positie == LAGER) == metrics.get(indicator).lower_is_better)


def quartile_text(value: float | None, p25: float | None, p75: float | None, decimals: int = 1) -> str:
    """The quartile position as a description, without colour: 'in het hoogste kwart van de groep (P75 = 51,8)'."""
    if value is None or p25 is None or p75 is None:
        return ""
    if value > p75:
        return f"in het hoogste kwart van de groep (P75 = {nl_number(p75, decimals)})"
    if value < p25:
        return f"in het laagste kwart van de groep (P25 = {nl_number(p25, decimals)})"
    return f"in de middelste helft van de groep (P25–P75 = {nl_number(p25, decimals)} – {nl_number(p75, decimals)})"

