"""A seeded synthetic client file (SPELLS, synthetisch=True) that looks like a chosen gemeente's, so that a newcomer sees
the Eigen-bestand page working. Never mixed with real uploads; every screen and export says *synthetisch*.

Model (stationary, ten years of history up to the peildatum):
- stock size: the gemeente's number of algemene-bijstand uitkeringen (CBS 85383NED, 2024), else its persons with
  algemene bijstand 15 tot AOW (83450NED…84066NED, latest year) divided by 1 + the share of paren (both partners are
  persons, one uitkering);
- duration: CBS's instroom % per gemeente (per 100 who had bijstand in the year; mean over the years present) gives the
  mean duration in a steady state, E[D] = (1 − i) / i years (stock at the start of the year / yearly inflow); spells are
  a mixture of short (exponential, mean 6 months) and long spells whose mean makes E[D] come out; the short share
  depends on fasering and age (the BijstandScan's pattern: direct bemiddelbaar and young leave sooner);
- reason: the share of endings to work is CBS's uitstroom-naar-werk % / uitstroom % of the gemeente, higher for the
  young, lower from 45; spells end at the AOW-leeftijd (67, reden overig);
- leefvorm: per gemeente from CBS 82015NED when `etl vernieuw` fetched it, else national shares (LEEFVORM_NL);
- amounts: the Participatiewet norm per leefvorm (NORMEN_2024), a quarter of the clients with income so that they get
  a supplement of 20–90 % of the norm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from portal.nl import nl_number
from portal.eigen.schema import LEEFVORMEN, SPELLS

# Netto norms per month, 21 tot AOW-leeftijd, 1 January 2024, without vakantietoeslag (Participatiewet art. 21, as
# published by gemeenten, e.g. Velsen/Zaffier: alleenstaande (ouder) € 1.219,64, gehuwden € 1.742,34). The
# alleenstaande ouder has the alleenstaande norm since 2015 (children through the kindgebonden budget).
NORMEN_2024 = {"alleenstaande": 1219.64, "alleenstaande_ouder": 1219.64, "paar": 1742.34}
# National leefvorm shares of bijstandsuitkeringen when the gemeente's own are absent. Approximate, rounded: in the
# order of CBS 82015NED for recent years (about 60 % alleenstaand, a quarter alleenstaande ouders, the rest paren); not
# read from the warehouse (the shipped snapshots hold no national leefvorm series). Treat as an assumption.
LEEFVORM_NL = {"alleenstaande": 0.60, "alleenstaande_ouder": 0.25, "paar": 0.15}
# Age at begin (share, lower, upper exclusive) and fasering (label, share, share of short spells); assumptions.
LEEFTIJD = ((0.20, 18, 27), (0.40, 27, 45), (0.40, 45, 66))
FASERING = (("trede 1", 0.15, 0.75), ("trede 2", 0.25, 0.55), ("trede 3", 0.30, 0.40), ("trede 4", 0.20, 0.30), (None, 0.10, 0.50))
KORT_MAANDEN = 6.0  # mean of the short component
AOW_LEEFTIJD = 67
# Fallbacks (national CBS 83450NED…84066NED, 15 tot AOW, mean of 2015–2017 rounded) when a gemeente has no own rate.
INSTROOM_PCT_NL = 23.0
WERK_AANDEEL_NL = 0.5  # uitstroom naar werk / uitstroom, Nederland 2015–2017: 10,5/21,5, 10/20,5, 10,5/20,5


@dataclass(frozen=True)
class Marginals:
    bestand: int  # uitkeringen running at the peildatum
    instroom_pct: float = INSTROOM_PCT_NL  # CBS instroom % (per 100 who had bijstand in the year)
    werk_aandeel: float = WERK_AANDEEL_NL  # share of endings that are uitstroom naar werk
    leefvorm: dict[str, float] = field(default_factory=lambda: dict(LEEFVORM_NL))
    bron: str = "landelijke kengetallen"  # where the figures come from, in Dutch, for the page

    @property
    def mean_years(self) -> float:
        i = min(max(self.instroom_pct, 5.0), 60.0) / 100
        return (1 - i) / i


def marginals(wh, gemeente: str) -> Marginals | None:  # noqa: ANN001 - portal.store.Warehouse
    """The gemeente's public figures from the warehouse; None when it has no stock figure at all."""
    ids = ["bijstand_uitkeringen_algemeen", "bijstand_alg_personen_15_aow", "cbs_instroom_pct_15_aow", "cbs_uitstroom_pct_15_aow",
           "cbs_uitstroom_werk_pct_15_aow", "bijstandsuitkeringen_alleenstaande_maand", "bijstandsuitkeringen_alleenstaande_ouder_maand",
           "bijstandsuitkeringen_paar_maand"]
    obs = pl.concat([wh.observations(gemeente, ids, "nieuwste"), wh.observations(gemeente, ids, "jaar")], how="diagonal_relaxed")
    obs = obs.filter(pl.col("waarde").is_not_null())

    def latest(ind: str) -> tuple[float, str] | None:
        f = obs.filter(pl.col("indicator") == ind).sort("periode")
        return (float(f["waarde"][-1]), str(f["periode"][-1])) if f.height else None

    def mean(ind: str) -> float | None:
        f = obs.filter(pl.col("indicator") == ind).unique(["periode"])
        return float(f["waarde"].mean()) if f.height else None

    bron = []
    leefvorm = dict(LEEFVORM_NL)
    lv = {k: latest(f"bijstandsuitkeringen_{k}_maand") for k in LEEFVORMEN}
    if all(lv.values()) and sum(v[0] for v in lv.values()) > 0:  # type: ignore[index]
        tot = sum(v[0] for v in lv.values())  # type: ignore[index]
        leefvorm = {k: v[0] / tot for k, v in lv.items()}  # type: ignore[index]
        bron.append("leefvormen van de gemeente (CBS 82015NED)")
    else:
        bron.append("landelijke verdeling naar leefvorm (aanname)")
    if (u := latest("bijstand_uitkeringen_algemeen")) and u[0] >= 1:
        bestand = round(u[0])
        bron.insert(0, f"{nl_number(u[0])} uitkeringen algemene bijstand ({u[1]}, CBS 85383NED)")
    elif (p := latest("bijstand_alg_personen_15_aow")) and p[0] >= 1:
        bestand = round(p[0] / (1 + leefvorm["paar"]))
        bron.insert(0, f"{nl_number(p[0])} personen met algemene bijstand ({p[1]}), omgerekend naar uitkeringen")
    else:
        return None
    ins, uit, werk = mean("cbs_instroom_pct_15_aow"), mean("cbs_uitstroom_pct_15_aow"), mean("cbs_uitstroom_werk_pct_15_aow")
    if ins is not None:
        bron.append("instroompercentage van de gemeente (CBS 83450NED/83747NED/84066NED)")
    share = werk / uit if werk is not None and uit else WERK_AANDEEL_NL
    return Marginals(max(bestand, 1), ins if ins is not None else INSTROOM_PCT_NL, min(max(share, 0.05), 0.95), leefvorm,
                     "; ".join(bron))


