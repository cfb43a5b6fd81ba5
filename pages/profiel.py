"""Gemeenteprofiel: one gemeente against its referentiegroep, Nederland and its size class."""

import polars as pl
import streamlit as st

from portal import benchmark as bm
from portal import metrics, peers, signals
from portal.charts import benchmark_chart, nl_euro, nl_number
from portal.export import indicator_lines
from portal.ui import (chart, current_group, decomposition, density_toggle, gemeente_picker, group_series, indeling_picker, pooled,
                       reduction_potential, table, volume_at_group_density, warehouse)

wh = warehouse()
code = gemeente_picker(wh)
naam = wh.name(code)
newest = wh.newest_indeling
indeling, indeling_label = indeling_picker(wh)
density = density_toggle(default=True)

st.title(f"Gemeenteprofiel {naam}")
group = current_group(wh, code)
st.page_link("referentiegroep.py", label=f"Referentiegroep: {group.label()} ({len(group.members)} gemeenten) — aanpassen",
             query_params=st.query_params.to_dict(), icon=":material/group:")
if not group.members:
    st.warning("De referentiegroep is leeg: er valt niets te vergelijken. Kies of maak een groep op de pagina Referentiegroep.")
harm = wh.all_observations("nieuwste")
sizes = wh.kenmerken(peers.CLASS_YEAR).filter(pl.col("kenmerk") == "gemeentegrootte")
grootte = sizes.filter(pl.col("gemeentecode") == code)["waarde"]
klasse = grootte[0] if grootte.len() else None
klasse_leden = sizes.filter(pl.col("waarde") == klasse)["gemeentecode"].to_list() if klasse else []

# 1. Key figures with a signal --------------------------------------------------------------------------------------------
CARDS = ["dichtheid_uitkeringen_totaal", "cbs_dichtheid_15_aow", "cbs_instroom_pct_15_aow", "cbs_uitstroom_pct_15_aow",
         "cbs_uitstroom_werk_pct_15_aow", "reintegratie_voorz_per_1000_inw_15_65", "wdeel_onderbesteding_proxy_jaarrekening",
         "ideel_resultaat_proxy_jaarrekening"]
BADGE = {"beter": ":green-badge[beter]", "vergelijkbaar": ":gray-badge[vergelijkbaar]", "slechter": ":red-badge[slechter]"}
st.subheader("Kerncijfers")
cards = group_series("nieuwste", code, group.members, CARDS)
# herindelingen in which this gemeente received territory: (indeling year, date, name of the gemeente it received)
grown = [(j, d, wh.name(o)) for j, d, o in wh.boundary_changes(code).select("indeling_jaar", "datum", "oude_code").iter_rows()]
own_flows = wh.observations(code, [f"bijstand_alg_{k}_15_aow" for k in ("personen", "instroom", "uitstroom", "uitstroom_werk")], "eigen")
own_bad = {p: r for p, lg, r in signals.implausible(own_flows).select("periode", "lg", "reden").iter_rows() if lg == "15_aow"}


def boundary_note(grenzen: int | None) -> str:
    """CBS's own rates stay on their year's boundaries: say so when the gemeente grew after that year."""
    later = [(d, n) for j, d, n in grown if grenzen is not None and j > grenzen]
    return (f" · op de grenzen van {grenzen}, vóór de samenvoeging met {later[0][1]} ({signals.nl_date(later[0][0])})"
            if later else "")


def missing_reason(ind_id: str) -> str:
    """Why a card has no figure, in Dutch."""
    rate = metrics.get(ind_id).rate
    obs = wh.observations(code, [ind_id], "eigen" if rate else "nieuwste")
    if obs.is_empty() and rate:
        years = wh.all_observations("eigen").filter(pl.col("indicator") == ind_id)["periode"]
        return (f"Geen cijfer: CBS publiceerde dit percentage voor de gemeenten van {years.min()}–{years.max()}; {naam} had toen "
                "andere grenzen, en een percentage is niet op te tellen over een herindeling.")
    if obs.is_empty():
        return "Geen cijfer: de bron heeft voor deze gemeente geen cijfer."
    periode = obs.sort("periode")["periode"][-1]
    reden = own_bad.get(periode) if signals.flow_age(ind_id) else None
    return (f"Geen cijfer: CBS liet het cijfer voor {periode} leeg"
            + (f"; bronwaarde onwaarschijnlijk: {reden}." if reden else " (te kleine aantallen of onderdrukt)."))


