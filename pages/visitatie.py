"""Visitaties: the overview (open, create, import) and the dossier of one visitatie (?visitatie=<id>)."""

import json
import time
from datetime import date

import polars as pl
import streamlit as st

from portal import metrics, rapport
from portal import visitatie as vt
from portal.charts import nl_number
from portal.ui import chart, current_group, current_user, gemeente_picker, live_foto, table, userdata, warehouse
from portal.userdata import Conflict, UserDataError, may_create, may_edit, may_open, may_set_norms

wh = warehouse()
ud = userdata()
user = current_user()
names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
DATUMS = {"zelfevaluatie": "Zelfevaluatie ontvangen", "bezoek": "Bezoek", "rapport": "Rapport"}
TEAM = ("naam", "gebruiker", "rol")
CONTACT = ("naam", "functie", "email")
NO_ACCESS = "Deze visitatie bestaat niet, of u heeft er geen toegang toe. Vraag het visitatieteam of de beheerder om toegang."


def label(ind: str | None) -> str:
    return metrics.get(ind).label if ind else "—"


def open_link(vid: int) -> dict:
    return {"visitatie": str(vid)}


# ---- overview -------------------------------------------------------------------------------------------------------------
def overview() -> None:
    st.title("Visitaties")
    st.caption("Collegiale toetsing van een sociale dienst: een cijfermatige foto van de gemeente naast haar referentiegroep, "
               "met de eigen waarnemingen, bevindingen en aanbevelingen van het team. De cijfers openen het gesprek; ze zijn "
               "geen oordeel.")
    mine = [v for v in ud.visitaties() if may_open(user, v)]
    if mine:
        for v in mine:
            st.page_link("visitatie.py", label=f"{v['titel']} — {names.get(v['gemeente_code'], v['gemeente_code'])}, "
                         f"{v['periode']} ({v['status']}; gewijzigd {v['gewijzigd'].replace('T', ' ')} door {v['door']})",
                         query_params=open_link(v["id"]), icon=":material/folder_open:")
    else:
        st.info("Er zijn (nog) geen visitaties die u kunt openen.")
    if not may_create(user):
        return

    st.subheader("Nieuwe visitatie")
    code = gemeente_picker(wh)
    group = current_group(wh, code, show_notes=False)
    st.markdown(f"Gemeente **{names[code]}** (kies een andere links). Referentiegroep: **{group.label()}** "
                f"({len(group.members)} gemeenten).")
    st.page_link("referentiegroep.py", label="Referentiegroep samenstellen of een opgeslagen groep kiezen",
                 query_params=st.query_params.to_dict(), icon=":material/group:")
    with st.form("nieuw"):
        titel = st.text_input("Titel", placeholder=f"Visitatie sociale dienst {names[code]}", max_chars=200, key="nieuw-titel")
        periode = st.text_input("Periode", placeholder="bijvoorbeeld najaar 2026", key="nieuw-periode")
        st.markdown("**Visitatieteam** (gebruikersnaam alleen nodig als er accounts zijn)")
        team = st.data_editor(_frame([{"naam": user.naam, "gebruiker": user.naam, "rol": "voorzitter"}], TEAM),
                              num_rows="dynamic", key="nieuw-team", width="stretch")
        st.markdown("**Contactpersonen van de gemeente**")
        contacten = st.data_editor(_frame([], CONTACT), num_rows="dynamic", key="nieuw-contacten", width="stretch")
        if st.form_submit_button("Visitatie aanmaken", type="primary", key="aanmaken"):
            if not group.members:
                st.error("De referentiegroep is leeg: kies eerst een groep met minstens één gemeente.")
            else:
                try:
                    vid = ud.create_visitatie(user.naam, code, titel, periode, {"naam": group.label(), "leden": group.members},
                                              team=_records(team), contacten=_records(contacten))
                except UserDataError as e:
                    st.error(str(e))
                else:
                    st.query_params.from_dict(open_link(vid))
                    st.rerun()

    st.subheader("Visitatie inlezen")
    up = st.file_uploader("JSON-bestand (gemaakt met 'Exporteren als JSON' op deze of een andere installatie)", type=["json"])
    if up is not None and st.button("Inlezen als nieuwe visitatie"):
        try:
            vid = ud.import_visitatie(up.getvalue(), user.naam, known_codes=set(names))
        except UserDataError as e:
            st.error(str(e))
        else:
            st.success("Ingelezen als nieuwe visitatie; bestaande visitaties zijn niet veranderd.")
            st.page_link("visitatie.py", label="Openen", query_params=open_link(vid))


