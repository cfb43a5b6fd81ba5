"""Streamlit helpers shared by every page: cached warehouse access and computations per data build, the gemeente
picker and widgets kept in the URL, charts and tables with downloads, errors."""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import altair as alt
import polars as pl
import streamlit as st

from portal.paths import USERDATA, WAREHOUSE
from portal import benchmark, export, metrics, peers, proxy, views
from portal import funnel as funnel_mod
from portal.charts import finish, nl_number
from portal import visitatie as vt
from portal.store import Warehouse, WarehouseMissing, WarehouseUnavailable
from portal.tekst import literal, quoted
from portal.userdata import Gebruiker, UserData, local_user
from portal.userdata.accounts import MAX_NAAM, TeVeelPogingen, nog_wachten

# Every page, in menu order: (file, menu title, url path). The menu carries the URL's query string to the next page.
# File names are relative to pages/app.py, the entry point. It sits inside pages/ on purpose: a "pages" folder next to
# the entry script would switch Streamlit to its old folder-based navigation for a first visit to a deep link.
PAGES = [
    ("profiel.py", "Gemeenteprofiel", "profiel"),
    ("referentiegroep.py", "Referentiegroep", "referentiegroep"),
    ("gemeente.py", "Reeksen per definitie", "gemeente"),
    ("vergelijken.py", "Vergelijken", "vergelijken"),
    ("landelijk.py", "Landelijk overzicht", "landelijk"),
    ("kaart.py", "Kaart", "kaart"),
    ("visitatie.py", "Visitaties", "visitatie"),
    ("eigen_bestand.py", "Eigen bestand", "eigen_bestand"),
    ("bronnen.py", "Bronnen en definities", "bronnen"),
]
GROUP_KEYS = ("groep", "rg", "k", "kenm", "klasse", "plus", "min")
# What a link may carry. ASCII digits only ('²'.isdigit() is True, int('١٢') is 12, int('1_0') is 10); at most 18 digits, so
# an id always fits SQLite's 64-bit integer.
ID_RE = re.compile(r"[0-9]{1,18}")
GM_RE = peers.GM_CODE
BUILD_RE = re.compile(r"[0-9a-f]{1,64}")
LOG = logging.getLogger("portal")


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


def failure(page: str) -> None:
    """The last resort for an unexpected error in a page: a Dutch message with a short code for the user, the whole
    traceback in the log under that code for the maintainer."""
    code = secrets.token_hex(3).upper()
    LOG.exception("Foutcode %s op pagina %s, parameters %s", code, page, st.query_params.to_dict())
    st.error("Er ging iets mis bij het tonen van deze pagina. Probeer het opnieuw of kies een andere pagina in het menu; "
             f"blijft het misgaan, dan kan de beheerder dit terugvinden onder foutcode {code}.")


# The open warehouse per path, with the mtime of its build. A rebuild replaces the file (atomic rename): the next call opens
# the new build, clears every per-build cache and retires the old Warehouse; a retired one is closed (file and frames)
# GRACE_S seconds later, when page runs that picked it up before the swap have finished. Memory and open files thus stay
# flat however often the data is rebuilt while the portal runs (measured by `python3 dev.py bench herbouw`).
GRACE_S = 30.0
_held: dict[str, tuple[float, Warehouse]] = {}
_retired: list[tuple[float, Warehouse]] = []
_held_lock = threading.Lock()


def _warehouse(path: str, mtime: float) -> Warehouse:
    with _held_lock:
        now = time.monotonic()
        while _retired and now - _retired[0][0] >= GRACE_S:
            _retired.pop(0)[1].close()
        held = _held.get(path)
        if held and mtime <= held[0]:  # an older key from a run that started before the swap: the file holds the newest
            return held[1]
        wh = Warehouse(Path(path))  # raises WarehouseUnavailable (missing or damaged file)
        _held[path] = (mtime, wh)
        if held:
            _retired.append((now, held[1]))
            _clear_build_caches()
    return wh


