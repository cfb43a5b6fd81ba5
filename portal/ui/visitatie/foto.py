"""Tab 'Cijfermatige foto': the signal table (narrow enough for a 1 280 px window; the downloads carry every column),
trend, source and peildatum per indicator, the notes at each figure, the charts and the norms form."""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from portal import export, rapport
from portal import visitatie as vt
from portal.nl import nl_datetime, nl_number
from portal.tekst import literal
from portal.access import may_set_norms
from portal.ui.render import chart, downloads
from portal.ui.visitatie import eigen
from portal.ui.visitatie.common import Ctx, Dossier, conflict_panel, opened, save_visitatie, stale_notice

Col = st.column_config.TextColumn
# On screen: widths in px that add up to the 815 px a wide page leaves beside the sidebar in a 1 280 px window; rows are
# high enough for Streamlit to wrap long labels. Trend, bron and peildatum are in a second table; downloads hold everything.
ROW_HEIGHT = 88  # four lines
SIGNAL_COLUMNS = {
    "Indicator": Col("Indicator", width=155),
    "Periode": Col("Periode", width=90),
    "Realisatie": Col("Realisatie", width=90, help="Met het bereik dat afronding door CBS en toeval toelaten."),
    "Norm": Col("Norm", width=75, help="(eigen): norm van het team of de gemeente; (groep): gemiddelde van de referentiegroep."),
    "Afwijking": Col("Afwijking", width=75, help="Realisatie − norm."),
    "Signaal": Col("Signaal", width=100),
    "Prognose": Col("Prognose", width=90, help="Lineaire trend door de laatste drie meetpunten, tot het lopende jaar; bij de "
                    "dichtheden met maandcijfers 12 maanden vooruit uit de maanden (eigen bestand of CBS), met de backtest-fout."),
    "Referentiegroep (P25–P75)": Col("Groep", width=95, help="Gemiddelde van de referentiegroep (P25–P75; n = aantal "
                                     "gemeenten met een cijfer)."),
    "Nederland": Col("NL", width=45, help="Nederland"),
}
DETAIL_COLUMNS = {"Indicator": Col(width=190), "Trend (laatste vijf cijfers)": Col(width=200), "Bron": Col(width=100),
                  "Peildatum": Col(width=290)}  # 780 px: the expander's inner width


def render(ctx: Ctx, d: Dossier) -> None:
    v, foto, live = d.v, d.foto, d.live
    if v["foto_bevroren"]:
        st.info(f"Bevroren op {nl_datetime(v['foto_bevroren'])} (databouw van {nl_datetime(foto['databouw']['tijd'])}). "
                "Een latere databouw verandert deze foto niet.")
        diff = vt.changes(foto, live)
        with st.expander(f"Wat is er veranderd sinds de bevriezing ({len(diff)})"):
            st.markdown("\n".join(f"- {literal(x)}" for x in diff) if diff else "Niets: de huidige cijfers zijn gelijk aan de bevroren foto.")
    else:
        st.caption("Concept: de foto volgt de nieuwste cijfers tot de visitatie de voorbereiding verlaat; dan wordt hij bevroren.")
    if not any(r["realisatie"] is not None for r in foto["regels"]):
        st.warning(f"Voor {literal(foto['gemeente'])} staan geen cijfers voor de kernindicatoren in het warehouse.")
    card = vt.scorecard(foto, v["normen"])
    old_norms = {k: n for k, n in v["normen"].items() if k in vt.LEGACY}
    if old_norms:
        st.info("Normen voor kernindicatoren van een eerdere versie worden niet gebruikt (de nieuwe indicator heeft een andere "
                "definitie): " + "; ".join(f"{k} = {nl_number(n, 1)}" for k, n in old_norms.items()) + ". Zet zo nodig een nieuwe norm.")
    lines = rapport.foto_lines(foto, v["titel"])
    signal_table(card, lines, key=f"foto-{v['id']}")
    st.caption(vt.SIGNAAL_REGEL + " " + vt.PROGNOSE_METHODE + " W-deel en I-deel zijn proxies (zie Bronnen en definities).")
    eigen.render(ctx, d)  # the gemeente's own-file figures: their own table, never in the signal table
    for k in vt.KERN:
        notes = [i for i in d.items if vt.LEGACY.get(i["indicator"], i["indicator"]) == k.id]
        if notes:
            st.markdown(f"**Notities bij {vt.indicator_label(k.id)}**\n" + "\n".join(f"- *{literal(i['soort'])}*: {literal(i['tekst'])}" for i in notes))
    if rapport.has_foto_chart(foto):  # the finished chart is kept per build and content: a rerun does not build it again
        chart(partial(rapport.foto_chart, foto), f"Cijfermatige foto {foto['gemeente']}", lines, key=f"fotografiek-{v['id']}",
              inputs=(rapport.foto_chart_key(foto),))
    if may_set_norms(ctx.user, v):
        norms_form(ctx, v)