def _frame(rows: list[dict], columns: tuple[str, ...]):
    """Rows as an editable (pandas) table with exactly these text columns."""
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns}).to_pandas()


def _records(frame) -> list[dict]:
    """Rows of a data_editor (pandas) as plain dicts of strings, empty rows dropped."""
    rows = frame.fillna("").astype(str).to_dict("records")
    return [{k: v.strip() for k, v in r.items()} for r in rows if any(v.strip() for v in r.values())]


def refuse(message: str) -> None:
    st.error(message)
    st.page_link("visitatie.py", label="Naar het overzicht van visitaties", query_params={})


# ---- dossier ----------------------------------------------------------------------------------------------------------------
def dossier(vid: int) -> None:
    v = ud.visitatie(vid)
    if v is None or not may_open(user, v):
        refuse(NO_ACCESS)
        return
    edit = may_edit(user, v)
    st.page_link("visitatie.py", label="Alle visitaties", query_params={}, icon=":material/arrow_back:")
    st.title(v["titel"])
    i = vt.STATUSSEN.index(v["status"])
    st.markdown(f"Gemeente **{names.get(v['gemeente_code'], v['gemeente_code'])}** ({v['gemeente_code']}) · periode "
                f"**{v['periode']}** · status: " + " → ".join(f"**{s}**" if s == v["status"] else s for s in vt.STATUSSEN))
    if not edit:
        st.caption("U kunt dit dossier lezen; alleen het visitatieteam en beheer kunnen het wijzigen (normen kunt u wel zetten).")

    leden = [m for m in v["groep"]["leden"] if m in names]
    gone = [m for m in v["groep"]["leden"] if m not in names]
    if v["foto"] is None and not leden:
        st.warning("De referentiegroep van deze visitatie is leeg geworden na de laatste databouw: geen van de leden "
                   f"({', '.join(v['groep']['leden'])}) bestaat nog in de indeling van {wh.newest_indeling}. De foto toont "
                   "de gemeente en Nederland zonder groep. Kies onder 'Gegevens' een nieuwe referentiegroep.")
    elif v["foto"] is None and gone:
        st.caption(f"Niet meer in de indeling van {wh.newest_indeling} en daarom weggelaten uit de groep: {', '.join(gone)}.")
    live = live_foto(v["gemeente_code"], leden, v["groep"]["naam"])
    foto = v["foto"] or live
    items = ud.items(vid)

    if edit and i + 1 < len(vt.STATUSSEN):
        nxt = vt.STATUSSEN[i + 1]
        extra = " De cijfermatige foto wordt dan bevroren." if v["foto"] is None else ""
        if st.button(f"Naar fase '{nxt}'", key="volgende-fase", help=f"De status gaat van {v['status']} naar {nxt}.{extra}"):
            try:
                ud.advance_status(vid, v["versie"], user.naam, live)
            except UserDataError as e:
                st.error(str(e))
            else:
                st.rerun()

    tabs = st.tabs(["Cijfermatige foto", "Thema's en notities", "Bevindingen en aanbevelingen", "Gegevens", "Geschiedenis",
                    "Exporteren"])
    with tabs[0]:
        foto_tab(v, foto, live, items)
    with tabs[1]:
        themes_tab(v, items, edit)
    with tabs[2]:
        findings_tab(v, items, edit)
    with tabs[3]:
        details_tab(v, edit)
    with tabs[4]:
        history_tab(v, edit)
    with tabs[5]:
        export_tab(v, foto, items)