def _open() -> tuple[Warehouse | None, str]:
    """The current build's Warehouse, or None and the Dutch message (missing or damaged) with how to rebuild it."""
    try:
        return _warehouse(*_key()), ""
    except FileNotFoundError:
        return None, WarehouseMissing(WAREHOUSE).dutch
    except WarehouseUnavailable as exc:
        return None, exc.dutch


def warehouse_problem() -> str | None:
    """None when the warehouse can be read; otherwise the Dutch message (missing or damaged) with how to rebuild it."""
    return _open()[1] or None


def warehouse() -> Warehouse:
    """The read-only warehouse; reopened when a new build has replaced the file. Stops the page with a Dutch message when
    it is missing or damaged."""
    wh, problem = _open()
    if wh is None:
        st.error(problem)
        st.stop()
        raise AssertionError("st.stop() returned")  # unreachable
    return wh


def gemeente_picker(wh: Warehouse, default: str = "GM0363") -> str:
    """Sidebar selectbox of the newest indeling's gemeenten, kept in the URL as ?gemeente=GMxxxx.

    An unknown code in the URL gives a Dutch message; a merged-away code offers its successor(s).
    """
    gm = wh.gemeenten()
    codes = gm["gemeentecode"].to_list()
    labels = dict(zip(codes, gm["gemeentenaam"].to_list()))
    asked = st.query_params.get("gemeente", default)
    if asked not in labels:
        if not GM_RE.fullmatch(asked):
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


def menu(pages: dict[str, st.Page]) -> None:
    """Sidebar links to every page, carrying the current query string (Streamlit's own menu drops it)."""
    params = st.query_params.to_dict()
    st.markdown("**Bijstandsportaal**")
    for file, title, _ in PAGES:
        st.page_link(pages[file], label=title, query_params=params)
    made_on = params.get("bouw")
    if made_on and not BUILD_RE.fullmatch(made_on):
        st.warning(f"De databouw in de link (parameter bouw, {quoted(made_on)}) is geen geldige bouwcode en wordt genegeerd.")
        made_on = None
    current = build_id() if made_on else ""
    if made_on and current and made_on != current:
        st.info(f"Deze link is gemaakt op een eerdere databouw ({made_on}); de cijfers zijn sindsdien bijgewerkt (nu {current}). "
                "Wat u ziet kan afwijken van wat de afzender zag.")
    line = through_line()
    if line:
        st.caption(line)


def through_line() -> str:
    """'Cijfers tot en met: …' for the current data build (views.through_line, computed once per build); '' without a
    readable warehouse (the page itself says why)."""
    try:
        return _through_line(_key())
    except (FileNotFoundError, WarehouseUnavailable):
        return ""


@st.cache_data(show_spinner=False, max_entries=4)
def _through_line(build: tuple[str, float]) -> str:
    return views.through_line(_warehouse(*build))


def build_id() -> str:
    """Short id of the warehouse build (its content checksum), recorded in a shared link."""
    try:
        return str(_warehouse(*_key()).last_build().get("inhoud_sha256") or "")[:10]
    except (FileNotFoundError, WarehouseUnavailable):
        return ""


