"""The head of one visitatie: title, gemeente, status, the step to the next phase (freezing the foto only after an
explicit confirmation), and what the tabs get to work with."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.access import may_edit, may_open
from portal.nl import nl_datetime
from portal.ui.data import live_foto
from portal.tekst import literal
from portal.userdata import Conflict, UserDataError
from portal.ui.visitatie import eigen
from portal.ui.visitatie.common import Ctx, Dossier

TABS = ["Cijfermatige foto", "Thema's en notities", "Bevindingen en aanbevelingen", "Gegevens", "Geschiedenis", "Exporteren"]


def render(ctx: Ctx, vid: int) -> Dossier | None:
    """The dossier's head; None when this user may not open it (or it does not exist)."""
    v = ctx.ud.visitatie(vid)
    if v is None or not may_open(ctx.user, v):
        return None
    edit = may_edit(ctx.user, v)
    names, wh = ctx.names, ctx.wh
    st.page_link("visitatie.py", label="Alle visitaties", query_params={}, icon=":material/arrow_back:")
    st.title(literal(v["titel"]))
    st.markdown(f"Gemeente **{literal(names.get(v['gemeente_code'], v['gemeente_code']))}** ({literal(v['gemeente_code'])}) · "
                f"periode **{literal(v['periode'])}** · status: " + " → ".join(f"**{s}**" if s == v["status"] else s for s in vt.STATUSSEN))
    if not edit:
        st.caption("U kunt dit dossier lezen; alleen het visitatieteam en beheer kunnen het wijzigen (normen kunt u wel zetten).")

    leden = [m for m in v["groep"]["leden"] if m in names]
    gone = [m for m in v["groep"]["leden"] if m not in names]
    if v["foto"] is None and not leden:
        st.warning("De referentiegroep van deze visitatie is leeg geworden na de laatste databouw: geen van de leden "
                   f"({literal(', '.join(v['groep']['leden']))}) bestaat nog in de indeling van {wh.newest_indeling}. De foto toont "
                   "de gemeente en Nederland zonder groep. Kies onder 'Gegevens' een nieuwe referentiegroep.")
    elif v["foto"] is None and gone:
        st.caption(f"Niet meer in de indeling van {wh.newest_indeling} en daarom weggelaten uit de groep: {literal(', '.join(gone))}.")
    live = eigen.with_block(v, live_foto(v["gemeente_code"], leden, v["groep"]["naam"]))  # frozen with it, when shared
    if edit:
        next_phase(ctx, v, live)
    return Dossier(v, v["foto"] or live, live, ctx.ud.items(vid), edit)


def next_phase(ctx: Ctx, v: dict, live: dict) -> None:
    """The button to the next phase. Leaving voorbereiding freezes the foto for good, so that asks to confirm first."""
    i = vt.STATUSSEN.index(v["status"])
    if i + 1 >= len(vt.STATUSSEN):
        return
    nxt = vt.STATUSSEN[i + 1]
    # The phase this user's page showed before this click: if someone moved it meanwhile, the click meant another step.
    seen_key = f"fase-gezien-{v['id']}"
    moved = st.session_state.get(seen_key, v["status"]) != v["status"]
    st.session_state[seen_key] = v["status"]
    freezes = v["foto"] is None
    asking = f"bevriezen-vragen-{v['id']}"
    extra = " De cijfermatige foto wordt dan bevroren; u bevestigt dat eerst." if freezes else ""
    clicked = st.button(f"Naar fase '{nxt}'", key="volgende-fase", help=f"De status gaat van {v['status']} naar {nxt}.{extra}")
    slot = st.container()  # always there, so the tabs below keep their place when the question comes and goes
    if clicked and moved:
        st.error(f"{v['door']} heeft de visitatie op {nl_datetime(v['gewijzigd'])} al naar fase '{v['status']}' gezet; uw "
                 f"klik is niet uitgevoerd. Wilt u verder naar '{nxt}', klik dan opnieuw.")
    elif clicked:
        if not freezes:
            advance(ctx, v, live)
        st.session_state[asking] = True
    if freezes and st.session_state.get(asking):
        with slot.container(border=True):
            st.warning(f"Bij de overgang naar '{nxt}' wordt de cijfermatige foto bevroren: de cijfers van nu liggen dan vast "
                       "voor deze visitatie en een latere databouw verandert ze niet meer. Dat kan niet worden teruggedraaid.")
            row = st.container(horizontal=True)
            if row.button(f"Ja, foto bevriezen en naar fase '{nxt}'", key="volgende-fase-bevestigd", type="primary"):
                st.session_state.pop(asking)
                advance(ctx, v, live)
            if row.button("Annuleren", key="volgende-fase-annuleren"):
                st.session_state.pop(asking)
                st.rerun()


def advance(ctx: Ctx, v: dict, live: dict) -> None:
    try:
        ctx.ud.advance_status(v["id"], v["versie"], ctx.user.naam, live)
    except Conflict as c:  # someone saved after this page was loaded: they may have moved the phase already
        st.error(literal(f"{c.door} heeft het dossier op {nl_datetime(c.wanneer)} gewijzigd (versie {c.versie}); de fase is "
                         "niet veranderd. Herlaad de pagina, bekijk de nieuwste versie en kies dan opnieuw."))
    except UserDataError as e:
        st.error(literal(e.dutch()))
    else:
        st.rerun()
