"""Choices kept in the URL, so a shared link gives the same view: the gemeente, indicator, indeling and other pickers,
gemeente codes and record ids from a link, and the referentiegroep the link describes. An invalid value gets a Dutch
warning naming the parameter, and a fallback."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from portal import metrics, peers
from portal.indeling import is_gemeente_code
from portal.store import OLD_NAMES, Warehouse
from portal.tekst import literal, quoted
from portal.ui.data import build_id, features, userdata

GROUP_KEYS = ("groep", "rg", "k", "kenm", "klasse", "plus", "min")
# What a link may carry. ASCII digits only ('²'.isdigit() is True, int('١٢') is 12, int('1_0') is 10); at most 18 digits, so
# an id always fits SQLite's 64-bit integer.
ID_RE = re.compile(r"[0-9]{1,18}")


def parse_id(value: str | None) -> int | None:
    """A record id from a link (saved group, visitatie): ASCII digits within SQLite's range, else None."""
    return int(value) if value is not None and ID_RE.fullmatch(value) else None


def url_choice(param: str, allowed: tuple[str, ...], default: str, what: str) -> str:
    """A fixed-choice parameter (?indeling=, ?maat=, ?index=): an unknown value gets a Dutch warning and `default`."""
    value = st.query_params.get(param, default)
    if value not in allowed:
        st.warning(f"{what} {quoted(value)} (parameter {param} in de link) bestaat niet; mogelijk is "
                   + " of ".join(f"'{a}'" for a in allowed) + f". Getoond wordt '{default}'.")
        value = default
    return value


def url_select(label: str, options: list[str], param: str, default: str, format_func=str, unknown=None, **kw) -> str:
    """The one way a selectbox is kept in the URL (under `param`). A value in the URL that is not an option (a bad link,
    or a year the newly chosen indicator lacks) falls back to `default` with a Dutch warning naming the parameter;
    `unknown(quoted value)` may give that warning's text."""
    value = st.query_params.get(param, default)
    if value not in options:
        fallback = default if default in options else options[0]
        if param in st.query_params:
            st.warning(unknown(quoted(value)) if unknown else
                       f"{label.strip()} {quoted(value)} (parameter {param} in de link) is hier niet beschikbaar; getoond wordt "
                       f"{literal(format_func(fallback))}.")
        value = fallback
    value = st.selectbox(label, options, index=options.index(value), format_func=format_func, **kw)
    st.query_params[param] = value
    return value


def url_slider(label: str, options: list[str], param: str, default: str, **kw) -> str:
    """A select_slider kept in the URL under `param`, like url_select: a value in the link that is not an option falls back
    to `default` with a Dutch warning naming the parameter."""
    value = st.query_params.get(param, default)
    if value not in options:
        fallback = default if default in options else options[-1]
        if param in st.query_params:
            st.warning(f"{label.strip()} {quoted(value)} (parameter {param} in de link) is hier niet beschikbaar; mogelijk is "
                       f"{options[0]} tot en met {options[-1]}. Getoond wordt {literal(fallback)}.")
        value = fallback
    value = st.select_slider(label, options, value=value, **kw)
    st.query_params[param] = value
    return value


def gemeente_picker(wh: Warehouse, default: str = "GM0363") -> str:
    """Sidebar selectbox of the newest indeling's gemeenten, kept in the URL as ?gemeente=GMxxxx.

    An unknown code in the URL gives a Dutch message; a merged-away code offers its successor(s).
    """
    gm = wh.gemeenten()
    codes = gm["gemeentecode"].to_list()
    labels = dict(zip(codes, gm["gemeentenaam"].to_list()))
    asked = st.query_params.get("gemeente", default)
    if asked not in labels:
        if not is_gemeente_code(asked):
            st.error(f"{quoted(asked)} (parameter gemeente in de link) is geen geldige gemeentecode (verwacht: GM gevolgd door "
                     f"vier cijfers, bijv. GM0363). Getoond wordt {labels[default]}.")
        elif (check := wh.check_code(asked)).successors:
            st.warning(literal(check.message))
            for s in check.successors:
                st.button(f"Toon {labels.get(s, s)} ({s})", key=f"opvolger-{s}", on_click=st.query_params.update,
                          kwargs={"gemeente": s})
        else:
            st.error(literal(check.message) + f" Getoond wordt {labels[default]}.")
        asked = default
    # The URL is the source of truth at the start of a run; a choice in the widget writes itself back to the URL.
    # An invalid code stays in the URL (the message shows again on reload) until the user picks another gemeente.
    st.session_state["gemeente_keuze"] = asked
    if st.query_params.get("gemeente", asked) == asked:
        st.query_params["gemeente"] = asked
    st.sidebar.selectbox("Gemeente", codes, format_func=lambda c: f"{labels[c]} ({c})", key="gemeente_keuze",
                         on_change=lambda: st.query_params.update(gemeente=st.session_state["gemeente_keuze"]))
    return asked


