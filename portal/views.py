"""Page-shaped views of the warehouse: the polars work behind the national and map pages, with Dutch column headers
where a frame is shown as a table. No Streamlit here, so it is tested directly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from datetime import date, datetime

import polars as pl

from portal import benchmark as bm
from portal import metrics, signals
from portal.store import Warehouse
from portal.nl import nl_date, nl_datetime, nl_month, nl_number

NATIONAL_SERIES = ["bijstand_uitkeringen_tot_aow_nl", "bijstand_alg_personen_nl_kwartaal"]
SIZE_ORDER = ["Minder dan 5 000 inwoners", "5 000 tot 10 000 inwoners", "10 000 tot 20 000 inwoners", "20 000 tot 50 000 inwoners",
              "50 000 tot 100 000 inwoners", "100 000 tot 150 000 inwoners", "150 000 tot 250 000 inwoners", "250 000 inwoners of meer"]


def periods(obs: pl.DataFrame, indicator: str) -> list[str]:
    return sorted(bm.values(obs, [indicator])["periode"].unique())


def national_series(own: pl.DataFrame) -> pl.DataFrame:
    """The national monthly (37789ksz) and quarterly (wijk- en buurttabellen) series, one line per definition."""
    return (bm.values(own, NATIONAL_SERIES).filter(pl.col("gemeente_code") == "NL01")
            .with_columns(pl.col("periode").str.to_date("%Y-%m").alias("maand"),
                          pl.col("indicator").replace_strict({i: metrics.get(i).label for i in NATIONAL_SERIES}).alias("reeks")))


NATIONAL_FLOWS = ["bijstand_instromers_nl_kwartaal", "bijstand_herinstromers_nl_kwartaal", "bijstand_uitstromers_nl_kwartaal"]


def national_flows(own: pl.DataFrame) -> pl.DataFrame:
    """CBS's national instromers, (her)instromers binnen een jaar and uitstromers per quarter (85615NED), one line each,
    placed at the quarter's first day."""
    flows = bm.values(own, NATIONAL_FLOWS).filter((pl.col("gemeente_code") == "NL01") & pl.col("periode").str.contains("-Q"))
    first = (pl.col("periode").str.slice(0, 4) + "-" + ((pl.col("periode").str.slice(6, 1).cast(pl.Int32) - 1) * 3 + 1).cast(pl.String)
             .str.zfill(2) + "-01")
    return flows.with_columns(first.str.to_date("%Y-%m-%d").alias("kwartaal"),
                              pl.col("indicator").replace_strict({i: metrics.get(i).label for i in NATIONAL_FLOWS}).alias("reeks")).sort("kwartaal")


def reentry_share(flows: pl.DataFrame) -> tuple[str, float, float] | None:
    """(periode, herinstromers, instromers) of the newest quarter that has both, or None."""
    wide = (flows.filter(pl.col("waarde").is_not_null()).pivot(on="indicator", index="periode", values="waarde")
            .drop_nulls().sort("periode"))
    if wide.is_empty() or not {"bijstand_herinstromers_nl_kwartaal", "bijstand_instromers_nl_kwartaal"} <= set(wide.columns):
        return None
    last = wide.row(-1, named=True)
    return last["periode"], last["bijstand_herinstromers_nl_kwartaal"], last["bijstand_instromers_nl_kwartaal"]


