"""The Gemeenteprofiel's sections (Streamlit): key-figure cards, the trend against the group, reductiepotentieel, flows with
the ontleding, and the finance proxies. The page only decides what to show; the data shaping lives in portal.views."""

from __future__ import annotations

import polars as pl
import streamlit as st

from portal import benchmark as bm
from portal import funnel, metrics, peers, signals, views
from portal.charts import benchmark_chart, benchmark_spec, lines_chart
from portal.nl import nl_euro, nl_number
from portal.export import indicator_lines, source_line
from portal.peers import Group
from portal.store import Warehouse
from portal.tekst import literal
from portal.ui.data import (caterpillar, decomposition, group_series, pooled, reduction_potential, signal_funnel,
                            unknown_residence_note, volume_at_group_density)
from portal.ui.data import funnel as national_funnel
from portal.ui.data import periods as ui_periods
from portal.ui.render import chart, data_table, definition
from portal.ui.widgets import url_slider

CARDS = ["dichtheid_uitkeringen_totaal", "cbs_dichtheid_15_aow", "cbs_instroom_pct_15_aow", "cbs_uitstroom_pct_15_aow",
         "cbs_uitstroom_werk_pct_15_aow", "reintegratie_voorz_per_1000_inw_15_65", "wdeel_onderbesteding_proxy_jaarrekening",
         "ideel_resultaat_proxy_jaarrekening"]
FLOW = ["cbs_instroom_pct_15_aow", "cbs_uitstroom_pct_15_aow", "cbs_uitstroom_werk_pct_15_aow", "cbs_dichtheid_15_aow",
        "cbs_werk_na_reintegratie_pct_15_aow"]
FIN = ["wdeel_onderbesteding_proxy_begroting", "wdeel_onderbesteding_proxy_jaarrekening", "ideel_resultaat_proxy_begroting",
       "ideel_resultaat_proxy_jaarrekening"]
FLOW_DEFINITION = ("Percentages zoals CBS ze publiceert: instroom, uitstroom en uitstroom naar werk per 100 personen die in het "
                   "jaar ooit algemene bijstand hadden; bijstandsdichtheid per 1 000 inwoners van dezelfde leeftijd. CBS-percentages "
                   "zijn niet op te tellen over een herindeling: ze staan op de grenzen van hun eigen jaar. n = gemeenten van de "
                   "referentiegroep met een (plausibel) cijfer.")
FIN_DEFINITION = ("Dit zijn proxy's, geen verantwoordingscijfers, en daarom zonder signaal: W-deel = IU Participatie minus "
                  "Iv3-lasten taakvelden 6.4 en 6.5, als % van de IU (positief = IU hoger dan de lasten; de IU dekt ook Wsw en "
                  "beschut werk). I-deel = Iv3 taakveld 6.3 baten minus lasten, als % van de baten (6.3 bevat ook bijzondere "
                  "bijstand en minimabeleid). Begroting en jaarrekening apart.")
BADGE = {signals.BINNEN: ":gray-badge[binnen de normale spreiding]", signals.KLEIN: "**te klein om te beoordelen**"}


def _badge(v: signals.Verdict) -> str:
    if v.coloured:
        return f":{'green' if v.favourable else 'red'}-badge[{v.label}]"
    return "" if v.label == "verouderd" else BADGE.get(v.label, f"**{v.label}**")


def _expectation_line(f, code: str, exp, name: str, used: bool) -> str:
    """'Verwacht (referentiegroep): 45,8 (95 %: 33,5 – 58,2) → binnen de normale spreiding'."""
    if exp is None:
        e = f.predicted(code) if not used else None
        if e is not None and not f.possible(e):  # the kenmerken model lands outside what a rate can be
            return (f"{name}: geen verwachting (het model komt voor deze gemeente uit op {nl_number(e, 1)}, wat niet kan: "
                    "haar kenmerken liggen buiten die van de gemeenten waarop het rust)")
        return f"{name}: geen verwachting"
    pos = funnel.position(f, code, exp)
    return (f"{name}{' (dit oordeel)' if used else ''}: {nl_number(exp.waarde, 1)} (95 %: {nl_number(exp.lo, 1)} – "
            f"{nl_number(exp.hi, 1)}){'' if used or pos is None else ' → ' + pos}")


