"""Landelijk overzicht for Divosa staff: national series, decliners, distributions, funnel plot and the W-deel picture."""

import altair as alt
import polars as pl
import streamlit as st

from portal import benchmark as bm
from portal import metrics, peers
from portal.charts import NL_LOCALE, PALETTE, nl_number
from portal.export import indicator_lines
from portal.ui import change, chart, funnel, table, warehouse

wh = warehouse()
harm = wh.all_observations("nieuwste")
own = wh.all_observations("eigen")
names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
chosen = st.query_params.get("gemeente")
SIZE_ORDER = ["Minder dan 5 000 inwoners", "5 000 tot 10 000 inwoners", "10 000 tot 20 000 inwoners", "20 000 tot 50 000 inwoners",
              "50 000 tot 100 000 inwoners", "100 000 tot 150 000 inwoners", "150 000 tot 250 000 inwoners", "250 000 inwoners of meer"]
labels = {i: metrics.get(i).label for i in bm.VOLUME + bm.DENSITY + ["bijstand_uitkeringen_tot_aow_nl"]}
st.title("Landelijk overzicht")


def pick(label: str, options: list[str], param: str, default: str, **kw) -> str:
    """A selectbox whose value lives in the URL under `param`."""
    value = st.query_params.get(param, default)
    value = value if value in options else default
    value = st.selectbox(label, options, index=options.index(value), **kw)
    st.query_params[param] = value
    return value


# 1. National series ----------------------------------------------------------------------------------------------------------
st.subheader("Landelijke reeksen")
NATIONAL_SERIES = ["bijstand_uitkeringen_tot_aow_nl", "bijstand_alg_personen_nl_kwartaal"]
national = (bm.values(own, NATIONAL_SERIES).filter(pl.col("gemeente_code") == "NL01")
            .with_columns(pl.col("periode").str.to_date("%Y-%m").alias("maand"),
                          pl.col("indicator").replace_strict({i: metrics.get(i).label for i in NATIONAL_SERIES}).alias("definitie")))
c1 = alt.Chart(national.to_pandas()).mark_line().encode(
    x=alt.X("maand:T", title="Peildatum (einde maand of kwartaal)", axis=alt.Axis(format="%Y")),
    y=alt.Y("waarde:Q", title="aantal uitkeringen of personen", axis=alt.Axis(format=",.0f"), scale=alt.Scale(zero=False)),
    color=alt.Color("definitie:N", title="Definitie", scale=alt.Scale(range=PALETTE),
                    legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)),
    tooltip=[alt.Tooltip("definitie:N", title="Definitie"), alt.Tooltip("periode:N", title="Periode"),
             alt.Tooltip("waarde:Q", title="Aantal", format=",.0f"), alt.Tooltip("bron:N", title="Bron")],
).properties(height=340).configure(locale={"number": NL_LOCALE})
chart(c1, "Bijstand in Nederland: uitkeringen per maand (tot 2018) en personen per kwartaal (2013–2024)",
      indicator_lines(NATIONAL_SERIES), key="nl-maand")
st.caption("Twee CBS-definities, twee lijnen: bijstandsuitkeringen tot AOW-leeftijd per maand (CBS 37789ksz, stopt in 2018; één "
           "uitkering per huishouden) en personen met algemene bijstand tot AOW-leeftijd aan het eind van elk kwartaal (CBS "
           "'Personen met een uitkering; soort uitkering, wijken en buurten', 2013–2024). Ze worden niet aan elkaar geplakt: "
           "een huishouden kan meer personen tellen.")
yearly = bm.values(own, bm.VOLUME)
sums = (yearly.filter(pl.col("gemeente_code") != "NL01").group_by("indicator", "periode")
        .agg(pl.col("waarde").sum().alias("som_gemeenten"), pl.len().alias("gemeenten"), pl.col("bron").first()))
nl = yearly.filter(pl.col("gemeente_code") == "NL01").select("indicator", "periode", pl.col("waarde").alias("nederland"))
yr = sums.join(nl, on=["indicator", "periode"], how="left").sort("indicator", "periode")
yr_long = pl.concat([
    yr.select(pl.col("periode").cast(pl.Int32).alias("jaar"), pl.col("som_gemeenten").alias("waarde"),
              (pl.col("indicator").replace_strict(labels) + " — som gemeenten").alias("reeks"), "bron"),
    yr.drop_nulls("nederland").select(pl.col("periode").cast(pl.Int32).alias("jaar"), pl.col("nederland").alias("waarde"),
                                      (pl.col("indicator").replace_strict(labels) + " — CBS-landcijfer").alias("reeks"), "bron")])