def share_link() -> None:
    """The full link to what the page shows, with the data build it was made on, in a box with a copy button."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "bouw"} | {"bouw": build_id()}
    base = str(getattr(st.context, "url", "") or "").split("?")[0]
    st.markdown("**Link naar deze weergave** (kopieer met de knop rechts; werkt op elke pagina van het portaal):")
    st.code(f"{base}?" + urlencode(params, safe=","), language=None)


def _key() -> tuple[str, float]:
    """Cache key of the current warehouse build: a rebuild (new file, new mtime) invalidates every cached computation."""
    return str(WAREHOUSE), WAREHOUSE.stat().st_mtime


def _obs(build: tuple[str, float], indeling: str) -> pl.DataFrame:
    return _warehouse(*build).all_observations(indeling)


@st.cache_resource(show_spinner=False, max_entries=4)
def _prep(build: tuple[str, float], indeling: str) -> benchmark.Prepared:
    """What the group statistics need for every gemeente, computed once per build (not per gemeente and group)."""
    parts = benchmark.rounding_parts(_warehouse(*build)) if indeling == "nieuwste" else None
    return benchmark.Prepared(_obs(build, indeling), parts)


@st.cache_resource(show_spinner=False, max_entries=2)
def _default_groups(build: tuple[str, float]) -> dict[str, list[str]]:
    return funnel_mod.default_groups(_warehouse(*build), features())


@st.cache_resource(show_spinner=False, max_entries=64)
def _signal_funnel(build: tuple[str, float], indicator: str, periode: str) -> funnel_mod.Funnel | None:
    indeling = "eigen" if metrics.get(indicator).rate else "nieuwste"
    return funnel_mod.build(_prep(build, indeling), indicator, periode, features(), _default_groups(build))


def signal_funnel(indicator: str, periode: str) -> funnel_mod.Funnel | None:
    """The funnel of one indicator and period for all gemeenten (portal.funnel), once per warehouse build."""
    return _signal_funnel(_key(), indicator, periode)


@st.cache_data(show_spinner=False, max_entries=64)
def _caterpillar(build: tuple[str, float], indicator: str, periode: str, soort: str) -> pl.DataFrame:
    f = _signal_funnel(build, indicator, periode)
    return pl.DataFrame() if f is None else funnel_mod.caterpillar(f, soort, _default_groups(build))


def caterpillar(indicator: str, periode: str, soort: str) -> pl.DataFrame:
    """Every gemeente against its expected value (its default referentiegroep, or its characteristics), sorted by the
    difference: portal.funnel.caterpillar, once per warehouse build."""
    return _caterpillar(_key(), indicator, periode, soort)


@st.cache_data(show_spinner=False, max_entries=64)
def _unknown_residence_note(build: tuple[str, float], indicator: str) -> str:
    return benchmark.unknown_residence_note(_prep(build, "eigen"), indicator)


def unknown_residence_note(indicator: str) -> str:
    """benchmark.unknown_residence_note, once per build."""
    return _unknown_residence_note(_key(), indicator)


def default_groups() -> dict[str, list[str]]:
    return _default_groups(_key())


@st.cache_data(show_spinner=False, max_entries=1024)
def _group_series(build: tuple[str, float], indeling: str, code: str, members: tuple[str, ...], ids: tuple[str, ...]) -> pl.DataFrame:
    return benchmark.group_series(_prep(build, indeling), _prep(build, "eigen"), code, list(members), list(ids))


def group_series(indeling: str, code: str, members: list[str], ids: list[str]) -> pl.DataFrame:
    """benchmark.group_series on `indeling` ("eigen" or "nieuwste"), cached per warehouse build."""
    return _group_series(_key(), indeling, code, tuple(members), tuple(ids))


@st.cache_data(show_spinner=False, max_entries=256)
def _volume_at_group_density(build: tuple[str, float], indeling: str, code: str, members: tuple[str, ...]) -> pl.DataFrame:
    return benchmark.volume_at_group_density(_prep(build, indeling), code, list(members))


def volume_at_group_density(indeling: str, code: str, members: list[str]) -> pl.DataFrame:
    return _volume_at_group_density(_key(), indeling, code, tuple(members))


@st.cache_data(show_spinner=False, max_entries=256)
def _pooled(build: tuple[str, float], indeling: str, codes: tuple[str, ...], indicator: str) -> pl.DataFrame:
    return benchmark.pooled(_prep(build, indeling), list(codes), indicator)


def pooled(indeling: str, codes: list[str], indicator: str) -> pl.DataFrame:
    return _pooled(_key(), indeling, tuple(codes), indicator)


@st.cache_data(show_spinner=False, max_entries=256)
def _reduction_potential(build: tuple[str, float], code: str, members: tuple[str, ...], density_id: str) -> dict | None:
    return benchmark.reduction_potential(_prep(build, "nieuwste"), code, list(members), density_id)


def reduction_potential(code: str, members: list[str], density_id: str) -> dict | None:
    """On the newest indeling; None without a group."""
    return _reduction_potential(_key(), code, tuple(members), density_id) if members else None


@st.cache_data(show_spinner=False, max_entries=256)
def _decomposition(build: tuple[str, float], code: str, members: tuple[str, ...], periode: str) -> dict | None:
    return benchmark.decomposition(_obs(build, "nieuwste"), code, list(members), periode)


def decomposition(code: str, members: list[str], periode: str) -> dict | None:
    """On the newest indeling; None without a group."""
    return _decomposition(_key(), code, tuple(members), periode) if members else None


@st.cache_data(show_spinner=False, max_entries=64)
def _change(build: tuple[str, float], indicator: str, van: str, tot: str, min_base: float) -> pl.DataFrame:
    return benchmark.change(_obs(build, "nieuwste"), indicator, van, tot, min_base)


def change(indicator: str, van: str, tot: str, min_base: float) -> pl.DataFrame:
    return _change(_key(), indicator, van, tot, min_base)


@st.cache_data(show_spinner=False, max_entries=64)
def _funnel(build: tuple[str, float], density_id: str, periode: str) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    return benchmark.funnel(_obs(build, "nieuwste"), density_id, periode)


def funnel(density_id: str, periode: str) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    return _funnel(_key(), density_id, periode)


@st.cache_data(show_spinner=False, max_entries=512)
def _periods(build: tuple[str, float], indeling: str, indicator: str, local: bool) -> list[str]:
    obs = _obs(build, indeling)
    return views.periods(obs.filter(pl.col("gemeente_code") != "NL01") if local else obs, indicator)


def periods(indeling: str, indicator: str, local: bool = False) -> list[str]:
    """The periods with a value of `indicator` (local: for a gemeente, not only for Nederland), in time order."""
    return _periods(_key(), indeling, indicator, local)


@st.cache_data(show_spinner=False, max_entries=4)
def _national_views(build: tuple[str, float]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    own = _obs(build, "eigen")
    return views.national_series(own), views.yearly_volume(own), views.national_flows(own)


def national_views() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The national monthly/quarterly series, the yearly volume sums and the quarterly flows of the Landelijk overzicht."""
    return _national_views(_key())


