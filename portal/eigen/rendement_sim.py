"""A simulated BUS + SRG file whose voorziening has a KNOWN effect (or none), for the tests and the benchmark of the
rendementmeters (portal.eigen.rendement). Synthetic: no real persons.

Model, month by month (discrete time) from each episode's begin up to the peildatum:
- covariates per person: age (geboortejaar), leefvorm, a true participatieladder position (1–6, fixed);
- exit: monthly hazard of leaving for work λ_w = WERK × f(age group) × f(leefvorm) × f(ladder) × f(duration class)
  (young, higher on the ladder and short duration leave sooner), of leaving otherwise OVERIG; exits from the month
  after the begin;
- selection ON THE MATCHED OBSERVABLES ONLY: a client still in the bijstand at the end of a month starts a voorziening
  of a type with a monthly probability that is higher for the same clients (young, higher trede, short duration), so
  a naive comparison of deelnemers with everybody else shows a difference even without any effect;
- effect: from the month after the start, λ_w of a deelnemer is multiplied by the type's factor r (1 = no effect);
- the SRG reports the true trede with a begindatum at the episode's begin (the portal knows it from the voorziening's
  start on); type "99" (overige) serves as the other voorziening through which controls have a known trede.
Truth: for each deelnemer also the outcome had he not started in that month, from the same random numbers (potential
outcomes): `waar` follows the natural course in which he may still start later (then with the effect), which is what
the rendementmeter compares with (controls are clients who had not started by that month); `waar_nooit` is the outcome
had he never started (larger: on these files by about a tenth of the effect at 12 months).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from portal.eigen.bus import VOORZIENING_SCHEMA
from portal.eigen.maanden import _idx

WERK, OVERIG = 0.02, 0.012
F_AGE = (1.8, 1.0, 0.5)  # tot 27, 27 tot 45, 45 tot AOW
F_LV = {"alleenstaande": 1.0, "alleenstaande_ouder": 0.7, "paar": 1.2}
F_DUUR = (1.6, 1.0, 0.6, 0.35, 0.2)  # schema.DUURKLASSEN
P_AGE, P_DUUR = (2.0, 1.0, 0.5), (1.5, 1.0, 0.6, 0.5, 0.5)


@dataclass(frozen=True)
class Simulatie:
    spells: pl.DataFrame  # client, begin, einde, reden, leefvorm, geboortejaar (episodes running in the window)
    voorzieningen: pl.DataFrame  # bus.VOORZIENING_SCHEMA
    van: dt.date
    peil: dt.date
    waar: dict[tuple[str, int], float]  # (type, h) -> true effect of starting now rather than not now, pp (module note)
    waar_nooit: dict[tuple[str, int], float]  # (type, h) -> true effect of starting now rather than never, pp
    naief: dict[tuple[str, int], float]  # (type, h) -> deelnemers' share minus all others' share (no matching), pp


def _date(col: str, day: int) -> pl.Expr:
    """A month index column as a date on that day of the month."""
    return pl.date(pl.col(col) // 12, pl.col(col) % 12 + 1, day)


def _duur(d: np.ndarray) -> np.ndarray:
    return (d >= 12).astype(int) + (d >= 24) + (d >= 60) + (d >= 120)


def _age(t: np.ndarray | int, gj: np.ndarray) -> np.ndarray:
    a = t // 12 - gj
    return (a >= 27).astype(int) + (a >= 45)


def simuleer(n: int, types: dict[str, tuple[float, float]], seed: int = 1, van: dt.date = dt.date(2022, 1, 1),
             peil: dt.date = dt.date(2024, 12, 31), history: int = 72, horizons: tuple[int, ...] = (6, 12),
             waarheid: bool = True) -> Simulatie:
    """n persons with an episode beginning in the `history` months before `van` or in the window; `types`: code ->
    (monthly start probability of an average client, effect factor r on the werk hazard). waarheid=False (the
    benchmark's millions of persons): no true values (empty dicts), random numbers drawn month by month."""
    rng = np.random.default_rng(seed)
    lo, hi = _idx(van), _idx(peil)
    t0 = lo - history
    b = rng.integers(t0, hi + 1, n)
    gj = (lo // 12 - rng.integers(18, 62, n)).astype(np.int64)
    lvs = np.array(list(F_LV))
    lv = rng.choice(len(lvs), n, p=[0.6, 0.25, 0.15])
    lad = rng.integers(1, 7, n)
    f_fixed = np.array(list(F_LV.values()))[lv] * (0.4 + 0.25 * (lad - 1))
    p_fixed = lad / 3.5
    T = hi - t0 + 1
    codes = list(types)
    if waarheid:  # kept for the potential outcomes
        u_exit, u_kind, u_start = rng.random((T, n)), rng.random((T, n)), rng.random((len(codes), T, n))
    alive = np.ones(n, bool)
    e = np.full(n, 10**7)
    werk = np.zeros(n, bool)
    start = np.full((len(codes), n), 10**7)
    f_age, f_duur = np.array(F_AGE), np.array(F_DUUR)
    p_age, p_duur = np.array(P_AGE), np.array(P_DUUR)
    effect = np.array([types[c][1] for c in codes])

    def lam_w(t: int, idx: np.ndarray, mult: np.ndarray) -> np.ndarray:
        return WERK * f_fixed[idx] * f_age[_age(t, gj[idx])] * f_duur[_duur(t - b[idx])] * mult

    for t in range(t0, hi + 1):
        i = t - t0
        if not waarheid:
            u_exit, u_kind, u_start, i = rng.random((1, n)), rng.random((1, n)), rng.random((len(codes), 1, n)), 0
        act = np.flatnonzero(alive & (b < t))
        if len(act):
            mult = np.prod(np.where(start[:, act] < t, effect[:, None], 1.0), axis=0)
            lw = lam_w(t, act, mult)
            out = u_exit[i, act] < lw + OVERIG
            ex = act[out]
            alive[ex], e[ex] = False, t
            werk[ex] = u_kind[i, ex] * (lw[out] + OVERIG) < lw[out]
        inn = np.flatnonzero(alive & (b <= t))
        if len(inn):
            pr = p_fixed[inn] * p_age[_age(t, gj[inn])] * p_duur[_duur(t - b[inn])]
            for j, c in enumerate(codes):
                new = inn[(start[j, inn] > t) & (u_start[j, i, inn] < types[c][0] * pr)]
                start[j, new] = t
    # Truth: for each deelnemer the outcome had he not started in that month, from the same random numbers: the
    # natural course, in which he may still start later (then with the effect) — what the rendementmeter estimates
    # (`waar`) — and the outcome had he never started (`waar_nooit`).
    waar, nooit, naief = {}, {}, {}
    for j, c in enumerate(codes if waarheid else ()):
        tr = np.flatnonzero((start[j] >= lo) & (start[j] <= hi))
        for h in horizons:
            el = tr[start[j, tr] <= hi - h]
            s = start[j, el]
            y1 = werk[el] & (e[el] <= s + h)
            others = np.delete(np.arange(len(codes)), j)
            ys = {}
            for later in (True, False):
                y0 = np.zeros(len(el), bool)
                gone = np.zeros(len(el), bool)
                cf_start = np.full(len(el), 10**7)
                for k in range(1, h + 1):
                    t = s + k
                    ti = t - t0
                    mult = np.prod(np.where(start[others][:, el] < t[None, :], effect[others][:, None], 1.0), axis=0)
                    mult = mult * np.where(cf_start < t, effect[j], 1.0)
                    lw = WERK * f_fixed[el] * f_age[_age(t, gj[el])] * f_duur[_duur(t - b[el])] * mult
                    out = ~gone & (u_exit[ti, el] < lw + OVERIG)
                    y0 |= out & (u_kind[ti, el] * (lw + OVERIG) < lw)
                    gone |= out
                    if later:
                        pr = p_fixed[el] * p_age[_age(t, gj[el])] * p_duur[_duur(t - b[el])]
                        new = ~gone & (cf_start > t) & (u_start[j, ti, el] < types[c][0] * pr)
                        cf_start = np.where(new & (cf_start > 10**6), t, cf_start)
                ys[later] = y0
            y0 = ys[True]
            nooit[(c, h)] = float((y1.mean() - ys[False].mean()) * 100) if len(el) else float("nan")
            waar[(c, h)] = float((y1.mean() - y0.mean()) * 100) if len(el) else float("nan")
            # naive: all person-months in the bijstand at a month end in the window, not (yet) started this type
            ys, ns = 0.0, 0
            for m in range(lo, hi - h + 1):
                pool = (b <= m) & (e > m) & (start[j] > m)
                ys += float((pool & werk & (e <= m + h)).sum())
                ns += int(pool.sum())
            naief[(c, h)] = float(y1.mean() * 100 - ys / ns * 100) if len(el) and ns else float("nan")
    keep = (b <= hi) & (e > lo - 1)  # the BUS holds the episodes running in the window
    idx = np.flatnonzero(keep)
    ended = e[idx] <= hi
    spells = pl.DataFrame({"i": idx, "b": b[idx], "e": e[idx], "w": werk[idx], "lv": lvs[lv[idx]], "gj": gj[idx]}).select(
        client=pl.format("P{}", "i"), begin=_date("b", 1),
        einde=pl.when(pl.Series(ended)).then(_date("e", 20)),
        reden=pl.when(pl.Series(ended)).then(pl.when("w").then(pl.lit("werk")).otherwise(pl.lit("overig"))),
        leefvorm="lv", geboortejaar=pl.col("gj").cast(pl.Int32))
    rows = []
    for j, c in enumerate(codes):
        who = np.flatnonzero(start[j] <= hi)
        rows.append(pl.DataFrame({"i": who, "s": start[j, who], "b": b[who], "lad": lad[who], "gj": gj[who]}).select(
            client=pl.format("P{}", "i"), type=pl.lit(c), begin=_date("s", 10), ladder=pl.col("lad").cast(pl.Int32),
            ladder_begin=_date("b", 1), geboortejaar=pl.col("gj").cast(pl.Int32)))
    vz = pl.concat(rows) if rows else pl.DataFrame(schema={"client": pl.String})
    vz = vz.with_columns(*[pl.lit(None).cast(t).alias(col) for col, t in VOORZIENING_SCHEMA.items() if col not in vz.columns]
                         ).select(list(VOORZIENING_SCHEMA)).cast(VOORZIENING_SCHEMA)
    vz = vz.join(spells.select("client"), on="client", how="semi")  # the SRG of persons in the BUS window
    return Simulatie(spells, vz, van, peil, waar, nooit, naief)