c2 = alt.Chart(yr_long.to_pandas()).mark_line(point=True).encode(
    x=alt.X("jaar:Q", title="Jaar", axis=alt.Axis(format="d")), y=alt.Y("waarde:Q", title="aantal", axis=alt.Axis(format=",.0f")),
    color=alt.Color("reeks:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom", columns=2, labelLimit=420)),
    tooltip=[alt.Tooltip("reeks:N", title="Reeks"), alt.Tooltip("jaar:Q", format="d", title="Jaar"),
             alt.Tooltip("waarde:Q", format=",.0f", title="Aantal"), alt.Tooltip("bron:N", title="Bron")],
).properties(height=480).configure(locale={"number": NL_LOCALE})
chart(c2, "Bijstandsvolume per jaar: som over gemeenten en CBS-landcijfer", indicator_lines(bm.VOLUME), key="nl-jaar")
st.caption("Elke CBS-definitie is een eigen reeks. De som over gemeenten kan iets afwijken van het landcijfer: CBS rondt per gemeente "
           "af op tientallen en onderdrukt kleine aantallen.")

# 2. Decliners ------------------------------------------------------------------------------------------------------------------
st.subheader("Sterkste en zwakste dalers")
a, b, c, d = st.columns([3, 1, 1, 1])
with a:
    vol_id = pick("Definitie", bm.VOLUME, "definitie", "bijstand_personen_tot_aow_incl_gerelateerd", format_func=labels.get)
periods = sorted(bm.values(harm, [vol_id])["periode"].unique())
if len(periods) < 2:
    st.info("Voor deze definitie is er maar één jaar: geen verandering te berekenen.")
else:
    with b:
        van = pick("Van", periods[:-1], "van", periods[0])
    with c:
        tot = pick("Tot", [p for p in periods if p > van], "tot", periods[-1])
    min_base = d.number_input("Minimaal aantal in beginjaar", 0, 10000, 100, step=50,
                              help="Kleine aantallen zijn door CBS-afronding op tientallen onzeker in procenten.")
    ch = change(vol_id, van, tot, float(min_base)).with_columns(pl.col("gemeente_code").replace_strict(names, default="?").alias("gemeente"))
    if ch.is_empty():
        st.info("Geen gemeenten met een cijfer in beide jaren.")
    else:
        def show(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.select(pl.col("gemeente").alias("Gemeente"), pl.col("van").map_elements(nl_number, return_dtype=pl.String).alias(van),
                                pl.col("tot").map_elements(nl_number, return_dtype=pl.String).alias(tot),
                                pl.col("verschil").map_elements(nl_number, return_dtype=pl.String).alias("Verschil"),
                                pl.col("verschil_pct").map_elements(lambda v: nl_number(v, 1) + " %", return_dtype=pl.String).alias("Verschil %"))
        lines = indicator_lines([vol_id]) + [f"Verandering {van}–{tot} op de indeling van {wh.newest_indeling}; gemeenten met minstens "
                                             f"{min_base} in {van}; {ch.height} gemeenten."]
        left, right = st.columns(2)
        with left:
            st.markdown(f"**Tien sterkste dalers {van}–{tot}**")
            table(show(ch.head(10)), ch.head(10), lines, key=f"dalers-{vol_id}-{van}-{tot}")
        with right:
            st.markdown(f"**Tien zwakste dalers (of stijgers) {van}–{tot}**")
            worst = ch.tail(10).reverse()
            table(show(worst), worst, lines, key=f"stijgers-{vol_id}-{van}-{tot}")
        st.caption(f"Op de gemeentegrenzen van {wh.newest_indeling} (geharmoniseerd), zodat herindelingen geen schijnbare daling geven. "
                   f"Landelijk: {nl_number(ch['van'].sum())} → {nl_number(ch['tot'].sum())} over deze {ch.height} gemeenten.")

# 3. Distributions by class ------------------------------------------------------------------------------------------------------
st.subheader("Verdeling naar grootteklasse en provincie")
newest_density = max(bm.DENSITY, key=lambda i: bm.values(harm, [i])["periode"].max() or "")  # open on the newest period
dens_id = pick("Definitie van de dichtheid", bm.DENSITY, "dichtheid", newest_density, format_func=labels.get)
dens_periods = sorted(bm.values(harm, [dens_id])["periode"].unique())
year = pick("Jaar", dens_periods, "jaar", dens_periods[-1]) if dens_periods else None
kenm = wh.kenmerken(peers.CLASS_YEAR)
dist = (bm.values(harm, [dens_id]).filter((pl.col("periode") == year) & (pl.col("gemeente_code") != "NL01"))
        .join(kenm.filter(pl.col("kenmerk").is_in(["gemeentegrootte", "provincie"])).pivot(on="kenmerk", index="gemeentecode", values="waarde"),
              left_on="gemeente_code", right_on="gemeentecode")
        .with_columns(pl.col("gemeente_code").replace_strict(names, default="?").alias("gemeente")))
if dist.is_empty():
    st.info("Geen dichtheidscijfers voor dit jaar.")
else:
    for klasse, title, order in (("gemeentegrootte", "Gemeentegrootteklasse", SIZE_ORDER), ("provincie", "Provincie", sorted(dist["provincie"].unique()))):
        bx = alt.Chart(dist.to_pandas()).mark_boxplot(extent="min-max", color=PALETTE[0]).encode(
            y=alt.Y(f"{klasse}:N", title=title, sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=220)), x=alt.X("waarde:Q", title=metrics.get(dens_id).unit, axis=alt.Axis(format=",.0f")))
        pts = alt.Chart(dist.to_pandas()).mark_tick(color=PALETTE[1], opacity=0.5).encode(
            y=alt.Y(f"{klasse}:N", sort=order), x="waarde:Q",
            tooltip=[alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("waarde:Q", title="Dichtheid", format=",.1f"),
                     alt.Tooltip("bron:N", title="Bron"), alt.Tooltip("peildatum:N", title="Peildatum")])
        cb = alt.layer(bx, pts).properties(height=38 * len(order)).configure(locale={"number": NL_LOCALE})
        chart(cb, f"{metrics.get(dens_id).label}, {year}, naar {title.lower()}",
              indicator_lines([dens_id]) + [f"Klassen {peers.CLASS_YEAR}; indeling {wh.newest_indeling}. Doos = P25–mediaan–P75, snorren = min–max."],
              key=f"verdeling-{klasse}-{dens_id}-{year}")
    st.caption(f"Doos: P25, mediaan en P75; snorren: minimum en maximum; streepjes: de gemeenten. Klassen van {peers.CLASS_YEAR}.")