cols = st.columns(4)
for i, ind_id in enumerate(CARDS):
    rows = cards.filter((pl.col("indicator") == ind_id) & pl.col("gemeente").is_not_null())
    box = cols[i % 4].container(border=True)
    ind = metrics.get(ind_id)
    label, lower = ind.short, ind.lower_is_better
    if rows.is_empty():
        box.metric(label, "geen cijfer", help=ind.label)
        box.caption(missing_reason(ind_id))
        continue
    r = rows.row(-1, named=True)
    v = signals.verdict(ind_id, r["periode"], r["gemeente"], r["gemeente_lo"], r["gemeente_hi"], r["groep_p25"], r["groep_p75"],
                        r["groep_n"] or 0, reden_onwaarschijnlijk=r["onwaarschijnlijk"])
    judged = v.label in ("beter", "slechter")
    delta = None if r["groep_gemiddelde"] is None or r["onwaarschijnlijk"] else r["gemeente"] - r["groep_gemiddelde"]
    unit = " %" if ind.unit.startswith("%") else ""
    box.metric(f"{r['periode']} · {label}", nl_number(r["gemeente"], 1) + unit,
               delta=None if delta is None else f"{nl_number(delta, 1)} t.o.v. groepsgemiddelde",
               delta_color=("inverse" if lower else "normal") if judged else "off", help=f"{ind.label}. {ind.definition}")
    lo, hi = nl_number(r["gemeente_lo"], 1), nl_number(r["gemeente_hi"], 1)
    spread = "" if r["gemeente_lo"] is None or lo == hi else f" · bereik {lo} – {hi}"
    badge = "" if v.label == "verouderd" else BADGE.get(v.label, f"**{v.label}**") + " "
    box.markdown(f"{badge}{signals.age_text(r['periode'])}{spread}{boundary_note(r['grenzen'])}  \n"
                 f"groep P25–P75: {nl_number(r['groep_p25'], 1)} – {nl_number(r['groep_p75'], 1)} (n = {r['groep_n'] or 0}) · "
                 f"NL: {nl_number(r['nederland'], 1)} · bron {r['bron']}")
    if v.reason:
        box.caption(v.reason)
st.caption(f"Signaalregel: **beter** of **slechter** alleen als het hele bereik dat afronding door CBS (op tientallen) en, bij "
           "instroom en uitstroom, toeval (95 %) toelaten buiten de middelste helft (P25–P75) van de referentiegroep ligt; "
           "**vergelijkbaar** als het hele bereik erbinnen ligt; anders *te klein om te beoordelen*. Gunstig is een lage "
           "dichtheid, lage instroom en hoge uitstroom. Geen signaal bij cijfers van meer dan "
           f"{signals.VEROUDERD_NA_JAREN} jaar oud (*verouderd*), bij bronwaarden die de bron zelf onwaarschijnlijk maakt, bij "
           f"minder dan {signals.MIN_GROUP} gemeenten met een cijfer in de groep (n) en bij proxy's die niet meten wat hun naam "
           f"zegt (W-deel, I-deel). Kerncijfers op de indeling van {newest}, de CBS-percentages en -dichtheid op de grenzen van "
           "hun eigen jaar (niet op te tellen over een herindeling); steeds het laatste jaar met een cijfer.")

# 2. Volume or dichtheid over the years -----------------------------------------------------------------------------------------
st.subheader("Bijstandsdichtheid" if density else "Bijstandsvolume")
ids = bm.DENSITY if density else bm.VOLUME
dens = group_series(indeling, code, group.members, bm.DENSITY)
labels = {i: metrics.get(i).label for i in bm.DENSITY + bm.VOLUME}
reeks_groep = "Referentiegroep (gemiddelde)" if density else "Bij dichtheid referentiegroep (gemiddelde)"
klasse_reeks = f"Grootteklasse {klasse}" if klasse else "Grootteklasse"
reeksen = [naam, reeks_groep, "Nederland", klasse_reeks] if density else [naam, reeks_groep]
if density:
    frame = dens
else:
    frame = volume_at_group_density(indeling, code, group.members)
band = frame.select(pl.col("periode").cast(pl.Int32).alias("jaar"), pl.col("groep_p25").alias("p25"), pl.col("groep_p75").alias("p75"),
                    pl.col("indicator").replace_strict(labels).alias("definitie")).drop_nulls()
parts = [frame.select("indicator", "periode", pl.col(c).alias("waarde"), "bron", "peildatum", pl.lit(r).alias("reeks"))
         for c, r in ((("gemeente", naam), ("groep_gemiddelde", reeks_groep), ("nederland", "Nederland")) if density
                      else (("gemeente", naam), ("groep_gemiddelde", reeks_groep)))]
if density and indeling == "nieuwste" and klasse_leden:
    for d in bm.DENSITY:
        pk = pooled(indeling, klasse_leden, d)
        parts.append(pk.select(pl.lit(d).alias("indicator"), "periode", "waarde", pl.lit(None, pl.String).alias("bron"),
                               pl.lit(None, pl.String).alias("peildatum"), pl.lit(klasse_reeks).alias("reeks")))
