"""Monitors over an own client file (the WWB-kompas bestands-, uitgaven- and budgetmonitor, the BijstandScan tables).

Input is always a SPELLS frame (portal/eigen/schema.py): one row per uitkering spell, `einde` null while running at
the file's peildatum. Definitions used throughout:
- a spell is *running at the end of a month* (or on a peildatum p) when begin <= p and (einde is null or einde > p):
  `einde` is the last day with benefit, so a spell ending on the last day of a month counts as uitstroom in that month and
  no longer in that month's bestand. With these definitions bestand(m) = bestand(m-1) + instroom(m) - uitstroom(m) exactly.
- one spell is one uitkering (a household); CBS person series count both partners of a paar (see cbs_check).
No storage and no Streamlit here: the page calls these functions and shows the frames (after portal.eigen.suppress).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import polars as pl

from portal.prognose import periode_maand
from portal.nl import MAANDEN, nl_date, nl_euro, nl_month, nl_number
from portal.eigen.maanden import _idx, _mi, _month, month_end
from portal.eigen.schema import DUURKLASSEN, LEEFVORMEN

COUNTS = ("bestand", "instroom", "uitstroom", "uitstroom_werk")  # the displayed person counts of `monthly`
# The SPELLS columns the monitors and survival.py read: load only these (the client hash is the largest column).
# (episodes.merge and herinstroom need "client" as well.)
KOLOMMEN = ("begin", "einde", "reden", "leefvorm", "geboortejaar", "geboortedatum", "fasering", "bedrag")

# cbs_check: a gap above 10 % (and more than 10 persons) is flagged. Why 10 %: CBS rounds to tens (at most 5 persons, so
# under 1 % from 500 persons up); CBS counts persons < AOW-leeftijd with *algemene* bijstand on the last day of the period,
# a file may also hold IOAW/IOAZ/Bbz or a few clients past the AOW-leeftijd (together typically a few %); both partners
# of a paar are CBS persons (corrected here: bestand + paren), but a partner without benefit or over the AOW-leeftijd is
# not; and CBS's own registration lags a month or two behind a gemeente's system. Together these explain a few percent;
# a gap of more than 10 % points to a file that is incomplete (months or teams missing) or a different population.
DREMPEL_PCT = 10.0
DREMPEL_ABS = 10
# Public series that can be compared, with what they count and when: "personen" are compared with bestand + paren,
# "uitkeringen" with bestand. Period "YYYY" of a yearly series is its December; "YYYY-MM" is that month's end.
CBS_REEKSEN = {
    "bijstand_personen_tot_aow_maand": "personen",  # 80794ned, last day of the month (after etl vernieuw)
    "bijstand_alg_personen_kwartaal": "personen",  # 83618NED … 86003NED, last day of the quarter (after etl vernieuw)
    "bijstand_alg_personen_15_aow": "personen",  # 83450NED/83747NED/84066NED, end of December 2015–2017 (shipped)
    "bijstandsuitkeringen_maand": "uitkeringen",  # 82015NED, monthly, all ages (after etl vernieuw)
}


def monthly(spells: pl.DataFrame, van: dt.date, tot: dt.date) -> pl.DataFrame:
    """Per month from van's month to tot's month: maand (first day), bestand (running at month end), instroom (begin in
    the month), uitstroom (einde in the month), uitstroom_werk (einde in the month, reden werk), and bestand_paar (of the
    bestand, leefvorm paar; used to compare with CBS person counts, not a displayed cell)."""
    lo, hi = _idx(van), _idx(tot)
    s = spells.lazy().select(b=_mi("begin"), e=_mi("einde"), werk=pl.col("reden") == "werk", paar=pl.col("leefvorm") == "paar")
    s = s.filter(pl.col("b") <= hi).with_columns(pl.col("b").clip(lower_bound=lo - 1), pl.col("e").clip(lower_bound=lo - 1))
    ins = s.group_by("b").agg(instroom=pl.len(), in_paar=pl.col("paar").sum()).rename({"b": "i"})
    outs = (s.filter(pl.col("e").is_not_null() & (pl.col("e") <= hi)).group_by("e")
            .agg(uitstroom=pl.len(), uitstroom_werk=pl.col("werk").sum(), uit_paar=pl.col("paar").sum()).rename({"e": "i"}))
    grid = pl.LazyFrame({"i": pl.int_range(lo - 1, hi + 1, eager=True).cast(pl.Int32)})
    out = (grid.join(ins, on="i", how="left").join(outs, on="i", how="left").fill_null(0).sort("i")
           .with_columns(bestand=(pl.col("instroom").cum_sum() - pl.col("uitstroom").cum_sum()),
                         bestand_paar=(pl.col("in_paar").cum_sum() - pl.col("uit_paar").cum_sum()))
           .filter(pl.col("i") >= lo).collect())
    maand = pl.Series("maand", [_month(i) for i in out["i"]], dtype=pl.Date)
    return out.select(maand, *[pl.col(c).cast(pl.Int64) for c in (*COUNTS, "bestand_paar")])


@dataclass(frozen=True)
class Trend:
    maand: dt.date  # last month
    bestand: int
    eerder_maand: dt.date  # `months` earlier
    eerder: int
    verschil: int
    procent: float | None  # change in % of the earlier stock; None when that was 0
    richting: str  # "stijgend" | "dalend" | "stabiel" (less than 0,5 % change)
    tekst: str  # e.g. "Dalend (−3,3 %): van 17.735 eind maart 2024 naar 17.150 eind juni 2024"


def trend(table: pl.DataFrame, months: int = 3) -> Trend | None:
    """Change of the bestand over the last `months` months of `monthly` (the WWB-kompas 'ontwikkeling over de laatste
    drie maanden'). None when the table has fewer than months + 1 rows. Only bestand figures, no summed flows: a sum of
    flows over months could reveal a suppressed month. The page shows it only when both bestand cells are shown."""
    if table.height < months + 1:
        return None
    last, prev = table.row(-1, named=True), table.row(-1 - months, named=True)
    diff = last["bestand"] - prev["bestand"]
    pct = diff / prev["bestand"] * 100 if prev["bestand"] else None
    richting = "stabiel" if pct is not None and abs(pct) < 0.5 else ("stijgend" if diff > 0 else "dalend" if diff < 0 else "stabiel")
    pct_text = "" if pct is None else f" ({'+' if pct > 0 else '−' if pct < 0 else ''}{nl_number(abs(pct), 1)} %)"
    tekst = (f"{richting.capitalize()}{pct_text}: van {nl_number(prev['bestand'])} eind {nl_month(prev['maand'])} naar "
             f"{nl_number(last['bestand'])} eind {nl_month(last['maand'])}")
    return Trend(last["maand"], last["bestand"], prev["maand"], prev["bestand"], diff, pct, richting, tekst)


def cbs_check(table: pl.DataFrame, public: pl.DataFrame, drempel_pct: float = DREMPEL_PCT) -> pl.DataFrame:
    """Compare `monthly` with public CBS series of the same gemeente where periods overlap.

    public: observations (columns indicator, periode, waarde) as the warehouse returns them; only CBS_REEKSEN are used.
    Returns per overlapping period: indicator, periode, maand, eenheid, eigen (bestand, or bestand + paren for a person
    series), cbs, verschil (eigen − cbs), verschil_pct (in % of cbs) and afwijkend (gap above drempel_pct % and above
    DREMPEL_ABS persons; see the note at DREMPEL_PCT for what differs between the two counts).
    """
    schema = {"indicator": pl.String, "periode": pl.String, "maand": pl.Date, "eenheid": pl.String, "eigen": pl.Int64,
              "cbs": pl.Float64, "verschil": pl.Float64, "verschil_pct": pl.Float64, "afwijkend": pl.Boolean}
    pub = public.filter(pl.col("indicator").is_in(list(CBS_REEKSEN)) & pl.col("waarde").is_not_null())
    if pub.is_empty() or table.is_empty():
        return pl.DataFrame(schema=schema)
    pub = pub.select("indicator", "periode", pl.col("waarde").cast(pl.Float64).alias("cbs")).with_columns(
        maand=pl.col("periode").map_elements(periode_maand, return_dtype=pl.Date),
        eenheid=pl.col("indicator").replace_strict(CBS_REEKSEN, return_dtype=pl.String))
    joined = pub.join(table.select("maand", "bestand", "bestand_paar"), on="maand", how="inner")
    out = joined.with_columns(
        eigen=pl.when(pl.col("eenheid") == "personen").then(pl.col("bestand") + pl.col("bestand_paar")).otherwise(pl.col("bestand")))
    out = out.with_columns(verschil=pl.col("eigen") - pl.col("cbs")).with_columns(
        verschil_pct=pl.when(pl.col("cbs") > 0).then(pl.col("verschil") / pl.col("cbs") * 100))
    out = out.with_columns(afwijkend=(pl.col("verschil_pct").abs() > drempel_pct).fill_null(True)
                           & (pl.col("verschil").abs() > DREMPEL_ABS))
    return out.select(list(schema)).cast(schema).sort("indicator", "maand")  # type: ignore[arg-type]


def _running(p: dt.date) -> pl.Expr:
    return (pl.col("begin") <= p) & (pl.col("einde").is_null() | (pl.col("einde") > p))


def leefvorm_mix(spells: pl.DataFrame, peildata: list[dt.date]) -> pl.DataFrame:
    """Bestand by leefvorm on each peildatum: peildatum, leefvorm (all of LEEFVORMEN, also when 0), aantal, aandeel (%).
    A leefvorm outside LEEFVORMEN (should not pass the upload) is counted as 'onbekend'."""
    frames = []
    lf = spells.lazy().select("begin", "einde", "leefvorm")
    for p in peildata:
        counts = (lf.filter(_running(p)).group_by("leefvorm").agg(aantal=pl.len())
                  .with_columns(peildatum=pl.lit(p, dtype=pl.Date)))
        frames.append(counts)
    got = pl.concat(frames).collect() if frames else pl.DataFrame(schema={"leefvorm": pl.String, "aantal": pl.UInt32, "peildatum": pl.Date})
    got = got.with_columns(pl.when(pl.col("leefvorm").is_in(LEEFVORMEN)).then("leefvorm").otherwise(pl.lit("onbekend")).alias("leefvorm"))
    got = got.group_by("peildatum", "leefvorm").agg(pl.col("aantal").sum())
    kinds = list(LEEFVORMEN) + (["onbekend"] if (got["leefvorm"] == "onbekend").any() else [])
    grid = pl.DataFrame({"peildatum": peildata}, schema={"peildatum": pl.Date}).join(
        pl.DataFrame({"leefvorm": kinds}), how="cross")
    out = grid.join(got, on=["peildatum", "leefvorm"], how="left").with_columns(pl.col("aantal").fill_null(0).cast(pl.Int64))
    total = pl.col("aantal").sum().over("peildatum")
    return out.with_columns(aandeel=pl.when(total > 0).then(pl.col("aantal") / total * 100)).sort(
        "peildatum", pl.col("leefvorm").replace_strict({k: i for i, k in enumerate(kinds)}, return_dtype=pl.Int32))


LEEFVORM_REEKSEN = {f"bijstandsuitkeringen_{k}_maand": k for k in LEEFVORMEN}  # CBS 82015NED, after etl vernieuw


def leefvorm_publiek(obs: pl.DataFrame, codes: list[str] | None = None) -> pl.DataFrame:
    """The public leefvorm mix to show next to leefvorm_mix (Nederland, or a referentiegroep summed over its gemeenten):
    obs are warehouse observations (gemeente_code, indicator, periode "YYYY-MM", waarde) of LEEFVORM_REEKSEN; codes
    restricts to those gemeenten. Returns per periode (a month is only kept when all three leefvormen are present for
    every gemeente counted): periode, maand, leefvorm, aantal, aandeel (%), gemeenten. Empty when the series are absent
    (they come with `etl vernieuw`)."""
    f = obs.filter(pl.col("indicator").is_in(list(LEEFVORM_REEKSEN)) & pl.col("waarde").is_not_null())
    if codes is not None:
        f = f.filter(pl.col("gemeente_code").is_in(codes))
    complete = f.group_by("gemeente_code", "periode").agg(pl.col("indicator").n_unique().alias("k")).filter(pl.col("k") == len(LEEFVORMEN))
    f = f.join(complete.select("gemeente_code", "periode"), on=["gemeente_code", "periode"], how="semi")
    out = (f.with_columns(leefvorm=pl.col("indicator").replace_strict(LEEFVORM_REEKSEN, return_dtype=pl.String))
           .group_by("periode", "leefvorm").agg(aantal=pl.col("waarde").sum(), gemeenten=pl.col("gemeente_code").n_unique()))
    total = pl.col("aantal").sum().over("periode")
    out = out.with_columns(aandeel=pl.when(total > 0).then(pl.col("aantal") / total * 100),
                           maand=pl.col("periode").map_elements(periode_maand, return_dtype=pl.Date))
    order = {k: i for i, k in enumerate(LEEFVORMEN)}
    return out.select("periode", "maand", "leefvorm", "aantal", "aandeel", "gemeenten").sort(
        "periode", pl.col("leefvorm").replace_strict(order, return_dtype=pl.Int32))


def completed_months(begin: pl.Expr, p: dt.date) -> pl.Expr:
    """Whole calendar months from begin to p (the day of the month counts: 31 Jan -> 28 Feb is 0 months)."""
    return ((p.year * 12 + p.month) - (begin.dt.year().cast(pl.Int32) * 12 + begin.dt.month().cast(pl.Int32))
            - (begin.dt.day() > p.day).cast(pl.Int32))


def duration_profile(spells: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """Zittend bestand on the peildatum by duration class (schema.DUURKLASSEN: completed months since begin):
    duurklasse, aantal, aandeel (%), every class also when 0."""
    months = (spells.lazy().filter(_running(peildatum)).select(m=completed_months(pl.col("begin"), peildatum)))
    exprs = []
    for label, lo, hi in DUURKLASSEN:
        cond = pl.col("m") >= lo if hi is None else (pl.col("m") >= lo) & (pl.col("m") < hi)
        exprs.append(cond.sum().alias(label))
    row = months.select(exprs).collect().row(0)
    out = pl.DataFrame({"duurklasse": [k[0] for k in DUURKLASSEN], "aantal": [int(v or 0) for v in row]},
                       schema={"duurklasse": pl.String, "aantal": pl.Int64})
    total = out["aantal"].sum()
    return out.with_columns(aandeel=pl.col("aantal") / total * 100 if total else pl.lit(None, dtype=pl.Float64))


@dataclass(frozen=True)
class Budget:
    jaar: int
    peildatum: dt.date
    budget: float
    per_maand: pl.DataFrame  # maand, uitgaven (euro; the month of the peildatum up to and including that day)
    gerealiseerd: float  # 1 January up to and including the peildatum
    gemiddelde: float  # euro per month used for the prognosis
    basis: str  # the months the mean rests on, in words
    resterend: float  # remaining months of the year after the peildatum (fraction for a partial month)
    prognose: float  # gerealiseerd + gemiddelde × resterend
    saldo: float  # budget − prognose (negative: deficit)
    saldo_pct: float | None  # saldo in % of the budget
    zonder_bedrag: int  # spells paid in the year without an amount (not counted: the prognosis is then too low)
    methode: str  # the method as a sentence for the page


def _paid_days(m: dt.date, start: dt.date, stop: dt.date) -> pl.Expr:
    """Days of month m within [begin, einde or stop] ∩ [start, stop] (0 when none)."""
    lo = max(m, start)
    hi = min(month_end(m), stop)
    if hi < lo:
        return pl.lit(0)
    b = pl.max_horizontal(pl.col("begin"), pl.lit(lo))
    e = pl.min_horizontal(pl.col("einde").fill_null(pl.lit(hi)), pl.lit(hi))
    return pl.max_horizontal((e - b).dt.total_days() + 1, pl.lit(0))


def budget(spells: pl.DataFrame, budget_euro: float, jaar: int, peildatum: dt.date) -> Budget | None:
    """The uitgaven- and budgetmonitor for `jaar` as known on `peildatum` (a day in that year).

    Spending: per spell and month, bedrag × paid days / days in the month (a full month pays the monthly amount; a
    partial month at begin, einde or the peildatum pays by calendar day). Vakantiegeld is not added: the amount as in the
    file. Prognosis: spending up to the peildatum plus the mean of the last three complete months (fewer at the start of
    the year; with no complete month yet, the spending so far per day) × the remaining months. Saldo = budget − prognosis.
    None when the file has no amounts for any spell paid in the year.
    """
    start, stop = dt.date(jaar, 1, 1), min(peildatum, dt.date(jaar, 12, 31))
    lf = spells.lazy().filter((pl.col("begin") <= stop) & (pl.col("einde").is_null() | (pl.col("einde") >= start)))
    counts = lf.select(n=pl.len(), zonder=pl.col("bedrag").is_null().sum()).collect().row(0)
    if counts[0] == 0 or counts[0] == counts[1]:
        return None
    months = [dt.date(jaar, k, 1) for k in range(1, stop.month + 1)]
    exprs = [(pl.col("bedrag") * _paid_days(m, start, stop) / calendar.monthrange(jaar, m.month)[1]).sum().alias(str(k))
             for k, m in enumerate(months)]
    sums = lf.filter(pl.col("bedrag").is_not_null()).select(exprs).collect().row(0)
    per_maand = pl.DataFrame({"maand": months, "uitgaven": [float(v or 0.0) for v in sums]},
                             schema={"maand": pl.Date, "uitgaven": pl.Float64})
    spent = float(per_maand["uitgaven"].sum())
    complete = len(months) if stop == month_end(stop) else len(months) - 1
    last = per_maand.head(complete).tail(3)
    dim = calendar.monthrange(jaar, stop.month)[1]
    resterend = (12 - stop.month) + (dim - stop.day) / dim
    if last.height:
        mean = float(last["uitgaven"].mean())
        names = [MAANDEN[d.month - 1] for d in last["maand"]]
        basis = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        basis_text = f"het gemiddelde van {basis} {jaar} ({nl_euro(mean)} per maand)"
    else:
        mean = spent / stop.day * dim
        basis = f"1 tot en met {stop.day} {MAANDEN[0]}"
        basis_text = f"de uitgaven per dag van {basis} {jaar}, omgerekend naar {nl_euro(mean)} per maand"
    prognose = spent + mean * resterend
    saldo = budget_euro - prognose
    methode = (f"Uitgaven tot en met {nl_date(stop)}: {nl_euro(spent)} (uitkeringsbedrag per maand uit het "
               f"bestand; een gedeeltelijke maand naar rato van de dagen). Prognose voor {jaar}: die uitgaven plus "
               f"{basis_text} maal de resterende {nl_number(resterend, 1)} maanden = {nl_euro(prognose)}. Verwacht saldo: "
               f"budget {nl_euro(budget_euro)} min prognose = {nl_euro(saldo)}. Vakantiegeld is niet meegeteld.")
    if counts[1]:
        wat = "1 uitkering zonder bedrag is" if counts[1] == 1 else f"{nl_number(counts[1])} uitkeringen zonder bedrag zijn"
        methode += f" {wat} niet meegeteld: de uitgaven en de prognose zijn daardoor te laag."
    return Budget(jaar, stop, float(budget_euro), per_maand, spent, mean, basis, resterend, prognose, saldo,
                  saldo / budget_euro * 100 if budget_euro else None, int(counts[1]), methode)


HERINSTROOM_REDENEN = ("werk", "overig", "totaal")


def herinstroom(spells: pl.DataFrame, peildatum: dt.date, maanden: tuple[int, ...] = (6, 12)) -> pl.DataFrame:
    """Herinstroom: of the persons who left the bijstand, the share back within h months, by reden of leaving.

    Takes the spells as stored and joins re-entries within HERINSTROOM_DAGEN (portal.eigen.episodes.merge): a person back
    within 31 days never left. An uitstromer (per horizon h) is a person whose episode ended from the first month the
    file covers completely (episodes.covered) up to h months before the peildatum, so that every ending is followed
    for h months; of a person with several such endings the first counts (the counts are persons). Back ("terug"):
    the person's next episode began at most h months (survival.horizon_days) after that einde.
    Returns rows werk, overig (a reden other than werk, or none), totaal, with per h: uitstromers_h, terug_h,
    niet_terug_h (persons, for suppression; uitstromers = terug + niet_terug), aandeel_h (% terug of uitstromers), and
    van / tot_h: the first and last possible einde counted (null when the file covers no such period)."""
    from portal.eigen import episodes, survival  # both import this module

    eps = episodes.merge(spells.select("client", "begin", "einde", "reden"))  # sorted by client and begin
    same = pl.col("client") == pl.col("client").shift(-1)
    eps = eps.with_columns(
        terug_na=pl.when(same).then((pl.col("begin").shift(-1) - pl.col("einde")).dt.total_days()),
        groep=pl.when(pl.col("reden") == "werk").then(pl.lit("werk")).otherwise(pl.lit("overig")))
    got = episodes.covered(spells, peildatum)
    van = None if got is None else got[0]
    out = pl.DataFrame({"reden": list(HERINSTROOM_REDENEN)}, schema={"reden": pl.String})
    for h in maanden:
        hd = survival.horizon_days(h)
        tot = peildatum - dt.timedelta(days=hd)
        if van is None or tot < van:
            first = eps.clear()
        else:
            # episodes of a client do not overlap, so in begin order the first one in the window is the first ending
            first = eps.filter(pl.col("einde").is_between(van, tot)).filter(
                (pl.col("client") != pl.col("client").shift(1)).fill_null(True))
        first = first.with_columns(terug=(pl.col("terug_na") <= hd).fill_null(False))
        per = first.group_by("groep").agg(u=pl.len(), t=pl.col("terug").sum())
        per = pl.concat([per, per.select(pl.lit("totaal").alias("groep"), pl.col("u").sum(), pl.col("t").sum())])
        part = (out.select("reden").join(per.rename({"groep": "reden"}), on="reden", how="left")
                .with_columns(pl.col("u", "t").fill_null(0).cast(pl.Int64)))
        out = out.join(part.select(
            "reden", pl.col("u").alias(f"uitstromers_{h}"), pl.col("t").alias(f"terug_{h}"),
            (pl.col("u") - pl.col("t")).alias(f"niet_terug_{h}"),
            pl.when(pl.col("u") > 0).then(pl.col("t") / pl.col("u") * 100).alias(f"aandeel_{h}"),
            pl.lit(None if van is None or tot < van else tot, dtype=pl.Date).alias(f"tot_{h}")), on="reden", how="left")
    return out.with_columns(van=pl.lit(van, dtype=pl.Date))


def herinstroom_getoond(table: pl.DataFrame) -> bool:
    """Whether the page shows the herinstroom table: only when some ending was followed for 6 months."""
    return table["van"][0] is not None and table["uitstromers_6"].max() > 0


Relaties = list[tuple[str, list[tuple[int, str]]]]  # as portal.eigen.suppress.Relation (that module imports this one)


def herinstroom_relaties(table: pl.DataFrame) -> tuple[list[str], Relaties, dict[str, list[str]]]:
    """(count columns, relations, linked columns) of a herinstroom table for portal.eigen.suppress.suppress: werk +
    overig = totaal in every count column; uitstromers = terug + niet terug in every row and horizon; a share is hidden
    with its counts."""
    hs = [c.removeprefix("uitstromers_") for c in table.columns if c.startswith("uitstromers_")]
    cols = [f"{k}_{h}" for h in hs for k in ("uitstromers", "terug", "niet_terug")]
    rel = [(f"werk plus overig (kolom {c})", [(i, c) for i in range(table.height)]) for c in cols]
    rel += [(f"uitstromers min teruggekeerden ({table['reden'][i]}, {h} maanden)",
             [(i, f"uitstromers_{h}"), (i, f"terug_{h}"), (i, f"niet_terug_{h}")]) for h in hs for i in range(table.height)]
    linked = {f"{k}_{h}": [f"aandeel_{h}"] for h in hs for k in ("uitstromers", "terug", "niet_terug")}
    return cols, rel, linked
