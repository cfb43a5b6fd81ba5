"""Pure polars views on the warehouse for the pages: series per definition, labelled with source and definition."""

from __future__ import annotations

import math
from typing import NamedTuple

import polars as pl

from portal import metrics, signals
from portal.nl import nl_dates_in, nl_number
from portal.indeling import compose
from portal.store import Warehouse
from portal.tekst import quoted

# The bijstandsvolume per definition (one series each) and the matching dichtheid.
VOLUME = ["bijstand_personen_abw_wwb", "bijstand_personen_tot_aow_incl_gerelateerd", "bijstand_alg_personen_15_aow",
          "bijstand_uitkeringen_totaal"]
DENSITY = ["dichtheid_abw_wwb", "dichtheid_tot_aow_incl_gerelateerd", "dichtheid_alg_15_aow", "dichtheid_uitkeringen_totaal"]


def volume_series(wh: Warehouse, code: str, indeling: str | int, density: bool = False) -> pl.DataFrame:
    """Bijstandsvolume (or dichtheid) of one gemeente over all years, one row per definition and year.

    Columns: jaar, waarde, indicator, definitie, eenheid, bron, peildatum, indeling, afgerond, onderdrukt, voorlopig.
    Each CBS definition stays its own series; nothing is spliced.
    """
    ids = DENSITY if density else VOLUME
    obs = wh.observations(code, ids, indeling)
    if obs.is_empty():
        return obs
    labels = {i: metrics.get(i).label for i in ids}
    units = {i: metrics.get(i).unit for i in ids}
    return obs.select(
        pl.col("periode").str.slice(0, 4).cast(pl.Int32).alias("jaar"),
        "waarde",
        "indicator",
        pl.col("indicator").replace_strict(labels).alias("definitie"),
        pl.col("indicator").replace_strict(units).alias("eenheid"),
        "bron",
        "peildatum",
        pl.col("indeling").cast(pl.String),
        "afgerond",
        "onderdrukt",
        "voorlopig",
    ).sort("indicator", "jaar")


def series_table(series: pl.DataFrame) -> pl.DataFrame:
    """`volume_series` as the table under the chart, with Dutch headers; an empty value says why."""
    return series.sort("definitie", "jaar").select(
        pl.col("jaar").cast(pl.String).alias("Jaar"), pl.col("definitie").alias("Definitie"), pl.col("waarde").alias("Waarde"),
        pl.when(pl.col("onderdrukt")).then(pl.lit("geen cijfer (onderdrukt of ontbreekt)")).otherwise(pl.lit("")).alias("Opmerking"),
        ("CBS " + pl.col("bron")).alias("Bron"), dutch_dates("peildatum").alias("Peildatum"), pl.col("indeling").alias("Indeling"),
        pl.when(pl.col("afgerond")).then(pl.lit("ja")).otherwise(pl.lit("nee")).alias("Afgerond door bron"))


def dutch_dates(col: str) -> pl.Expr:
    """A text column from the data with its ISO dates written the Dutch way (nl_dates_in), for the screen."""
    return pl.col(col).map_elements(nl_dates_in, return_dtype=pl.String, skip_nulls=True)


def boundary_breaks(series: pl.DataFrame, change_years: list[int]) -> list[int]:
    """Years at which a series moves onto an indeling that differs by a herindeling of this gemeente.

    A series on own-year boundaries may carry a figure for year t on the indeling of t+2 (maatstaven tables); the
    break belongs where the data's indeling crosses a change, not at the calendar year of the change.
    """
    breaks: set[int] = set()
    for _, part in series.group_by("indicator"):
        rows = part.sort("jaar").select("jaar", pl.col("indeling").cast(pl.Int32)).rows()
        for (_, prev), (jaar, cur) in zip(rows, rows[1:]):
            if any(prev < y <= cur for y in change_years):
                breaks.add(jaar)
    return sorted(breaks)


# ---- a gemeente against its referentiegroep --------------------------------------------------------------------------
def values(obs: pl.DataFrame, ids: list[str]) -> pl.DataFrame:
    """Non-suppressed values of the given indicators: gemeente_code, indicator, periode, waarde (latest indeling wins)."""
    return (obs.filter(pl.col("indicator").is_in(ids) & pl.col("waarde").is_not_null())
            .sort("indeling").unique(["gemeente_code", "indicator", "periode"], keep="last")
            .select("gemeente_code", "indicator", "periode", "waarde", "bron", "peildatum"))