OUDER = "Oudere cijfers en benaderingen"


def _tier(v: signals.Verdict, periode: str | None) -> int:
    """Where a card goes: 0 a current figure with a verdict from the funnel, 1 a current figure without one, 2 an old
    figure, a proxy or a missing figure (grouped under OUDER)."""
    if v.label in ("geen cijfer", "geen oordeel") or signals.outdated(periode):
        return 2
    return 0 if v.coloured or v.label == signals.BINNEN else 1


def key_figures(wh: Warehouse, code: str, group: Group, notes: views.ProfileNotes) -> None:
    """One card per key figure: period and age, the value with its rounding range, the verdict from the funnel around the
    referentiegroep (signals.verdict, portal.funnel) and next to it the expectation from the gemeente's characteristics,
    the quartile position as a description, Nederland (with the note on unknown woongemeente for flows).

    Current figures with a verdict come first, then current ones without; old figures, proxies and missing figures sit
    in a collapsed group whose line above says which they are and why they carry no signal."""
    cards = group_series("nieuwste", code, group.members, CARDS)
    made = []
    for ind_id in CARDS:
        rows = cards.filter((cards["indicator"] == ind_id) & cards["gemeente"].is_not_null())
        ind = metrics.get(ind_id)
        if rows.is_empty():
            made.append((2, ind_id, None, signals.Verdict("geen cijfer"), None, None))
            continue
        r = rows.row(-1, named=True)
        v = signals.blocked(ind_id, r["periode"], r["gemeente"], reden_onwaarschijnlijk=r["onwaarschijnlijk"])
        f = exp = None
        if v is None:
            f = signal_funnel(ind_id, r["periode"])
            exp = f.group(code, group.members) if f else None
            v = signals.verdict(ind_id, r["periode"], r["gemeente"], funnel.position(f, code, exp) if f else None)
        made.append((_tier(v, r["periode"]), ind_id, r, v, f, exp))
    made.sort(key=lambda m: m[0])  # stable: the registry order within a tier
    current = [m for m in made if m[0] < 2]
    older = [m for m in made if m[0] == 2]
    if current:  # wider cards when there are few (two current figures read better side by side than in a quarter each)
        n = min(4, max(2, len(current)))
        cols = st.columns(n)
        for i, m in enumerate(current):
            _card(cols[i % n].container(border=True), code, group, notes, *m[1:])
    else:
        st.info("Geen van de kerncijfers is recent genoeg voor een oordeel; ze staan hieronder bij de oudere cijfers.")
    if older:
        st.caption(_older_line(older))
        box = lazy_expander("oudere", f"{OUDER} ({len(older)} kerncijfers zonder signaal)", expanded=not current)
        if box:
            with box:
                cols = st.columns(4)
                for i, m in enumerate(older):
                    _card(cols[i % 4].container(border=True), code, group, notes, *m[1:])
    box = lazy_expander("oordeel", "Hoe het oordeel tot stand komt", icon=":material/info:")
    if box:
        box.caption(f"{signals.SIGNAAL_BETEKENIS} **Hoger** of **lager dan verwacht** (groen als dat gunstig is: een lage dichtheid, "
                    "lage instroom, hoge uitstroom; anders rood) alleen als het hele bereik dat de afronding door CBS toelaat buiten de "
                    "95 %-grenzen ligt; anders **binnen de normale spreiding** (ook als de afronding over een grens heen loopt); bij "
                    f"minder dan {funnel.MIN_COUNT} personen of uitkeringen *te klein om te beoordelen*. Het oordeel gebruikt de verwachting uit de "
                    "referentiegroep (de leden gewogen met 1/(toeval + τ²), zodat één grote gemeente haar niet bepaalt); de verwachting "
                    "op grond van de kenmerken (een model over alle gemeenten op inwoners, dichtheid, eenpersoonshuishoudens, lage "
                    "inkomens, stedelijkheid, centrumfunctie en sociale structuur) staat ernaast. De kwartielpositie in de groep is "
                    "alleen een beschrijving. Geen signaal bij cijfers van meer dan "
                    f"{signals.VEROUDERD_NA_JAREN} jaar oud (*verouderd*), bij bronwaarden die de bron zelf onwaarschijnlijk maakt, bij "
                    f"minder dan {signals.MIN_GROUP} gemeenten met een cijfer in de groep (n) en bij proxy's die niet meten wat hun naam "
                    f"zegt (W-deel, I-deel). {funnel.METHOD} Kerncijfers op de indeling van {wh.newest_indeling}, de CBS-percentages "
                    "en -dichtheid op de grenzen van hun eigen jaar (niet op te tellen over een herindeling); steeds het laatste jaar "
                    "met een cijfer.")