lines = pl.concat(parts, how="vertical_relaxed").drop_nulls("waarde").select(
    pl.col("periode").cast(pl.Int32).alias("jaar"), "waarde", "reeks", pl.col("indicator").replace_strict(labels).alias("definitie"),
    pl.col("bron").fill_null("som van de klasse"), pl.col("peildatum").fill_null(""), "indicator")
if lines.is_empty():
    st.info(f"Voor {naam} zijn op deze gemeentegrenzen geen bijstandscijfers beschikbaar.")
else:
    starts = lines.filter(pl.col("reeks") == naam).group_by("definitie").agg(pl.col("jaar").min()).sort("jaar")
    breaks = [(j, f"Andere definitie vanaf hier: {d}") for d, j in starts.rows()[1:]]
    if indeling == "eigen":
        changes = wh.boundary_changes(code)
        src = bm.volume_series(wh, code, "eigen", density)
        breaks += [(j, "Gemeentegrenzen gewijzigd (herindeling)") for j in bm.boundary_breaks(src, changes["indeling_jaar"].to_list())]
    dec = 1 if density else 0
    unit = "per 1 000 inwoners" if density else "aantal personen of uitkeringen"
    ch = benchmark_chart(lines.drop("indicator"), band, reeksen=reeksen, y_title=unit, decimals=dec, breaks=breaks)
    src_lines = indicator_lines(ids) + [
        f"Referentiegroep: {group.label()} ({len(group.members)} gemeenten); lijn = ongewogen gemiddelde, band = P25–P75.",
        f"Indeling: {indeling_label[indeling]}."]
    if density:
        src_lines.append(f"{klasse_reeks}: alle gemeenten van die klasse ({peers.CLASS_YEAR}) samen (som teller / som noemer).")
    chart(ch, f"{'Bijstandsdichtheid' if density else 'Bijstandsvolume'} {naam} en referentiegroep", src_lines, key=f"profiel-{code}")
    st.caption(
        "Lijn van de referentiegroep: ongewogen gemiddelde van de leden; band: P25–P75 van de leden. "
        + ("Nederland: CBS-landcijfer. Grootteklasse: alle gemeenten van de klasse samen (alleen op de nieuwste indeling). "
           if density else "In aantallen: de dichtheid van de referentiegroep toegepast op de inwoners 15–65 van "
           f"{naam}, dus het volume dat {naam} bij het niveau van de groep zou hebben. ")
        + "Gestippelde verticale lijn: breuk in definitie of gemeentegrenzen; lijnen lopen niet over een definitiebreuk heen."
        + (" Op eigen grenzen telt per jaar elk lid dat in dat jaar bestond." if indeling == "eigen" else ""))

# 3. Reductiepotentieel ------------------------------------------------------------------------------------------------------
st.subheader("Reductiepotentieel")
rp = reduction_potential(code, group.members, "dichtheid_uitkeringen_totaal")
if rp is None:
    st.info("Geen reductiepotentieel te berekenen: de gemeente of de referentiegroep heeft geen recente dichtheid.")
else:
    a, b = st.columns(2)
    a.metric(f"Bij het gemiddelde van de referentiegroep ({rp['periode']})", f"{nl_number(rp['bij_gemiddelde'])} minder")
    b.metric(f"Bij de P25 van de referentiegroep ({rp['periode']})", f"{nl_number(rp['bij_p25'])} minder")
    st.caption(
        f"{naam} heeft {nl_number(rp['werkelijk'])} bijstandsuitkeringen op {nl_number(rp['inwoners'])} inwoners 15–65 "
        f"({nl_number(rp['dichtheid'], 1)} per 1 000). De referentiegroep ({rp['groep_n']} gemeenten) heeft gemiddeld "
        f"{nl_number(rp['groep_gemiddelde'], 1)} en P25 {nl_number(rp['groep_p25'], 1)} per 1 000. Reductiepotentieel = "
        "werkelijk aantal − dichtheid van de groep × inwoners 15–65 / 1 000; nul als de gemeente al lager zit. "
        f"Bron: CBS {rp['bron']} ({rp['peildatum']}), indeling {newest}.")

# 4. Instroom, uitstroom and the decomposition ------------------------------------------------------------------------------------
st.subheader("Instroom en uitstroom")
FLOW = ["cbs_instroom_pct_15_aow", "cbs_uitstroom_pct_15_aow", "cbs_uitstroom_werk_pct_15_aow", "cbs_dichtheid_15_aow",
        "cbs_werk_na_reintegratie_pct_15_aow"]
