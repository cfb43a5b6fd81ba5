"""The own-file block on the foto tab: the gemeente's choice to share it, and the block itself (portal.visitatie_eigen)."""

from __future__ import annotations

import streamlit as st

from portal import visitatie_eigen as ve
from portal import access
from portal.eigen import store
from portal.tekst import literal
from portal.ui.render import downloads
from portal.userdata import UserDataError
from portal.ui.visitatie.common import Ctx, Dossier


@st.cache_data(max_entries=16, show_spinner=False)
def _block(gemeente: str, upload_id: int, db: str) -> dict | None:  # upload and db: the cache key
    return ve.make_block(store.default(), gemeente)


def with_block(v: dict, live: dict) -> dict:
    """The live foto with the own-file block when the gemeente shares it (computed once per upload)."""
    if not v.get("eigen_bestand"):
        return live
    up = store.current(v["gemeente_code"], synthetisch=False)
    try:
        block = None if up is None else _block(v["gemeente_code"], up["id"], str(store.default().path))
    except store.BestandOntbreekt as exc:  # the foto without the block, and why
        st.warning(literal(exc.dutch()))
        block = None
    return ve.include(live, v, block)


def _toggle(ctx: Ctx, vid: int, key: str) -> None:
    try:
        ctx.ud.share_own_file(vid, ctx.user, bool(st.session_state[key]))
    except UserDataError as e:
        st.session_state[key] = not st.session_state[key]
        st.session_state[f"{key}-fout"] = e.dutch()


def render(ctx: Ctx, d: Dossier) -> None:
    v, block = d.v, d.foto.get("eigen")
    allowed = access.may_see(ctx.user, v["gemeente_code"])
    if block is None and v["foto_bevroren"]:
        return  # frozen without: nothing to add or show
    st.subheader(ve.KOP)
    if not v["foto_bevroren"] and allowed:
        has_upload = store.current(v["gemeente_code"], synthetisch=False) is not None
        key = f"eigen-opnemen-{v['id']}"
        st.session_state[key] = bool(v.get("eigen_bestand"))
        st.checkbox("Cijfers uit het eigen bestand opnemen", key=key, on_change=_toggle, args=(ctx, v["id"], key),
                    disabled=not has_upload and not v.get("eigen_bestand"),
                    help="Een paar kerncijfers uit de nieuwste echte upload van de gemeente (geen synthetisch bestand), met "
                         "de upload en peildatum erbij. Het visitatieteam ziet ze dan als deel van de foto; bij het bevriezen "
                         "liggen ze vast, ook als de upload later wordt verwijderd.")
        if error := st.session_state.pop(f"{key}-fout", None):
            st.error(literal(error))
        if not has_upload:
            st.caption("Er is nog geen echte upload van het eigen cliëntbestand van deze gemeente (zie de pagina 'Eigen "
                       "bestand'); een synthetisch voorbeeld komt nooit in de foto.")
    elif block is None and v.get("eigen_bestand"):
        st.caption("De gemeente heeft gekozen cijfers uit haar eigen cliëntbestand in deze foto op te nemen, maar er is nu "
                   "geen echte upload: de foto bevat ze daarom (nog) niet.")
    elif block is None:
        st.caption("De gemeente kan cijfers uit haar eigen cliëntbestand in deze foto opnemen; dat kunnen alleen de gemeente "
                   "zelf en beheer aanzetten.")
    if block is None:
        return
    lines = [ve.marking(block) + ".", ve.shared_line(block), ve.TOELICHTING]
    st.caption(literal(lines[0] + " " + lines[1]))
    if v["foto_bevroren"] and (gone := ve.upload_status(block, store.default())):
        st.warning(literal(gone))
        lines.insert(1, gone)
    # On screen without the marking per row (it stands right above); the downloads carry it in every row.
    st.table(ve.frame(block, with_bron=False), hide_index=True)  # a static table: long periods and reasons wrap
    downloads(ve.frame(block), lines, key=f"foto-eigen-{v['id']}")
    st.caption(literal(ve.TOELICHTING))
