"""Page-shaped views of the warehouse: the polars work behind the national and map pages, with Dutch column headers
where a frame is shown as a table. No Streamlit here, so it is tested directly."""

from __future__ import annotations

import polars as pl

from portal import benchmark as bm
from portal import metrics, signals

NATIONAL_SERIES = ["bijstand_uitkeringen_tot_aow_nl", "bijstand_alg_personen_nl_kwartaal"]
SIZE_ORDER = ["Minder dan 5 000 inwoners", "5 000 tot 10 000 inwoners", "10 000 tot 20 000 inwoners", "20 000 tot 50 000 inwoners",
              "50 000 tot 100 000 inwoners", "100 000 tot 150 000 inwoners", "150 000 tot 250 000 inwoners", "250 000 inwoners of meer"]


def periods(obs: pl.DataFrame, indicator: str) -> list[str]:
    return sorted(bm.values(obs, [indicator])["periode"].unique())


def newest(obs: pl.DataFrame, ids: list[str]) -> str:
    """The indicator among `ids` with the newest period (pages open on the newest period that has data)."""
    return max(ids, key=lambda i: bm.values(obs, [i])["periode"].max() or "")


def national_series(own: pl.DataFrame) -> pl.DataFrame:
    """The national monthly (37789ksz) and quarterly (wijk- en buurttabellen) series, one line per definition."""
    return (bm.values(own, NATIONAL_SERIES).filter(pl.col("gemeente_code") == "NL01")
            .with_columns(pl.col("periode").str.to_date("%Y-%m").alias("maand"),
                          pl.col("indicator").replace_strict({i: metrics.get(i).label for i in NATIONAL_SERIES}).alias("reeks")))


def yearly_volume(own: pl.DataFrame) -> pl.DataFrame:
    """Per volume definition and year: the sum over gemeenten and CBS's national figure, as separately named series."""
    labels = {i: metrics.get(i).label for i in bm.VOLUME}
    yearly = bm.values(own, bm.VOLUME)
    sums = (yearly.filter(pl.col("gemeente_code") != "NL01").group_by("indicator", "periode")
            .agg(pl.col("waarde").sum(), pl.col("bron").first(), pl.col("peildatum").first()).with_columns(pl.lit("som gemeenten").alias("soort")))
    nl = yearly.filter(pl.col("gemeente_code") == "NL01").select("indicator", "periode", "waarde", "bron", "peildatum").with_columns(
        pl.lit("CBS-landcijfer").alias("soort"))
    return (pl.concat([sums, nl]).with_columns(pl.col("periode").cast(pl.Int32).alias("jaar"),
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
    return rows.select(pl.col("gemeente_code").alias("statcode"), "waarde", "bron", "peildatum").with_columns(
        pl.col("statcode").replace_strict(names, default=None).alias("naam"))


def registry_table(own: pl.DataFrame) -> pl.DataFrame:
    """Every indicator of the registry with its definition, sources and the periods the warehouse holds."""
    periods = own.group_by("indicator").agg(pl.col("periode").min().alias("van"), pl.col("periode").max().alias("tot"))
    span = {r["indicator"]: f"{r['van']} – {r['tot']}" for r in periods.iter_rows(named=True)}
    return pl.DataFrame([{
        "Indicator": i.label, "Code": i.id, "Eenheid": i.unit, "Definitie": i.definition,
        "Formule": i.formula.text() if i.formula else "", "Bronnen": ", ".join(i.sources), "Peildatum": i.peildatum,
        "Perioden": span.get(i.id, "geen cijfers"), "Kanttekeningen": i.caveats} for i in metrics.REGISTRY.values()])


def implausible_table(own: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """signals.implausible with Dutch headers, for the Bronnen page."""
    return signals.implausible(own).select(
        pl.col("gemeente_code").replace_strict(names, default=pl.col("gemeente_code")).alias("Gemeente"),
        pl.col("gemeente_code").alias("Code"), pl.col("periode").alias("Jaar"), pl.col("leeftijd").alias("Leeftijdsgroep"),
        pl.col("reden").alias("Waarom onwaarschijnlijk"))