def indicator_picker(available: list[str], key: str, default: str = "dichtheid_uitkeringen_totaal") -> str:
    """Indicator selectbox kept in the URL as ?indicator=<id>; an unknown id in a link gets a Dutch warning. The default
    is the dichtheid with the newest figures (85383NED), so a page opens on the newest period that has data."""
    return url_select("Indicator", available, "indicator", default, format_func=lambda i: metrics.get(i).label, key=key,
                      unknown=lambda asked: f"Indicator {asked} uit de link (parameter indicator) bestaat niet of heeft hier "
                                            f"geen cijfers; getoond wordt: {metrics.get(default).label}.")


def indeling_picker(wh: Warehouse) -> tuple[str, dict[str, str]]:
    """Sidebar choice of boundaries, kept in the URL as ?indeling=nieuwste|jaar; returns the choice and the labels.
    ?indeling=eigen, the old name of "jaar" in shared links and bookmarks, opens "jaar" without a warning."""
    labels = {"nieuwste": f"Indeling {wh.newest_indeling} (geharmoniseerd)", "jaar": "Indeling van elk jaar zelf"}
    if st.query_params.get("indeling") in OLD_NAMES:
        st.query_params["indeling"] = OLD_NAMES[st.query_params["indeling"]]
    asked = url_choice("indeling", tuple(labels), "nieuwste", "Indeling")
    indeling = st.sidebar.radio("Gemeentegrenzen", list(labels), format_func=labels.get, index=list(labels).index(asked))
    st.query_params["indeling"] = indeling
    return indeling, labels


def density_toggle(default: bool) -> bool:
    """Sidebar switch between counts and dichtheid, kept in the URL as ?maat=aantal|dichtheid."""
    asked = url_choice("maat", ("aantal", "dichtheid"), "dichtheid" if default else "aantal", "Maat")
    density = st.sidebar.toggle("Dichtheid per 1 000 inwoners", value=asked == "dichtheid")
    st.query_params["maat"] = "dichtheid" if density else "aantal"
    return density


def codes_param(key: str, known: dict[str, str] | set[str]) -> list[str]:
    """A comma-separated list of gemeente codes from the URL; invalid and unknown codes are dropped with a Dutch warning."""
    asked = [c.strip() for c in st.query_params.get(key, "").split(",") if c.strip()]
    good = [c for c in dict.fromkeys(asked) if is_gemeente_code(c) and c in known]
    bad = [c for c in asked if c not in good]
    if bad:
        st.warning(f"Onbekende of ongeldige gemeentecodes in de link (parameter {key}) genegeerd: "
                   + ", ".join(quoted(c, 20) for c in bad[:10]) + (f" en nog {len(bad) - 10}" if len(bad) > 10 else "") + ".")
    return good


def current_group(wh: Warehouse, code: str, show_notes: bool = True) -> peers.Group:
    """The referentiegroep the URL describes: a saved group (?groep=id) or a definition (?rg=knn&k=10&kenm=...)."""
    fm = features()
    params = st.query_params.to_dict()
    if "groep" in params:
        gid = parse_id(params["groep"])
        saved = userdata().group(gid) if gid is not None else None
        if saved is None:
            st.error(f"Opgeslagen referentiegroep {quoted(params['groep'])} (parameter groep in de link) bestaat niet (meer). "
                     f"Getoond wordt de standaardgroep: de {peers.DEFAULT_K} meest gelijkende gemeenten.")
        else:
            naam, made_for, spec, leden = saved
            members = [m for m in leden if m != code and m in fm.names]
            why = peers.distances(fm, code, spec.features, members) if members else pl.DataFrame()
            notes = [] if made_for == code else [
                f"Deze groep is samengesteld voor {fm.names.get(made_for, made_for)}; de leden blijven dezelfde."]
            gone = [m for m in leden if m not in fm.names]
            if gone:
                notes.append(f"Niet meer in de indeling van {wh.newest_indeling} en daarom weggelaten: {', '.join(gone)}.")
            group = peers.Group(spec, code, members, why, notes, name=naam)
            _show(group.notes if show_notes else [])
            return group
    spec, msgs = peers.spec_from_params({k: v for k, v in params.items() if k in GROUP_KEYS and k != "groep"})
    for m in msgs:
        st.warning(m)
    group = peers.resolve(wh, fm, spec, code)
    _show(group.notes if show_notes else [])
    return group


def _show(notes: list[str]) -> None:
    for n in notes:
        st.caption(literal(n))  # they can name a saved group's members as stored


def set_group_params(spec: peers.GroupSpec) -> None:
    """Write a group definition into the URL (dropping a saved-group id)."""
    for k in GROUP_KEYS:
        if k in st.query_params:
            del st.query_params[k]
    st.query_params.update(spec.to_params())


def share_link() -> None:
    """The full link to what the page shows, with the data build it was made on, in a box with a copy button."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "bouw"} | {"bouw": build_id()}
    base = str(getattr(st.context, "url", "") or "").split("?")[0]
    st.markdown("**Link naar deze weergave** (kopieer met de knop rechts; werkt op elke pagina van het portaal):")
    st.code(f"{base}?" + urlencode(params, safe=","), language=None)
