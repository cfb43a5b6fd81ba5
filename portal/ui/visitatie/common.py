"""What the parts of the Visitaties page share: who is working on what (Ctx, Dossier), links, tables to edit, saving."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from portal import visitatie as vt
from portal.nl import nl_datetime, nl_number
from portal.store import Warehouse
from portal.tekst import literal
from portal.access import Gebruiker
from portal.ui.data import userdata, warehouse
from portal.ui.login import current_user
from portal.userdata import VELD_NAMEN, Conflict, UserData, UserDataError

NO_ACCESS = "Deze visitatie bestaat niet, of u heeft er geen toegang toe. Vraag het visitatieteam of de beheerder om toegang."
TEAM = ("naam", "gebruiker", "rol")
CONTACT = ("naam", "functie", "email")


@dataclass(frozen=True)
class Ctx:
    """The warehouse, the user database, the logged-in user and the gemeente names (code -> name)."""

    wh: Warehouse
    ud: UserData
    user: Gebruiker
    names: dict[str, str]


@dataclass(frozen=True)
class Dossier:
    """One opened visitatie: the record, its foto (frozen, or live while in voorbereiding), the live foto, its notes and
    findings, and whether this user may edit it."""

    v: dict
    foto: dict
    live: dict
    items: list[dict]
    edit: bool


def context() -> Ctx:
    """Stops the page with a login form or a Dutch message when there is no user or no warehouse."""
    wh = warehouse()
    ud = userdata()
    user = current_user()
    return Ctx(wh, ud, user, dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows()))


def open_link(vid: int) -> dict:
    return {"visitatie": str(vid)}


def refuse(message: str = NO_ACCESS) -> None:
    """`message` is shown as Markdown: user or link text in it must already be escaped (portal.tekst.quoted)."""
    st.error(message)
    st.page_link("visitatie.py", label="Naar het overzicht van visitaties", query_params={})


def frame(rows: list[dict], columns: tuple[str, ...]):
    """Rows as an editable (pandas) table with exactly these text columns."""
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema={c: pl.String for c in columns}).to_pandas()


def records(table) -> list[dict]:
    """Rows of a data_editor (pandas) as plain dicts of strings, empty rows dropped."""
    rows = table.fillna("").astype(str).to_dict("records")
    return [{k: v.strip() for k, v in r.items()} for r in rows if any(v.strip() for v in r.values())]


def opened(v: dict, form: str, fields: tuple[str, ...]) -> dict:
    """The values of `fields` as this user's form first showed them (with that version), kept across reruns until the
    form is saved or reloaded: what a save is compared with, so nobody else's change is overwritten unseen."""
    key = f"geopend-{form}-{v['id']}"
    if key not in st.session_state:
        st.session_state[key] = {"versie": v["versie"], "waarden": {f: v[f] for f in fields}}
    return st.session_state[key]


def forget_forms(vid: int, form: str | None = None) -> None:
    """Let the forms (or one) of this visitatie start again from what is stored now."""
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(("geopend-", "kopconflict-"))
              and k.endswith(f"-{vid}") and (form is None or k.split("-", 1)[1].startswith(f"{form}-"))]:
        del st.session_state[k]


def stale_notice(v: dict, form: str, fields: tuple[str, ...]) -> None:
    """A word and a reload button when someone saved these fields after this form was opened."""
    base = opened(v, form, fields)
    if any(base["waarden"][f] != v[f] for f in fields):
        st.info(f"{v['door']} heeft dit intussen gewijzigd (versie {v['versie']}, {nl_datetime(v['gewijzigd'])}); het "
                "formulier toont nog de versie waarmee u begon. Slaat u een veld op dat ook is gewijzigd, dan ziet u eerst "
                "beide versies.")
        if st.button("Nieuwste versie laden (niet opgeslagen invoer vervalt)", key=f"laden-{form}-{v['id']}"):
            forget_forms(v["id"], form)
            st.rerun()