def _older_line(older: list) -> str:
    """Which key figures sit in the collapsed group, and why none of them carries a signal, in one line."""
    why: dict[str, list[str]] = {}
    for _, ind_id, r, v, _, _ in older:
        ind = metrics.get(ind_id)
        if r is None:
            reason = "geen cijfer"
        elif v.label == "geen oordeel":
            reason = "proxy, meet niet wat de naam zegt"
        elif v.label == "verouderd" or signals.outdated(r["periode"]):
            reason = f"meer dan {signals.VEROUDERD_NA_JAREN} jaar oud"
        else:
            reason = v.label
        why.setdefault(reason, []).append(f"{ind.short} {r['periode']}" if r is not None else ind.short)
    return (f"{OUDER}, zonder signaal: " + "; ".join(f"{', '.join(names)} ({reason})" for reason, names in why.items())
            + ". Open de groep voor de cijfers.")


def _card(box, code: str, group: Group, notes: views.ProfileNotes, ind_id: str, r: dict | None, v: signals.Verdict, f,
          exp) -> None:
    ind = metrics.get(ind_id)
    if r is None:
        box.metric(ind.short, "geen cijfer", help=ind.label)
        box.caption(notes.missing_reason(ind_id))
        return
    model = f.kenmerken(code) if f else None
    delta = None if exp is None else r["gemeente"] - exp.waarde
    box.metric(f"{r['periode']} · {ind.short}", nl_number(r["gemeente"], ind.decimals) + (" %" if ind.unit.startswith("%") else ""),
               delta=None if delta is None else f"{nl_number(delta, 1)} t.o.v. verwachting groep",
               delta_color=("inverse" if ind.lower_is_better else "normal") if v.coloured else "off",
               help=f"{ind.label}. {ind.definition}")
    lo, hi = nl_number(r["gemeente_lo"], 1), nl_number(r["gemeente_hi"], 1)
    spread = "" if r["gemeente_lo"] is None or lo == hi else f" · bereik (afronding en toeval) {lo} – {hi}"
    lines = [f"{_badge(v)} {signals.age_text(r['periode'])}{spread}{notes.boundary_note(r['grenzen'])}".strip()]
    if f is not None:
        lines += [_expectation_line(f, code, exp, "Verwacht uit de referentiegroep", True),
                  _expectation_line(f, code, model, "Verwacht op grond van de kenmerken van de gemeente", False)]
    quart = signals.quartile_text(r["gemeente"], r["groep_p25"], r["groep_p75"])
    lines.append(f"{quart + ' · ' if quart else ''}n = {r['groep_n'] or 0} · NL: {nl_number(r['nederland'], 1)} · bron {r['bron']}")
    box.markdown("  \n".join(lines))
    nl_note = unknown_residence_note(ind_id)
    if v.reason or nl_note:
        box.caption(" ".join(x for x in (v.reason, nl_note) if x))