def signal_table(card: pl.DataFrame, lines: list[str], key: str) -> None:
    """The signal table in Dutch notation with fixed column widths; trend, bron and peildatum in a second table below.
    The CSV and Excel downloads hold every column of the scorecard, rounded to one decimal, with the source lines."""
    n1 = partial(nl_number, decimals=1)
    rows = list(card.iter_rows(named=True))
    shown = pl.DataFrame([{
        "Indicator": r["Indicator"], "Periode": (r["Periode"] or "–") + (" (verouderd)" if r["Verouderd"] else ""),
        "Realisatie": vt.realisatie_text(r), "Norm": f"{n1(r['Norm'])} ({rapport.NORMBRON.get(r['Normbron'], r['Normbron'])})",
        "Afwijking": n1(r["Afwijking"]), "Signaal": r["Signaal"],
        "Prognose": f"{n1(r['Prognose'])} ({r['Prognosejaar']})" if r["Prognose"] is not None
        else "geen: " + r["Prognosejaar"].removeprefix("geen prognose: "),
        "Referentiegroep (P25–P75)": f"{n1(r['Referentiegroep'])} ({n1(r['Groep P25'])}–{n1(r['Groep P75'])}; n={r['Groep n']})",
        "Nederland": n1(r["Nederland"]),
    } for r in rows])
    st.dataframe(shown, hide_index=True, placeholder="–", column_config=SIGNAL_COLUMNS, row_height=ROW_HEIGHT, width="stretch",
                 height=ROW_HEIGHT * len(rows) + 40)
    with st.expander("Trend, bron en peildatum per indicator"):
        st.dataframe(pl.DataFrame([{"Indicator": r["Indicator"], "Trend (laatste vijf cijfers)": r["Trend"], "Bron": r["Bron"],
                                    "Peildatum": r["Peildatum"]} for r in rows]), hide_index=True, placeholder="–",
                     column_config=DETAIL_COLUMNS, row_height=70, width="stretch", height=70 * len(rows) + 40)
    downloads(export.rounded(card.drop("indicator"), {}), lines, key)


def norms_form(ctx: Ctx, v: dict) -> None:
    """Norms of the team or the gemeente. A norm that is not a number saves nothing and leaves every typed text in place."""
    key = f"kopconflict-normen-{v['id']}"
    with st.expander("Normen zetten (doel van het team of de gemeente)", expanded=key in st.session_state):
        if conflict_panel(ctx, v, "normen"):
            return
        stale_notice(v, "normen", ("normen",))
        fresh = f"geopend-normen-{v['id']}" not in st.session_state
        shown = opened(v, "normen", ("normen",))["waarden"]["normen"]
        texts = {k.id: nl_number(shown[k.id], 1) if k.id in shown else "" for k in vt.KERN}
        for ind, text in texts.items():  # the inputs start from the opened norms (again after a save or a reload)
            if fresh or f"norm-{ind}" not in st.session_state:
                st.session_state[f"norm-{ind}"] = text
        with st.form(f"normen-{v['id']}"):
            typed = {k.id: st.text_input(vt.indicator_label(k.id), placeholder="leeg = geen norm (beschrijvend)"
                                         if vt.descriptive(k) else "leeg = gemiddelde referentiegroep", key=f"norm-{k.id}")
                     for k in vt.KERN}
            if st.form_submit_button("Normen opslaan", key="normen-opslaan"):
                normen, errors = {}, []
                for ind, text in typed.items():
                    if text.strip() == texts[ind] and ind in shown:  # untouched: the stored value, not its rounding
                        normen[ind] = shown[ind]
                        continue
                    try:
                        value = vt.parse_norm(text, ind)
                    except vt.NormError as e:
                        errors.append(e.dutch())
                    else:
                        if value is not None:
                            normen[ind] = value
                if errors:
                    st.error("Niets opgeslagen. " + literal(" ".join(errors)))
                else:
                    save_visitatie(ctx, v, {"normen": normen}, "normen")