def foto_tab(v: dict, foto: dict, live: dict, items: list[dict]) -> None:
    if v["foto_bevroren"]:
        st.info(f"Bevroren op {v['foto_bevroren'].replace('T', ' ')} (databouw van {foto['databouw']['tijd']}). Een latere "
                "databouw verandert deze foto niet.")
        diff = vt.changes(foto, live)
        with st.expander(f"Wat is er veranderd sinds de bevriezing ({len(diff)})"):
            st.markdown("\n".join(f"- {d}" for d in diff) if diff else "Niets: de huidige cijfers zijn gelijk aan de bevroren foto.")
    else:
        st.caption("Concept: de foto volgt de nieuwste cijfers tot de visitatie de voorbereiding verlaat; dan wordt hij bevroren.")
    if not any(r["realisatie"] is not None for r in foto["regels"]):
        st.warning(f"Voor {foto['gemeente']} staan geen cijfers voor de kernindicatoren in het warehouse.")
    card = vt.scorecard(foto, v["normen"])
    old_norms = {k: n for k, n in v["normen"].items() if k in vt.LEGACY}
    if old_norms:
        st.info("Normen voor kernindicatoren van een eerdere versie worden niet gebruikt (de nieuwe indicator heeft een andere "
                "definitie): " + "; ".join(f"{k} = {nl_number(n, 1)}" for k, n in old_norms.items()) + ". Zet zo nodig een nieuwe norm.")
    n1 = lambda x: nl_number(x, 1)  # noqa: E731
    shown = pl.DataFrame([{
        "Indicator": r["Indicator"], "Periode": (r["Periode"] or "–") + (" (verouderd)" if r["Verouderd"] else ""),
        "Norm": f"{n1(r['Norm'])} ({r['Normbron']})", "Realisatie": vt.realisatie_text(r),
        "Prognose": f"{n1(r['Prognose'])} ({r['Prognosejaar']})" if r["Prognose"] is not None else r["Prognosejaar"],
        "Afwijking": n1(r["Afwijking"]), "Signaal": r["Signaal"],
        "Referentiegroep (P25–P75)": f"{n1(r['Referentiegroep'])} ({n1(r['Groep P25'])}–{n1(r['Groep P75'])}; n={r['Groep n']})",
        "Nederland": n1(r["Nederland"]), "Trend": r["Trend"], "Bron": r["Bron"], "Peildatum": r["Peildatum"],
    } for r in card.iter_rows(named=True)])
    lines = rapport.foto_lines(foto, v["titel"])
    table(shown, card.drop("indicator"), lines, key=f"foto-{v['id']}")
    st.caption(vt.SIGNAAL_REGEL + " " + vt.PROGNOSE_METHODE + " W-deel en I-deel zijn proxies (zie Bronnen en definities).")
    for k in vt.KERN:
        notes = [i for i in items if vt.LEGACY.get(i["indicator"], i["indicator"]) == k.id]
        if notes:
            st.markdown(f"**Notities bij {label(k.id)}**\n" + "\n".join(f"- *{i['soort']}*: {i['tekst']}" for i in notes))
    c = rapport.foto_chart(foto)
    if c is not None:
        chart(c, f"Cijfermatige foto {foto['gemeente']}", lines, key=f"fotografiek-{v['id']}")

    if may_set_norms(user, v):
        with st.expander("Normen zetten (doel van het team of de gemeente)"):
            with st.form(f"normen-{v['id']}"):
                typed = {k.id: st.text_input(label(k.id), value=nl_number(v["normen"][k.id], 1) if k.id in v["normen"] else "",
                                             placeholder="leeg = geen norm (beschrijvend)" if vt.descriptive(k)
                                             else "leeg = gemiddelde referentiegroep", key=f"norm-{k.id}")
                         for k in vt.KERN}
                if st.form_submit_button("Normen opslaan", key="normen-opslaan"):
                    normen, errors = {}, []
                    for ind, text in typed.items():
                        try:
                            value = vt.parse_norm(text, ind)
                        except vt.NormError as e:
                            errors.append(str(e))
                        else:
                            if value is not None:
                                normen[ind] = value
                    if errors:
                        st.error("Niets opgeslagen. " + " ".join(errors))
                    else:
                        save_visitatie(v, {"normen": normen})