def national_position(code: str, naam: str, ind_id: str = "dichtheid_uitkeringen_totaal") -> None:
    """Where the gemeente lies in the two pictures of Landelijk: the funnel against the national figure and the
    caterpillar against its own expected value (default referentiegroep and characteristics), newest year."""
    years = ui_periods("nieuwste", ind_id)
    if not years:
        return
    year, ind = years[-1], metrics.get(ind_id)
    points, _, info = national_funnel(ind_id, year)
    me = points.filter(pl.col("gemeente_code") == code) if not points.is_empty() else points
    parts = []
    if me.height:
        parts.append(f"in de trechter tegen het landelijke cijfer ({nl_number(info['p'], 1)}): {nl_number(me['dichtheid'][0], 1)}, "
                     f"{me['positie'][0]}")
    for soort, wat in (("referentiegroep", "de standaardreferentiegroep"), ("kenmerken", "de kenmerken")):
        cat = caterpillar(ind_id, year, soort)
        r = cat.filter(pl.col("gemeente_code") == code) if not cat.is_empty() else cat
        if r.height:
            r = r.row(0, named=True)
            parts.append(f"in de rupsplot tegen {wat} plaats {r['plaats']} van {cat.height} (verschil {nl_number(r['verschil'], 1)}, "
                         f"95 %: {nl_number(r['verschil_lo'], 1)} tot {nl_number(r['verschil_hi'], 1)}; {r['positie']})")
    if parts:
        st.markdown(f"**{naam} in het landelijk beeld, {ind.short} {year}:** " + "; ".join(parts) + ".")
        st.page_link("landelijk.py", label="Trechter en rupsplot op Landelijk", icon=":material/bar_chart:",
                     query_params={"gemeente": code, "dichtheid": ind_id, "jaar": year})


def trend(wh: Warehouse, code: str, naam: str, group: Group, indeling: str, indeling_label: str, density: bool) -> None:
    """Dichtheid (or volume) over all years against the group's mean and P25–P75, Nederland and the size class."""
    klasse, klasse_leden = views.size_class(wh.kenmerken(peers.CLASS_YEAR), code)
    frame = (group_series(indeling, code, group.members, bm.DENSITY) if density
             else volume_at_group_density(indeling, code, group.members))
    pooled_class = ({d: pooled(indeling, klasse_leden, d) for d in bm.DENSITY}
                    if density and indeling == "nieuwste" and klasse_leden else {})
    t = views.profile_trend(frame, naam, density, klasse, pooled_class)
    if t.lines.is_empty():
        st.info(f"Voor {naam} zijn op deze gemeentegrenzen geen bijstandscijfers beschikbaar.")
        return
    breaks = t.definition_breaks
    if indeling == "jaar":
        changes = wh.boundary_changes(code)["indeling_jaar"].to_list()
        breaks += [(j, "Gemeentegrenzen gewijzigd (herindeling)")
                   for j in bm.boundary_breaks(bm.volume_series(wh, code, "jaar", density), changes)]
    unit = "per 1 000 inwoners" if density else "aantal personen of uitkeringen"
    src_lines = indicator_lines(bm.DENSITY if density else bm.VOLUME) + [
        f"Referentiegroep: {group.label()} ({len(group.members)} gemeenten); lijn = ongewogen gemiddelde, band = P25–P75.",
        f"Indeling: {indeling_label}."]
    if density:
        src_lines.append(f"{t.class_series}: alle gemeenten van die klasse ({peers.CLASS_YEAR}) samen (som teller / som noemer).")
    shape = dict(reeksen=t.series, y_title=unit, decimals=1 if density else 0, breaks=breaks)
    title = f"{'Bijstandsdichtheid' if density else 'Bijstandsvolume'} {naam} en referentiegroep"
    how = ("Lijn van de referentiegroep: ongewogen gemiddelde van de leden; band: P25–P75 van de leden. "
           + ("Nederland: CBS-landcijfer. Grootteklasse: alle gemeenten van de klasse samen (alleen op de nieuwste indeling). "
              if density else "In aantallen: de dichtheid van de referentiegroep toegepast op de inwoners 15–65 van "
              f"{naam}, dus het volume dat {naam} bij het niveau van de groep zou hebben. ")
           + "Gestippelde verticale lijn: breuk in definitie of gemeentegrenzen; lijnen lopen niet over een definitiebreuk heen."
           + (" Op de indeling van elk jaar zelf telt per jaar elk lid dat in dat jaar bestond." if indeling == "jaar" else ""))
    short = (f"{source_line(bm.DENSITY if density else bm.VOLUME)} Referentiegroep: {group.label()} ({len(group.members)} "
             f"gemeenten); lijn = gemiddelde, band = P25–P75. Indeling: {indeling_label}.")
    chart(lambda: benchmark_chart(t.lines, t.band, **shape), title, src_lines, key=f"profiel-{code}", subtitle=unit,
          inputs=(tuple(group.members), indeling, density),
          spec=lambda: benchmark_spec(t.lines, t.band, title=title, subtitle=unit, **shape), short=short, notes=[how])