# 4. Funnel plot -----------------------------------------------------------------------------------------------------------------
st.subheader("Trechterplot: dichtheid tegen inwonertal")
if year:
    points, limits, info = funnel(dens_id, year)
    if points.is_empty():
        st.info("Geen cijfers voor de trechterplot in dit jaar.")
    else:
        points = points.with_columns(pl.col("gemeente_code").replace_strict(names, default="?").alias("gemeente"))
        x = alt.X("n:Q", title="Inwoners (noemer van de dichtheid, log-schaal)", scale=alt.Scale(type="log"), axis=alt.Axis(format=",.0f"))
        lim = alt.Chart(limits.unpivot(index="n", on=["p", "lo95", "hi95", "lo998", "hi998"], variable_name="grens").to_pandas())
        lim = lim.mark_line(color="#555").encode(x=x, y="value:Q", detail="grens:N", strokeDash=alt.StrokeDash(
            "grens:N", scale=alt.Scale(domain=["p", "lo95", "hi95", "lo998", "hi998"], range=[[1, 0], [5, 3], [5, 3], [2, 2], [2, 2]]), legend=None))
        dots = alt.Chart(points.to_pandas()).mark_circle(size=40, opacity=0.75).encode(
            x=x, y=alt.Y("dichtheid:Q", title=metrics.get(dens_id).unit, axis=alt.Axis(format=",.0f")),
            color=alt.Color("positie:N", title="Positie", scale=alt.Scale(domain=["binnen 95 %", "buiten 95 %", "buiten 99,8 %"],
                                                                          range=["#9aa5b1", PALETTE[1], PALETTE[4]])),
            tooltip=[alt.Tooltip("gemeente:N", title="Gemeente"), alt.Tooltip("dichtheid:Q", title="Dichtheid", format=",.1f"),
                     alt.Tooltip("n:Q", title="Inwoners", format=",.0f"), alt.Tooltip("positie:N", title="Positie")])
        layers = [lim, dots]
        if chosen in names and chosen in set(points["gemeente_code"]):
            layers.append(alt.Chart(points.filter(pl.col("gemeente_code") == chosen).to_pandas()).mark_point(
                size=160, color=PALETTE[0], strokeWidth=3).encode(x=x, y="dichtheid:Q", tooltip=["gemeente:N"]))
        fp = alt.layer(*layers).properties(height=420).configure(locale={"number": NL_LOCALE})
        lines = indicator_lines([dens_id]) + [
            f"Landelijke dichtheid {nl_number(info['p'], 1)}; grenzen p ± z·√(p(1−p)/n + τ²), τ = {nl_number(info['tau'], 1)} "
            f"(overdispersie, Spiegelhalter 2005), z = 1,96 (95 %) en 3,09 (99,8 %); {year}."]
        chart(fp, f"Trechterplot {metrics.get(dens_id).label}, {year}", lines, key=f"trechter-{dens_id}-{year}")
        out = points.group_by("positie").len()
        st.caption(f"Middenlijn: de dichtheid van alle gemeenten samen ({nl_number(info['p'], 1)}). Binnen de trechter wijkt een gemeente "
                   "niet meer af dan te verwachten is; kleine gemeenten krijgen een bredere marge. Gemeenten verschillen veel meer dan "
                   f"binomiaal toeval (overdispersie φ = {nl_number(info['phi'], 0)}); daarom zijn de grenzen verbreed met een vaste "
                   f"spreiding τ = {nl_number(info['tau'], 1)} per 1 000 (Spiegelhalter 2005, random effects, z-scores gewinsoriseerd op "
                   "P10/P90). " + "; ".join(f"{r['positie']}: {r['len']}" for r in out.sort("positie").iter_rows(named=True)) + ".")