def save_visitatie(v: dict, changes: dict) -> None:
    try:
        ud.update_visitatie(v["id"], v["versie"], user.naam, changes)
    except Conflict as c:
        st.error(str(c))
        st.markdown(f"**Uw wijziging** ({c.field}):")
        st.code(json.dumps(c.mine, ensure_ascii=False, indent=1) if not isinstance(c.mine, str) else c.mine, language=None)
        st.markdown(f"**Nu opgeslagen** (versie {c.versie} van {c.door}):")
        st.code(json.dumps(c.theirs, ensure_ascii=False, indent=1) if not isinstance(c.theirs, str) else c.theirs, language=None)
        st.caption("Herlaad de pagina om de nieuwste versie te zien en breng uw wijziging daarin opnieuw aan.")
    except UserDataError as e:
        st.error(str(e))
    else:
        st.rerun()


def item_editor(item: dict, edit: bool) -> None:
    """One note or finding: its text, and (for the team) edit and delete, with conflict handling."""
    iid = item["id"]
    meta = " · ".join(x for x in (item["soort"], item["prioriteit"] and f"prioriteit {item['prioriteit']}", item["thema"],
                                  item["indicator"] and label(item["indicator"])) if x)
    box = st.container(border=True)
    box.markdown(item["tekst"])
    box.caption(f"{meta} · versie {item['versie']}, {item['gewijzigd'].replace('T', ' ')} door {item['door']}")
    if not edit:
        return
    base_key, conflict_key = f"basis-{iid}", f"conflict-{iid}"
    st.session_state.setdefault(base_key, item["versie"])  # the version this user started from
    with box.expander("Bewerken"):
        conflict: Conflict | None = st.session_state.get(conflict_key)
        if conflict is not None:
            st.error(str(conflict))
            a, b = st.columns(2)
            a.markdown("**Uw tekst**")
            a.code(conflict.mine, language=None, wrap_lines=True)
            b.markdown(f"**Tekst van {conflict.door}** (versie {conflict.versie})")
            b.code(conflict.theirs, language=None, wrap_lines=True)
            merged = st.text_area("Samengevoegde tekst", value=f"{conflict.theirs}\n\n{conflict.mine}", key=f"samen-{iid}")
            c1, c2 = st.columns(2)
            if c1.button("Samengevoegde tekst opslaan", key=f"samen-opslaan-{iid}", type="primary"):
                _save_item(iid, conflict.versie, {"tekst": merged})
            if c2.button(f"Tekst van {conflict.door} houden", key=f"hunne-{iid}"):
                del st.session_state[conflict_key]
                st.session_state[base_key] = conflict.versie
                st.rerun()
            return
        with st.form(f"bewerk-{iid}"):
            text = st.text_area("Tekst", value=item["tekst"], key=f"tekst-{iid}")
            if st.form_submit_button("Opslaan", key=f"opslaan-{iid}"):
                _save_item(iid, st.session_state[base_key], {"tekst": text})
        if st.button("Verwijderen", key=f"weg-{iid}", help="Blijft in de geschiedenis en kan worden teruggezet."):
            _save_item(iid, st.session_state[base_key], {"verwijderd": 1})