@st.cache_data(show_spinner=False, max_entries=64)
def _distribution(build: tuple[str, float], density_id: str, year: str) -> pl.DataFrame:
    wh = _warehouse(*build)
    names = dict(wh.gemeenten().select("gemeentecode", "gemeentenaam").rows())
    return views.distribution(_obs(build, "nieuwste"), wh.kenmerken(peers.CLASS_YEAR), density_id, year, names)


def distribution(density_id: str, year: str) -> pl.DataFrame:
    return _distribution(_key(), density_id, year)


@st.cache_data(show_spinner=False, max_entries=16)
def _wdeel(build: tuple[str, float], indicator: str, year: str) -> pl.DataFrame:
    sizes = _warehouse(*build).kenmerken(peers.CLASS_YEAR).filter(pl.col("kenmerk") == "gemeentegrootte")
    return views.wdeel_table(benchmark.wdeel_by_class(_obs(build, "nieuwste"), sizes, indicator, year))


def wdeel(indicator: str, year: str) -> pl.DataFrame:
    """The W-deel proxy per size class as the Landelijk table."""
    return _wdeel(_key(), indicator, year)


@st.cache_data(show_spinner=False, max_entries=4)
def _local_indicators(build: tuple[str, float], indeling: str) -> list[str]:
    obs = _obs(build, indeling)
    present = set(obs.filter(pl.col("gemeente_code") != "NL01")["indicator"].unique())
    return [i for i in metrics.REGISTRY if i in present]


def local_indicators(indeling: str) -> list[str]:
    """Registry indicators with figures per gemeente on `indeling`, in registry order."""
    return _local_indicators(_key(), indeling)


