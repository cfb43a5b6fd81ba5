"""Is a figure higher or lower than expected? Funnel limits with overdispersion, against two expectations.

Method (Spiegelhalter 2005, "Funnel plots for comparing institutional performance", Statistics in Medicine
24:1185–1202, section 6; additive random-effects overdispersion as in DerSimonian and Laird 1986):

- A gemeente's figure y (in the indicator's unit, e.g. per 1 000 inwoners) rests on a count over n persons; by chance
  alone it varies with variance s² = e·(f − e)/n around its expected value e (binomial; f = 1 000 or 100).
- Gemeenten that are alike still differ far more than chance allows. That extra spread τ² is estimated from the data:
  z = (y − e)/s, winsorised at P10/P90 (so a few extreme gemeenten do not inflate it), φ = mean(z²) and
  τ² = max(0, (N·φ − (N − p)) / (Σw − tr((XᵀWX)⁻¹XᵀW²X))), w = 1/s²; with one parameter (p = 1) the trace is Σw²/Σw.
- The 95 % limits are e ± 1,96·√(s² + τ² + var(e)): chance, overdispersion and the uncertainty of the expected value.

Two expected values:
1. **Referentiegroep**: the group's pooled rate as a random-effects mean: members weighted by 1/(s² + τ²), so that one
   large member does not set the expectation alone (with τ² = 0 this is sum of counts / sum of persons; with τ²
   dominant it is the plain mean), without the lowest and highest member when there are at least 6 (a trimmed mean:
   one unusual neighbour, such as a university town, does not move what is normal); its variance is 1/Σ weights. τ² is estimated per
   size band (gemeentegrootteklasse 2025 in four bands) from every gemeente against the pooled rate of its own default
   group (the 10 most similar gemeenten), so the width does not depend on the group a user picks.
2. **Kenmerken**: a weighted linear model over all gemeenten on the structural characteristics of the referentiegroep
   search (inwoners and bevolkingsdichtheid in logs, eenpersoonshuishoudens and huishoudens met laag inkomen per 1 000
   inwoners, stedelijkheid, centrumfunctie, sociale structuur; like the objective model behind the BUIG verdeling),
   fitted in two steps: fixed-effect weights 1/s² for τ², then 1/(s² + τ²) for the expected value and its variance.

A verdict needs a count of at least MIN_COUNT and the whole range that CBS's rounding allows outside the limits: "hoger/lager
dan verwacht"; otherwise, also when the range straddles a limit, "binnen de normale spreiding" (a limit is no cliff: counting
a straddle as a state of its own made 4 % of verdicts flip when one neighbour left the group); below MIN_COUNT "te klein om
te beoordelen".
No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from portal import metrics, peers, signals

Z95 = 1.96
TRIM_FROM = 6  # groups with at least this many members with a figure drop their lowest and highest for the expectation
MIN_COUNT = 20  # fewer persons or benefits: chance and rounding decide, no verdict
WINSOR = 0.10  # z-scores winsorised at P10 and P90 (Spiegelhalter 2005)
BANDS = ((0, 20_000, "minder dan 20 000 inwoners"), (20_000, 50_000, "20 000 tot 50 000 inwoners"),
         (50_000, 100_000, "50 000 tot 100 000 inwoners"), (100_000, math.inf, "100 000 inwoners of meer"))
METHOD = ("95 %-trechter volgens Spiegelhalter (2005): grenzen = verwachting ± 1,96 × √(toeval + τ² + onzekerheid van de "
          "verwachting); τ (spreiding tussen vergelijkbare gemeenten) geschat met gewinsoriseerde z-scores (P10/P90), per "
          "grootteklasse tegen de eigen referentiegroep van elke gemeente (10 meest gelijkende).")
HOGER, LAGER, BINNEN, KLEIN = signals.HOGER, signals.LAGER, signals.BINNEN, signals.KLEIN
POSITIONS = [LAGER, BINNEN, HOGER, KLEIN]  # in the order of the caterpillar plot's legend


def band(inwoners: float | None) -> str | None:
    if inwoners is None or inwoners != inwoners:
        return None
    return next(label for lo, hi, label in BANDS if lo <= inwoners < hi)


@dataclass(frozen=True)
class Expectation:
    """An expected value with its 95 % funnel limits for one gemeente (all in the indicator's unit)."""

    soort: str  # "referentiegroep" or "kenmerken"
    waarde: float
    se: float  # standard error of the expected value itself
    lo: float
    hi: float
    tau: float
    n: int = 0  # members with a figure (group) or gemeenten in the fit (model)


def _tau2(y: np.ndarray, e: np.ndarray, s2: np.ndarray, X: np.ndarray | None = None) -> tuple[float, float]:
    """(φ, τ²): Spiegelhalter's additive overdispersion from winsorised z-scores; X is the design matrix of a fitted
    expectation (None: the expectation was fixed beforehand, one parameter as for a pooled rate)."""
    z = (y - e) / np.sqrt(s2)
    lo, hi = np.quantile(z, [WINSOR, 1 - WINSOR])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    w = 1 / s2
    if X is None:
        p, trace = 1, float((w ** 2).sum() / w.sum())
    else:
        p = X.shape[1]
        trace = float(np.trace(np.linalg.solve(X.T @ (X * w[:, None]), X.T @ (X * (w ** 2)[:, None]))))
    return phi, max(0.0, (len(y) * phi - (len(y) - p)) / (float(w.sum()) - trace))


def _chance(e: np.ndarray | float, n: np.ndarray | float, factor: float):
    """Binomial variance of a rate in its unit (per `factor`) at expected value e over n persons."""
    e = np.clip(e, 1e-9 * factor, factor * (1 - 1e-9))
    return e * (factor - e) / n


@dataclass
class Funnel:
    """One indicator in one period for all gemeenten: figures, rounding ranges, τ per band and the kenmerken model."""

    indicator: str
    periode: str
    factor: float
    table: pl.DataFrame  # gemeente_code, waarde, lo, hi (rounding only), teller, noemer, band, fit (used for τ and model)
    tau2_band: dict[str, float]
    phi_band: dict[str, float]
    n_band: dict[str, int]
    model: dict | None  # codes -> row, beta, cov, tau2, phi, n, features

    def row(self, code: str) -> dict | None:
        """The table's (first) row of `code` as a dict, or None; looked up in an index made once per table."""
        index = self.__dict__.get("_index")
        if index is None or index[0] is not self.table:
            rows: dict[str, dict] = {}
            for r in self.table.iter_rows(named=True):
                rows.setdefault(r["gemeente_code"], r)
            index = self.__dict__["_index"] = (self.table, rows)
        r = index[1].get(code)
        return None if r is None else dict(r)

    def group(self, code: str, members: list[str]) -> Expectation | None:
        """Expected value 1: the pooled rate of the members (plausible figures only) with its funnel limits."""
        me = self.row(code)
        if me is None or me["band"] not in self.tau2_band:
            return None
        m = self.table.filter(pl.col("gemeente_code").is_in(members) & pl.col("fit"))
        if m.height < signals.MIN_GROUP:
            return None
        if m.height >= TRIM_FROM:  # the lowest and the highest member do not set what is normal (a trimmed mean)
            m = m.sort("waarde").slice(1, m.height - 2)
        y = m["waarde"].to_numpy()
        w = 1 / (_chance(y, m["noemer"].to_numpy(), self.factor) + np.array([self.tau2_band.get(b, 0.0) for b in m["band"]]))
        e = float((w * y).sum() / w.sum())
        return self._limits("referentiegroep", e, 1 / float(w.sum()), me["noemer"], self.tau2_band[me["band"]], m.height)

    def predicted(self, code: str) -> float | None:
        """The kenmerken model's straight prediction for `code` (it can fall outside what a rate can be)."""
        if self.model is None or code not in self.model["x"] or self.row(code) is None:
            return None
        return float(self.model["x"][code] @ self.model["beta"])

    def possible(self, e: float) -> bool:
        """Whether `e` is a value the indicator's rate can take (0 to its factor)."""
        return 0 <= e <= self.factor

    def kenmerken(self, code: str) -> Expectation | None:
        """Expected value 2: from the gemeente's structural characteristics (the model over all gemeenten). None where the
        linear model predicts a rate below 0 or above its maximum: its characteristics lie outside those the model
        describes (Rozendaal, GM0277, on bijstandsdichtheid: −9,2 per 1.000), and no expectation or verdict follows."""
        e = self.predicted(code)
        if e is None or not self.possible(e):
            return None
        x = self.model["x"][code]
        return self._limits("kenmerken", e, float(x @ self.model["cov"] @ x), self.row(code)["noemer"], self.model["tau2"],
                            self.model["n"])

    def _limits(self, soort: str, e: float, var_e: float, n: float, tau2: float, count: int) -> Expectation:
        half = Z95 * math.sqrt(float(_chance(e, n, self.factor)) + tau2 + var_e)
        return Expectation(soort, e, math.sqrt(var_e), max(0.0, e - half), e + half, math.sqrt(tau2), count)


def build(prep, indicator: str, periode: str, fm: peers.FeatureMatrix, groups: dict[str, list[str]]) -> Funnel | None:
    """The funnel of `indicator` in `periode`: `prep` is a benchmark.Prepared frame, `groups` the default referentiegroep
    of every gemeente (for τ). None when the indicator has no count behind it."""
    s = signals.spec(indicator)
    if s.basis is None:
        return None
    vals = prep.values([indicator]).filter((pl.col("periode") == periode) & (pl.col("gemeente_code") != "NL01"))
    lg = signals.flow_age(indicator)
    bad = set() if lg is None else set(prep.bad.filter((pl.col("periode") == periode) & (pl.col("lg") == lg))["gemeente_code"])
    inwoners = dict(fm.raw.select("gemeentecode", "inwoners").iter_rows())
    rows = []
    for code, v in vals.select("gemeente_code", "waarde").iter_rows():
        period = prep.periods(code)["per"].get(periode, ({}, {}))
        count = period[0].get(s.basis)
        if count is None:
            continue
        den = count * s.factor / v if s.published_rounding and v > 0 else signals.denominator(s, period[0])
        if not den:
            continue
        lo, hi = signals.range_in(period, indicator, v, chance=False)
        rows.append((code, v, lo, hi, count, den, band(inwoners.get(code)), code not in bad and count > 0))
    table = pl.DataFrame(rows, orient="row", schema={"gemeente_code": pl.String, "waarde": pl.Float64, "lo": pl.Float64,
                                                     "hi": pl.Float64, "teller": pl.Float64, "noemer": pl.Float64,
                                                     "band": pl.String, "fit": pl.Boolean})
    if table.is_empty():
        return None
    f = Funnel(indicator, periode, s.factor, table, {}, {}, {}, None)
    _fit_bands(f, groups)
    f.model = _fit_model(f, fm)
    return f


def _fit_bands(f: Funnel, groups: dict[str, list[str]]) -> None:
    """τ² per size band, each gemeente against the pooled rate of its default group."""
    fit = f.table.filter(pl.col("fit"))
    t = dict(fit.select("gemeente_code", "teller").iter_rows())
    n = dict(fit.select("gemeente_code", "noemer").iter_rows())
    per_band: dict[str, list[tuple[float, float, float]]] = {}
    for code, y, den, b in fit.select("gemeente_code", "waarde", "noemer", "band").iter_rows():
        m = [c for c in groups.get(code, []) if c in t]
        if b is None or len(m) < signals.MIN_GROUP:
            continue
        e = sum(t[c] for c in m) / sum(n[c] for c in m) * f.factor
        per_band.setdefault(b, []).append((y, e, float(_chance(e, den, f.factor))))
    for b, obs in per_band.items():
        y, e, s2 = (np.array(x) for x in zip(*obs))
        f.phi_band[b], f.tau2_band[b] = _tau2(y, e, s2)
        f.n_band[b] = len(obs)


def _fit_model(f: Funnel, fm: peers.FeatureMatrix) -> dict | None:
    """Weighted least squares of the figure on the standardised characteristics (missing ones at the mean), in two steps."""
    idx = {c: i for i, c in enumerate(fm.codes)}
    fit = f.table.filter(pl.col("fit") & pl.col("gemeente_code").is_in(fm.codes))
    if fit.height < 3 * (fm.z.shape[1] + 1):
        return None
    x_all = {c: np.concatenate([[1.0], np.nan_to_num(fm.z[i])]) for c, i in idx.items()}
    X = np.array([x_all[c] for c in fit["gemeente_code"]])
    y, n = fit["waarde"].to_numpy(), fit["noemer"].to_numpy()
    pbar = float(fit["teller"].sum() / fit["noemer"].sum() * f.factor)
    s2 = _chance(pbar, n, f.factor)

    def wls(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cov = np.linalg.inv(X.T @ (X * w[:, None]))
        return cov @ (X.T @ (w * y)), cov

    beta0, _ = wls(1 / s2)
    phi, tau2 = _tau2(y, X @ beta0, s2, X)
    beta, cov = wls(1 / (s2 + tau2))
    codes = set(f.table["gemeente_code"])
    return {"x": {c: x for c, x in x_all.items() if c in codes}, "beta": beta, "cov": cov, "tau2": tau2, "phi": phi,
            "n": fit.height}


def position(f: Funnel, code: str, exp: Expectation | None) -> str | None:
    """hoger / lager dan verwacht (the whole rounding range outside the limits), te klein om te beoordelen (the count is
    below MIN_COUNT: there the normal approximation behind the limits does not hold), else binnen de normale spreiding."""
    r = f.row(code)
    if r is None or exp is None:
        return None
    if r["teller"] < MIN_COUNT:
        return KLEIN
    if r["lo"] > exp.hi:
        return HOGER
    if r["hi"] < exp.lo:
        return LAGER
    return BINNEN  # also when rounding straddles a limit: only a whole range outside is a signal


def default_groups(wh, fm: peers.FeatureMatrix) -> dict[str, list[str]]:
    """The default referentiegroep (10 most similar on all characteristics) of every gemeente of the newest indeling."""
    return {c: peers.resolve(wh, fm, peers.GroupSpec(), c).members for c in fm.codes}


def caterpillar(f: Funnel, soort: str, groups: dict[str, list[str]] | None = None) -> pl.DataFrame:
    """Every gemeente's figure against its expected value (the caterpillar plot): plaats (1 = furthest below), gemeente_code,
    waarde, lo, hi (rounding), verwacht, grens_lo, grens_hi (95 %), positie, verschil = waarde − verwacht and the 95 %
    interval around it (verschil_lo, verschil_hi: it leaves out 0 exactly when the figure lies outside the funnel)."""
    rows = []
    for code in f.table["gemeente_code"]:
        exp = f.group(code, (groups or {}).get(code, [])) if soort == "referentiegroep" else f.kenmerken(code)
        if exp is None:
            continue
        rows.append((code, exp.waarde, exp.lo, exp.hi, position(f, code, exp)))
    exp = pl.DataFrame(rows, orient="row", schema={"gemeente_code": pl.String, "verwacht": pl.Float64, "grens_lo": pl.Float64,
                                                   "grens_hi": pl.Float64, "positie": pl.String})
    verschil = pl.col("waarde") - pl.col("verwacht")
    return (f.table.select("gemeente_code", "waarde", "lo", "hi", "noemer").join(exp, on="gemeente_code")
            .with_columns(verschil.alias("verschil"),  # the interval around the difference excludes 0 iff outside the funnel
                          (verschil - (pl.col("grens_hi") - pl.col("verwacht"))).alias("verschil_lo"),
                          (verschil + (pl.col("verwacht") - pl.col("grens_lo"))).alias("verschil_hi"))
            .sort("verschil").with_row_index("plaats", offset=1))


def expectation(f: Funnel, code: str, soort: str, members: list[str]) -> Expectation | None:
    return f.group(code, members) if soort == "referentiegroep" else f.kenmerken(code)


def verdicts(f: Funnel, groups: dict[str, list[str]], soort: str = "referentiegroep") -> dict[str, str | None]:
    """The funnel position of every gemeente against its group (or its characteristics)."""
    return {c: position(f, c, expectation(f, c, soort, groups.get(c, []))) for c in f.table["gemeente_code"]}


def quartile_verdicts(f: Funnel, groups: dict[str, list[str]]) -> dict[str, str]:
    """The rule before issue 20, for comparison only: the rounding range wholly below P25 / above P75 / inside P25–P75
    of the group's members (unweighted, plausible figures): laagste kwart / hoogste kwart / middelste helft / te klein."""
    vals = dict(f.table.filter(pl.col("fit")).select("gemeente_code", "waarde").iter_rows())
    out = {}
    for code, lo, hi in f.table.select("gemeente_code", "lo", "hi").iter_rows():
        members = [vals[c] for c in groups.get(code, []) if c in vals]
        if len(members) < signals.MIN_GROUP:  # (before making a Series: `groups` often holds one gemeente, the table all)
            continue
        m = pl.Series(members, dtype=pl.Float64)
        p25, p75 = m.quantile(0.25, "linear"), m.quantile(0.75, "linear")
        out[code] = ("laagste kwart" if hi < p25 else "hoogste kwart" if lo > p75
                     else "middelste helft" if lo >= p25 and hi <= p75 else KLEIN)
    return out


def signal(label: str | None) -> str | None:
    """The coloured part of a verdict: hoger / lager (or the old rule's outer quarters), else None."""
    return {HOGER: "hoger", LAGER: "lager", "hoogste kwart": "hoger", "laagste kwart": "lager"}.get(label or "")


def for_warehouse(wh) -> Callable[[str, str], Funnel | None]:
    """`trechter(indicator, periode)` for one warehouse outside Streamlit (tests, bench): funnels built once each."""
    from portal import benchmark

    fm = peers.FeatureMatrix.build(peers.feature_table(wh))
    groups = default_groups(wh, fm)
    preps: dict[str, object] = {}
    cache: dict[tuple[str, str], Funnel | None] = {}

    def trechter(indicator: str, periode: str) -> Funnel | None:
        indeling = "jaar" if metrics.get(indicator).rate else "nieuwste"
        if indeling not in preps:
            preps[indeling] = benchmark.Prepared(wh.all_observations(indeling),
                                                 benchmark.rounding_parts(wh) if indeling == "nieuwste" else None)
        if (indicator, periode) not in cache:
            cache[(indicator, periode)] = build(preps[indeling], indicator, periode, fm, groups)
        return cache[(indicator, periode)]

    return trechter
