"""Referentiegroep builder: ready-made groups or nearest neighbours, why each peer is in, edit by hand, save and share."""

from dataclasses import replace

import streamlit as st

from portal import charts, peers
from portal.ui import (chart, current_group, data_table, features, gemeente_picker, set_group_params, share_link, userdata,
                       warehouse)
from portal.tekst import literal
from portal.userdata import MAX_NAME, UserDataError

wh = warehouse()
code = gemeente_picker(wh)
fm = features()
naam = fm.names[code]
st.title(f"Referentiegroep voor {naam}")
group = current_group(wh, code)
spec = group.spec
KINDS = {"knn": "Meest gelijkende gemeenten", "kenmerk": "Zelfde klasse of regio", "g4": "G4", "g40": "G40-stedennetwerk",
         "lijst": "Zelf samenstellen"}


def _update(**changes) -> None:
    set_group_params(replace(spec, **changes))


# 1. How the group is made ------------------------------------------------------------------------------------------------
if group.name:
    st.info(f"Opgeslagen referentiegroep **{literal(group.name)}** ({len(group.members)} gemeenten). Wijzig hieronder de opzet om een "
            "nieuwe groep te maken; de opgeslagen groep blijft zoals hij is.")
st.session_state["rg_kind"] = spec.kind
st.radio("Soort referentiegroep", list(KINDS), format_func=KINDS.get, key="rg_kind", horizontal=True,
         on_change=lambda: set_group_params(peers.GroupSpec(kind=st.session_state["rg_kind"])))
if spec.kind == "knn":
    left, right = st.columns([1, 3])
    st.session_state["rg_k"] = spec.k
    left.number_input("Aantal gemeenten (k)", peers.K_MIN, peers.K_MAX, key="rg_k", on_change=lambda: _update(k=int(st.session_state["rg_k"])))
    st.session_state["rg_kenm"] = list(spec.features)
    right.multiselect("Kenmerken waarop vergeleken wordt", list(peers.FEATURES), key="rg_kenm",
                      format_func=lambda f: peers.FEATURES[f].label,
                      on_change=lambda: _update(features=tuple(st.session_state["rg_kenm"]) or tuple(peers.FEATURES)))
    st.caption(
        "Elk kenmerk wordt gestandaardiseerd over alle gemeenten van de indeling van 2025 (z-score; inwoners en "
        "bevolkingsdichtheid eerst op log-schaal). De afstand is de euclidische afstand over de gekozen kenmerken; het "
        "aandeel van een kenmerk is zijn gekwadrateerde verschil gedeeld door de gekwadrateerde afstand. Zet u alle kenmerken "
        "uit, dan worden ze alle gebruikt.")
elif spec.kind == "kenmerk":
    st.session_state["rg_klasse"] = spec.kenmerk
    st.selectbox("Klasse of regio", list(peers.KENMERK_GROUPS), key="rg_klasse", format_func=peers.KENMERK_GROUPS.get,
                 on_change=lambda: _update(kenmerk=st.session_state["rg_klasse"]))
    st.caption(f"Klassen en regio's zoals gepubliceerd voor {peers.CLASS_YEAR}: gemeentegrootte en stedelijkheid uit de "
               "gemeenteklassen (CBS-indeling), provincie, COROP en arbeidsmarktregio uit de CBS-regiotabel 2025, sociale "
               "structuur uit de gemeentefondsklassen.")
elif spec.kind == "g4":
    st.caption("G4: de vier grote steden Amsterdam, Rotterdam, 's-Gravenhage en Utrecht.")
elif spec.kind == "g40":
    st.caption(f"{peers.G40_LABEL}. Gekozen op lidmaatschap van een netwerk, niet op gelijkenis: de tabel hieronder laat zien "
               "hoe ver elk lid op de kenmerken van uw gemeente afstaat.")
else:
    st.caption("Voeg hieronder zelf gemeenten toe.")

# 2. Members and why ------------------------------------------------------------------------------------------------------
st.header(f"{len(group.members)} gemeenten in de groep")
if not group.members:
    st.info("De referentiegroep is leeg. Kies een andere opzet of voeg gemeenten toe.")
else:
    why = peers.why_table(fm, group)
    shares = [c for c in why.columns if c.startswith("aandeel_")]
    shown, decimals = peers.why_display(why, code)
    lines = [f"Referentiegroep voor {naam}: {group.label()}.",
             *(f"{f.label}: {f.unit}; bron {f.source}." for f in peers.FEATURES.values())]
    data_table(shown, lines, key=f"referentiegroep-{code}", decimals=decimals)
    if shares:
        chart(charts.contribution_chart(peers.distance_parts(why, code), naam).properties(height=max(160, 30 * len(group.members))),
              f"Waarom deze gemeenten lijken op {naam}", lines, key=f"afstand-{code}",
              subtitle="Gestandaardiseerde afstand, opgedeeld naar kenmerk")

# 3. Edit by hand ---------------------------------------------------------------------------------------------------------
st.header("Met de hand aanpassen")
a, b = st.columns(2)
others = [c for c in fm.codes if c != code and c not in group.members]
a.selectbox("Gemeente toevoegen", others, index=None, format_func=lambda c: f"{fm.names[c]} ({c})", key="rg_add",
            placeholder="Kies een gemeente",
            on_change=lambda: st.session_state["rg_add"] and set_group_params(peers.with_change(spec, add=st.session_state["rg_add"])))
b.selectbox("Gemeente verwijderen", group.members, index=None, format_func=lambda c: f"{fm.names[c]} ({c})", key="rg_remove",
            placeholder="Kies een gemeente uit de groep",
            on_change=lambda: st.session_state["rg_remove"] and set_group_params(peers.with_change(spec, remove=st.session_state["rg_remove"])))

# 4. Save, reopen, share ----------------------------------------------------------------------------------------------------
st.header("Opslaan, openen en delen")
ud = userdata()
with st.form("opslaan", clear_on_submit=False):
    name = st.text_input("Naam van de groep", max_chars=MAX_NAME)
    if st.form_submit_button("Opslaan"):
        try:
            new_id = ud.save_group(name, code, spec, group.members)
        except UserDataError as e:
            st.error(literal(e.dutch()))
        else:
            for k in list(st.query_params):
                if k not in ("gemeente",):
                    del st.query_params[k]
            st.query_params["groep"] = str(new_id)
            st.success(f"Opgeslagen als '{literal(name.strip())}' (nummer {new_id}).")
saved = ud.groups()
if saved:
    choice = st.selectbox("Opgeslagen groepen", [g["id"] for g in saved], index=None, placeholder="Kies een opgeslagen groep",
                          format_func=lambda i: next(f"{g['naam']} (voor {fm.names.get(g['gemeente_code'], g['gemeente_code'])}, "
                                                     f"{g['aangemaakt'][:10]})" for g in saved if g["id"] == i))
    if choice is not None and st.button("Openen"):
        for k in list(st.query_params):
            if k != "gemeente":
                del st.query_params[k]
        st.query_params["groep"] = str(choice)
        st.rerun()
else:
    st.caption("Nog geen opgeslagen groepen.")
share_link()