@st.cache_data(show_spinner=False, max_entries=64)
def _map_data(build: tuple[str, float], indicator: str, year: str) -> tuple[pl.DataFrame, int, dict[str, str]]:
    wh, own = _warehouse(*build), _obs(build, "eigen")
    indeling = views.map_indeling(own, indicator, year)
    names = dict(wh.gemeenten(indeling).select("gemeentecode", "gemeentenaam").rows())
    return views.map_values(own, indicator, year, indeling, names), indeling, names


def map_data(indicator: str, year: str) -> tuple[pl.DataFrame, int, dict[str, str]]:
    """The Kaart's figures for one period, the indeling they use and its gemeente names."""
    return _map_data(_key(), indicator, year)


@st.cache_resource(show_spinner=False, max_entries=2)
def _features(path: str, mtime: float) -> peers.FeatureMatrix:
    return peers.FeatureMatrix.build(peers.feature_table(_warehouse(path, mtime)))


def features() -> peers.FeatureMatrix:
    return _features(str(WAREHOUSE), WAREHOUSE.stat().st_mtime)


@st.cache_resource(show_spinner=False)
def _userdata(path: str) -> UserData:
    return UserData(Path(path))


def userdata() -> UserData:
    return _userdata(str(USERDATA))


def current_user() -> Gebruiker:
    """Local mode (no accounts configured): the person at this machine, and only there (see local_only). Otherwise a
    login form; the page stops until the user is logged in. The session keeps only who logged in: the account is read
    again on every run, so removing it or changing its role or gemeente takes effect at the user's next action."""
    ud = userdata()
    if not ud.has_accounts():
        local_only()
        return local_user()
    user = st.session_state.get("gebruiker")
    if user is not None:
        now = ud.account(user.naam)
        if now is None:
            del st.session_state["gebruiker"]
            st.warning("Uw account bestaat niet meer of is ingetrokken: u bent uitgelogd. Er is niets opgeslagen van wat u "
                       "net deed.")
        elif now != user:
            st.info(f"De beheerder heeft uw account gewijzigd: u werkt nu als {now.rol}"
                    f"{' voor ' + now.gemeente_code if now.gemeente_code else ''}, met de rechten die daarbij horen.")
            st.session_state["gebruiker"] = now
        user = now
    if user is None:
        _login_form(ud)
    st.sidebar.caption(f"Ingelogd als **{literal(user.naam)}** ({user.rol}"
                       f"{', ' + literal(user.gemeente_code) if user.gemeente_code else ''})")
    if st.sidebar.button("Uitloggen"):
        del st.session_state["gebruiker"]
        st.rerun()
    return user


def _login_form(ud: UserData) -> None:
    """The login form; stops the page. Failures are throttled per client address and name (in the user database, see
    accounts.py) and per session."""
    st.title("Inloggen")
    st.caption("Visitaties zijn vertrouwelijk: log in met het account dat de beheerder voor u heeft aangemaakt.")
    with st.form("inloggen"):
        naam = st.text_input("Gebruikersnaam", max_chars=MAX_NAAM)
        wachtwoord = st.text_input("Wachtwoord", type="password", max_chars=200)
        if st.form_submit_button("Inloggen"):
            fouten, laatste = st.session_state.get("inlog_fouten", (0, None))
            try:
                wacht = nog_wachten(fouten, laatste)
                if wacht:
                    raise TeVeelPogingen(wacht)
                user = ud.login(naam, wachtwoord, client_address())
            except TeVeelPogingen as e:
                st.error(str(e))
            else:
                if user is None:
                    st.session_state["inlog_fouten"] = (fouten + 1, datetime.now())
                    st.error("Onbekende gebruikersnaam of onjuist wachtwoord.")
                else:
                    st.session_state.pop("inlog_fouten", None)
                    st.session_state["gebruiker"] = user
                    st.rerun()
    st.stop()