def yearly_volume(own: pl.DataFrame) -> pl.DataFrame:
    """Per volume definition and year: the sum over gemeenten and CBS's national figure, as separately named series."""
    labels = {i: metrics.get(i).label for i in bm.VOLUME}
    yearly = bm.values(own, bm.VOLUME)
    sums = (yearly.filter(pl.col("gemeente_code") != "NL01").group_by("indicator", "periode")
            .agg(pl.col("waarde").sum(), pl.col("bron").first(), pl.col("peildatum").first()).with_columns(pl.lit("som gemeenten").alias("soort")))
    nl = yearly.filter(pl.col("gemeente_code") == "NL01").select("indicator", "periode", "waarde", "bron", "peildatum").with_columns(
        pl.lit("CBS-landcijfer").alias("soort"))
    return (pl.concat([sums, nl]).with_columns(pl.col("periode").cast(pl.Int32).alias("jaar"),
                                                pl.col("indicator").replace_strict(labels).alias("definitie"),
                                                (pl.col("indicator").replace_strict(labels) + " — " + pl.col("soort")).alias("reeks"))
            .sort("reeks", "jaar"))


def decliners(change: pl.DataFrame, names: dict[str, str], van: str, tot: str) -> pl.DataFrame:
    """`benchmark.change` as a table: Gemeente, the two years, Verschil, Verschil (%)."""
    return change.select(pl.col("gemeente_code").replace_strict(names, default="?").alias("Gemeente"), pl.col("van").alias(van),
                         pl.col("tot").alias(tot), pl.col("verschil").alias("Verschil"), pl.col("verschil_pct").alias("Verschil (%)"))


def distribution(harm: pl.DataFrame, kenmerken: pl.DataFrame, density_id: str, year: str, names: dict[str, str]) -> pl.DataFrame:
    """One row per gemeente with its dichtheid in `year`, size class and provincie (for the box plots)."""
    classes = kenmerken.filter(pl.col("kenmerk").is_in(["gemeentegrootte", "provincie"])).pivot(
        on="kenmerk", index="gemeentecode", values="waarde")
    return (bm.values(harm, [density_id]).filter((pl.col("periode") == year) & (pl.col("gemeente_code") != "NL01"))
            .join(classes, left_on="gemeente_code", right_on="gemeentecode")
            .with_columns(pl.col("gemeente_code").replace_strict(names, default="?").alias("gemeente")))


def wdeel_table(wd: pl.DataFrame) -> pl.DataFrame:
    """`benchmark.wdeel_by_class` in size order with Dutch, descriptive headers (a proxy: no verdict)."""
    order = {k: i for i, k in enumerate([*SIZE_ORDER, "Alle gemeenten"])}
    return wd.sort(pl.col("klasse").replace_strict(order, default=99)).select(
        pl.col("klasse").alias("Grootteklasse"), pl.col("gemeenten").alias("Gemeenten met cijfer"),
        pl.col("onderbesteders").alias("IU hoger dan lasten"), pl.col("aandeel_pct").alias("Aandeel IU hoger (%)"),
        pl.col("gem_onderbesteding_pct").alias("Gem. verschil waar IU hoger (%)"), pl.col("mediaan_pct").alias("Mediaan alle gemeenten (%)"))


def map_indeling(own: pl.DataFrame, indicator: str, year: str) -> int:
    """The indeling the figures of one period use (the maatstaven tables sit on a later one than their period)."""
    rows = own.filter((pl.col("indicator") == indicator) & (pl.col("periode") == year) & (pl.col("gemeente_code") != "NL01"))
    return int(rows["indeling"].max())


def map_values(own: pl.DataFrame, indicator: str, year: str, indeling: int, names: dict[str, str]) -> pl.DataFrame:
    """The figures of one period on `indeling`: statcode, naam, waarde, bron, peildatum."""
    rows = own.filter((pl.col("indicator") == indicator) & (pl.col("periode") == year) & (pl.col("indeling") == indeling)
                      & (pl.col("gemeente_code") != "NL01"))
    return rows.select(pl.col("gemeente_code").alias("statcode"), "waarde", "bron", bm.dutch_dates("peildatum").alias("peildatum")
                       ).with_columns(pl.col("statcode").replace_strict(names, default=None).alias("naam"))


