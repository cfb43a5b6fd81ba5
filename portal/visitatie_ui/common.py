"""What the parts of the Visitaties page share: who is working on what (Ctx, Dossier), links, tables to edit, saving."""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl
import streamlit as st

from portal.store import Warehouse
from portal.tekst import literal
from portal.ui import current_user, userdata, warehouse
from portal.userdata import Conflict, Gebruiker, UserData, UserDataError

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


def save_visitatie(ctx: Ctx, v: dict, changes: dict) -> None:
    """Save and rerun; on a refusal a Dutch message (the inputs keep what was typed), on a conflict both versions."""
    try:
        ctx.ud.update_visitatie(v["id"], v["versie"], ctx.user.naam, changes)
    except Conflict as c:
        st.error(literal(str(c)))
        st.markdown(f"**Uw wijziging** ({c.field}):")
        st.code(json.dumps(c.mine, ensure_ascii=False, indent=1) if not isinstance(c.mine, str) else c.mine, language=None)
        st.markdown(f"**Nu opgeslagen** (versie {c.versie} van {c.door}):")
        st.code(json.dumps(c.theirs, ensure_ascii=False, indent=1) if not isinstance(c.theirs, str) else c.theirs, language=None)
        st.caption("Herlaad de pagina om de nieuwste versie te zien en breng uw wijziging daarin opnieuw aan.")
    except UserDataError as e:
        st.error(literal(str(e)))
    else:
        st.rerun()