def client_address() -> str | None:
    """The address of this session's browser; None for this machine itself (127.0.0.1 or ::1, st.context.ip_address's
    rule). Behind the proxy of `dev.py serve` every connection comes from 127.0.0.1: the address is then the one the
    proxy signed in its header (portal/proxy.py). Without a valid signature (a header the client wrote itself, sent later
    on a kept-alive connection, or a connection straight to a backend port) the client is unknown, never local."""
    secret = os.environ.get(proxy.SECRET_ENV)
    if not secret:
        ip = st.context.ip_address  # None for localhost (and not a str under AppTest)
        return ip if isinstance(ip, str) else None
    address = proxy.verify(st.context.headers.get(proxy.CLIENT_HEADER), secret)
    if address is None:
        return "onbekend"
    return None if address in ("127.0.0.1", "::1") else address


def local_only() -> None:
    """Without accounts anyone who reaches the portal may open and edit every dossier: that is for one person on their
    own machine. `python3 dev.py start` then listens on localhost only; this refuses other addresses as well (e.g. when
    started with `streamlit run` directly or on another address, or behind the proxy of `dev.py serve`, also once the
    last account is removed while it runs), unless the portal was started with the explicit choice --openbaar."""
    if client_address() is not None and os.environ.get("PORTAL_OPENBAAR") != "1":
        st.error("Dit portaal draait zonder gebruikersaccounts en is daarom alleen te gebruiken op de computer waarop het "
                 "draait. De beheerder kan accounts aanmaken (python3 dev.py gebruikers toevoegen …); zie de README.")
        st.stop()


def live_foto(code: str, members: list[str], groep_naam: str) -> dict:
    """The cijfermatige foto from the current warehouse (cached per build)."""
    return _foto(str(WAREHOUSE), WAREHOUSE.stat().st_mtime, code, tuple(members), groep_naam)


@st.cache_data(show_spinner=False, max_entries=64)
def _foto(path: str, mtime: float, code: str, members: tuple[str, ...], groep_naam: str) -> dict:
    wh = _warehouse(path, mtime)
    return vt.make_foto(wh.all_observations("nieuwste"), wh.all_observations("eigen"), code, wh.name(code), list(members),
                        groep_naam, wh.newest_indeling, wh.last_build(), trechter=signal_funnel)


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


def indeling_picker(wh: Warehouse) -> tuple[str, dict[str, str]]:
    """Sidebar choice of boundaries, kept in the URL as ?indeling=nieuwste|eigen; returns the choice and the labels."""
    labels = {"nieuwste": f"Indeling {wh.newest_indeling} (geharmoniseerd)", "eigen": "Indeling van elk jaar zelf"}
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


def indicator_picker(available: list[str], key: str, default: str = "dichtheid_uitkeringen_totaal") -> str:
    """Indicator selectbox kept in the URL as ?indicator=<id>; an unknown id in a link gets a Dutch warning. The default
    is the dichtheid with the newest figures (85383NED), so a page opens on the newest period that has data."""
    return url_select("Indicator", available, "indicator", default, format_func=lambda i: metrics.get(i).label, key=key,
                      unknown=lambda asked: f"Indicator {asked} uit de link (parameter indicator) bestaat niet of heeft hier "
                                            f"geen cijfers; getoond wordt: {metrics.get(default).label}.")


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


def codes_param(key: str, known: dict[str, str] | set[str]) -> list[str]:
    """A comma-separated list of gemeente codes from the URL; invalid and unknown codes are dropped with a Dutch warning."""
    asked = [c.strip() for c in st.query_params.get(key, "").split(",") if c.strip()]
    good = [c for c in dict.fromkeys(asked) if GM_RE.fullmatch(c) and c in known]
    bad = [c for c in asked if c not in good]
    if bad:
        st.warning(f"Onbekende of ongeldige gemeentecodes in de link (parameter {key}) genegeerd: "
                   + ", ".join(quoted(c, 20) for c in bad[:10]) + (f" en nog {len(bad) - 10}" if len(bad) > 10 else "") + ".")
    return good


_SPECS: dict[tuple, dict] = {}  # finished chart specs per data build, chart key and the inputs that shape the chart
_SPEC_LIMIT = 512