def reduction(wh: Warehouse, code: str, naam: str, group: Group) -> None:
    rp = reduction_potential(code, group.members, "dichtheid_uitkeringen_totaal")
    if rp is None:
        st.info("Geen reductiepotentieel te berekenen: de gemeente of de referentiegroep heeft geen recente dichtheid.")
        return
    a, b = st.columns(2)
    a.metric(f"Bij het gemiddelde van de referentiegroep ({rp['periode']})", f"{nl_number(rp['bij_gemiddelde'])} minder")
    b.metric(f"Bij de P25 van de referentiegroep ({rp['periode']})", f"{nl_number(rp['bij_p25'])} minder")
    st.caption(
        f"{naam} heeft {nl_number(rp['werkelijk'])} bijstandsuitkeringen op {nl_number(rp['inwoners'])} inwoners 15–65 "
        f"({nl_number(rp['dichtheid'], 1)} per 1 000). De referentiegroep ({rp['groep_n']} gemeenten) heeft gemiddeld "
        f"{nl_number(rp['groep_gemiddelde'], 1)} en P25 {nl_number(rp['groep_p25'], 1)} per 1 000. "
        f"Bron: CBS {rp['bron']} ({rp['peildatum']}), indeling {wh.newest_indeling}.")
    definition("Reductiepotentieel = werkelijk aantal − dichtheid van de groep × inwoners 15–65 / 1 000; nul als de gemeente "
               "al lager zit. Groepswaarden: ongewogen gemiddelde en P25 van de leden met een cijfer.")


def flows(code: str, naam: str, group: Group, notes: views.ProfileNotes) -> None:
    """CBS's own flow percentages against the group, and the BijstandScan ontleding for a chosen year."""
    flow = group_series("nieuwste", code, group.members, FLOW)
    if flow.is_empty():
        st.info("Geen instroom- en uitstroomcijfers voor deze gemeente.")
        return
    data_table(views.group_table(flow, naam, notes.boundary_note),
               indicator_lines(FLOW) + [f"Referentiegroep: {group.label()}.", FLOW_DEFINITION], key=f"stromen-{code}")
    st.caption(f"{source_line(FLOW)} Referentiegroep: {group.label()}; n = gemeenten met een (plausibel) cijfer.")
    definition(FLOW_DEFINITION, *indicator_lines(FLOW))
    years = sorted(flow["periode"].unique())
    year = url_slider("Jaar voor de ontleding", years, "ontleding", years[-1])  # kept in the link (?ontleding=)
    dec = decomposition(code, group.members, year)
    if dec is None:
        st.info(f"Geen ontleding mogelijk voor {year}: cijfers van de gemeente of van de referentiegroep ontbreken.")
        return
    st.markdown("\n\n".join(bm.decomposition_text(dec)))
    st.caption(f"Ontleding zoals de BijstandScan, uit CBS {', '.join(metrics.get(FLOW[0]).sources)} ({year}); groepswaarden: "
               f"ongewogen gemiddelde van {dec['groep_n']} leden.")
    with st.expander("Hoe de ontleding werkt", icon=":material/info:"):
        st.caption("Ontleding zoals de BijstandScan: in evenwicht is de dichtheid gelijk aan de instroom gedeeld door de "
                   "uitstroomkans, dus dichtheid/dichtheid_groep = (instroom/instroom_groep) × (uitstroomkans_groep/uitstroomkans). "
                   f"Groepswaarden: ongewogen gemiddelde van {dec['groep_n']} leden. {bm.DECOMPOSITION_RATES}")


