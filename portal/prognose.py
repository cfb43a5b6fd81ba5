"""Volume prognoses with their own accuracy (issue 22, part 3): backtests against a naive and a seasonal naive forecast,
and the prognosis of a public monthly series (CBS 82015NED / 80794ned per gemeente after `etl vernieuw`, 37789ksz
nationally).

Backtest (shared with the own-file model, portal.eigen.prognose). A series y over months 0..t. For a horizon H (6 and
12), the method is started at origin o = t − H with only the months up to o, and forecasts o+1 … t. Errors e_h = ŷ(o+h)
− y(o+h), h = 1 … H:
- MAE  = mean |e_h|                       (in the unit of the series: uitkeringen or personen),
- MAPE = mean |e_h| / y(o+h) × 100        (in %).
Beside it, from the same origin: the naive forecast ŷ(o+h) = y(o) (last value) and the seasonal naive forecast
ŷ(o+h) = y(o+h−12) (the same month a year earlier; known at the origin for h ≤ 12). The method *beats* them over H when
its MAPE is lower than both. The verdict says so plainly when it does not.

Series model (`series_forecast`): ŷ(t+h) = y(t) × exp(γ(month of t+h) − γ(month of t)) × exp(g·h): anchored at the last
value, the season γ from a least-squares fit of log y = α + β·t + γ(calendar month) over the last (up to) 36 months
(month effects only with at least 24 months, then at least two of each month; the γ sum to 0; fewer months: no season,
and the method says so), the trend g the change of log y over the last 12 months / 12 (the season cancels; with fewer
than 13 months the β of the fit). Chosen on a rolling backtest of the national series 37789ksz (origins 2003–2017):
12 months ahead the mean MAPE was 2,33 % against 2,85 % naive; the same fit read off its fitted line (not anchored)
gave 5,09 %. Interval: ± 1,96 × the standard deviation of the fit's residuals (log scale) growing with √h, widened to at
least the backtest's MAPE — an approximation, said so on the page. A series with a known exponential trend and
multiplicative season is recovered exactly (tests/test_prognose.py).

`dichtheid` carries a volume prognosis over to a dichtheid (the foto's volume rows): realisatie × forecast / the series'
value in the month of the realisatie (a year is read as its December), inwoners taken as unchanged.
No Streamlit and no storage here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from portal.nl import nl_month, nl_number
from portal.paths import vandaag

HORIZONS = (6, 12)  # backtest horizons in months
VOORUIT = 12  # months projected ahead
VENSTER = 36  # months the series model is fitted on
MIN_SEIZOEN = 24  # months needed before month effects are estimated
MIN_MAANDEN = 6  # fewer months: no prognosis
Z95 = 1.959963984540054
METHODEN = {"methode": "de methode", "naief": "naïef (laatste waarde)", "seizoen": "seizoensnaïef (zelfde maand vorig jaar)"}


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_date(i: int) -> dt.date:
    return dt.date(i // 12, i % 12 + 1, 1)


@dataclass(frozen=True)
class Fout:
    """The backtest over one horizon: MAE (unit of the series) and MAPE (%) of the method and the two baselines."""

    horizon: int
    origin: dt.date  # the last month the methods saw
    mae: dict[str, float]  # methode, naief, seizoen -> MAE (seizoen absent when the series is too short)
    mape: dict[str, float]

    @property
    def beter(self) -> bool:
        """The method's MAPE is lower than every baseline's."""
        return all(self.mape["methode"] < v for k, v in self.mape.items() if k != "methode")


def errors(forecast: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    """(MAE, MAPE in %) of a forecast path against the realised one."""
    f, a = np.asarray(forecast, dtype=float), np.asarray(actual, dtype=float)
    e = np.abs(f - a)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(a != 0, e / np.abs(a) * 100, np.nan)
    return float(e.mean()), float(np.nanmean(pct)) if np.isfinite(pct).any() else float("nan")


def backtest(y: np.ndarray, first: dt.date, method: Callable[[int, int], np.ndarray | None],
             horizons: tuple[int, ...] = HORIZONS) -> list[Fout]:
    """Backtests of `method(o, H)` (the forecast of y[o+1 … o+H] from the months 0 … o, or None when it cannot start
    there) for every horizon that fits the series; `first`: the month of y[0]. Module note for the definitions."""
    y = np.asarray(y, dtype=float)
    t = len(y) - 1
    out = []
    for h in horizons:
        o = t - h
        if o < 0:
            continue
        got = method(o, h)
        if got is None:
            continue
        actual = y[o + 1:]
        mae, mape = {}, {}
        mae["methode"], mape["methode"] = errors(got, actual)
        mae["naief"], mape["naief"] = errors(np.full(h, y[o]), actual)
        if o + 1 - 12 >= 0:
            mae["seizoen"], mape["seizoen"] = errors(y[o + 1 - 12:o + 1 - 12 + h], actual)
        out.append(Fout(h, month_date(month_index(first) + o), mae, mape))
    return out


def oordeel(fouten: list[Fout], eenheid: str = "uitkeringen") -> str:
    """The backtest in Dutch: per horizon how far off each was, and whether the method beat the baselines."""
    if not fouten:
        return ("Geen backtest: de reeks is te kort om de methode 6 of 12 maanden eerder te starten. Hoe goed deze prognose "
                "is, is dus niet te zeggen.")
    parts = []
    for f in fouten:
        naast = ", ".join(f"{METHODEN[k]} {nl_number(f.mape[k], 1)} % ({nl_number(f.mae[k])} {eenheid})"
                          for k in ("naief", "seizoen") if k in f.mape)
        parts.append(f"Gestart eind {nl_month(f.origin)} zat de methode er over de {f.horizon} maanden daarna gemiddeld "
                     f"{nl_number(f.mape['methode'], 1)} % naast ({nl_number(f.mae['methode'])} {eenheid}); {naast}.")
    losers = [f for f in fouten if not f.beter]
    if not losers:
        parts.append("De methode was daarmee beter dan de naïeve en de seizoensnaïeve voorspelling.")
    else:
        wie = " en ".join(f"over {f.horizon} maanden" for f in losers)
        parts.append(f"Let op: de methode was {wie} niet beter dan een naïeve voorspelling (laatste waarde of zelfde maand "
                     "vorig jaar). Lees de prognose dan niet nauwkeuriger dan die eenvoudige regel.")
    return " ".join(parts)


# ---- the prognosis of a monthly series (public figures) ------------------------------------------------------------
@dataclass(frozen=True)
class Reeksprognose:
    maanden: list[dt.date]  # the projected months (first of the month), VOORUIT of them
    waarde: np.ndarray
    onder: np.ndarray  # 95 % interval (module note)
    boven: np.ndarray
    seizoen: bool  # month effects estimated
    trend_pct_jaar: float  # the fitted trend in % per year
    fouten: list[Fout]
    laatste: dt.date  # the last month of the series
    laatste_waarde: float
    basis: str  # the months the fit rests on, in Dutch

    @property
    def methode(self) -> str:
        s = ("met een effect per kalendermaand (seizoen)" if self.seizoen else
             f"zonder seizoen (minder dan {MIN_SEIZOEN} maanden: te kort om een seizoenspatroon te schatten)")
        return (f"Prognose uit de maandreeks: de laatste maand, doorgetrokken met de verandering over de laatste 12 "
                f"maanden ({nl_number(self.trend_pct_jaar, 1)} % per jaar) en {s}; het seizoen geschat met de "
                f"kleinste-kwadratenmethode op {self.basis}. Interval: 95 % uit de spreiding van de maanden rond trend en "
                "seizoen, minstens zo breed als de fout in de backtest (een benadering: een trendbreuk zit er niet in).")


def _fit(y: np.ndarray, months: np.ndarray) -> tuple[np.ndarray, bool, float] | None:
    """Least-squares fit of log y on (1, t, month effects summing to 0) over the given months; (coefficients, season,
    residual sd on the log scale). None when the series has a value ≤ 0 or fewer than MIN_MAANDEN months."""
    n = len(y)
    if n < MIN_MAANDEN or (y <= 0).any():
        return None
    season = n >= MIN_SEIZOEN
    t = np.arange(n, dtype=float)
    cols = [np.ones(n), t]
    if season:
        cal = months % 12
        for c in range(11):  # effects of months 0..10 against month 11 (sum-to-zero coding)
            cols.append((cal == c).astype(float) - (cal == 11).astype(float))
    x = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(x, np.log(y), rcond=None)
    resid = np.log(y) - x @ coef
    dof = max(n - x.shape[1], 1)
    return coef, season, float(np.sqrt((resid ** 2).sum() / dof))


def _forecast(y: np.ndarray, first: int, o: int, h: int) -> tuple[np.ndarray, bool, float, float] | None:
    """(forecast of months o+1 … o+h from y[0 … o], season estimated, trend g per month, residual sd) or None."""
    lo = max(0, o + 1 - VENSTER)
    got = _fit(y[lo:o + 1], np.arange(first + lo, first + o + 1))
    if got is None:
        return None
    coef, season, sd = got
    gam = np.append(coef[2:], -coef[2:].sum()) if season else np.zeros(12)
    g = float(np.log(y[o]) - np.log(y[o - 12])) / 12 if o >= 12 else float(coef[1])
    steps = np.arange(1, h + 1)
    out = y[o] * np.exp(gam[(first + o + steps) % 12] - gam[(first + o) % 12] + g * steps)
    return out, season, g, sd


def series_forecast(maanden: list[dt.date], waarden: list[float]) -> Reeksprognose | None:
    """The prognosis of a monthly series (consecutive months; a gap ends the series used at the last complete stretch)
    with its backtest. None with fewer than MIN_MAANDEN months or a value ≤ 0."""
    pairs = sorted((month_index(m), float(v)) for m, v in zip(maanden, waarden) if v is not None)
    if not pairs:
        return None
    start = len(pairs) - 1  # the last stretch without gaps
    while start > 0 and pairs[start - 1][0] == pairs[start][0] - 1:
        start -= 1
    pairs = pairs[start:]
    if len(pairs) < MIN_MAANDEN:
        return None
    first = pairs[0][0]
    y = np.array([v for _, v in pairs])
    t = len(y) - 1
    got = _forecast(y, first, t, VOORUIT)
    if got is None:
        return None
    waarde, season, g, sd = got

    def method(o: int, h: int) -> np.ndarray | None:
        f = _forecast(y, first, o, h)
        return None if f is None else f[0]

    fouten = backtest(y, month_date(first), method)
    h = np.arange(1, VOORUIT + 1)
    width = np.maximum(np.expm1(Z95 * sd * np.sqrt(h)), max((f.mape["methode"] for f in fouten), default=0.0) / 100)
    lo = max(0, t + 1 - VENSTER)
    basis = f"{nl_month(month_date(first + lo))} t/m {nl_month(month_date(first + t))} ({t + 1 - lo} maanden)"
    return Reeksprognose([month_date(first + t + k) for k in h], waarde, waarde * (1 - width), waarde * (1 + width), season,
                         float(np.expm1(g * 12) * 100), fouten, month_date(first + t), float(y[-1]), basis)


def periode_maand(periode: str) -> dt.date | None:
    """'2017' -> December 2017, '2024-09' -> September 2024; anything else None."""
    try:
        if len(periode) == 4:
            return dt.date(int(periode), 12, 1)
        if len(periode) == 7 and periode[4] == "-":
            return dt.date(int(periode[:4]), int(periode[5:]), 1)
    except ValueError:
        return None
    return None


def dichtheid(realisatie: float | None, periode: str | None, reeks: dict[dt.date, float], doel: float) -> float | None:
    """A volume prognosis carried to a dichtheid: realisatie × doel / the series in the realisatie's month (None when the
    series does not have that month)."""
    m = periode_maand(periode or "")
    basis = reeks.get(m) if m else None
    if realisatie is None or not basis:
        return None
    return realisatie * doel / basis


# ---- the visitatie foto: the prognose column of the volume rows -----------------------------------------------------
# Volume rows of the foto and the public monthly series of the same kind (after `etl vernieuw`).
VOLUME = {"dichtheid_uitkeringen_totaal": ("bijstandsuitkeringen_maand", "CBS 82015NED"),
          "dichtheid_tot_aow_incl_gerelateerd": ("bijstand_personen_tot_aow_maand", "CBS 80794ned")}
FOTO_METHODE = (
    "Bij de twee dichtheden, als er maandcijfers zijn: deelt de gemeente cijfers uit haar eigen bestand, dan de prognose "
    "van het eigen bestand 12 maanden na de peildatum (voorraad-stroommodel naar duur), anders die van de openbare "
    "maandreeks (CBS 82015NED of 80794ned, na 'etl vernieuw'; trend en seizoen): de dichtheid maal de verwachte "
    "verhouding tot het bestand in de maand van de realisatie (een jaarcijfer als december), met gelijk aantal inwoners; "
    "met tussen haakjes de fout van de methode in de backtest (12 maanden eerder gestart) naast die van een naïeve "
    "voorspelling.")


def _num(x) -> bool:  # noqa: ANN001
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def backtest_tekst(mape: float | None, naief: float | None, beter: bool | None) -> str:
    if mape is None:
        return "geen backtest"
    out = f"backtest {nl_number(mape, 1)} %"
    if naief is not None:
        out += f", naïef {nl_number(naief, 1)} %"
    return out + ("" if beter in (True, None) else ": niet beter dan naïef")


def maandprognose(obs, code: str, indicator: str, periode: str | None, realisatie: float | None) -> dict:  # noqa: ANN001
    """{'maandprognose': …} for a volume row of the foto when the gemeente has a public monthly series (obs: warehouse
    observations) that covers the realisatie's month; {} otherwise (then today's rule stays)."""
    import polars as pl

    if indicator not in VOLUME or realisatie is None:
        return {}
    ind, bron = VOLUME[indicator]
    f = obs.filter((pl.col("gemeente_code") == code) & (pl.col("indicator") == ind) & pl.col("waarde").is_not_null()
                   & (pl.col("periode").str.len_chars() == 7))
    if f.height < MIN_MAANDEN:
        return {}
    ms = [periode_maand(p) for p in f["periode"]]
    vals = f["waarde"].to_list()
    pr = series_forecast([m for m in ms if m], [v for m, v in zip(ms, vals) if m])
    if pr is None:
        return {}
    w = dichtheid(realisatie, periode, {m: v for m, v in zip(ms, vals) if m}, float(pr.waarde[-1]))
    if w is None:
        return {}
    bt = next((x for x in pr.fouten if x.horizon == 12), pr.fouten[-1] if pr.fouten else None)
    return {"maandprognose": {"maand": pr.maanden[-1].strftime("%Y-%m"), "waarde": w, "bron": bron,
                              "mape": bt.mape["methode"] if bt else None, "naief": bt.mape["naief"] if bt else None,
                              "beter": bt.beter if bt else None}}


def foto_prognose(regel: dict, foto: dict, today: dt.date | None = None) -> dict | None:
    """The prognose of a foto row from monthly figures: the own file when the gemeente shares it (foto['eigen']
    ['prognose'], portal.eigen.prognose.foto_blok), else a public monthly series (regel['maandprognose']); None: the
    yearly straight line stays (portal.visitatie.prognose). Also None for a month that has passed or malformed data (a
    foto may come from an imported file)."""
    if regel.get("indicator") not in VOLUME or not _num(regel.get("realisatie")):
        return None
    now = month_index(today or vandaag())
    own = (foto.get("eigen") or {}).get("prognose") if isinstance(foto.get("eigen"), dict) else None
    if isinstance(own, dict) and isinstance(own.get("factoren"), dict):
        m = periode_maand(str(own.get("maand") or ""))
        fac = own["factoren"].get(str(regel.get("periode") or "")[:4] + "-12") if len(str(regel.get("periode") or "")) == 4 else None
        if m is not None and month_index(m) >= now and _num(fac):
            return {"periode": f"{m:%m-%Y}, eigen bestand; " + backtest_tekst(
                own.get("mape") if _num(own.get("mape")) else None, own.get("naief") if _num(own.get("naief")) else None,
                own.get("beter") if isinstance(own.get("beter"), bool) else None), "waarde": regel["realisatie"] * fac}
    pub = regel.get("maandprognose")
    if isinstance(pub, dict) and _num(pub.get("waarde")):
        m = periode_maand(str(pub.get("maand") or ""))
        if m is not None and month_index(m) >= now:
            return {"periode": f"{m:%m-%Y}, {str(pub.get('bron'))[:20]} per maand; " + backtest_tekst(
                pub.get("mape") if _num(pub.get("mape")) else None, pub.get("naief") if _num(pub.get("naief")) else None,
                pub.get("beter") if isinstance(pub.get("beter"), bool) else None), "waarde": float(pub["waarde"])}
    return None
