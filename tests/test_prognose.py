"""Volume prognoses with their own accuracy (issue 22, part 3): known answers.

- the series model recovers a known exponential trend and multiplicative season exactly;
- the backtest error (MAE, MAPE; naive and seasonal naive beside) computed by hand for a small series;
- the own-file stock–flow model on spells simulated here with a known hazard per duration class and a known instroom
  with a known season: it recovers the hazards and the season, and projects the realised next 12 months;
- the real national series (CBS 37789ksz, bijstandsuitkeringen tot AOW, monthly 1998–2018): started at the end of
  2016, the prognosis for 2017 against the known months.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from portal import prognose as pg
from portal.eigen import prognose as ep
from portal.store import Warehouse


def months(first: dt.date, n: int) -> list[dt.date]:
    i = pg.month_index(first)
    return [pg.month_date(i + k) for k in range(n)]


# ---- the series model ------------------------------------------------------------------------------------------------
SEASON = np.array([1.06, 1.04, 1.02, 1.0, 0.98, 0.96, 0.95, 0.97, 0.99, 1.0, 1.01, 1.02])


def test_series_model_recovers_known_trend_and_season() -> None:
    g = 0.004  # per month: exp(12 g) − 1 = 4,91 % per year
    ms = months(dt.date(2019, 1, 1), 48)
    y = [1000 * math.exp(g * t) * SEASON[m.month - 1] for t, m in enumerate(ms)]
    got = pg.series_forecast(ms, y)
    assert got is not None and got.seizoen
    assert got.trend_pct_jaar == pytest.approx(math.expm1(12 * g) * 100, rel=1e-9)
    truth = [1000 * math.exp(g * (48 + k)) * SEASON[k % 12] for k in range(12)]  # 2023-01 … 2023-12
    assert got.maanden[0] == dt.date(2023, 1, 1) and got.maanden[-1] == dt.date(2023, 12, 1)
    np.testing.assert_allclose(got.waarde, truth, rtol=1e-9)
    # Its backtest error is 0 (up to rounding); the naive forecasts are off, so the method beats them.
    assert all(f.mape["methode"] < 1e-6 and f.mape["naief"] > 0.5 and f.mape["seizoen"] > 1 and f.beter for f in got.fouten)
    assert "beter dan de naïeve en de seizoensnaïeve" in pg.oordeel(got.fouten)


def test_series_model_without_season_below_24_months_says_so() -> None:
    ms = months(dt.date(2022, 1, 1), 18)
    got = pg.series_forecast(ms, [500 * 1.01 ** t for t in range(18)])
    assert got is not None and not got.seizoen and "zonder seizoen" in got.methode
    np.testing.assert_allclose(got.waarde, [500 * 1.01 ** (18 + k) for k in range(12)], rtol=1e-9)
    assert pg.series_forecast(ms[:5], [1.0] * 5) is None  # fewer than 6 months: no prognosis


def test_backtest_error_by_hand() -> None:
    """18 months: exactly 1000 × 1,01^t for t = 0 … 11, then the realised months 12 … 17 are off by d = +10, −20, +30,
    0, −10, +20. Started at t = 11 (6 months back) or t = 5 (12 months back) the method (trend only: fewer than 24
    months) fits the exponential exactly and continues it, so its errors are exactly d in months 12 … 17 and 0 before."""
    d = [10.0, -20.0, 30.0, 0.0, -10.0, 20.0]
    base = [1000 * 1.01 ** t for t in range(18)]
    y = base[:12] + [base[12 + k] + d[k] for k in range(6)]
    got = pg.series_forecast(months(dt.date(2023, 1, 1), 18), y)
    six, twelve = got.fouten
    assert (six.horizon, six.origin, twelve.horizon, twelve.origin) == (6, dt.date(2023, 12, 1), 12, dt.date(2023, 6, 1))
    # Method, 6 months: MAE = (10 + 20 + 30 + 0 + 10 + 20) / 6 = 15; MAPE = mean(|d_k| / y_(12+k)) × 100.
    actual = [1000 * 1.01 ** 12 + 10, 1000 * 1.01 ** 13 - 20, 1000 * 1.01 ** 14 + 30, 1000 * 1.01 ** 15,
              1000 * 1.01 ** 16 - 10, 1000 * 1.01 ** 17 + 20]
    # = 1136,825; 1118,093; 1179,474; 1160,969; 1162,579; 1204,304
    assert six.mae["methode"] == pytest.approx(15.0, abs=1e-6)
    mape6 = (10 / actual[0] + 20 / actual[1] + 30 / actual[2] + 0 / actual[3] + 10 / actual[4] + 20 / actual[5]) / 6 * 100
    assert mape6 == pytest.approx(1.2888, abs=1e-4)  # 0,00880 + 0,01789 + 0,02544 + 0 + 0,00860 + 0,01661 = 0,07733; /6
    assert six.mape["methode"] == pytest.approx(mape6, rel=1e-6)
    # Naive, 6 months: every month forecast as y_11 = 1000 × 1,01^11 = 1115,668.
    y11 = 1000 * 1.01 ** 11
    naive = [abs(a - y11) for a in actual]  # 21,16; 2,42; 63,81; 45,30; 46,91; 88,64
    assert six.mae["naief"] == pytest.approx(sum(naive) / 6, rel=1e-9)
    assert six.mae["naief"] == pytest.approx(44.71, abs=0.01)
    assert six.mape["naief"] == pytest.approx(sum(n / a for n, a in zip(naive, actual)) / 6 * 100, rel=1e-9)
    # Seasonal naive, 6 months: month 12 + k forecast as month k (the same month a year earlier): y_k = 1000 × 1,01^k.
    snaive = [abs(actual[k] - 1000 * 1.01 ** k) for k in range(6)]  # 136,83; 108,09; 159,37; 130,67; 121,97; 153,29
    assert six.mae["seizoen"] == pytest.approx(sum(snaive) / 6, rel=1e-9)
    assert six.mae["seizoen"] == pytest.approx(135.04, abs=0.01)
    # Method, 12 months: months 6 … 11 exact (error 0), then d: MAE = 90 / 12 = 7,5; MAPE = the 6-month sum / 12.
    assert twelve.mae["methode"] == pytest.approx(7.5, abs=1e-6)
    assert twelve.mape["methode"] == pytest.approx(mape6 / 2, rel=1e-6)
    # Naive, 12 months: forecast y_5 = 1000 × 1,01^5 = 1051,01 for every month 6 … 17. No seasonal naive: month 6 − 12 < 0.
    y5 = 1000 * 1.01 ** 5
    naive12 = [abs(v - y5) for v in y[6:]]
    assert twelve.mae["naief"] == pytest.approx(sum(naive12) / 12, rel=1e-9)
    assert "seizoen" not in twelve.mae
    assert six.beter and twelve.beter


def test_backtest_says_plainly_when_the_method_loses() -> None:
    y = np.array([100.0] * 30)
    fouten = pg.backtest(y, dt.date(2020, 1, 1), lambda o, h: np.full(h, 110.0))
    assert [f.mae["methode"] for f in fouten] == [10.0, 10.0] and not any(f.beter for f in fouten)
    assert "niet beter dan een naïeve voorspelling" in pg.oordeel(fouten)


def test_dichtheid_carries_the_volume_change() -> None:
    reeks = {dt.date(2024, 12, 1): 2000.0}
    assert pg.dichtheid(40.0, "2024", reeks, 2100.0) == pytest.approx(42.0)
    assert pg.dichtheid(40.0, "2023", reeks, 2100.0) is None


# ---- the own-file stock–flow model -------------------------------------------------------------------------------------
HAZ = np.array([0.12, 0.07, 0.04, 0.025, 0.015, 0.015])  # per month, per ep.HAZARDKLASSEN
Q0 = 0.05  # share leaving in the month of instroom
LAMBDA = 1500
AMP = np.array([1.25, 1.15, 1.05, 1.0, 0.95, 0.85, 0.8, 0.85, 0.95, 1.0, 1.05, 1.1])  # instroom season, mean 1
START = dt.date(2015, 1, 1)
PEIL = dt.date(2024, 12, 31)


def simulate(seed: int = 7, n_months: int = 132) -> tuple[pl.DataFrame, np.ndarray]:
    """Spells from January 2015 on (nobody before: the stock grows towards its equilibrium, a known trend), instroom
    Poisson(LAMBDA × AMP[calendar month]) per month, ending in the begin month with probability Q0 and afterwards each
    month with HAZ of the duration class at the start of the month. Returns (spells, leave month per spell, −1: running
    at the end of the simulation)."""
    rng = np.random.default_rng(seed)
    m0, last = pg.month_index(START), pg.month_index(START) + n_months - 1
    begins, leaves = [], []
    for k in range(n_months):
        m = m0 + k
        n = rng.poisson(LAMBDA * AMP[m % 12])
        leave = np.full(n, -1)
        same = rng.random(n) < Q0
        leave[same] = m
        alive = ~same
        a = 0
        while alive.any() and m + a + 1 <= last:
            go = alive & (rng.random(n) < HAZ[ep.HK[min(a, ep.A)]])
            leave[go] = m + a + 1
            alive &= ~go
            a += 1
        begins.append(np.full(n, m))
        leaves.append(leave)
    b, e = np.concatenate(begins), np.concatenate(leaves)
    day = rng.integers(0, 14, len(b))
    begin = [pg.month_date(int(x)) + dt.timedelta(days=int(dd)) for x, dd in zip(b, day)]
    cut = pg.month_index(PEIL)
    einde = [None if (x < 0 or x > cut) else pg.month_date(int(x)) + dt.timedelta(days=20) for x in e]
    spells = pl.DataFrame({"client": [f"c{i}" for i in range(len(b))], "begin": begin, "einde": einde},
                          schema={"client": pl.String, "begin": pl.Date, "einde": pl.Date})
    return spells.filter(pl.col("begin") <= PEIL), np.stack([b, e])


@pytest.fixture(scope="module")
def simulated() -> tuple[pl.DataFrame, np.ndarray]:
    return simulate()


def test_own_file_model_recovers_hazards_season_and_the_next_year(simulated) -> None:
    spells, be = simulated
    pr = ep.prognose(spells, PEIL)
    assert pr is not None
    p = pr.params
    # Hazards: within 4 standard errors of the truth (the "≥ 10 jaar" class has nobody at risk yet: no estimate).
    for k in range(5):
        se = math.sqrt(HAZ[k] * (1 - HAZ[k]) / p.blootstelling[k])
        assert abs(p.hazard[k] - HAZ[k]) < 4 * se, (k, p.hazard[k], HAZ[k])
    assert p.blootstelling[5] == 0
    assert p.q == pytest.approx(Q0, abs=0.01)
    assert p.niveau == pytest.approx(LAMBDA, rel=0.03)
    # Season: 36 months of instroom; each factor within 0,05 of the true AMP (mean of three Poisson(~1500) months).
    assert p.seizoen is not None and p.seizoen_maanden == 36
    np.testing.assert_allclose(p.seizoen, AMP, atol=0.05)
    # The next 12 months (simulated, not in the file): the projection follows the known upward trend within 1 %.
    b, e = be
    future = [int(((b <= m) & ((e < 0) | (e > m))).sum()) for m in range(pg.month_index(PEIL) + 1, pg.month_index(PEIL) + 13)]
    assert pr.maanden[0] == dt.date(2025, 1, 1)
    assert future[-1] > pr.nu and pr.waarde[-1] > pr.nu  # the stock still grows towards its equilibrium
    np.testing.assert_allclose(pr.waarde, future, rtol=0.01)
    inside = sum(lo <= f <= hi for lo, f, hi in zip(pr.onder, future, pr.boven))
    assert inside >= 10, (pr.onder, future, pr.boven)
    # The split adds up: bestand now + instroom − uitstroom = the expected bestand after 12 months.
    assert pr.nu + pr.instroom - pr.uitstroom.sum() == pytest.approx(pr.waarde[-1], rel=1e-9)
    assert pr.eind.sum() == pytest.approx(pr.waarde[-1], rel=1e-9)
    # The backtest: the model beats naive and seasonal naive on this file (a trend and a season both).
    assert [f.horizon for f in pr.fouten] == [6, 12] and all(f.beter for f in pr.fouten), pr.fouten


def test_own_file_model_without_two_years_has_no_season(simulated) -> None:
    spells, _ = simulated
    # A file of 18 months: the spells that ran from July 2023 on (the older ones only when still running then).
    short = spells.filter(pl.col("einde").is_null() | (pl.col("einde") >= dt.date(2023, 7, 1)))
    assert ep.gegevens(short, PEIL).first == dt.date(2023, 6, 1)  # the month before the first covered month
    pr = ep.prognose(short, PEIL)
    assert pr is not None and pr.params.seizoen is None and "zonder seizoen" in pr.methode
    assert [f.horizon for f in pr.fouten] == [6]  # 12 months back leaves fewer than 12 months to estimate from


def test_split_by_duurklasse_is_suppressed_and_rounded(simulated) -> None:
    spells, _ = simulated
    small = spells.sample(fraction=0.01, seed=3)
    pr = ep.prognose(small, PEIL)
    shown, res = ep.gesplitst(pr, None)
    # Every visible count is a multiple of ten and at least MIN_CELL; a hidden expected uitstroom hides its kans too.
    for row in shown.iter_rows(named=True):
        for c in ("uitstroom", "eind"):
            assert row[c] is None or (row[c] % 10 == 0 and row[c] >= 10)
        if row["uitstroom"] is None:
            assert row["kans"] is None
    # No column with exactly one hidden cell (the total would give it away).
    for c in ("uitstroom", "eind"):
        assert shown[c].null_count() != 1
    assert not res.cellen.is_empty()  # the 2–5 … ≥ 10 jaar classes are small or empty here


# ---- the real national series -------------------------------------------------------------------------------------------
def test_national_series_37789ksz_started_end_2016_against_2017(wh: Warehouse) -> None:
    obs = wh.national(["bijstand_uitkeringen_tot_aow_nl"]).filter(pl.col("periode").str.len_chars() == 7)
    ms = [dt.date(int(p[:4]), int(p[5:]), 1) for p in obs["periode"]]
    vals = obs["waarde"].to_list()
    upto = [(m, v) for m, v in zip(ms, vals) if m <= dt.date(2016, 12, 1)]
    got = pg.series_forecast([m for m, _ in upto], [v for _, v in upto])
    assert got is not None and got.seizoen and got.laatste == dt.date(2016, 12, 1)
    known = {m: v for m, v in zip(ms, vals) if m.year == 2017}
    assert len(known) == 12
    mae, mape = pg.errors(got.waarde, [known[m] for m in got.maanden])
    naive = pg.errors(np.full(12, upto[-1][1]), [known[m] for m in got.maanden])
    snaive = pg.errors([v for m, v in upto if m.year == 2016], [known[m] for m in got.maanden])
    print(f"37789ksz, start eind 2016, 2017: methode MAE {mae:.0f} MAPE {mape:.2f} %; naief {naive[0]:.0f} {naive[1]:.2f} %; "
          f"seizoensnaief {snaive[0]:.0f} {snaive[1]:.2f} %")
    # 2017 was a turning point (the growth of 2014–2016 stopped): the trend carried on overshoots, and the naive
    # forecasts were better. The backtest of the series up to December 2017 (started 12 months back) finds exactly this,
    # and says so.
    assert mape > naive[1] and mape > snaive[1]
    to2017 = [(m, v) for m, v in zip(ms, vals) if m <= dt.date(2017, 12, 1)]
    bt = pg.series_forecast([m for m, _ in to2017], [v for _, v in to2017]).fouten
    twelve = next(f for f in bt if f.horizon == 12)
    assert twelve.origin == dt.date(2016, 12, 1)
    assert twelve.mae["methode"] == pytest.approx(mae) and twelve.mape["methode"] == pytest.approx(mape)
    assert twelve.mae["naief"] == pytest.approx(naive[0]) and twelve.mae["seizoen"] == pytest.approx(snaive[0])
    assert not twelve.beter and "niet beter dan een naïeve voorspelling" in pg.oordeel(bt)
    # The whole series (to 2018) with its own backtest: computed, with a verdict in words.
    full = pg.series_forecast(ms, vals)
    assert full is not None and full.laatste.year == 2018 and [f.horizon for f in full.fouten] == [6, 12]
    print("37789ksz tot 2018:", [(f.horizon, {k: round(v, 2) for k, v in f.mape.items()}) for f in full.fouten])
