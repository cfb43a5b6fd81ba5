"""Notes, findings and recommendations: the add form and the editor of one item (with conflict handling), shared by the
tabs 'Thema's en notities' and 'Bevindingen en aanbevelingen'."""

from __future__ import annotations

import streamlit as st

from portal import visitatie as vt
from portal.nl import nl_datetime
from portal.tekst import literal
from portal.userdata.checks import MAX_TEKST
from portal.userdata import Conflict, UserDataError
from portal.ui.visitatie.common import Ctx


def add_form(ctx: Ctx, v: dict, key: str, soorten: list[str], finding: bool) -> None:
    """A new note or finding. A refusal (no text, no theme, no priority) keeps everything the user typed and chose."""
    if st.session_state.pop(f"{key}-leeg", False):  # saved last run: an empty text box for the next one (set before the
        st.session_state[f"{key}-tekst"] = ""         # widget exists, so the browser's box is emptied too)
    with st.form(key):
        c = st.columns(4 if finding else 3)
        soort = c[0].selectbox("Soort", soorten, key=f"{key}-soort")
        thema = c[1].selectbox("Thema", [None] + v["themas"], index=0 if finding else 1, format_func=lambda t: t or "—",
                               key=f"{key}-thema", help=None if finding else
                               "Een notitie bij een indicator komt onder het thema van die indicator.")
        indicator = c[2].selectbox("Bij indicator", [None] + [k.id for k in vt.KERN], format_func=vt.indicator_label,
                                   key=f"{key}-indicator")
        prioriteit = c[3].selectbox("Prioriteit", vt.PRIORITEITEN, key=f"{key}-prioriteit") if finding else None
        tekst = st.text_area("Tekst", key=f"{key}-tekst", max_chars=MAX_TEKST)
        if st.form_submit_button("Toevoegen", key=f"{key}-toevoegen"):
            try:
                ctx.ud.add_item(v["id"], ctx.user.naam, soort, tekst, thema=thema, indicator=indicator, prioriteit=prioriteit)
            except UserDataError as e:
                st.error(literal(e.dutch()))
            else:
                st.session_state[f"{key}-leeg"] = True
                st.rerun()


def item_editor(ctx: Ctx, item: dict, edit: bool) -> None:
    """One note or finding: its text, and (for the team) edit and delete, with conflict handling."""
    iid = item["id"]
    thema = vt.item_thema(item["soort"], item["thema"], item["indicator"])
    meta = " · ".join(x for x in (item["soort"], item["prioriteit"] and f"prioriteit {item['prioriteit']}", thema,
                                  item["indicator"] and vt.indicator_label(item["indicator"])) if x)
    box = st.container(border=True)
    box.markdown(literal(item["tekst"]))
    box.caption(literal(f"{meta} · versie {item['versie']}, {nl_datetime(item['gewijzigd'])} door {item['door']}"))
    if not edit:
        return
    base_key, conflict_key = f"basis-{iid}", f"conflict-{iid}"
    st.session_state.setdefault(base_key, item["versie"])  # the version this user started from
    with box.expander("Bewerken"):
        conflict: Conflict | None = st.session_state.get(conflict_key)
        if conflict is not None:
            st.error(literal(str(conflict)))
            a, b = st.columns(2)
            a.markdown("**Uw tekst**")
            a.code(conflict.mine, language=None, wrap_lines=True)
            b.markdown(f"**Tekst van {literal(conflict.door)}** (versie {conflict.versie})")
            b.code(conflict.theirs, language=None, wrap_lines=True)
            merged = st.text_area("Samengevoegde tekst", value=f"{conflict.theirs}\n\n{conflict.mine}", key=f"samen-{iid}")
            c1, c2 = st.columns(2)
            if c1.button("Samengevoegde tekst opslaan", key=f"samen-opslaan-{iid}", type="primary"):
                _save(ctx, iid, conflict.versie, {"tekst": merged})
            if c2.button(f"Tekst van {literal(conflict.door)} houden", key=f"hunne-{iid}"):
                del st.session_state[conflict_key]
                st.session_state[base_key] = conflict.versie
                st.rerun()
            return
        with st.form(f"bewerk-{iid}"):
            text = st.text_area("Tekst", value=item["tekst"], key=f"tekst-{iid}", max_chars=max(MAX_TEKST, len(item["tekst"])))
            if st.form_submit_button("Opslaan", key=f"opslaan-{iid}"):
                _save(ctx, iid, st.session_state[base_key], {"tekst": text})
        if st.button("Verwijderen", key=f"weg-{iid}", help="Blijft in de geschiedenis en kan worden teruggezet."):
            _save(ctx, iid, st.session_state[base_key], {"verwijderd": 1})


def _save(ctx: Ctx, iid: int, base: int, changes: dict) -> None:
    try:
        new = ctx.ud.update_item(iid, base, ctx.user.naam, changes)
    except Conflict as c:
        st.session_state[f"conflict-{iid}"] = c
        st.rerun()
    except UserDataError as e:
        st.error(literal(e.dutch()))
    else:
        st.session_state[f"basis-{iid}"] = new
        st.session_state.pop(f"conflict-{iid}", None)
        st.rerun()