# 5. W-deel ------------------------------------------------------------------------------------------------------------------------
st.subheader("W-deel: integratie-uitkering tegen Iv3-lasten 6.4 + 6.5 naar grootteklasse (proxy, beschrijvend)")
WD = ["wdeel_onderbesteding_proxy_begroting", "wdeel_onderbesteding_proxy_jaarrekening"]
e, f = st.columns([3, 1])
with e:
    wd_id = pick("Proxy", WD, "wdeel", WD[0], format_func=lambda i: metrics.get(i).label)
wd_periods = sorted(bm.values(harm, [wd_id])["periode"].unique())
with f:
    wd_year = pick("Jaar ", wd_periods, "wdeel_jaar", wd_periods[-1])
wd = bm.wdeel_by_class(harm, kenm.filter(pl.col("kenmerk") == "gemeentegrootte"), wd_id, wd_year)
order = {k: i for i, k in enumerate([*SIZE_ORDER, "Alle gemeenten"])}
wd = wd.sort(pl.col("klasse").replace_strict(order, default=99))
shown = wd.select(pl.col("klasse").alias("Grootteklasse"), pl.col("gemeenten").alias("Gemeenten met cijfer"),
                  pl.col("onderbesteders").alias("IU hoger dan lasten"),
                  pl.col("aandeel_pct").map_elements(lambda v: nl_number(v, 0) + " %", return_dtype=pl.String).alias("Aandeel IU hoger"),
                  pl.col("gem_onderbesteding_pct").map_elements(lambda v: nl_number(v, 1) + " %", return_dtype=pl.String).fill_null("–")
                  .alias("Gem. verschil (waar IU hoger)"),
                  pl.col("mediaan_pct").map_elements(lambda v: nl_number(v, 1) + " %", return_dtype=pl.String).alias("Mediaan alle gemeenten"))
table(shown, wd, indicator_lines([wd_id]) + [f"Jaar {wd_year}; grootteklassen {peers.CLASS_YEAR}."], key=f"wdeel-{wd_id}-{wd_year}")
st.caption("Beschrijvend, geen oordeel: deze proxy meet geen onderbesteding van het W-deel. Met deze proxy lijkt vrijwel geen gemeente onder te besteden. De Iv3-lasten op 6.4 en 6.5 omvatten veel meer dan "
           "het re-integratiebudget (Wsw-bedrijven, eigen middelen, uitvoeringskosten), dus de proxy meet geen onderbesteding van het "
           "W-deel; hij laat zien hoe de uitgaven op deze taakvelden zich verhouden tot de IU. Proxy, geen verantwoordingscijfer: IU Participatie (gemeentefonds) minus Iv3-lasten 6.4 en 6.5, als % van de IU. Positief = "
           "onderbesteding. De IU dekt ook Wsw en beschut werk; Iv3 is ongecontroleerde aanlevering door gemeenten (nullen kunnen "
           "'nog niet aangeleverd' betekenen).")