def _save_item(iid: int, base: int, changes: dict) -> None:
    try:
        new = ud.update_item(iid, base, user.naam, changes)
    except Conflict as c:
        st.session_state[f"conflict-{iid}"] = c
        st.rerun()
    except UserDataError as e:
        st.error(str(e))
    else:
        st.session_state[f"basis-{iid}"] = new
        st.session_state.pop(f"conflict-{iid}", None)
        st.rerun()


def add_form(v: dict, key: str, soorten: list[str], finding: bool) -> None:
    kern = [None] + [k.id for k in vt.KERN]
    with st.form(key, clear_on_submit=True):
        c = st.columns(4 if finding else 3)
        soort = c[0].selectbox("Soort", soorten, key=f"{key}-soort")
        thema = c[1].selectbox("Thema", ([None] if finding else []) + v["themas"], format_func=lambda t: t or "—", key=f"{key}-thema")
        indicator = c[2].selectbox("Bij indicator", kern, format_func=label, key=f"{key}-indicator")
        prioriteit = c[3].selectbox("Prioriteit", vt.PRIORITEITEN, key=f"{key}-prioriteit") if finding else None
        tekst = st.text_area("Tekst", key=f"{key}-tekst")
        if st.form_submit_button("Toevoegen", key=f"{key}-toevoegen"):
            try:
                ud.add_item(v["id"], user.naam, soort, tekst, thema=thema, indicator=indicator, prioriteit=prioriteit)
            except UserDataError as e:
                st.error(str(e))
            else:
                st.rerun()


def themes_tab(v: dict, items: list[dict], edit: bool) -> None:
    notes = [i for i in items if i["soort"] in vt.NOTITIE_SOORTEN]
    if edit:
        st.markdown("**Notitie toevoegen**: waarnemingen, het verhaal achter de cijfers, sterke punten en verbeterpunten.")
        add_form(v, f"notitie-{v['id']}", vt.NOTITIE_SOORTEN, finding=False)
    for thema in v["themas"] + sorted({i["thema"] for i in notes} - set(v["themas"])):
        mine = [i for i in notes if i["thema"] == thema]
        with st.expander(f"{thema} ({len(mine)})", expanded=bool(mine)):
            for i in mine:
                item_editor(i, edit)
    if edit:
        with st.expander("Thema's aanpassen"):
            with st.form(f"themas-{v['id']}"):
                text = st.text_area("Eén thema per regel", value="\n".join(v["themas"]), height=300)
                if st.form_submit_button("Thema's opslaan"):
                    save_visitatie(v, {"themas": text.splitlines()})


def findings_tab(v: dict, items: list[dict], edit: bool) -> None:
    if edit:
        st.markdown("**Bevinding of aanbeveling toevoegen** (met prioriteit en het thema of de indicator waarop zij rust).")
        add_form(v, f"bevinding-{v['id']}", vt.BEVINDING_SOORTEN, finding=True)
    order = {p: n for n, p in enumerate(vt.PRIORITEITEN)}
    found = sorted((i for i in items if i["soort"] in vt.BEVINDING_SOORTEN), key=lambda i: (i["soort"], order[i["prioriteit"]]))
    if not found:
        st.caption("Nog geen bevindingen of aanbevelingen.")
    for i in found:
        item_editor(i, edit)


