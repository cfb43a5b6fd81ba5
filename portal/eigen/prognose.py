"""Prognosis of the own bestand 12 months ahead: a stock–flow model by duration, with its backtest (issue 22, part 3).

Input: episodes (portal.eigen.episodes.merge) and the peildatum. Months are the months the file covers completely
(episodes.covered) up to the peildatum's month, plus the month before them (its month-end stock is complete: every
spell running then also ran in the covered period).

Model (discrete months; duration a = months since the begin month, so a = 0 at the end of the begin month; a ≥ 120
is one group, "≥ 10 jaar"):
- stock N_m(a): episodes running at the end of month m (begin ≤ end of m < einde, as monitors.monthly);
- uitstroom kans per maand per duurklasse k (HAZARDKLASSEN: < 6 mnd, 6–12 mnd, then schema.DUURKLASSEN): h_k = the
  endings in month m of those with duration a ∈ k at the end of m − 1, summed over the last 12 months, divided by N_{m−1}
  (a ∈ k) summed over the same months (the file itself, nothing from outside);
- instroom I_m: the mean of the last 12 months × a factor per calendar month (the mean of that calendar month over the
  last 24 or 36 whole months divided by the mean of all those months) when at least 24 months are known; fewer: no
  season, and the method says so. A share q of the instroom ends in its own month (from the same 12 months);
- projection: N_{m+1}(a+1) = N_m(a) (1 − h_{k(a)}), N_{m+1}(0) = I_{m+1} (1 − q), for 12 months. The expected change
  of the bestand splits into instroom and the uitstroom per duurklasse (of the duration at the start of the month;
  the same-month leavers count in "< 1 jaar"), as the BijstandScan does.
- interval (95 %): a parametric bootstrap (BOOTSTRAP runs, fixed seed): per run the hazards drawn from their binomial
  estimate and the instroom level from its Poisson estimate (estimation uncertainty), then every month binomial
  endings and Poisson instroom (chance). It does not cover a change of policy or economy; the backtest shows what the
  method really missed.
- backtest: portal.prognose.backtest with this model started 6 and 12 months before the peildatum (needs 12 months of
  history before the start), beside the naive and seasonal naive forecasts.
Disclosure: the split by duurklasse is a table like the page's others (`gesplitst`): a class the page's pattern hides in
the duration profile, or whose expected count is under MIN_CELL, is hidden, and the column totals tie the classes
together (portal.eigen.suppress.suppress); shown counts are rounded to tens.
No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from portal import prognose as pg
from portal.eigen import episodes
from portal.eigen import suppress as sp
from portal.eigen.maanden import _idx, _mi, _month
from portal.eigen.schema import DUURKLASSEN, MIN_CELL

A = 120  # durations 0 … A months; A stands for "A or more"
HAZARDKLASSEN = (("< 6 mnd", 0, 6), ("6–12 mnd", 6, 12), *DUURKLASSEN[1:])
SCHATMAANDEN = 12  # months the hazards, q and the instroom level rest on
BOOTSTRAP = 400
SEED = 22


def _class_of(klassen) -> np.ndarray:  # noqa: ANN001
    out = np.zeros(A + 1, dtype=np.int64)
    for i, (_, lo, hi) in enumerate(klassen):
        out[lo:(A + 1 if hi is None else hi)] = i
    return out


HK = _class_of(HAZARDKLASSEN)  # duration -> hazard class
DK = _class_of(DUURKLASSEN)  # duration -> display class


@dataclass(frozen=True)
class Gegevens:
    """Monthly arrays of one file, index j = 0 … J for the months first … peildatum month (j = 0: the month before the
    first covered month; only its stock is used)."""

    first: dt.date
    stock: np.ndarray  # (J+1, A+1) N at the end of month j by duration
    instroom: np.ndarray  # (J+1,) episodes beginning in month j
    uit: np.ndarray  # (J+1, A+1) endings in month j by duration at the end of month j−1
    zelfde: np.ndarray  # (J+1,) episodes beginning and ending in month j

    @property
    def bestand(self) -> np.ndarray:
        return self.stock.sum(axis=1)

    def maand(self, j: int) -> dt.date:
        return _month(_idx(self.first) + j)


def gegevens(spells: pl.DataFrame, peil: dt.date) -> Gegevens | None:
    """One pass over the episodes: counts by (begin month, einde month), then the stock and flows per month by duration.
    None when the file covers fewer than 2 months."""
    got = episodes.covered(spells, peil)
    if got is None:
        return None
    lo, hi = _idx(got[0]) - 1, _idx(peil)
    if hi - lo < 2:
        return None
    b0 = lo - A - 1  # any begin before this is ≥ A months old at the end of month lo
    pairs = (spells.lazy().filter(pl.col("begin") <= peil)
             .select(b=_mi("begin").clip(lower_bound=b0), e=_mi("einde").fill_null(hi + 1).clip(upper_bound=hi + 1))
             .filter(pl.col("e") >= lo).group_by("b", "e").agg(n=pl.len()).collect())
    nb, ne = hi - b0 + 1, hi - lo + 2  # e index: e − lo (0 … hi + 1 − lo)
    c = np.zeros((nb, ne), dtype=np.int64)
    np.add.at(c, (pairs["b"].to_numpy() - b0, pairs["e"].to_numpy() - lo), pairs["n"].to_numpy())
    alive = np.cumsum(c[:, ::-1], axis=1)[:, ::-1]  # alive[b, x]: begin b, einde month ≥ lo + x
    J = hi - lo
    stock = np.zeros((J + 1, A + 1), dtype=np.int64)
    uit = np.zeros((J + 1, A + 1), dtype=np.int64)
    instroom = np.zeros(J + 1, dtype=np.int64)
    zelfde = np.zeros(J + 1, dtype=np.int64)
    for j in range(J + 1):
        m = lo + j
        col = alive[: m - b0 + 1, j + 1]  # running at the end of m: begin ≤ m, einde month > m; rows b0 … m
        ages = (m - b0) - np.arange(len(col))  # duration of each begin month
        stock[j] = np.bincount(np.minimum(ages, A), weights=col, minlength=A + 1)
        instroom[j] = c[m - b0].sum()
        zelfde[j] = c[m - b0, j]
        if j:
            ends = c[: m - b0, j]  # begin before m, einde month m
            uit[j] = np.bincount(np.minimum((m - 1 - b0) - np.arange(len(ends)), A), weights=ends, minlength=A + 1)
    return Gegevens(_month(lo), stock, instroom, uit, zelfde)


@dataclass(frozen=True)
class Parameters:
    hazard: np.ndarray  # per HAZARDKLASSEN, per month
    blootstelling: np.ndarray  # person-months at risk per class
    q: float  # share of the instroom ending in its own month
    niveau: float  # mean monthly instroom over the estimation months
    seizoen: np.ndarray | None  # factor per calendar month 0..11 (mean 1), None: no season
    seizoen_maanden: int  # months the season rests on
    schatmaanden: int


def schat(g: Gegevens, o: int) -> Parameters:
    """The parameters from the months up to j = o (module note)."""
    est = range(max(1, o - SCHATMAANDEN + 1), o + 1)
    ex = np.array([np.bincount(HK, weights=g.stock[j - 1], minlength=len(HAZARDKLASSEN)) for j in est]).sum(axis=0)
    ev = np.array([np.bincount(HK, weights=g.uit[j], minlength=len(HAZARDKLASSEN)) for j in est]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(ex > 0, ev / ex, 0.0)
    ins = g.instroom[list(est)]
    q = float(g.zelfde[list(est)].sum() / ins.sum()) if ins.sum() else 0.0
    years = min(3, o // 12)  # whole years of instroom known (months 1 … o)
    seizoen, n_s = None, 0
    if years >= 2:
        n_s = 12 * years
        js = np.arange(o - n_s + 1, o + 1)
        cal = (_idx(g.first) + js) % 12
        vals = g.instroom[js].astype(float)
        mean = vals.mean()
        if mean > 0:
            seizoen = np.array([vals[cal == c].mean() for c in range(12)]) / mean
    return Parameters(hazard, ex, q, float(ins.mean()), seizoen, n_s, len(est))


def projecteer(g: Gegevens, o: int, p: Parameters, h: int) -> dict[str, np.ndarray]:
    """The deterministic projection from the end of month o over h months: bestand, instroom, uitstroom per display
    class (h × classes) and the stock per display class at the end (classes)."""
    n = g.stock[o].astype(float)
    haz = p.hazard[HK]
    m0 = _idx(g.first) + o
    best, ins, uit = np.zeros(h), np.zeros(h), np.zeros((h, len(DUURKLASSEN)))
    for s in range(h):
        out = n * haz
        rest = n - out
        new = np.zeros_like(n)
        new[1:] = rest[:-1]
        new[A] += rest[A]
        inflow = p.niveau * (p.seizoen[(m0 + s + 1) % 12] if p.seizoen is not None else 1.0)
        new[0] = inflow * (1 - p.q)
        uit[s] = np.bincount(DK, weights=out, minlength=len(DUURKLASSEN))
        uit[s, 0] += inflow * p.q
        ins[s], n = inflow, new
        best[s] = n.sum()
    return {"bestand": best, "instroom": ins, "uitstroom": uit, "eind": np.bincount(DK, weights=n, minlength=len(DUURKLASSEN))}


def bootstrap(g: Gegevens, o: int, p: Parameters, h: int, runs: int = BOOTSTRAP, seed: int = SEED) -> np.ndarray:
    """runs × h simulated bestand paths (module note: estimation uncertainty and chance)."""
    rng = np.random.default_rng(seed)
    exp = p.blootstelling.astype(np.int64)
    haz = np.where(exp > 0, rng.binomial(exp, p.hazard, size=(runs, len(exp))) / np.maximum(exp, 1), 0.0)[:, HK]
    months = p.schatmaanden
    niveau = rng.poisson(p.niveau * months, size=runs) / months
    n = np.repeat(g.stock[o][None, :], runs, axis=0)
    m0 = _idx(g.first) + o
    paths = np.zeros((runs, h))
    for s in range(h):
        out = rng.binomial(n, haz)
        rest = n - out
        new = np.zeros_like(n)
        new[:, 1:] = rest[:, :-1]
        new[:, A] += rest[:, A]
        inflow = rng.poisson(niveau * (p.seizoen[(m0 + s + 1) % 12] if p.seizoen is not None else 1.0))
        new[:, 0] = inflow - rng.binomial(inflow, p.q)
        n = new
        paths[:, s] = n.sum(axis=1)
    return paths


@dataclass(frozen=True)
class Eigenprognose:
    peil: dt.date
    gerealiseerd: pl.DataFrame  # maand, bestand: the months the model saw (j = 0 … J)
    maanden: list[dt.date]  # the projected months
    waarde: np.ndarray
    onder: np.ndarray
    boven: np.ndarray
    instroom: float  # expected instroom over the 12 months
    uitstroom: np.ndarray  # expected uitstroom over the 12 months per DUURKLASSEN
    eind: np.ndarray  # expected stock per DUURKLASSEN after 12 months
    params: Parameters
    fouten: list[pg.Fout]

    @property
    def nu(self) -> int:
        return int(self.gerealiseerd["bestand"][-1])

    @property
    def verandering(self) -> float:
        return float(self.waarde[-1] - self.nu)

    @property
    def methode(self) -> str:
        p = self.params
        s = (f"met het seizoenspatroon van de laatste {p.seizoen_maanden} maanden (instroom per kalendermaand gedeeld door "
             "het gemiddelde)" if p.seizoen is not None else
             "zonder seizoen: het bestand beschrijft nog geen 24 maanden, te kort om een seizoenspatroon te schatten")
        return (f"Prognose met een voorraad-stroommodel naar duur van de uitkering, geschat op het eigen bestand: de "
                f"uitstroomkans per maand per duurklasse uit de laatste {p.schatmaanden} maanden, de instroom het gemiddelde "
                f"van die maanden {s}. Het bestand wordt maand voor maand {pg.VOORUIT} maanden vooruit gerekend. Interval "
                f"(95 %): parametrische bootstrap ({BOOTSTRAP} trekkingen: onzekerheid in de geschatte kansen en instroom plus "
                "toeval per maand, Poisson en binomiaal); een verandering in beleid of economie zit er niet in — daarvoor is "
                "de backtest.")


def prognose(spells: pl.DataFrame, peil: dt.date) -> Eigenprognose | None:
    """The prognosis from the end of the peildatum's month with its backtest; None when the file covers fewer than 2
    months or has no bestand."""
    g = gegevens(spells, peil)
    if g is None:
        return None
    J = len(g.instroom) - 1
    y = g.bestand
    if y[J] <= 0:
        return None
    p = schat(g, J)
    proj = projecteer(g, J, p, pg.VOORUIT)
    paths = bootstrap(g, J, p, pg.VOORUIT)
    onder, boven = np.percentile(paths, [2.5, 97.5], axis=0)

    def method(o: int, h: int) -> np.ndarray | None:
        return projecteer(g, o, schat(g, o), h)["bestand"] if o >= SCHATMAANDEN else None

    fouten = pg.backtest(y, g.first, method)
    real = pl.DataFrame({"maand": [g.maand(j) for j in range(J + 1)], "bestand": y.astype(np.int64)},
                        schema={"maand": pl.Date, "bestand": pl.Int64})
    return Eigenprognose(peil, real, [g.maand(J + k) for k in range(1, pg.VOORUIT + 1)], proj["bestand"], onder, boven,
                         float(proj["instroom"].sum()), proj["uitstroom"].sum(axis=0), proj["eind"], p, fouten)


def tientallen(x: float | None) -> int | None:
    return None if x is None else int(round(x / 10.0)) * 10


def gesplitst(pr: Eigenprognose, pagina: sp.Pagina | None) -> tuple[pl.DataFrame, sp.Suppressed]:
    """The split of the expected change by duurklasse (module note 'Disclosure'): duurklasse, uitstroom (expected over the
    12 months), kans (uitstroomkans per maand, %, of the class; the two first-year hazard classes weighted by their
    exposure), eind (expected stock after 12 months). Returns (the table after suppression and rounding to tens, the
    suppression). A class hidden in the page's duration profile is hidden here too."""
    p = pr.params
    kans = []
    for i, (_, lo, hi) in enumerate(DUURKLASSEN):
        idx = [k for k, (_, a, _) in enumerate(HAZARDKLASSEN) if a >= lo and (hi is None or a < hi)]
        ex = p.blootstelling[idx].sum()
        kans.append(float((p.hazard[idx] * p.blootstelling[idx]).sum() / ex * 100) if ex else None)
    labels = [k[0] for k in DUURKLASSEN]
    frame = pl.DataFrame({"duurklasse": labels, "uitstroom": [float(v) for v in pr.uitstroom],
                          "kans": kans, "eind": [float(v) for v in pr.eind]},
                         schema={"duurklasse": pl.String, "uitstroom": pl.Float64, "kans": pl.Float64, "eind": pl.Float64})
    hidden_by_page = [pagina is not None and pagina.hidden("duur", k, "aantal") is not None for k in labels]
    probe = frame.with_columns([pl.Series(c, [None if h else v for h, v in zip(hidden_by_page, frame[c].to_list())],
                                          dtype=pl.Float64) for c in ("uitstroom", "eind")])
    rel = [(f"het totaal van de kolom {c}", [(i, c) for i in range(frame.height)]) for c in ("uitstroom", "eind")]
    res = sp.suppress(probe, ["uitstroom", "eind"], rel, key="duurklasse", linked={"uitstroom": ["kans"]}, min_cell=MIN_CELL)
    # As the page's joint suppression: hidden cells of a column that together hold fewer than MIN_CELL (the total minus
    # the visible ones would be a small count) take one more cell with them, the smallest visible one.
    reason = {(r, k): (w, t) for r, k, w, t in res.cellen.select("rij", "kolom", "reden", "toelichting").iter_rows()}
    for c in ("uitstroom", "eind"):
        values = frame[c].to_list()
        while True:
            gone = [r for r in range(frame.height) if (r, c) in reason]
            left = [r for r in range(frame.height) if (r, c) not in reason]
            if not gone or not left or sum(values[r] for r in gone) >= MIN_CELL:
                break
            pick = min(left, key=lambda r: values[r])
            reason[(pick, c)] = ("secundair", f"anders samen met de verborgen cellen af te leiden uit het totaal van de kolom {c}")
    res = sp._hide(frame, ["uitstroom", "eind"], reason, "duurklasse", {"uitstroom": ["kans"]})
    shown = res.frame.with_columns([pl.col(c).map_elements(tientallen, return_dtype=pl.Int64).alias(c) for c in ("uitstroom", "eind")])
    return shown, res