def finances(wh: Warehouse, code: str, naam: str, group: Group) -> None:
    fin = group_series("nieuwste", code, group.members, FIN)
    if fin.is_empty():
        st.info("Geen financiële cijfers voor deze gemeente.")
        return
    data_table(views.group_table(fin, naam), indicator_lines(FIN) + [f"Referentiegroep: {group.label()}.", FIN_DEFINITION],
               key=f"financien-{code}")
    amounts = views.amounts(wh.observations(code, ["iu_participatie"]), code, "iu_participatie")
    if amounts:
        st.caption("Integratie-uitkering Participatie " + ", ".join(f"{p}: {nl_euro(v)}" for p, v in amounts)
                   + " (BZK-circulaires gemeentefonds).")
    st.caption(f"Proxy's, geen verantwoordingscijfers, en daarom zonder signaal. {source_line(FIN)}")
    definition(FIN_DEFINITION, *indicator_lines(FIN))


def recent(wh: Warehouse, code: str, naam: str) -> None:
    """Monthly and quarterly figures per gemeente that `etl vernieuw` fetched from CBS, with the newest value in words."""
    data = views.recent_series(wh.observations(code, views.LIVE_LOCAL, "jaar"))
    if data.is_empty():
        marks = ",".join("?" * len(views.LIVE_LOCAL))
        fetched = not wh.query(f"select 1 from observaties where indicator in ({marks}) limit 1", tuple(views.LIVE_LOCAL)).is_empty()
        st.caption(f"De bij CBS opgehaalde tabellen hebben geen maand- of kwartaalcijfers voor {naam}." if fetched else
                   "Maand- en kwartaalcijfers per gemeente komen er zodra de beheerder de nieuwste CBS-tabellen ophaalt "
                   "(`python3 dev.py etl vernieuw`); de meegeleverde gegevens hebben ze niet.")
        return
    for r in data.group_by("reeks", maintain_order=True).last().iter_rows(named=True):
        st.markdown(f"**{r['reeks']}**: {nl_number(r['waarde'])} {r['eenheid']}, {r['peildatum']} (CBS {r['bron']}).")
    ids = data["indicator"].unique(maintain_order=True).to_list()
    chart(lambda: lines_chart(data, x="datum", series="reeks", temporal=True, x_title="Periode", y_title="aantal (zie legenda)",
                              zero=False, time_format="%b %Y"),
          f"Maand- en kwartaalcijfers {naam}", indicator_lines(ids), key=f"recent-{code}",
          subtitle="Op de grenzen van het jaar van elk cijfer; CBS rondt af op tientallen.", inputs=(code,))