def save_visitatie(ctx: Ctx, v: dict, changes: dict, form: str, basis: dict | None = None) -> None:
    """Save what the form changed, compared per field with what it was opened on (`basis`, default: the form's opened
    values), and rerun. A refusal: a Dutch message (the inputs keep what was typed). Someone else changed the same
    field: both versions are kept for conflict_panel, which shows them side by side."""
    basis = basis if basis is not None else opened(v, form, tuple(changes))["waarden"]
    try:
        ctx.ud.update_visitatie(v["id"], v["versie"], ctx.user.naam, changes, basis=basis)
    except Conflict as c:
        st.session_state[f"kopconflict-{form}-{v['id']}"] = {"conflict": c, "changes": changes, "basis": basis}
        st.rerun()
    except UserDataError as e:
        st.error(literal(e.dutch()))
    else:
        forget_forms(v["id"], form)
        st.rerun()


def conflict_panel(ctx: Ctx, v: dict, form: str) -> bool:
    """When this user's last save of `form` clashed with someone else's: per field both versions, a choice (theirs,
    mine, or for a text a merged text) and a save; True while that is open (the form itself then waits)."""
    key = f"kopconflict-{form}-{v['id']}"
    pending = st.session_state.get(key)
    if pending is None:
        return False
    c: Conflict = pending["conflict"]
    st.error(literal(c.dutch()))
    chosen = {}
    for field, (mine, theirs) in c.velden.items():
        mine = on_top(field, pending["basis"].get(field), mine, theirs)
        name = VELD_NAMEN.get(field, field)
        st.markdown(f"**{name[0].upper() + name[1:]}**")
        a, b = st.columns(2)
        a.caption("Uw versie")
        a.code(show_value(field, mine), language=None, wrap_lines=True)
        b.caption(literal(f"Opgeslagen door {c.door} (versie {c.versie})"))
        b.code(show_value(field, theirs), language=None, wrap_lines=True)
        options = [f"Die van {c.door} houden", "Mijn versie opslaan"] + (["Samenvoegen"] if isinstance(mine, str) else [])
        pick = st.radio(f"Welke {name} blijft?", options, key=f"keuze-{form}-{v['id']}-{field}", horizontal=True,
                        format_func=literal)
        if pick == "Samenvoegen":
            chosen[field] = st.text_input(f"Samengevoegde {name}", value=f"{theirs} / {mine}", key=f"samen-{form}-{v['id']}-{field}")
        else:
            chosen[field] = mine if pick == options[1] else theirs
    row = st.container(horizontal=True)
    if row.button("Opslaan met deze keuze", key=f"kies-{form}-{v['id']}", type="primary"):
        del st.session_state[key]
        basis = {**pending["basis"], **{f: theirs for f, (_, theirs) in c.velden.items()}}
        save_visitatie(ctx, v, {**pending["changes"], **chosen}, form, basis=basis)
    if row.button("Mijn wijziging laten vallen", key=f"vervallen-{form}-{v['id']}"):
        forget_forms(v["id"], form)
        st.rerun()
    return True


def on_top(field: str, opened_value, mine, theirs):
    """My version of a field to put against theirs. For norms and dates only what I changed, on top of theirs: keeping
    'mine' then never undoes a norm or date the other set that I did not touch."""
    if not (isinstance(opened_value, dict) and isinstance(mine, dict) and isinstance(theirs, dict)):
        return mine
    out = dict(theirs)
    for k in dict.fromkeys([*opened_value, *mine]):
        if mine.get(k) != opened_value.get(k):
            out[k] = mine.get(k)
    return {k: x for k, x in out.items() if x is not None} if field == "normen" else out


def show_value(field: str, value) -> str:
    """A field's value as plain text for side-by-side comparison."""
    if value is None or value == [] or value == {}:
        return "(leeg)"
    if field in ("team", "contacten"):
        return "\n".join(" · ".join(str(x) for x in row.values() if x) for row in value)
    if field == "themas":
        return "\n".join(value)
    if field == "datums":
        return "\n".join(f"{vt.DATUMS.get(k, k)}: {nl_datetime(d) if d else 'geen'}" for k, d in value.items())
    if field == "normen":
        return "\n".join(f"{vt.indicator_label(k)}: {nl_number(x, 1)}" for k, x in value.items())
    if field == "groep":
        return f"{value.get('naam')}: " + ", ".join(value.get("leden", []))
    return str(value)