def foto_blok(spells: pl.DataFrame, peil: dt.date, pagina: sp.Pagina) -> tuple[dict | None, dict | None]:
    """For the visitatie foto's own-file block (portal.visitatie_eigen): (the prognose the scorecard's volume rows use,
    or None; the row of the block, or None). The prognose: the target month, the prognosis in tens, the backtest over
    12 months (else 6) and per December the file covers the factor prognosis / bestand of that month (the foto carries a
    dichtheid forward with it; portal.prognose.foto_prognose). Nothing when the page hides the bestand on the peildatum."""
    pr = prognose(spells, peil)
    if pr is None:
        return None, None
    last = pr.gerealiseerd["maand"][-1]
    doel = pr.maanden[-1]
    label = f"Prognose bestand eind {pg.nl_month(doel)}"
    if pagina.hidden("maand", last.isoformat(), "bestand") is not None or pr.nu < MIN_CELL:
        return None, {"id": "prognose_bestand", "label": label, "eenheid": "uitkeringen", "periode": f"12 maanden na {pg.nl_month(last)}",
                      "waarde": None, "onder": None, "boven": None,
                      "reden": f"niet getoond: het bestand op de peildatum is kleiner dan {MIN_CELL}"}
    bt = next((f for f in pr.fouten if f.horizon == 12), pr.fouten[-1] if pr.fouten else None)
    decembers = pr.gerealiseerd.filter(pl.col("maand").dt.month() == 12)
    factoren = {f"{m:%Y-%m}": round(float(pr.waarde[-1]) / b, 4) for m, b in decembers.iter_rows() if b > 0}
    blok = {"maand": f"{doel:%Y-%m}", "waarde": tientallen(pr.waarde[-1]), "factoren": factoren,
            "mape": bt.mape["methode"] if bt else None, "naief": bt.mape["naief"] if bt else None,
            "seizoen": bt.mape.get("seizoen") if bt else None, "beter": bt.beter if bt else None,
            "horizon": bt.horizon if bt else None}
    periode = (f"12 maanden na {pg.nl_month(last)}; " + (
        f"backtest over {bt.horizon} maanden: methode {pg.nl_number(bt.mape['methode'], 1)} %, naïef "
        f"{pg.nl_number(bt.mape['naief'], 1)} %" + (f", seizoensnaïef {pg.nl_number(bt.mape['seizoen'], 1)} %" if "seizoen" in bt.mape else "")
        + ("" if bt.beter else " (niet beter dan naïef)") if bt else "geen backtest: het bestand is te kort"))
    row = {"id": "prognose_bestand", "label": label, "eenheid": "uitkeringen", "periode": periode,
           "waarde": tientallen(pr.waarde[-1]), "onder": tientallen(pr.onder[-1]), "boven": tientallen(pr.boven[-1]), "reden": None}
    return blok, row