def without_implausible(vals: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """`values` rows minus the flows of an age group that the source makes implausible (`bad` from signals.implausible)."""
    ages = {i: signals.flow_age(i) for i in vals["indicator"].unique()}
    tagged = vals.with_columns(pl.col("indicator").replace_strict(ages, return_dtype=pl.String).alias("lg"))
    return tagged.join(bad.select("gemeente_code", "periode", "lg").unique(), on=["gemeente_code", "periode", "lg"],
                       how="anti").drop("lg")


class Prepared:
    """An observation frame with what the group statistics need for every gemeente, computed once (per data build in the
    portal): the values of every indicator, the implausible flows, and per gemeente its own observations and, per period,
    its values and rounding flags. group_series and friends accept it or a plain frame (prepared on the fly)."""

    def __init__(self, obs: pl.DataFrame, parts: dict[tuple[str, str, str], int] | None = None):
        self.obs = obs
        self.parts = parts or {}  # (gemeente, indicator, periode) -> rounded figures summed into it (rounding_parts)
        self.vals = values(obs, sorted(obs["indicator"].unique()))
        self.by_indicator = {k[0]: part for k, part in self.vals.partition_by("indicator", as_dict=True).items()}
        self.bad = signals.implausible(obs)
        self.by_code = {k[0]: part for k, part in obs.partition_by("gemeente_code", as_dict=True).items()}
        self._periods: dict[str, dict] = {}

    @staticmethod
    def of(obs: pl.DataFrame | Prepared) -> Prepared:
        return obs if isinstance(obs, Prepared) else Prepared(obs)

    def values(self, ids: list[str]) -> pl.DataFrame:
        """`values(obs, ids)`, from the precomputed values."""
        parts = [self.by_indicator[i] for i in dict.fromkeys(ids) if i in self.by_indicator]
        return pl.concat(parts) if parts else self.vals.head(0)

    def own(self, code: str) -> pl.DataFrame:
        return self.by_code.get(code, self.obs.head(0))

    def periods(self, code: str) -> dict:
        """Per period the gemeente's values and rounding flags by indicator (latest indeling wins; a flag is the number of
        rounded figures summed into the value), and per (indicator, period) the newest indeling it is published on: what
        signals.range_in reads, built once per gemeente."""
        if code not in self._periods:
            per: dict[str, tuple[dict, dict]] = {}
            indeling: dict[tuple[str, str], int] = {}
            own = self.own(code).sort("indeling")
            for ind, p, v, a, i in own.select("indicator", "periode", "waarde", "afgerond", "indeling").iter_rows():
                indeling[(ind, p)] = max(i, indeling.get((ind, p), i))
                if v is not None:
                    vals, flags = per.setdefault(p, ({}, {}))
                    vals[ind], flags[ind] = v, (self.parts.get((code, ind, p), 1) if a else 0)
            self._periods[code] = {"per": per, "indeling": indeling}
        return self._periods[code]


def rounding_parts(wh: Warehouse) -> dict[tuple[str, str, str], int]:
    """(gemeente on the newest indeling, indicator, periode) -> how many figures that CBS rounded were summed into its value,
    where more than one: a gemeente formed by a herindeling carries one rounding per former gemeente (Voorne aan Zee
    2021 = Brielle + Hellevoetsluis + Westvoorne: three)."""
    own = wh.all_observations("jaar").filter(pl.col("afgerond") & (pl.col("gemeente_code") != "NL01") & (pl.col("indeling") > 0))
    steps, out = wh.herindelingen(), {}
    for (y,), chunk in own.group_by(["indeling"]):
        if y >= wh.newest_indeling:
            continue
        m = compose(steps, set(chunk["gemeente_code"]), y, wh.newest_indeling)
        n = (chunk.select("gemeente_code", "indicator", "periode").join(m, left_on="gemeente_code", right_on="van_code")
             .group_by("naar_code", "indicator", "periode").agg(pl.col("gemeente_code").n_unique().alias("n")).filter(pl.col("n") > 1))
        out.update({(c, i, p): k for c, i, p, k in n.iter_rows()})
    return out


def group_series(obs: pl.DataFrame | Prepared, per_jaar: pl.DataFrame | Prepared, code: str, members: list[str],
                 ids: list[str]) -> pl.DataFrame:
    """Per indicator and period: the gemeente's value with the range rounding and chance allow (gemeente_lo/_hi) and
    why the source value is implausible (onwaarschijnlijk, else null); the group's unweighted mean, P25, P75 and count
    n (implausible member values left out), and Nederland.

    `per_jaar`: the observations on their own year's boundaries. Nederland comes from there, and so do rates a publisher
    computed itself (CBS's percentages cannot be summed over a herindeling): for those `grenzen` is the indeling the
    figure is on, so a gemeente that grew since is compared on its boundaries of that year.
    Only periods in which the gemeente or at least one member has a value are returned.
    """
    obs, per_jaar = Prepared.of(obs), Prepared.of(per_jaar)
    rates = [i for i in ids if metrics.get(i).rate]
    others = [i for i in ids if i not in rates]
    frames = [(obs, others), (per_jaar, rates)]
    vals = pl.concat([f.values(i) for f, i in frames if i])
    group = [code, *members]
    bad = pl.concat([f.bad.filter(pl.col("gemeente_code").is_in(group)) for f in (obs, per_jaar)]).unique()
    own_bad = {(p, lg): r for p, lg, r in bad.filter(pl.col("gemeente_code") == code).select("periode", "lg", "reden").iter_rows()}
    ranges = []
    for f, i in frames:
        if not i:
            continue
        known = f.periods(code)
        for ind, p, v in f.values(i).filter(pl.col("gemeente_code") == code).select("indicator", "periode", "waarde").iter_rows():
            ranges.append((ind, p, v, *signals.range_in(known["per"].get(p, ({}, {})), ind, v),
                           own_bad.get((p, signals.flow_age(ind))), known["indeling"][(ind, p)] if f is per_jaar else None))
    own = pl.DataFrame(ranges, orient="row", schema={
        "indicator": pl.String, "periode": pl.String, "gemeente": pl.Float64, "gemeente_lo": pl.Float64, "gemeente_hi": pl.Float64,
        "onwaarschijnlijk": pl.String, "grenzen": pl.Int32}).join(
        vals.filter(pl.col("gemeente_code") == code).select("indicator", "periode", "bron", "peildatum"), on=["indicator", "periode"])
    member_vals = without_implausible(vals.filter(pl.col("gemeente_code").is_in(members)), bad)
    grp = member_vals.group_by("indicator", "periode").agg(
        pl.col("waarde").mean().alias("groep_gemiddelde"),
        pl.col("waarde").quantile(0.25, "linear").alias("groep_p25"),
        pl.col("waarde").quantile(0.75, "linear").alias("groep_p75"),
        pl.len().alias("groep_n"),
        pl.col("bron").first().alias("groep_bron"),
        pl.col("peildatum").first().alias("groep_peildatum"),
    )
    nl = per_jaar.values(ids).filter(pl.col("gemeente_code") == "NL01").select("indicator", "periode", pl.col("waarde").alias("nederland"))
    out = own.join(grp, on=["indicator", "periode"], how="full", coalesce=True).join(nl, on=["indicator", "periode"], how="left")
    return out.with_columns(pl.coalesce("bron", "groep_bron").alias("bron"), pl.coalesce("peildatum", "groep_peildatum").alias("peildatum")
                            ).drop("groep_bron", "groep_peildatum").sort("indicator", "periode")


def volume_at_group_density(obs: pl.DataFrame | Prepared, code: str, members: list[str]) -> pl.DataFrame:
    """Per volume definition and period: the gemeente's own count, and the count it would have at the group's dichtheid
    (group mean, P25 and P75 times the gemeente's own denominator). Same columns as `group_series`; nederland is empty."""
    obs = Prepared.of(obs)
    none = Prepared(obs.obs.head(0))
    dens = group_series(obs, none, code, members, DENSITY)
    vol = group_series(obs, none, code, [], VOLUME).select("indicator", "periode", "gemeente", "bron", "peildatum")
    pops = []
    for d in DENSITY:
        f = metrics.get(d).formula
        assert f is not None
        p = obs.values(list(f.denominator)).filter(pl.col("gemeente_code") == code)
        pops.append(p.group_by("periode").agg(pl.col("waarde").sum().alias("pop")).with_columns(pl.lit(d).alias("indicator")))
    exp = dens.join(pl.concat(pops), on=["indicator", "periode"], how="inner").with_columns(
        pl.col("indicator").replace_strict(dict(zip(DENSITY, VOLUME))),
        *(pl.col(c) * pl.col("pop") / 1000 for c in ("groep_gemiddelde", "groep_p25", "groep_p75")))
    return vol.join(exp.select("indicator", "periode", "groep_gemiddelde", "groep_p25", "groep_p75", "groep_n"),
                    on=["indicator", "periode"], how="full", coalesce=True).with_columns(pl.lit(None, pl.Float64).alias("nederland"))


def pooled(obs: pl.DataFrame | Prepared, codes: list[str], indicator: str) -> pl.DataFrame:
    """A derived indicator for a set of gemeenten taken together (sum of numerators / sum of denominators) per period."""
    f = metrics.get(indicator).formula
    assert f is not None, indicator
    vals = Prepared.of(obs).values(list(f.inputs())).filter(pl.col("gemeente_code").is_in(codes))
    wide = vals.pivot(on="indicator", index=["gemeente_code", "periode"], values="waarde", aggregate_function="first").drop_nulls()
    if not all(c in wide.columns for c in f.inputs()):
        return pl.DataFrame(schema={"periode": pl.String, "waarde": pl.Float64, "n": pl.UInt32})
    num = pl.sum_horizontal(*f.plus) - (pl.sum_horizontal(*f.minus) if f.minus else 0)
    return (wide.group_by("periode").agg(num.sum().alias("num"), pl.sum_horizontal(*f.denominator).sum().alias("den"), pl.len().alias("n"))
            .select("periode", (pl.col("num") / pl.col("den") * f.factor).alias("waarde"), "n").sort("periode"))


def reduction_potential(obs: pl.DataFrame | Prepared, code: str, members: list[str], density_id: str) -> dict | None:
    """How many fewer bijstandsontvangers `code` would have at the group's mean (and P25) dichtheid, in the latest
    period where both the gemeente and the group have a value. None if there is no such period."""
    f = metrics.get(density_id).formula
    assert f is not None
    obs = Prepared.of(obs)
    s = group_series(obs, Prepared(obs.obs.head(0)), code, members, [density_id]).drop_nulls(["gemeente", "groep_gemiddelde"])
    if s.is_empty():
        return None
    last = s.row(-1, named=True)
    den = obs.values(list(f.denominator)).filter((pl.col("gemeente_code") == code) & (pl.col("periode") == last["periode"]))
    if den.is_empty():
        return None
    population = float(den["waarde"].sum())
    actual = obs.values(list(f.plus)).filter((pl.col("gemeente_code") == code) & (pl.col("periode") == last["periode"]))["waarde"].sum()
    at_mean = last["groep_gemiddelde"] * population / f.factor
    at_p25 = last["groep_p25"] * population / f.factor
    return {"periode": last["periode"], "dichtheid": last["gemeente"], "groep_gemiddelde": last["groep_gemiddelde"],
            "groep_p25": last["groep_p25"], "groep_n": last["groep_n"], "inwoners": population, "werkelijk": float(actual),
            "bij_gemiddelde": max(0.0, float(actual) - at_mean), "bij_p25": max(0.0, float(actual) - at_p25),
            "bron": last["bron"], "peildatum": last["peildatum"]}


DECOMPOSITION = ("bijstand_alg_personen_15_aow", "bijstand_alg_instroom_15_aow", "bijstand_alg_uitstroom_15_aow", "inwoners_15_aow")
DECOMPOSITION_RATES = (
    "Maten in deze ontleding (eigen berekening, niet de CBS-percentages): dichtheid = bijstandsontvangers per 1 000 inwoners "
    "15 jaar tot AOW-leeftijd; instroom = instromers in het jaar per 1 000 inwoners 15 jaar tot AOW-leeftijd; uitstroomkans = "
    "uitstromers in het jaar per 100 bijstandsontvangers op de peildatum. Alleen met deze noemers geldt de evenwichtsvergelijking "
    "dichtheid = instroom / uitstroomkans. Algemene bijstand, CBS 83450NED/83747NED/84066NED.")


def decomposition(obs: pl.DataFrame, code: str, members: list[str], periode: str) -> dict | None:
    """Is a gap in dichtheid due to more instroom or less uitstroom? (the BijstandScan question)

    In a steady state the volume V (per 1 000 inwoners) equals instroom I (per 1 000 inwoners per year) divided by the
    uitstroomkans u (uitstroom per bijstandsontvanger on the peildatum), so V/V_ref = (I/I_ref) × (u_ref/u). In logs
    the gap splits into an instroom part ln(I/I_ref), an uitstroom part −ln(u/u_ref) and a rest (not in a steady
    state). Group values are unweighted means over members with non-zero, plausible counts. Each part gets the range
    that CBS rounding and chance allow for the gemeente's own counts (`*_lo`, `*_hi`). `status` says whether the
    ontleding can be read: "ok", "te klein" (a zero count) or "onwaarschijnlijk" (the source's flows are implausible).
    """
    sub = obs.filter(pl.col("indicator").is_in(DECOMPOSITION) & (pl.col("periode") == periode) & pl.col("waarde").is_not_null())
    wide = (sub.sort("indeling").unique(["gemeente_code", "indicator"], keep="last")
            .pivot(on="indicator", index="gemeente_code", values="waarde"))
    if not all(c in wide.columns for c in DECOMPOSITION):
        return None
    p, i, u, w = DECOMPOSITION
    wide = wide.drop_nulls()
    mine = wide.filter(pl.col("gemeente_code") == code)
    if mine.is_empty():
        return None
    bad = signals.implausible(obs.filter((pl.col("periode") == periode) & pl.col("gemeente_code").is_in([code, *members])))
    rates = (wide.join(bad.filter(pl.col("lg") == "15_aow").select("gemeente_code").unique(), on="gemeente_code", how="anti")
             .filter((pl.col(p) > 0) & (pl.col(i) > 0) & (pl.col(u) > 0))
             .select("gemeente_code", (pl.col(p) / pl.col(w) * 1000).alias("V"), (pl.col(i) / pl.col(w) * 1000).alias("I"),
                     (pl.col(u) / pl.col(p) * 100).alias("u")))
    grp = rates.filter(pl.col("gemeente_code").is_in(members))
    if grp.is_empty():
        return None
    c = mine.row(0, named=True)
    out: dict = {"periode": periode, "groep_n": grp.height, "aantallen": {"personen": c[p], "instroom": c[i], "uitstroom": c[u]}}
    own_bad = bad.filter((pl.col("gemeente_code") == code) & (pl.col("lg") == "15_aow"))
    if own_bad.height:
        return {**out, "status": "onwaarschijnlijk", "reden": own_bad["reden"][0]}
    if min(c[p], c[i], c[u]) <= 0:
        return {**out, "status": "te klein", "reden": "een instroom of uitstroom van 0 (door CBS afgerond: 0 tot 4 personen)"}
    ref = {k: float(grp[k].mean()) for k in ("V", "I", "u")}
    rounded = bool(sub.filter((pl.col("gemeente_code") == code) & (pl.col("indicator") == i))["afgerond"].any())
    p_lo, p_hi = signals.count_range(c[p], rounded, chance=False)
    i_lo, i_hi = signals.count_range(c[i], rounded, chance=True)
    u_lo, u_hi = signals.count_range(c[u], rounded, chance=True)
    V, I, U = c[p] / c[w] * 1000, c[i] / c[w] * 1000, c[u] / c[p] * 100
    log = lambda x: math.log(x) if x > 0 else -math.inf  # noqa: E731
    gap = math.log(V / ref["V"])
    part_in = math.log(I / ref["I"])
    part_out = -math.log(U / ref["u"])
    return {**out, "status": "ok", "gemeente": {"V": V, "I": I, "u": U}, "groep": ref, "gap": gap, "instroom": part_in,
            "uitstroom": part_out, "rest": gap - part_in - part_out,
            "gap_lo": log(p_lo / c[w] * 1000 / ref["V"]), "gap_hi": log(p_hi / c[w] * 1000 / ref["V"]),
            "instroom_lo": log(i_lo / c[w] * 1000 / ref["I"]), "instroom_hi": log(i_hi / c[w] * 1000 / ref["I"]),
            "uitstroom_lo": -log(u_hi / p_lo * 100 / ref["u"]), "uitstroom_hi": -log(u_lo / p_hi * 100 / ref["u"])}


def _pct(x: float) -> str:
    return nl_number(abs(math.exp(x) - 1) * 100, 0)


def decomposition_text(d: dict) -> list[str]:
    """The ontleding in plain Dutch. Only parts that rounding and chance cannot flip are named as pushing the dichtheid
    up or down, and a conclusion is drawn only when those parts together point the way of the gap and explain at least
    half of it; otherwise the text says the difference comes mainly from earlier years."""
    if d["status"] != "ok":
        return [f"Geen ontleding voor {d['periode']}: {d['reden']}."]
    g, r = d["gemeente"], d["groep"]
    hoger = lambda x: "hoger" if x > 0 else "lager"  # noqa: E731
    lines = [f"**{d['periode']}:** dichtheid {nl_number(g['V'], 1)} tegen {nl_number(r['V'], 1)} per 1 000 inwoners "
             f"15 jaar tot AOW-leeftijd ({_pct(d['gap'])} % {hoger(d['gap'])} dan de referentiegroep). Instroom "
             f"{nl_number(g['I'], 1)} tegen {nl_number(r['I'], 1)} per 1 000 inwoners ({_pct(d['instroom'])} % {hoger(d['instroom'])}); "
             f"uitstroomkans {nl_number(g['u'], 1)} tegen {nl_number(r['u'], 1)} per 100 bijstandsontvangers "
             f"({_pct(-d['uitstroom'])} % {hoger(-d['uitstroom'])})."]
    if d["gap_lo"] <= 0 <= d["gap_hi"]:
        lines.append("Binnen wat de afronding door CBS toelaat is de dichtheid gelijk aan die van de groep: er is geen verschil "
                     "om te verklaren.")
        return lines
    names = {"instroom": ("meer instroom", "minder instroom"), "uitstroom": ("minder uitstroom", "meer uitstroom")}
    word = {k: names[k][0] if d[k] > 0 else names[k][1] for k in names}
    certain = [k for k in names if not (d[f"{k}_lo"] <= 0 <= d[f"{k}_hi"])]
    unclear = [k for k in names if k not in certain]
    richting = "hogere" if d["gap"] > 0 else "lagere"
    if not certain:
        lines.append("Of de instroom en de uitstroom afwijken van die van de groep, is binnen afronding en toeval niet te zeggen "
                     "(te klein om te beoordelen): het verschil is niet aan instroom of uitstroom toe te wijzen.")
        return lines
    # One difference, one percentage: each part is named by the difference the first line gave it (instroom per 1 000
    # inwoners, uitstroomkans), not by its effect on the dichtheid (for the uitstroom that is another number: 22 % more
    # uitstroom is 18 % less dichtheid).
    diff = {"instroom": d["instroom"], "uitstroom": -d["uitstroom"]}
    label = {"instroom": "instroom", "uitstroom": "uitstroomkans"}
    lines.append("; ".join(f"{word[k].capitalize() if i == 0 else word[k]} ({label[k]} {_pct(diff[k])} % {hoger(diff[k])}) duwt de "
                           f"dichtheid {'omhoog' if d[k] > 0 else 'omlaag'}" for i, k in enumerate(certain)) + ".")
    for k in unclear:
        lines.append(f"Of de {k} afwijkt van die van de groep, is binnen afronding en toeval niet te zeggen (te klein om te beoordelen).")
    explained = sum(d[k] for k in certain)
    if explained * d["gap"] > 0 and abs(explained) >= abs(d["gap"]) / 2:
        drivers = [k for k in certain if d[k] * d["gap"] > 0]
        if len(drivers) == 2:
            lines.append(f"Beide passen bij de {richting} dichtheid; van hun samen effect komt ongeveer "
                         f"{nl_number(d['instroom'] / explained * 100, 0)} % door {word['instroom']} en "
                         f"{nl_number(d['uitstroom'] / explained * 100, 0)} % door {word['uitstroom']}.")
        else:
            lines.append(f"De {richting} dichtheid komt daarmee vooral door **{word[drivers[0]]}**.")
    else:
        lines.append(f"Instroom en uitstroom van {d['periode']} verklaren de {richting} dichtheid niet (samen {_pct(explained)} % "
                     f"{hoger(explained)}, werkelijk {_pct(d['gap'])} % {hoger(d['gap'])}): het verschil komt vooral uit eerdere "
                     "jaren (de gemeente of de groep is niet in evenwicht).")
    return lines


def compare_values(obs: pl.DataFrame, indicator: str, codes: list[str], names: dict[str, str]) -> pl.DataFrame:
    """Vergelijken: the indicator for the chosen gemeenten, with gemeente name, year and month (for monthly series)."""
    data = values(obs, [indicator]).filter(pl.col("gemeente_code").is_in(codes))
    return data.with_columns(pl.col("gemeente_code").replace_strict(names).alias("gemeente"),
                             pl.col("periode").str.slice(0, 4).cast(pl.Int32).alias("jaar"),
                             pl.col("periode").str.to_date("%Y-%m", strict=False).alias("maand"))


def as_index(data: pl.DataFrame, base: str) -> tuple[pl.DataFrame, list[str]]:
    """Each gemeente's values as an index (its `base` period = 100); also the codes without a base value (left out)."""
    base_vals = data.filter(pl.col("periode") == base).select("gemeente_code", pl.col("waarde").alias("basis"))
    missing = sorted(set(data["gemeente_code"]) - set(base_vals["gemeente_code"]))
    out = data.join(base_vals, on="gemeente_code", how="inner").with_columns(pl.col("waarde") / pl.col("basis") * 100)
    return out.drop("basis"), missing


NO_INDEX = ("een proxy is een saldo in procenten dat nul of negatief kan zijn of van teken kan wisselen; gedeeld door "
            "een basisjaar geeft dat getallen zonder betekenis (bijv. −12.011,8).")


class BasePeriod(NamedTuple):
    periode: str
    message: str  # a Dutch warning naming the link parameter, or ""


def base_period(asked: str | None, periods: list[str]) -> BasePeriod:
    """The index's base period from the link (?basis=): the asked one when it has figures, else the first period, with
    a Dutch message naming the parameter. Nothing asked: the first period, without a message."""
    if asked is None or asked in periods:
        return BasePeriod(asked or periods[0], "")
    return BasePeriod(periods[0], f"Basisjaar {quoted(asked)} (parameter basis in de link) heeft hier geen cijfers; mogelijk is "
                                  f"{periods[0]} tot en met {periods[-1]}. Getoond wordt basisjaar {periods[0]}.")


def wide_by_period(data: pl.DataFrame, value_col: str, order: list[str]) -> pl.DataFrame:
    """One row per gemeente (in `order`) with its CBS code, one column per period in time order: the table of Vergelijken."""
    periods = sorted(data["periode"].unique())
    wide = data.pivot(on="periode", index=["gemeente_code", "gemeente"], values=value_col, aggregate_function="first")
    rank = {n: i for i, n in enumerate(order)}
    return (wide.with_columns(pl.col("gemeente").replace_strict(rank, return_dtype=pl.Int32).alias("_o")).sort("_o")
            .select(pl.col("gemeente_code").alias("Gemeentecode"), pl.col("gemeente").alias("Gemeente"),
                    *[c for c in periods if c in wide.columns]))


def spread_by_period(data: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """Per period of Vergelijken's data (compare_values, possibly as an index): the median, P25 and P75 over the gemeenten
    with a value (values the source makes implausible left out, as in group_series) and how many (n); only periods with
    at least signals.MIN_GROUP values. Columns: periode, jaar, maand, mediaan, p25, p75, n."""
    kept = without_implausible(data, bad)
    return (kept.group_by("periode").agg(pl.col("jaar").first(), pl.col("maand").first(),
                                         pl.col("waarde").median().alias("mediaan"),
                                         pl.col("waarde").quantile(0.25, "linear").alias("p25"),
                                         pl.col("waarde").quantile(0.75, "linear").alias("p75"), pl.len().alias("n"))
            .filter(pl.col("n") >= signals.MIN_GROUP).sort("periode"))


GEEN_CIJFER = "geen cijfer"


def ranking(prep: Prepared, indicator: str, periode: str, codes: list[str], names: dict[str, str]) -> pl.DataFrame:
    """Vergelijken's ranked view of one period: every gemeente in `codes`, highest value first (equal values: the higher
    rounding range first) and those without a figure (missing or suppressed by the source) last. Per gemeente the value, the range CBS's rounding allows around it
    (lo, hi: signals.range_in without chance; null where no rounded count is known behind the figure, with `bereik`
    saying which), why the source makes the value implausible (onwaarschijnlijk), bron and peildatum.

    Columns: gemeente_code, gemeente, waarde, lo, hi, bereik, onwaarschijnlijk, bron, peildatum."""
    basis = signals.spec(indicator).basis
    lg = signals.flow_age(indicator)
    vals = {c: (v, b, p) for c, v, b, p in prep.values([indicator]).filter(pl.col("periode") == periode)
            .select("gemeente_code", "waarde", "bron", "peildatum").iter_rows()}
    bad = {c: r for c, r in prep.bad.filter((pl.col("periode") == periode) & (pl.col("lg") == lg))
           .select("gemeente_code", "reden").iter_rows()} if lg else {}
    rows = []
    for code in dict.fromkeys(codes):
        value, bron, peildatum = vals.get(code, (None, None, None))
        lo = hi = None
        if value is None:
            bereik = GEEN_CIJFER
        else:
            per = prep.periods(code)["per"].get(periode, ({}, {}))
            if basis and per[0].get(basis) is not None:
                lo, hi = signals.range_in(per, indicator, value, chance=False)
                bereik = "afronding door CBS" if hi is not None and lo is not None and hi > lo else "niet afgerond"
            else:
                bereik = "geen bereik bekend"
        rows.append((code, names.get(code, code), value, lo, hi, bereik, bad.get(code), bron, peildatum))
    out = pl.DataFrame(rows, orient="row", schema={
        "gemeente_code": pl.String, "gemeente": pl.String, "waarde": pl.Float64, "lo": pl.Float64, "hi": pl.Float64,
        "bereik": pl.String, "onwaarschijnlijk": pl.String, "bron": pl.String, "peildatum": pl.String})
    # equal published values: the one whose rounding range lies higher first (its place range says the same)
    middle = (pl.coalesce("lo", "waarde") + pl.coalesce("hi", "waarde")) / 2
    return out.sort(pl.col("waarde").is_null(), "waarde", middle, "gemeente", descending=[False, True, True, False])


def rank_ranges(ranked: pl.DataFrame, use: pl.Series) -> pl.DataFrame:
    """The place of each gemeente in `ranked` (ranking) among the rows where `use` is true, 1 = highest value, as the
    range its own and the others' rounding ranges allow: from 1 + the number whose lowest possible value lies above its
    highest, to the number whose highest possible value reaches its lowest (itself included). Without a known range the
    value itself counts. Columns added: plaats_hoog, plaats_laag (null where `use` is false)."""
    lo = ranked.select(pl.coalesce("lo", "waarde")).to_series().to_list()
    hi = ranked.select(pl.coalesce("hi", "waarde")).to_series().to_list()
    idx = [i for i, u in enumerate(use.to_list()) if u]
    best, worst = [None] * ranked.height, [None] * ranked.height
    for i in idx:
        best[i] = 1 + sum(1 for j in idx if j != i and lo[j] > hi[i])
        worst[i] = sum(1 for j in idx if hi[j] >= lo[i])
    return ranked.with_columns(pl.Series("plaats_hoog", best, pl.Int32), pl.Series("plaats_laag", worst, pl.Int32))


# ---- national views ---------------------------------------------------------------------------------------------------
def change(obs: pl.DataFrame, indicator: str, van: str, tot: str, min_base: float = 0) -> pl.DataFrame:
    """Change per gemeente between two periods (both needed), strongest decline first: van, tot, verschil, verschil_pct."""
    v = values(obs, [indicator]).filter(pl.col("gemeente_code") != "NL01")
    a = v.filter(pl.col("periode") == van).select("gemeente_code", pl.col("waarde").alias("van"))
    b = v.filter(pl.col("periode") == tot).select("gemeente_code", pl.col("waarde").alias("tot"))
    return (a.join(b, on="gemeente_code").filter((pl.col("van") > 0) & (pl.col("van") >= min_base))
            .with_columns((pl.col("tot") - pl.col("van")).alias("verschil"),
                          ((pl.col("tot") / pl.col("van") - 1) * 100).alias("verschil_pct"))
            .sort("verschil_pct", "gemeente_code"))


def funnel(obs: pl.DataFrame, density_id: str, periode: str) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """Funnel plot data: per gemeente its population and dichtheid; control limits around the national rate.

    p = total numerator / total denominator over all gemeenten; a gemeente with n inhabitants has binomial standard
    error s(n) = sqrt(p(1−p)/n). Gemeenten differ far more than binomial chance allows (overdispersion), so the limits
    follow Spiegelhalter (2005), additive random effects: phi = mean of the squared z-scores winsorised at P10/P90,
    tau² = (N·phi − (N−1)) / (Σw − Σw²/Σw) with w = 1/s², limits p ± z·sqrt(s(n)² + tau²), z = 1,96 (95 %) and
    3,09 (99,8 %). Returns (points, limits, info with p, phi and tau, all scaled to the indicator's unit).
    """
    f = metrics.get(density_id).formula
    assert f is not None
    v = values(obs, list(f.inputs())).filter((pl.col("periode") == periode) & (pl.col("gemeente_code") != "NL01"))
    wide = v.pivot(on="indicator", index="gemeente_code", values="waarde", aggregate_function="first").drop_nulls()
    if wide.is_empty() or not all(c in wide.columns for c in f.inputs()):
        return pl.DataFrame(), pl.DataFrame(), {}
    wide = wide.select("gemeente_code", pl.sum_horizontal(*f.plus).alias("teller"), pl.sum_horizontal(*f.denominator).alias("n")).filter(pl.col("n") > 0)
    p = float(wide["teller"].sum() / wide["n"].sum())
    rate = pl.col("teller") / pl.col("n")
    s2 = p * (1 - p) / pl.col("n")
    z = wide.select(((rate - p) / s2.sqrt()).alias("z"), (1 / s2).alias("w"))
    lo_z, hi_z = z["z"].quantile(0.1), z["z"].quantile(0.9)
    phi = float(z["z"].clip(lo_z, hi_z).pow(2).mean())
    n_g, w = z.height, z["w"]
    tau2 = max(0.0, (n_g * phi - (n_g - 1)) / float(w.sum() - (w ** 2).sum() / w.sum()))
    points = wide.with_columns((rate * f.factor).alias("dichtheid"))
    lo, hi = float(points["n"].min()), float(points["n"].max())
    rows = []
    for n in (lo * (hi / lo) ** (i / 99) for i in range(100)):
        se = math.sqrt(p * (1 - p) / n + tau2)
        rows.append({"n": n, "p": p * f.factor, "lo95": max(0.0, p - 1.96 * se) * f.factor, "hi95": (p + 1.96 * se) * f.factor,
                     "lo998": max(0.0, p - 3.09 * se) * f.factor, "hi998": (p + 3.09 * se) * f.factor})  # a rate is never negative
    se = (s2 + tau2).sqrt()
    side = pl.when(rate < p).then(pl.lit("laag")).otherwise(pl.lit("hoog"))
    points = points.with_columns(
        pl.when((rate - p).abs() > 3.09 * se).then(pl.format("{}, buiten 99,8 %", side))
        .when((rate - p).abs() > 1.96 * se).then(pl.format("{}, buiten 95 %", side)).otherwise(pl.lit("binnen 95 %")).alias("positie"))
    return points, pl.DataFrame(rows), {"p": p * f.factor, "phi": phi, "tau": math.sqrt(tau2) * f.factor}


def wdeel_by_class(obs: pl.DataFrame, classes: pl.DataFrame, indicator: str, periode: str) -> pl.DataFrame:
    """Per class: gemeenten with a figure, how many underspend (proxy > 0), their share and mean underspending.

    classes: gemeentecode, waarde (the class label).
    """
    v = values(obs, [indicator]).filter((pl.col("periode") == periode) & (pl.col("gemeente_code") != "NL01"))
    v = v.join(classes.select(pl.col("gemeentecode").alias("gemeente_code"), pl.col("waarde").alias("klasse")), on="gemeente_code")
    total = v.with_columns(pl.lit("Alle gemeenten").alias("klasse"))
    return (pl.concat([v, total]).group_by("klasse").agg(
        pl.len().alias("gemeenten"), (pl.col("waarde") > 0).sum().alias("onderbesteders"),
        ((pl.col("waarde") > 0).mean() * 100).alias("aandeel_pct"), pl.col("waarde").filter(pl.col("waarde") > 0).mean().alias("gem_onderbesteding_pct"),
        pl.col("waarde").median().alias("mediaan_pct")))


def unknown_residence_note(per_jaar: pl.DataFrame | Prepared, indicator: str) -> str:
    """For a flow rate: the Dutch note that Nederland counts persons whose woongemeente CBS does not know, with their share
    of the national count (national figure minus the sum over gemeenten, per period, from the warehouse). Empty otherwise."""
    basis = signals.spec(indicator).basis
    lg = signals.flow_age(indicator)
    if lg is None or basis is None or not basis.startswith(("bijstand_alg_instroom_", "bijstand_alg_uitstroom_")):
        return ""
    v = Prepared.of(per_jaar).values([basis])
    nl = v.filter(pl.col("gemeente_code") == "NL01").select("periode", pl.col("waarde").alias("nl"))
    som = v.filter(pl.col("gemeente_code") != "NL01").group_by("periode").agg(pl.col("waarde").sum().alias("som"))
    share = nl.join(som, on="periode").filter(pl.col("nl") > 0).select("periode", ((pl.col("nl") - pl.col("som")) / pl.col("nl") * 100).alias("pct"))
    if share.is_empty() or share["pct"].max() < 0.5:  # below half a percent the gap is CBS's rounding, not a group
        return ""
    lo, hi = share["pct"].min(), share["pct"].max()
    p0, p1 = share["periode"].min(), share["periode"].max()
    span = nl_number(lo, 1) if nl_number(lo, 1) == nl_number(hi, 1) else f"{nl_number(lo, 1)}–{nl_number(hi, 1)}"
    label = metrics.get(basis).label
    wat = label[0].lower() + label[1:]
    return (f"Nederland telt ook personen van wie CBS de woongemeente niet kent; zij zitten in geen enkel gemeentecijfer "
            f"({wat}: {span} % van het landcijfer, {p0}{'' if p0 == p1 else '–' + p1}).")