def generate(gemeente: str, n_or_marginals: int | Marginals, seed: int, peildatum: dt.date, jaren: int = 10) -> pl.DataFrame:
    """A synthetic SPELLS frame for `gemeente`: about `bestand` spells (random variation of a few %) running at the peildatum and every
    spell that ran in the `jaren` years before it. Same arguments, same file. A trial run with the steady-state number
    of starts measures how many are running at the peildatum (spells end at the AOW-leeftijd, the history is finite);
    the number of starts is then scaled so that the stock comes out."""
    m = n_or_marginals if isinstance(n_or_marginals, Marginals) else Marginals(int(n_or_marginals))
    history_days = int((jaren + 25) * 365.25)  # long enough that almost no long spell of the window began before it
    n = max(int(m.bestand / (m.mean_years * 365.25) * history_days), 1)
    trial = _simulate(m, n, seed, peildatum, jaren, history_days)
    running = int(trial["running"].sum())
    if running and abs(running - m.bestand) > 0.005 * m.bestand:
        trial = _simulate(m, max(round(n * m.bestand / running), 1), seed, peildatum, jaren, history_days)
    return _frame(gemeente, trial)


def _simulate(m: Marginals, n: int, seed: int, peildatum: dt.date, jaren: int, history_days: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    mean_days = m.mean_years * 365.25
    short_days = KORT_MAANDEN * 365.25 / 12
    age_grp = rng.choice(len(LEEFTIJD), size=n, p=[x[0] for x in LEEFTIJD])
    lo = np.array([x[1] for x in LEEFTIJD])[age_grp]
    hi = np.array([x[2] for x in LEEFTIJD])[age_grp]
    age = lo + rng.random(n) * (hi - lo)
    fas = rng.choice(len(FASERING), size=n, p=[x[1] for x in FASERING])
    p_short = np.array([x[2] for x in FASERING])[fas] + np.select([age_grp == 0, age_grp == 2], [0.1, -0.1], 0.0)
    long_days = max((mean_days - p_short.mean() * short_days) / (1 - p_short.mean()), 1.5 * 365.25)
    is_short = rng.random(n) < p_short
    dur = np.ceil(rng.exponential(1.0, n) * np.where(is_short, short_days, long_days)).astype(np.int64)
    start = np.datetime64(peildatum) - np.timedelta64(history_days, "D")
    begin = start + rng.integers(0, history_days + 1, n).astype("timedelta64[D]")
    birth_year = (begin.astype("datetime64[Y]").astype(np.int64) + 1970 - np.floor(age)).astype(np.int32)
    birthday = np.random.default_rng(seed + 1).integers(0, 365, n).astype("timedelta64[D]")  # own stream: the rest stays as it was
    aow = (birth_year + AOW_LEEFTIJD - 1970).astype("datetime64[Y]").astype("datetime64[D]") + birthday  # spread over the year
    end = begin + (dur - 1).astype("timedelta64[D]")
    at_aow = end >= aow
    end = np.where(at_aow, np.maximum(aow, begin), end)
    pd_ = np.datetime64(peildatum)
    running = end > pd_
    window = pd_ - np.timedelta64(int(jaren * 365.25), "D")
    keep = (running | (end >= window)) & (begin <= pd_)
    werk_p = np.clip(m.werk_aandeel * np.select([age_grp == 0, age_grp == 2], [1.25, 0.7], 1.0), 0, 1)
    reden = np.where(running, 0, np.where(~at_aow & (rng.random(n) < werk_p), 1, 2)).astype(np.int8)  # null / werk / overig
    lv_idx = rng.choice(len(LEEFVORMEN), size=n, p=np.array([m.leefvorm[k] for k in LEEFVORMEN]) / sum(m.leefvorm.values()))
    leefvorm = lv_idx.astype(np.int8)
    woman_p = np.where(lv_idx == LEEFVORMEN.index("alleenstaande_ouder"), 0.9, 0.45)
    geslacht = (rng.random(n) < woman_p).astype(np.int8)  # 1 = vrouw
    norm = np.array([NORMEN_2024[k] for k in LEEFVORMEN])[lv_idx]
    partial = rng.random(n) < 0.25
    bedrag = np.round(norm * np.where(partial, 0.2 + 0.7 * rng.random(n), 1.0), 2)
    fas_label = fas.astype(np.int8)
    k = np.flatnonzero(keep)
    return {"k": k, "running": running[k], "begin": begin[k], "end": end[k], "reden": reden[k], "leefvorm": leefvorm[k],
            "birth_year": birth_year[k], "geslacht": geslacht[k], "fasering": fas_label[k], "bedrag": bedrag[k]}


def _frame(gemeente: str, d: dict[str, np.ndarray]) -> pl.DataFrame:
    k = d["k"]
    frame = pl.DataFrame({
        "gemeente": pl.repeat(gemeente, len(k), dtype=pl.String, eager=True),
        "upload_id": pl.repeat(0, len(k), dtype=pl.Int64, eager=True),
        "client": pl.Series(k, dtype=pl.Int64).cast(pl.String),  # no real identifier: a running number
        "begin": pl.Series(d["begin"], dtype=pl.Date),
        "einde": pl.Series(np.where(d["running"], np.datetime64("NaT"), d["end"]).astype("datetime64[D]"), dtype=pl.Date),
        "reden": pl.Series(d["reden"]).replace_strict({1: "werk", 2: "overig"}, default=None, return_dtype=pl.String),
        "leefvorm": pl.Series(d["leefvorm"]).replace_strict(dict(enumerate(LEEFVORMEN)), return_dtype=pl.String),
        "geboortejaar": pl.Series(d["birth_year"], dtype=pl.Int32),
        "geboortedatum": pl.repeat(None, len(k), dtype=pl.Date, eager=True),  # synthetic: birth year only
        "geslacht": pl.Series(d["geslacht"]).replace_strict({0: "man", 1: "vrouw"}, return_dtype=pl.String),
        "fasering": pl.Series(d["fasering"]).replace_strict({i: x[0] for i, x in enumerate(FASERING)}, return_dtype=pl.String),
        "bedrag": pl.Series(d["bedrag"], dtype=pl.Float64),
        "synthetisch": pl.repeat(True, len(k), dtype=pl.Boolean, eager=True),
    })
    frame = frame.with_columns(client=pl.lit("synth-") + pl.col("client"))
    return frame.cast(SPELLS).select(list(SPELLS)).sort("begin")  # type: ignore[arg-type]