def details_tab(v: dict, edit: bool) -> None:
    st.markdown(f"**Referentiegroep**: {v['groep']['naam']} — " + ", ".join(names.get(m, m) for m in v["groep"]["leden"]))
    if not edit:
        st.markdown("**Team**: " + ", ".join(m["naam"] for m in v["team"]))
        return
    with st.form(f"gegevens-{v['id']}"):
        titel = st.text_input("Titel", value=v["titel"], max_chars=200)
        periode = st.text_input("Periode", value=v["periode"])
        st.markdown("**Visitatieteam**")
        team = st.data_editor(_frame(v["team"], TEAM), num_rows="dynamic", key=f"team-{v['id']}", width="stretch")
        st.markdown("**Contactpersonen van de gemeente**")
        contacten = st.data_editor(_frame(v["contacten"], CONTACT), num_rows="dynamic", key=f"contacten-{v['id']}", width="stretch")
        cols = st.columns(len(DATUMS))
        datums = {}
        for col, (k, lab) in zip(cols, DATUMS.items()):
            d = col.date_input(lab, value=date.fromisoformat(v["datums"][k]) if v["datums"].get(k) else None, format="DD-MM-YYYY")
            datums[k] = d.isoformat() if d else None
        if st.form_submit_button("Gegevens opslaan"):
            save_visitatie(v, {"titel": titel, "periode": periode, "team": _records(team), "contacten": _records(contacten),
                               "datums": datums})
    if v["foto"] is None:
        group = current_group(wh, v["gemeente_code"], show_notes=False)
        st.caption(f"Groep in de link (pagina Referentiegroep): {group.label()}, {len(group.members)} gemeenten.")
        if st.button("Referentiegroep vervangen door de groep uit de link",
                     help="Kan alleen zolang de foto niet bevroren is.",
                     disabled=not group.members):
            save_visitatie(v, {"groep": {"naam": group.label(), "leden": group.members}})


def history_tab(v: dict, edit: bool) -> None:
    hist = ud.history(v["id"])
    st.dataframe(pl.DataFrame([{"Wanneer": h["wanneer"].replace("T", " "), "Wie": h["wie"],
                                "Onderdeel": "visitatie" if h["onderdeel"] == "visitatie" else f"notitie {h['onderdeel_id']}",
                                "Versie": h["versie"], "Wat": h["wat"]} for h in hist]), hide_index=True, width="stretch")
    pick = st.selectbox("Versie bekijken", [h["id"] for h in hist], format_func=lambda i: next(
        f"{h['wanneer'].replace('T', ' ')} · {h['wie']} · {h['wat']}" for h in hist if h["id"] == i))
    chosen = next(h for h in hist if h["id"] == pick)
    st.json(chosen["inhoud"], expanded=False)
    if edit and st.button("Deze versie terugzetten", help="Wordt een nieuwe versie; niets verdwijnt uit de geschiedenis. "
                          "Status en bevroren foto blijven zoals ze zijn."):
        try:
            ud.restore(pick, user.naam)
        except UserDataError as e:
            st.error(str(e))
        else:
            st.rerun()


def export_tab(v: dict, foto: dict, items: list[dict]) -> None:
    key = f"pdf-{v['id']}"
    if st.button("PDF-rapport maken", type="primary", key="pdf-maken"):
        t = time.perf_counter()
        st.session_state[key] = rapport.build_pdf(v, foto, items, names)
        st.session_state[key + "-tijd"] = time.perf_counter() - t
    if key in st.session_state:
        st.download_button("PDF downloaden", st.session_state[key], file_name=f"visitatie-{v['gemeente_code']}-{v['id']}.pdf",
                           mime="application/pdf", icon=":material/download:", on_click="ignore")
        st.caption(f"Gemaakt in {nl_number(st.session_state[key + '-tijd'], 1)} s.")
    def doc() -> str:
        return json.dumps(ud.export_visitatie(v["id"]), ensure_ascii=False, indent=1)

    st.download_button("Exporteren als JSON (inleesbaar op een andere installatie)", doc, mime="application/json",
                       file_name=f"visitatie-{v['gemeente_code']}-{v['id']}.json", icon=":material/download:", on_click="ignore")
    st.caption("De cijfers van de foto als Excel of CSV: zie de knoppen onder de tabel op het tabblad 'Cijfermatige foto'.")


asked = st.query_params.get("visitatie")
if asked is None:
    overview()
elif not asked.isdigit():
    refuse(f"'{asked}' is geen visitatienummer. " + NO_ACCESS)
else:
    dossier(int(asked))