def handhaving(wh: Warehouse, code: str, naam: str, group: Group) -> None:
    """Open bijstandsvorderingen (CBS 82020NED, after a refresh): the newest figures in words, described against the
    group's median of the same month; no verdict (a stock of claims over years, not a measure of handhaving)."""
    data = views.recent_series(wh.observations(code, views.HANDHAVING, "jaar"))
    if data.is_empty():
        st.caption("Openstaande bijstandsvorderingen per gemeente (CBS 82020NED, de enige open handhavingscijfers per gemeente) "
                   "komen er zodra de beheerder die tabel ophaalt (`python3 dev.py etl vernieuw --bron vorderingen`); de "
                   "meegeleverde gegevens hebben ze niet.")
        return
    last = data.group_by("indicator", maintain_order=True).last()
    groups = group_series("jaar", code, group.members, last["indicator"].to_list())
    for r in last.iter_rows(named=True):
        d = metrics.get(r["indicator"]).decimals
        g = groups.filter((pl.col("indicator") == r["indicator"]) & (pl.col("periode") == r["periode"]))
        spread = (f"; referentiegroep P25–P75 {nl_number(g['groep_p25'][0], d)}–{nl_number(g['groep_p75'][0], d)} "
                  f"({g['groep_n'][0]} gemeenten)" if g.height and (g["groep_n"][0] or 0) >= 4 else "")
        st.markdown(f"**{r['reeks']}**: {nl_number(r['waarde'], d)} {r['eenheid']}, {r['peildatum']} (CBS {r['bron']}){spread}.")
    counts = data.filter(pl.col("indicator") == "bijstandsvorderingen_aantal")
    if not counts.is_empty():
        chart(lambda: lines_chart(counts, x="datum", series="reeks", temporal=True, x_title="Maand", y_title="vorderingen",
                                  time_format="%b %Y"),
              f"Openstaande bijstandsvorderingen {naam}", indicator_lines(["bijstandsvorderingen_aantal"]),
              key=f"vorderingen-{code}", subtitle="Eind van elke maand, alle ontstaansgronden; CBS rondt af op tientallen",
              inputs=(code,))
    st.caption("Beschrijvend, zonder oordeel: een vordering blijft openstaan tot ze is afgelost of buiten invordering gesteld, "
               "ook als de schuldenaar geen bijstand meer heeft. Veel vorderingen kan op streng terugvorderen wijzen of op "
               "traag invorderen; het cijfer zegt niet welke.")


DELEN = {  # the lower sections of the profile: link parameter, title, builder; each in an expander built only when open
    "stromen": ("Instroom en uitstroom, met de ontleding", lambda wh, code, naam, group, notes: flows(code, naam, group, notes)),
    "financien": ("Financiën: W-deel en I-deel (proxy's)", lambda wh, code, naam, group, notes: finances(wh, code, naam, group)),
    "maandcijfers": ("Recente maand- en kwartaalcijfers", lambda wh, code, naam, group, notes: recent(wh, code, naam)),
    "handhaving": ("Handhaving: openstaande bijstandsvorderingen",
                   lambda wh, code, naam, group, notes: handhaving(wh, code, naam, group)),
}


def lower_sections(wh: Warehouse, code: str, naam: str, group: Group, notes: views.ProfileNotes) -> None:
    """The sections below the first screen, each in an expander that is built only when opened (on_change="rerun"): the
    browser draws the first screen without their tables, and a first visit computes none of them. Which are open is kept
    in the link (`stromen=true`, ...); another value there gets a Dutch message instead of being dropped without a word."""
    for param, (title, build) in DELEN.items():
        box = lazy_expander(param, title)
        if box:
            with box:
                build(wh, code, naam, group, notes)


def lazy_expander(param: str, title: str, expanded: bool = False, icon: str | None = None):
    """An expander whose content the page builds only when it is open (on_change="rerun"; returns the expander, else
    None): the browser draws no element for what is folded away, which on the first screen delays the trend chart
    (issue 24). Whether it is open is kept in the link (`param=true`); another value there gets a Dutch message instead
    of being dropped without a word, and the expander its default state."""
    asked = st.query_params.get(param)
    if asked is not None and asked not in ("true", "false"):
        st.warning(f"De link heeft bij parameter {param} de waarde {literal(repr(asked))}; alleen true (open) of false "
                   f"(dicht) kan. Het onderdeel {title} staat {'open' if expanded else 'dicht'}.")
        del st.query_params[param]
    box = st.expander(title, expanded=expanded, key=param, icon=icon, on_change="rerun", bind="query-params")
    return box if box.open else None