class MapScale(NamedTuple):
    """How the Kaart colours one period: in five classes of equal size (kwintielen) or linearly, and the gemeenten far
    outside the rest (marked with a black outline), with the legend's words for both."""

    classes: list[str]  # the kwintielen's labels, lowest first ("van -2.845,3 tot en met -126,0"); empty: a linear scale
    outliers: list[str]  # statcodes
    legend: list[str]  # lines under the unit in the legend title

    @property
    def quantile(self) -> bool:
        return bool(self.classes)


KWINTIELEN = 5
FAR_OUT = 3.0  # Tukey's "far out": more than 3 × the interquartile range beyond the quartiles


def map_scale(data: pl.DataFrame, proxy: bool, decimals: int) -> tuple[MapScale, pl.DataFrame]:
    """A colour scale that separates gemeenten, and `data` with each gemeente's class (column klasse, null without a value
    or on a linear scale). A linear scale lets a few extreme values take the whole range (the W-deel proxy runs from
    −2.845 to +100 %, its middle half from −104 to −39: almost every gemeente got the same blue), so a proxy, or any
    period with far-out values, is coloured by kwintiel; the far-out gemeenten get a black outline.
    data: statcode, waarde (map_values)."""
    v = data.filter(pl.col("waarde").is_not_null())
    if v.height < 2 * KWINTIELEN:
        return MapScale([], [], []), data.with_columns(klasse=pl.lit(None, pl.String))
    q1, q3 = v["waarde"].quantile(0.25, "linear"), v["waarde"].quantile(0.75, "linear")
    low, high = q1 - FAR_OUT * (q3 - q1), q3 + FAR_OUT * (q3 - q1)
    outliers = v.filter((pl.col("waarde") < low) | (pl.col("waarde") > high))["statcode"].sort().to_list()
    legend = ([f"zwarte rand: {len(outliers)} uitschieter{'s' if len(outliers) > 1 else ''}"] if outliers else [])
    if not (proxy or outliers):
        return MapScale([], [], []), data.with_columns(klasse=pl.lit(None, pl.String))
    # rank-based classes of (nearly) equal size; equal values share a class
    ranked = v.with_columns(((pl.col("waarde").rank("min") - 1) * KWINTIELEN // v.height).cast(pl.Int32).alias("_k"))
    spans = ranked.group_by("_k").agg(pl.col("waarde").min().alias("lo"), pl.col("waarde").max().alias("hi")).sort("_k")
    label = {k: f"van {nl_number(lo, decimals)} tot en met {nl_number(hi, decimals)}" for k, lo, hi in spans.iter_rows()}
    klasse = dict(zip(ranked["statcode"], ranked["_k"].replace_strict(label, return_dtype=pl.String)))
    legend = [f"kleur: kwintielen, elk ca. 1/{KWINTIELEN} van de gemeenten", *legend]
    return (MapScale(list(label.values()), outliers, legend),
            data.with_columns(pl.col("statcode").replace_strict(klasse, default=None, return_dtype=pl.String).alias("klasse")))


def map_table(data: pl.DataFrame, scale: MapScale, unit: str) -> pl.DataFrame:
    """The Kaart's figures as a table (and CSV): gemeente, gemeentecode, value, source, peildatum, and whether it is an
    outlier; alphabetical (the table sorts by any column)."""
    return data.sort("naam").select(
        pl.col("naam").alias("Gemeente"), pl.col("statcode").alias("Gemeentecode"), pl.col("waarde").alias(f"Waarde ({unit})"),
        pl.col("statcode").is_in(scale.outliers).replace_strict({True: "ja", False: "nee"}, return_dtype=pl.String)
        .alias("Uitschieter"),
        *([pl.col("klasse").alias("Kleurklasse (kwintiel)")] if scale.quantile else []),
        pl.col("bron").alias("Bron (CBS-tabel)"), pl.col("peildatum").alias("Peildatum"))


def fetched_tables(wh: Warehouse) -> set[str]:
    """The tables of the warehouse that `etl vernieuw` fetched from CBS (herkomst soort 'CBS-vernieuwing', etl/herkomst.py)."""
    h = wh.herkomst()
    return set(h.filter(pl.col("soort") == "CBS-vernieuwing")["tabel"].drop_nulls().to_list())


def registry_table(own: pl.DataFrame, fetched: set[str] | frozenset[str] = frozenset()) -> pl.DataFrame:
    """Every indicator of the registry with its definition, sources and the periods the warehouse holds. `fetched`: the
    tables `etl vernieuw` fetched from CBS (herkomst); an indicator with figures from them names those tables."""
    periods = own.group_by("indicator").agg(pl.col("periode").min().alias("van"), pl.col("periode").max().alias("tot"),
                                            pl.col("bron").unique().sort().alias("bronnen"))
    span = {r["indicator"]: f"{r['van']} – {r['tot']}" for r in periods.iter_rows(named=True)}
    now = {r["indicator"]: [b for b in r["bronnen"] if b in fetched] for r in periods.iter_rows(named=True)}

    def sources(i: metrics.Indicator) -> str:
        live = now.get(i.id)
        return ", ".join(i.sources) + (f"; cijfers nu uit: {', '.join(live)} (opgehaald bij CBS)" if live else "")

    return pl.DataFrame([{
        "Indicator": i.label, "Code": i.id, "Eenheid": i.unit, "Definitie": i.definition,
        "Formule": i.formula.text() if i.formula else "", "Bronnen": sources(i), "Peildatum": i.peildatum,
        "Perioden": span.get(i.id, "geen cijfers"), "Kanttekeningen": i.caveats} for i in metrics.REGISTRY.values()])


def implausible_table(own: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """signals.implausible with Dutch headers, for the Bronnen page."""
    return signals.implausible(own).select(
        pl.col("gemeente_code").replace_strict(names, default=pl.col("gemeente_code")).alias("Gemeente"),
        pl.col("gemeente_code").alias("Code"), pl.col("periode").alias("Jaar"), pl.col("leeftijd").alias("Leeftijdsgroep"),
        pl.col("reden").alias("Waarom onwaarschijnlijk"))


SHIPPED_NOTE = "meegeleverde snapshot (zie PROVENANCE.md)"


def herkomst_table(herkomst: pl.DataFrame) -> pl.DataFrame:
    """Warehouse.herkomst as the Bronnen table: per data file its table, CBS's modification date, when it was fetched,
    rows and a short checksum, with Dutch dates; a shipped snapshot says where its provenance is written down."""
    def when(value: str | None) -> str:
        return nl_datetime(value) if value else SHIPPED_NOTE

    return pl.DataFrame({
        "Tabel": [ti if t and ti and t in ti else f"{t} — {ti}" if t and ti else (t or ti or "–")
                  for t, ti in herkomst.select("tabel", "titel").iter_rows()],
        "Soort": herkomst["soort"].to_list(),
        "Gewijzigd door CBS": [when(v) for v in herkomst["cbs_gewijzigd"].to_list()],
        "Opgehaald": [when(v) for v in herkomst["opgehaald"].to_list()],
        "Rijen": pl.Series(herkomst["rijen"].to_list(), dtype=pl.Int64),
        "Controlesom (SHA-256)": [f"{d[:12]}…" if d else "–" for d in herkomst["sha256"].to_list()],
        "Snapshot": herkomst["snapshot"].to_list(),
        "Bestand": herkomst["bestand"].to_list(),
    }, schema_overrides={c: pl.String for c in ("Tabel", "Soort", "Gewijzigd door CBS", "Opgehaald", "Controlesom (SHA-256)",
                                                 "Snapshot", "Bestand")})


# ---- "Cijfers tot en met": the newest period per group of figures, once per data build ------------------------------------
# (label, which registry indicators, national rows instead of gemeente rows)
THROUGH_GROUPS = [
    ("bijstandsvolume per gemeente", lambda i: "volume" in i.tags and "live" not in i.tags, False),
    ("maand- en kwartaalcijfers per gemeente", lambda i: "live" in i.tags and "landelijk" not in i.tags, False),
    ("in- en uitstroom per gemeente", lambda i: i.theme == "instroom_uitstroom", False),
    ("landelijk", lambda i: "landelijk" in i.tags, True),
]
_PERIOD = re.compile(r"^(\d{4})(?:-?(?:(\d{2})|H([12])|Q([1-4])|KW0?([1-4])|MM(\d{2})|JJ00))?$")


def period_key(periode: str) -> tuple[int, int]:
    """(year, last month covered) of a period: "2024" and "2024JJ00" -> (2024, 12), "2024-09" -> (2024, 9), "2014-H1" ->
    (2014, 6), "2024-Q3" and "2024KW03" -> (2024, 9). Anything else sorts first."""
    m = _PERIOD.match(periode or "")
    if not m:
        return (0, 0)
    month = m[2] or m[6]
    if month:
        return int(m[1]), int(month)
    if m[3]:
        return int(m[1]), 6 * int(m[3])
    if m[4] or m[5]:
        return int(m[1]), 3 * int(m[4] or m[5])
    return int(m[1]), 12


def period_nl(periode: str) -> str:
    """A period the Dutch way: "2024", "september 2024", "2e halfjaar 2014", "3e kwartaal 2024"."""
    m = _PERIOD.match(periode or "")
    if not m:
        return periode
    if m[2] or m[6]:
        return nl_month(date(int(m[1]), int(m[2] or m[6]), 1))
    if m[3]:
        return f"{m[3]}e halfjaar {m[1]}"
    if m[4] or m[5]:
        return f"{int(m[4] or m[5])}e kwartaal {m[1]}"
    return m[1]


def through_line(wh: Warehouse) -> str:
    """'Cijfers tot en met: bijstandsvolume per gemeente 2024 · in- en uitstroom per gemeente 2017 · landelijk september
    2024 · databouw 30 november 2026': the newest period per group (registry tags and theme; own boundaries), and the
    date of the data build. About 0,1 s: call it once per build."""
    rows = wh.conn.execute("select distinct indicator, periode, gemeente_code = 'NL01' from observaties where geharmoniseerd = 0")
    newest: dict[int, str] = {}
    for indicator, periode, national in rows:
        ind = metrics.REGISTRY.get(indicator)
        for g, (_, wanted, nl) in enumerate(THROUGH_GROUPS):
            if ind is not None and bool(national) == nl and wanted(ind) and period_key(periode) > period_key(newest.get(g, "")):
                newest[g] = periode
    parts = [f"{label} {period_nl(newest[g])}" for g, (label, _, _) in enumerate(THROUGH_GROUPS) if g in newest]
    tijd = wh.last_build().get("tijd")
    if tijd:
        built = datetime.fromisoformat(tijd)
        built = built.astimezone() if built.tzinfo else built
        parts.append(f"databouw {nl_date(built)}")
    return "Cijfers tot en met: " + " · ".join(parts) if parts else ""


# ---- Gemeenteprofiel ----------------------------------------------------------------------------------------------------------
class ProfileNotes:
    """The plain-Dutch notes a profile adds to a figure: CBS rates on older boundaries, and why a figure is missing."""

    def __init__(self, wh: Warehouse, code: str, naam: str):
        self.wh, self.code, self.naam = wh, code, naam
        # herindelingen in which this gemeente received territory: (indeling year, date, name of the gemeente it received)
        self.grown = [(j, d, wh.name(o)) for j, d, o in wh.boundary_changes(code).select("indeling_jaar", "datum", "oude_code").iter_rows()]

    def boundary_note(self, grenzen: int | None) -> str:
        """CBS's own rates stay on their year's boundaries: say so when the gemeente grew after that year."""
        later = [(d, n) for j, d, n in self.grown if grenzen is not None and j > grenzen]
        return (f" · op de grenzen van {grenzen}, vóór de samenvoeging met {later[0][1]} ({nl_date(later[0][0])})"
                if later else "")

    def missing_reason(self, indicator: str) -> str:
        """Why a card has no figure, in Dutch."""
        rate = metrics.get(indicator).rate
        obs = self.wh.observations(self.code, [indicator], "jaar" if rate else "nieuwste")
        if obs.is_empty() and rate:
            van, tot = self.wh.conn.execute("select min(periode), max(periode) from observaties where indicator = ? "
                                            "and geharmoniseerd = 0", (indicator,)).fetchone()
            return (f"Geen cijfer: CBS publiceerde dit percentage voor de gemeenten van {van}–{tot}; {self.naam} had "
                    "toen andere grenzen, en een percentage is niet op te tellen over een herindeling.")
        if obs.is_empty():
            return "Geen cijfer: de bron heeft voor deze gemeente geen cijfer."
        periode = obs.sort("periode")["periode"][-1]
        lg = signals.flow_age(indicator)
        reden = None
        if lg:
            flows = self.wh.observations(self.code, [f"bijstand_alg_{k}_{lg}" for k in ("personen", "instroom", "uitstroom", "uitstroom_werk")],
                                         "jaar")
            bad = signals.implausible(flows).filter((pl.col("periode") == periode) & (pl.col("lg") == lg))
            reden = bad["reden"][0] if bad.height else None
        return (f"Geen cijfer: CBS liet het cijfer voor {periode} leeg"
                + (f"; bronwaarde onwaarschijnlijk: {reden}." if reden else " (te kleine aantallen of onderdrukt)."))


def size_class(kenmerken: pl.DataFrame, code: str) -> tuple[str | None, list[str]]:
    """The gemeente's size class and all gemeenten in it."""
    sizes = kenmerken.filter(pl.col("kenmerk") == "gemeentegrootte")
    mine = sizes.filter(pl.col("gemeentecode") == code)["waarde"]
    klasse = mine[0] if mine.len() else None
    return klasse, (sizes.filter(pl.col("waarde") == klasse)["gemeentecode"].to_list() if klasse else [])


@dataclass
class Trend:
    lines: pl.DataFrame  # jaar, waarde, reeks, definitie, bron, peildatum
    band: pl.DataFrame  # jaar, p25, p75, definitie
    series: list[str]  # series names in legend order
    definition_breaks: list[tuple[int, str]]
    class_series: str


def profile_trend(frame: pl.DataFrame, naam: str, density: bool, klasse: str | None, pooled_class: dict[str, pl.DataFrame]) -> Trend:
    """The profile's trend chart data from `group_series` (density) or `volume_at_group_density` (counts): the gemeente,
    the group mean and band, Nederland and the size class pooled; a break where the gemeente's definition changes."""
    labels = {i: metrics.get(i).label for i in bm.DENSITY + bm.VOLUME}
    group_series_name = "Referentiegroep (gemiddelde)" if density else "Bij dichtheid referentiegroep (gemiddelde)"
    class_series = f"Grootteklasse {klasse}" if klasse else "Grootteklasse"
    series = [naam, group_series_name, "Nederland", class_series] if density else [naam, group_series_name]
    band = frame.select(pl.col("periode").cast(pl.Int32).alias("jaar"), pl.col("groep_p25").alias("p25"), pl.col("groep_p75").alias("p75"),
                        pl.col("indicator").replace_strict(labels).alias("definitie")).drop_nulls()
    cols = (("gemeente", naam), ("groep_gemiddelde", group_series_name)) + ((("nederland", "Nederland"),) if density else ())
    parts = [frame.select("indicator", "periode", pl.col(c).alias("waarde"), "bron", "peildatum", pl.lit(r).alias("reeks")) for c, r in cols]
    for d, pk in pooled_class.items():
        parts.append(pk.select(pl.lit(d).alias("indicator"), "periode", "waarde", pl.lit(None, pl.String).alias("bron"),
                               pl.lit(None, pl.String).alias("peildatum"), pl.lit(class_series).alias("reeks")))
    lines = pl.concat(parts, how="vertical_relaxed").drop_nulls("waarde").select(
        pl.col("periode").cast(pl.Int32).alias("jaar"), "waarde", "reeks", pl.col("indicator").replace_strict(labels).alias("definitie"),
        pl.col("bron").fill_null("som van de klasse"), pl.col("peildatum").fill_null(""))
    starts = lines.filter(pl.col("reeks") == naam).group_by("definitie").agg(pl.col("jaar").min()).sort("jaar")
    return Trend(lines, band, series, [(j, f"Andere definitie vanaf hier: {d}") for d, j in starts.rows()[1:]], class_series)


def group_table(series: pl.DataFrame, naam: str, boundary_note=lambda grenzen: "") -> pl.DataFrame:
    """`benchmark.group_series` as a table with Dutch headers; numbers stay numbers (the range as two columns).

    The remarks are made in Python beside polars, never as a Python function inside a polars expression: such a function
    (map_elements) can deadlock the server when another session converts a frame at the same time (pola-rs/polars#26821;
    it hung the portal under twenty simultaneous sessions)."""
    notes = [(f"bronwaarde onwaarschijnlijk: {o}" if o else signals.age_text(p)) + boundary_note(g)
             for o, p, g in series.select("onwaarschijnlijk", "periode", "grenzen").iter_rows()]
    return series.select(
        pl.col("indicator").replace_strict({i: metrics.get(i).label for i in series["indicator"].unique()}).alias("Indicator"),
        pl.col("periode").alias("Jaar"), pl.col("gemeente").alias(naam), pl.col("gemeente_lo").alias("Bereik van"),
        pl.col("gemeente_hi").alias("Bereik tot"), pl.col("groep_gemiddelde").alias("Referentiegroep gemiddeld"),
        pl.col("groep_p25").alias("Groep P25"), pl.col("groep_p75").alias("Groep P75"), pl.col("groep_n").alias("n"),
        pl.col("nederland").alias("Nederland"),
        pl.Series("Opmerking", notes, dtype=pl.String), pl.col("bron").alias("Bron"))


def amounts(obs: pl.DataFrame, code: str, indicator: str) -> list[tuple[str, float]]:
    """(periode, amount) of one gemeente in time order."""
    return bm.values(obs, [indicator]).filter(pl.col("gemeente_code") == code).sort("periode").select("periode", "waarde").rows()


LIVE_LOCAL = [i.id for i in metrics.REGISTRY.values() if {"live", "volume"} <= set(i.tags) and "landelijk" not in i.tags]
HANDHAVING = [i.id for i in metrics.REGISTRY.values() if "handhaving" in i.tags]


def recent_series(obs: pl.DataFrame) -> pl.DataFrame:
    """Monthly and quarterly figures of one gemeente (periods 'YYYY-MM') for a line chart: datum, periode, waarde, reeks,
    eenheid, bron, peildatum; suppressed cells left out (the chart draws no point for them)."""
    if obs.is_empty():
        return obs
    ids = [i for i in obs["indicator"].unique() if i in metrics.REGISTRY]
    return obs.filter(pl.col("waarde").is_not_null() & pl.col("periode").str.contains(r"^\d{4}-\d{2}$")).select(
        pl.col("periode").str.to_date("%Y-%m").alias("datum"), "periode", "waarde",
        pl.col("indicator").replace_strict({i: metrics.get(i).label for i in ids}, default=pl.col("indicator")).alias("reeks"),
        pl.col("indicator").replace_strict({i: metrics.get(i).unit for i in ids}, default="").alias("eenheid"),
        "indicator", "bron", "peildatum").sort("reeks", "datum")