def _clear_build_caches() -> None:
    """Drop everything computed from a replaced build (called once per new build)."""
    for cached in (_caterpillar, _prep, _group_series, _volume_at_group_density, _pooled, _reduction_potential, _decomposition, _change, _funnel,
                   _periods, _national_views, _distribution, _wdeel, _local_indicators, _map_data, _features, _foto,
                   _through_line):
        cached.clear()
    _SPECS.clear()


def chart(c: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin], title: str, lines: list[str], key: str, subtitle: str = "",
          inputs: tuple | None = None, spec: Callable[[], dict] | None = None) -> None:
    """Every chart of the portal: finished once (title, subtitle with unit and definition, Dutch locale), its source and
    definition lines under it, and PNG and SVG downloads that carry the same title and lines under the chart.

    `c` may be a function that builds the chart; with `inputs` (the scalars that fully determine the chart, besides the
    data build) the finished spec is kept, so a rerun neither builds nor converts it again. `spec`, if given, makes the
    same finished spec faster (e.g. charts.benchmark_spec); the downloads still use `c`."""
    make = c if callable(c) and not isinstance(c, alt.TopLevelMixin) else (lambda: c)
    cache_key = None if inputs is None else (_key(), key, inputs, title, subtitle)
    finished = _SPECS.get(cache_key) if cache_key else None
    if finished is None:
        # Altair validates a spec against the Vega-Lite schema on every conversion, about half of a chart's time; the
        # builders in portal.charts are validated by the tests (and exports convert with validation).
        finished = spec() if spec else finish(make(), title, subtitle).to_dict(validate=False)
        if cache_key:
            if len(_SPECS) >= _SPEC_LIMIT:
                _SPECS.pop(next(iter(_SPECS)))
            _SPECS[cache_key] = finished
    st.vega_lite_chart(finished, width="stretch")
    st.caption(literal(" ".join(f"Bron en definitie: {line}" if i == 0 else line for i, line in enumerate(lines))))
    row = st.container(horizontal=True)
    row.download_button("PNG", lambda: export.chart_png(make(), title, lines, subtitle), file_name=f"{key}.png", mime="image/png",
                        key=f"png-{key}", on_click="ignore", icon=":material/download:")
    row.download_button("SVG", lambda: export.chart_svg(make(), title, lines, subtitle), file_name=f"{key}.svg",
                        mime="image/svg+xml", key=f"svg-{key}", on_click="ignore", icon=":material/download:")


def data_table(frame: pl.DataFrame, lines: list[str], key: str, decimals: dict[str, int] | None = None) -> None:
    """A table whose numbers stay numbers (so sorting works), shown the Dutch way (1.234,5) with '–' for an empty cell,
    and CSV/Excel downloads of the same columns rounded as shown, with the source and definition lines.

    `frame` has the Dutch column headers the user reads; `decimals` per numeric column (default 0 for integers, 1 else).
    """
    rounded = export.rounded(frame, decimals or {})
    numeric = [c for c, t in rounded.schema.items() if t.is_numeric()]
    dec = {c: (decimals or {}).get(c, 0 if rounded.schema[c].is_integer() else 1) for c in numeric}
    styler = rounded.to_pandas().style.format(
        {c: (lambda v, d=d: nl_number(v, d)) for c, d in dec.items()}, na_rep="–")
    st.dataframe(styler, hide_index=True, width="stretch", placeholder="–")  # Streamlit shows a null as "None" otherwise
    downloads(rounded, lines, key)


def downloads(frame: pl.DataFrame, lines: list[str], key: str) -> None:
    """CSV and Excel downloads of `frame` with the source and definition lines."""
    row = st.container(horizontal=True)
    row.download_button("CSV", partial(export.table_csv, frame, lines), file_name=f"{key}.csv", mime="text/csv",
                        key=f"csv-{key}", on_click="ignore", icon=":material/download:")
    row.download_button("Excel", partial(export.table_xlsx, frame, lines), file_name=f"{key}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx-{key}",
                        on_click="ignore", icon=":material/download:")
