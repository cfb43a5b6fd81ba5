"""Referentiegroep builder: ready-made groups or nearest neighbours, why each peer is in, edit by hand, save and share."""

from dataclasses import replace

import altair as alt
import polars as pl
import streamlit as st

from portal import peers
from portal.charts import NL_LOCALE, PALETTE
from portal.ui import chart, current_group, features, gemeente_picker, set_group_params, data_table, userdata, warehouse
from portal.userdata import UserDataError

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
    st.info(f"Opgeslagen referentiegroep **{group.name}** ({len(group.members)} gemeenten). Wijzig hieronder de opzet om een "
            "nieuwe groep te maken; de opgeslagen groep blijft zoals hij is.")
st.session_state["rg_kind"] = spec.kind
st.radio("Soort referentiegroep", list(KINDS), format_func=KINDS.get, key="rg_kind", horizontal=True,
         on_change=lambda: set_group_params(peers.GroupSpec(kind=st.session_state["rg_kind"])))
if spec.kind == "knn":
    left, right = st.columns([1, 3])
    st.session_state["rg_k"] = spec.k
    left.number_input("Aantal gemeenten (k)", 1, 50, key="rg_k", on_change=lambda: _update(k=int(st.session_state["rg_k"])))
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
st.subheader(f"{len(group.members)} gemeenten in de groep")
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
        bars = why.filter(pl.col("gemeentecode") != code).unpivot(index=["gemeentenaam", "afstand"], on=shares,
                                                                    variable_name="kenmerk", value_name="aandeel")
        bars = bars.with_columns((pl.col("aandeel") * pl.col("afstand")).alias("bijdrage"),
                                 pl.col("kenmerk").str.slice(8).replace_strict({f: v.label for f, v in peers.FEATURES.items()}))
        c = alt.Chart(bars.drop_nulls().to_pandas()).mark_bar().encode(
            y=alt.Y("gemeentenaam:N", title=None, sort=alt.EncodingSortField("afstand", op="min", order="ascending"),
                    axis=alt.Axis(labelOverlap=False)),
            x=alt.X("bijdrage:Q", title="Afstand tot " + naam + " (opgedeeld naar kenmerk)", axis=alt.Axis(format=",.1f")),
            color=alt.Color("kenmerk:N", title="Kenmerk", scale=alt.Scale(range=PALETTE[1:] + PALETTE[:1])),
            tooltip=[alt.Tooltip("gemeentenaam:N", title="Gemeente"), alt.Tooltip("kenmerk:N", title="Kenmerk"),
                     alt.Tooltip("aandeel:Q", title="Aandeel in de afstand", format=".0%"),
                     alt.Tooltip("afstand:Q", title="Afstand", format=",.2f")],
        ).properties(height=max(160, 30 * len(group.members))).configure(locale={"number": NL_LOCALE})
        chart(c, f"Waarom deze gemeenten lijken op {naam}", lines, key=f"afstand-{code}")

# 3. Edit by hand ---------------------------------------------------------------------------------------------------------
st.subheader("Met de hand aanpassen")
a, b = st.columns(2)
others = [c for c in fm.codes if c != code and c not in group.members]
a.selectbox("Gemeente toevoegen", others, index=None, format_func=lambda c: f"{fm.names[c]} ({c})", key="rg_add",
            placeholder="Kies een gemeente",
            on_change=lambda: st.session_state["rg_add"] and set_group_params(peers.with_change(spec, add=st.session_state["rg_add"])))
b.selectbox("Gemeente verwijderen", group.members, index=None, format_func=lambda c: f"{fm.names[c]} ({c})", key="rg_remove",
            placeholder="Kies een gemeente uit de groep",
            on_change=lambda: st.session_state["rg_remove"] and set_group_params(peers.with_change(spec, remove=st.session_state["rg_remove"])))

# 4. Save, reopen, share ----------------------------------------------------------------------------------------------------
st.subheader("Opslaan, openen en delen")
ud = userdata()
with st.form("opslaan", clear_on_submit=False):
    name = st.text_input("Naam van de groep", max_chars=100)
    if st.form_submit_button("Opslaan"):
        try:
            new_id = ud.save_group(name, code, spec, group.members)
        except UserDataError as e:
            st.error(str(e))
        else:
            for k in list(st.query_params):
                if k not in ("gemeente",):
                    del st.query_params[k]
            st.query_params["groep"] = str(new_id)
            st.success(f"Opgeslagen als '{name.strip()}' (nummer {new_id}).")
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
query = "&".join(f"{k}={v}" for k, v in st.query_params.to_dict().items())
st.markdown("**Link naar deze groep** (werkt op elke pagina van het portaal):")
st.code(f"?{query}", language=None)