flow = group_series("nieuwste", code, group.members, FLOW)
if flow.is_empty():
    st.info("Geen instroom- en uitstroomcijfers voor deze gemeente.")
else:
    flow_shown = pl.DataFrame([{
        "Indicator": metrics.get(r["indicator"]).label, "Jaar": r["periode"], naam: nl_number(r["gemeente"], 1),
        "Bereik (afronding, toeval)": "–" if r["gemeente_lo"] is None else f"{nl_number(r['gemeente_lo'], 1)} – {nl_number(r['gemeente_hi'], 1)}",
        "Referentiegroep gemiddeld": nl_number(r["groep_gemiddelde"], 1),
        "Referentiegroep P25–P75": f"{nl_number(r['groep_p25'], 1)} – {nl_number(r['groep_p75'], 1)}",
        "n": r["groep_n"] or 0, "Nederland": nl_number(r["nederland"], 1),
        "Opmerking": (f"bronwaarde onwaarschijnlijk: {r['onwaarschijnlijk']}" if r["onwaarschijnlijk"] else signals.age_text(r["periode"]))
        + boundary_note(r["grenzen"]),
        "Bron": f"CBS {r['bron']}"} for r in flow.iter_rows(named=True)])
    table(flow_shown, flow, indicator_lines(FLOW), key=f"stromen-{code}")
    st.caption("Percentages zoals CBS ze publiceert: instroom, uitstroom en uitstroom naar werk per 100 personen die in het jaar "
               "ooit algemene bijstand hadden; bijstandsdichtheid per 1 000 inwoners van dezelfde leeftijd. CBS-percentages zijn niet "
               "op te tellen over een herindeling: ze staan op de grenzen van hun eigen jaar. n = gemeenten van de referentiegroep "
               "met een (plausibel) cijfer.")
    years = sorted(flow["periode"].unique())
    year = st.select_slider("Jaar voor de ontleding", years, value=years[-1])
    dec = decomposition(code, group.members, year)
    if dec is None:
        st.info(f"Geen ontleding mogelijk voor {year}: cijfers van de gemeente of van de referentiegroep ontbreken.")
    else:
        st.markdown("\n\n".join(bm.decomposition_text(dec)))
        st.caption("Ontleding zoals de BijstandScan: in evenwicht is de dichtheid gelijk aan de instroom gedeeld door de "
                   "uitstroomkans, dus dichtheid/dichtheid_groep = (instroom/instroom_groep) × (uitstroomkans_groep/uitstroomkans). "
                   f"Groepswaarden: ongewogen gemiddelde van {dec['groep_n']} leden. {bm.DECOMPOSITION_RATES}")

# 5. Finances (proxies) ------------------------------------------------------------------------------------------------------
st.subheader("Financiën: W-deel en I-deel (proxy's)")
FIN = ["wdeel_onderbesteding_proxy_begroting", "wdeel_onderbesteding_proxy_jaarrekening", "ideel_resultaat_proxy_begroting",
       "ideel_resultaat_proxy_jaarrekening"]
fin = group_series("nieuwste", code, group.members, FIN)
amounts = bm.values(harm, ["iu_participatie"]).filter(pl.col("gemeente_code") == code)
if fin.is_empty():
    st.info("Geen financiële cijfers voor deze gemeente.")
else:
    fin_shown = pl.DataFrame([{
        "Indicator": metrics.get(r["indicator"]).label, "Jaar": r["periode"], naam: nl_number(r["gemeente"], 1) + " %",
        "Referentiegroep gemiddeld": nl_number(r["groep_gemiddelde"], 1) + " %",
        "Referentiegroep P25–P75": f"{nl_number(r['groep_p25'], 1)} – {nl_number(r['groep_p75'], 1)} %",
        "Bron": r["bron"]} for r in fin.iter_rows(named=True)])
    table(fin_shown, fin, indicator_lines(FIN), key=f"financien-{code}")
    if amounts.height:
        st.caption("Integratie-uitkering Participatie " + ", ".join(f"{p}: {nl_euro(v)}" for p, v in amounts.sort("periode").select("periode", "waarde").rows())
                   + " (BZK-circulaires gemeentefonds).")
    st.caption("Dit zijn proxy's, geen verantwoordingscijfers: W-deel = IU Participatie minus Iv3-lasten taakvelden 6.4 en 6.5, als % "
               "van de IU (positief = onderbesteding; de IU dekt ook Wsw en beschut werk). I-deel = Iv3 taakveld 6.3 baten minus "
               "lasten, als % van de baten (6.3 bevat ook bijzondere bijstand en minimabeleid). Begroting en jaarrekening apart.")
