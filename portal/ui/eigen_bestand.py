"""The page "Eigen bestand" (Streamlit): upload and map a gemeente's own client file, then the WWB-kompas and BijstandScan
monitors on it, suppressed to cells of at least MIN_CELL persons, and the benchmark among participants.

Without a real upload the monitors run on a synthetic file generated from the gemeente's public figures, labelled
*synthetisch* on screen and in every export; it is never stored and never mixed with real uploads."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import streamlit as st

from portal import charts
from portal.nl import DATUM_KORT, MAAND_KORT, nl_date_short, nl_euro, nl_month, nl_number
from portal import access
from portal.access import Gebruiker
from portal.eigen import bus, episodes, mapping, monitors, parse, participants, pseudo, store, suppress, survival, synth
from portal.ui import bus as bus_ui
from portal.ui import rendement as rendement_ui
from portal.eigen.schema import MIN_CELL, MIN_PARTICIPANTS
from portal.eigen.upload import MAX_BYTES, Raw, UploadFout, read_file
from portal.eigen.validate import MAX_CODES
from portal.store import Warehouse
from portal.tekst import literal, quoted
from portal.access import Gebruiker
from portal.ui.render import chart, data_table, file_tag
from portal.ui.widgets import current_group, gemeente_picker
from portal.userdata.db import now
from portal.userdata.errors import UserDataError

SEED = 2026
MONTHS_SHOWN = 24
PER = {"cohort": "instroomjaar", "leeftijd": "leeftijd bij instroom", "fasering": "fasering", "totaal": "totaal"}
FLOWS = {"bestand": "Bestand (einde maand)", "instroom": "Instroom", "uitstroom": "Uitstroom", "uitstroom_werk": "Uitstroom naar werk"}


def choose_gemeente(wh: Warehouse, user: Gebruiker) -> str | None:
    """A gemeente user works on their own gemeente; beheer (and the local user) picks one; others have no access."""
    if user.rol == "gemeente" and user.gemeente_code:
        st.sidebar.caption(f"Gemeente: {literal(wh.name(user.gemeente_code))}")
        asked = st.query_params.get("gemeente")
        if asked and asked != user.gemeente_code:
            st.info(f"U ziet het eigen bestand van uw gemeente, {literal(wh.name(user.gemeente_code))}; de gemeente in de link "
                    f"({quoted(asked)}) is genegeerd: het bestand van een andere gemeente is niet voor u zichtbaar.")
        return user.gemeente_code
    if user.rol == "beheer":
        return gemeente_picker(wh)
    st.error("Een eigen cliëntbestand is alleen zichtbaar voor de gemeente zelf en voor beheer. Een visitatieteam ziet wat de "
             "gemeente in de visitatiefoto opneemt.")
    return None


# ---- the file the monitors rest on ---------------------------------------------------------------------------------------
@st.cache_resource(max_entries=8, show_spinner=False)  # a shared frame, never modified: no copy per rerun
def _stored_spells(gemeente: str, upload_id: int, db: str) -> pl.DataFrame:  # db: part of the cache key
    return store.spells(gemeente, upload_id)


@st.cache_resource(max_entries=8, show_spinner=False)
def _synthetic(gemeente: str, peildatum: dt.date, build: str) -> tuple[pl.DataFrame, str] | None:  # build: cache key
    from portal.ui.data import warehouse

    m = synth.marginals(warehouse(), gemeente)
    if m is None:
        return None
    return synth.generate(gemeente, m, SEED, peildatum), m.bron


@st.cache_resource(max_entries=8, show_spinner=False)  # shared and never modified, as _stored_spells
def _episodes(file: str, _spells: pl.DataFrame) -> pl.DataFrame:  # file (from basis) stands for _spells in the cache key
    return episodes.merge(_spells)


MONITORS = {"maand": monitors.monthly, "leefvorm": monitors.leefvorm_mix, "duur": monitors.duration_profile,
            "kans": survival.uitstroomkans, "herinstroom": monitors.herinstroom,
            "gedekt": lambda spells, peil: (episodes.covered(spells, peil) or (None,))[0]}


@st.cache_data(max_entries=64, show_spinner=False)
def _monitor(name: str, file: str, args: tuple, kwargs: tuple, _spells: pl.DataFrame) -> pl.DataFrame:
    """A monitor table of one file, computed once per file and arguments; `file` (from basis) identifies the upload or
    the synthetic file and so stands for `_spells` in the cache key."""
    return MONITORS[name](_spells, *args, **dict(kwargs))


EPISODES_NOTE = (f"Een nieuwe uitkering die binnen {episodes.HERINSTROOM_DAGEN} dagen na het einde van de vorige begint, "
                 "telt als voortzetting: niet als uitstroom en instroom (zoals CBS).")


@st.cache_resource(max_entries=8, show_spinner=False)  # immutable; file stands for _spells in the cache key
def _prep(file: str, peil: dt.date, _spells: pl.DataFrame) -> survival.Prepared:
    """The one pass over the file that every uitstroomkans reads (the pattern's and the table's), once per file."""
    return survival.prepare(_spells, peil)


@st.cache_resource(max_entries=8, show_spinner=False)  # immutable; shared without a copy per rerun
def _pagina(file: str, peil: dt.date, _spells: pl.DataFrame, _extra=None, srg: str = "") -> suppress.Pagina:
    """The page's one suppression pattern (every table, every radio option and peildatum), once per file and peildatum.
    _extra: the BUS tables of the same file (portal.ui.bus.Extra.pattern) and the rendementmeters (portal.ui.rendement),
    so they join the pattern; srg: the SRG upload the rendementmeters rest on (part of the cache key)."""
    return suppress.page(_spells, peil, maanden=MONTHS_SHOWN, groeperingen=tuple(PER), prep=_prep(file, peil, _spells),
                         herinstroom=_monitor("herinstroom", file, (peil,), (), _spells), extra=_extra)


def basis(wh: Warehouse, gemeente: str) -> tuple[pl.DataFrame, dt.date, str, str] | None:
    """(episodes, peildatum, the Dutch line every table and export carries, a key naming the file) of the newest real
    upload, else of a synthetic file. Episodes: the spells with re-entries within 31 days joined (portal.eigen.episodes),
    once per file; every monitor on the page counts them."""
    up = store.current(gemeente, synthetisch=False)
    if up is not None:
        file = f"{store.default().path}:{up['id']}:{up['tijd']}"
        spells = _episodes(file, _stored_spells(gemeente, up["id"], str(store.default().path)))
        line = (f"Eigen bestand van {wh.name(gemeente)}: upload {up['id']} '{up['bestandsnaam']}' van {_when(up, date_only=True)}, "
                f"peildatum {nl_date_short(up['peildatum'])}, {nl_number(up['rijen'])} uitkeringsperioden (volledig beschreven "
                f"maanden {_months(up)}). {EPISODES_NOTE} Cellen met minder dan {MIN_CELL} personen zijn onderdrukt.")
        return spells, up["peildatum"], line, file
    today = dt.date.today()
    peil = dt.date(today.year, today.month, 1) - dt.timedelta(days=1)  # the end of the last complete month
    build = f"{wh.path}:{wh.path.stat().st_mtime}"
    made = _synthetic(gemeente, peil, build)
    if made is None:
        return None
    spells, bron = made
    file = f"synthetisch:{gemeente}:{peil}:{build}"
    line = (f"SYNTHETISCH bestand voor {wh.name(gemeente)} (geen echte cliënten): gegenereerd met vaste seed {SEED} uit "
            f"openbare cijfers ({bron}), peildatum {nl_date_short(peil)}. {EPISODES_NOTE} Cellen met minder dan {MIN_CELL} personen "
            "zijn onderdrukt.")
    return _episodes(file, spells), peil, line, file


def _months(up: dict) -> str:
    """The months an upload covers as mm-jjjj t/m mm-jjjj (stored as jjjj-mm)."""
    def nl(m: str | None) -> str:
        return f"{m[5:7]}-{m[:4]}" if m and len(m) == 7 else "?"
    return f"{nl(up.get('maand_van'))} t/m {nl(up.get('maand_tot'))}"


def _when(up: dict, date_only: bool = False) -> str:
    """The upload time (stored as ISO text) as dd-mm-jjjj uu:mm."""
    try:
        t = dt.datetime.fromisoformat(str(up["tijd"]))
    except ValueError:
        return str(up["tijd"])
    return nl_date_short(t) if date_only else f"{nl_date_short(t)} {t:%H:%M}"


# ---- upload and mapping ------------------------------------------------------------------------------------------------------
GELEZEN = "eigen-upload-gelezen"  # session state: the one file in this session's uploader, read once


def _read_once(gemeente: str, f) -> dict:
    """The uploaded file read once per file (the uploader's file id, new for every file chosen), with a memo of what the
    page derives from it: a widget change reruns the page without parsing 100 MB again. One file per session, dropped
    when the next one is read or the uploader is emptied. "raw" is the Raw, or the Dutch message why it cannot be read."""
    got = st.session_state.get(GELEZEN)
    if got is None or got["id"] != (gemeente, f.file_id):
        st.session_state.pop(GELEZEN, None)  # free the previous file before reading this one
        try:
            raw: Raw | bus.Bestand | str = bus.lees(f.getvalue(), f.name, read_file)  # a BUS/SRG file (or zip) is recognised
        except UploadFout as exc:
            raw = exc.dutch()
        got = {"id": (gemeente, f.file_id), "raw": raw, "memo": {}}
        st.session_state[GELEZEN] = got
    return got


def _memo(got: dict, key: tuple, compute):
    if key not in got["memo"]:
        got["memo"][key] = compute()
    return got["memo"][key]


def upload_section(gemeente: str, user: Gebruiker) -> None:
    f = st.file_uploader(f"Cliëntbestand (CSV, XLSX of Parquet, maximaal {MAX_BYTES // 2**20} MB; één rij per uitkeringsperiode of "
                         "per cliënt per maand), of een BUS- of SRG-bestand (ook een zip met maandbestanden)",
                         type=["csv", "txt", "xlsx", "parquet", "zip"], key=f"upload-{gemeente}")
    if f is None:
        st.session_state.pop(GELEZEN, None)
        return
    got = _read_once(gemeente, f)
    raw = got["raw"]
    if isinstance(raw, str):
        st.error(literal(raw))
        return
    if isinstance(raw, bus.Bestand):  # BUS or SRG: the regeling's kenmerken and codes, no mapping step
        bus_ui.upload_section(gemeente, user, raw, f.name, _stored_spells.clear)
        return
    tag = f"{gemeente}-{f.file_id}"  # widget keys per file: a new file starts from its own suggestions, not the last file's
    st.caption(literal(raw.beschrijving()))
    remembered = store.mapping(gemeente)
    mp = _memo(got, ("voorstel", json.dumps(remembered, sort_keys=True)), lambda: mapping.suggest(raw, remembered))
    if remembered:
        st.caption("De koppeling van de vorige upload van deze gemeente is vooraf ingevuld.")
    indeling = st.radio("Opbouw van het bestand", ["perioden", "maanden"], index=0 if mp["indeling"] == "perioden" else 1,
                        format_func={"perioden": "één rij per uitkeringsperiode", "maanden": "één rij per cliënt per maand"}.get,
                        horizontal=True, key=f"indeling-{tag}")
    cols = ["(geen)", *raw.kolommen]
    st.caption("Kies bij elk gegeven de kolom van uw bestand (* = verplicht). De voorstellen komen uit de kolomnamen.")
    kolommen: dict[str, str | None] = {}
    grid = st.columns(3)
    for i, (field, (label, required)) in enumerate(mapping.fields(indeling).items()):
        current = mp["kolommen"].get(field)
        pick = grid[i % 3].selectbox(label + (" *" if required else ""), cols, index=cols.index(current) if current in cols else 0,
                                     key=f"kol-{tag}-{field}")
        kolommen[field] = None if pick == "(geen)" else pick
    if kolommen.get("client") and (n := _memo(got, ("bsn", kolommen["client"]),
                                              lambda: pseudo.bsn_like(raw.frame[kolommen["client"]]))):
        st.info(f"{nl_number(n)} waarden in de cliëntkolom lijken op een BSN. Ze worden bij het opslaan vervangen door een "
                "sleutel-hash en nergens bewaard.")
    codes = {field: _code_table(got, tag, field, col, indeling, remembered)
             for field, col in kolommen.items() if col is not None and field in mapping.CODED}
    named = mapping.suggest_columns(raw.kolommen)  # "(geen)" for a column the page proposes is remembered
    chosen = {"indeling": indeling, "kolommen": kolommen, "codes": codes,
              "geen": {field: named[field] for field, col in kolommen.items() if col is None and named.get(field)}}
    where = {"indeling": indeling, "kolommen": {k: kolommen.get(k) for k in ("begin", "einde", mapping.MAAND)}}
    suggestion = _memo(got, ("peildatum", json.dumps(where, sort_keys=True)), lambda: mapping.peildatum_suggestion(raw, where))
    peil = st.date_input("Peildatum van het bestand (de laatste dag waarover het bestand gaat)",
                         value=suggestion or dt.date.today(), format="DD-MM-YYYY",
                         key=f"peil-{tag}-{suggestion}")  # follows the suggestion when other date columns are chosen
    if not st.button("Controleren en opslaan", type="primary", key=f"opslaan-{gemeente}"):
        return
    spells, problems = mapping.apply(raw, chosen, gemeente, peil)
    if problems.aantal:
        st.error("Het bestand is niet opgeslagen:\n\n" + "\n".join(f"- {literal(m)}" for m in problems.berichten()))
        return
    try:
        upload_id = store.save(gemeente, f.name, spells, peil, user)
        store.save_mapping(gemeente, chosen, user.naam)
    except UserDataError as exc:
        st.error(exc.dutch())
        return
    st.success(f"Opgeslagen als upload {upload_id}: {nl_number(spells.height)} uitkeringsperioden, peildatum {nl_date_short(peil)}.")
    _stored_spells.clear()


def _code_table(got: dict, tag: str, field: str, col: str, indeling: str, remembered: dict | None) -> dict[str, str | None]:
    """What each value of a coded column means: every value found in the file with the number of rows it covers and the
    suggested (or remembered) meaning, editable; a line per meaning with the rows it covers. Fasering keeps the
    gemeente's own categories, so its meaning is free text."""
    raw: Raw = got["raw"]
    found: dict[str, int] = _memo(got, ("waarden", col), lambda: mapping.values(raw, col))
    label = mapping.fields(indeling)[field][0]
    if len(found) > MAX_CODES:
        st.warning(f"**{label}**: kolom {quoted(col)} heeft meer dan {MAX_CODES} verschillende waarden; dat is geen codekolom. "
                   "Kies een andere kolom of (geen).")
        return {}
    known = ((remembered or {}).get("codes") or {}).get(field)
    meaning = mapping.suggest_values(field, list(found), known)
    choices = mapping.code_choices(field)
    st.markdown(f"**{label}**: wat betekenen de waarden in kolom {quoted(col)}?")
    rows = pl.DataFrame({"Waarde in het bestand": list(found), "Rijen": [nl_number(n) for n in found.values()],
                         "Betekent": [meaning[v] for v in found]},
                        schema={"Waarde in het bestand": pl.String, "Rijen": pl.String, "Betekent": pl.String})
    betekent = (st.column_config.TextColumn(help="de eigen indeling van de gemeente, bijvoorbeeld trede 1") if choices is None
                else st.column_config.SelectboxColumn(options=list(choices)))
    edited = st.data_editor(rows, key=f"codes-{tag}-{field}-{col}", hide_index=True, disabled=["Waarde in het bestand", "Rijen"],
                            column_config={"Betekent": betekent})
    out = {v: (c.strip() or None) if isinstance(c, str) else None
           for v, c in edited.select("Waarde in het bestand", "Betekent").iter_rows()}
    per: dict[str, int] = dict.fromkeys(choices or (), 0)  # the portal's codes in their own order
    for v, n in found.items():
        per[out[v] or "zonder vertaling"] = per.get(out[v] or "zonder vertaling", 0) + n
    per = {c: n for c, n in per.items() if n}
    st.caption("Rijen per betekenis: " + "; ".join(f"{c.replace('_', ' ')} {nl_number(n)}" for c, n in per.items()) + ".")
    return out


def uploads_section(gemeente: str, user: Gebruiker) -> None:
    if done := st.session_state.pop(f"verwijderd-{gemeente}", None):  # said after the rerun that follows a delete
        st.success(done)
    rows = store.uploads(gemeente)
    if not rows:
        st.caption("Nog geen uploads voor deze gemeente.")
        return
    table = pl.DataFrame([{"Upload": r["id"], "Bestand": r["bestandsnaam"], "Peildatum": nl_date_short(r['peildatum']), "Maanden": _months(r),
                           "Rijen": r["rijen"], "Door": r["geupload_door"], "Wanneer": _when(r),
                           "Status": "verwijderd" if r.get("verwijderd") else ("synthetisch" if r.get("synthetisch") else "in gebruik")}
                          for r in rows])
    data_table(table, ["Uploads van het eigen cliëntbestand (de geschiedenis blijft bewaard, ook van verwijderde uploads)."],
               key=f"uploads-{gemeente}")
    active = {r["id"]: f"upload {r['id']}: {r['bestandsnaam']}, peildatum {nl_date_short(r['peildatum'])}"
              for r in rows if not r.get("verwijderd")}
    if not active or not access.may_upload(user, gemeente):
        return
    with st.expander("Een upload verwijderen"):
        pick = st.selectbox("Upload", list(active), format_func=active.get, key=f"weg-{gemeente}")
        sure = st.checkbox("Ja, verwijder de gegevens en alle cijfers die erop rusten", key=f"zeker-{gemeente}")
        if st.button("Verwijderen", disabled=not sure, key=f"verwijder-{gemeente}"):
            try:
                store.delete(gemeente, pick, user.naam)
            except UserDataError as exc:
                st.error(literal(exc.dutch()))
                return
            _stored_spells.clear()
            st.session_state[f"verwijderd-{gemeente}"] = (f"{active[pick].capitalize()} is verwijderd, met alle cijfers die erop "
                                                          "rustten.")
            st.rerun()


def _words(col: str) -> pl.Expr:
    """A code column as the user reads it: alleenstaande_ouder -> alleenstaande ouder."""
    return pl.col(col).str.replace_all("_", " ", literal=True)


# ---- monitors ------------------------------------------------------------------------------------------------------------------

def _table(frame: pl.DataFrame, lines: list[str], key: str) -> None:
    """An own-file table: as data_table, and the line that says how many cells are hidden also on screen."""
    data_table(frame, lines, key=key)
    if hidden := [x for x in lines if x.startswith("Onderdrukt:")]:
        st.caption(" ".join(hidden))


def bestandsmonitor(wh: Warehouse, gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str,
                    pagina: suppress.Pagina, eerste: dt.date | None = None) -> pl.DataFrame:
    van = dt.date(peil.year - MONTHS_SHOWN // 12, peil.month, 1)
    table = _monitor("maand", file, (van, peil), (), spells)
    # eerste (BUS files, see render): months before the first month the file describes hold only the spells that still ran
    # later: their stock would look low and their flows small. They are left empty, and said so; the note on hidden cells
    # counts only the months shown.
    beschreven = table if eerste is None or eerste <= van else table.filter(pl.col("maand") >= eerste)
    res = pagina.monthly(beschreven)
    shown = pagina.monthly(table).frame.with_columns(
        pl.when(pl.col("maand") >= (eerste or van)).then(pl.col(c)).alias(c) for c in FLOWS)
    lines = [line, "Bestand: lopende uitkeringen op de laatste dag van de maand; instroom en uitstroom: uitkeringen die in de "
             "maand begonnen of eindigden; uitstroom naar werk: beëindigd met reden werk.", *res.note()]
    if beschreven is not table:
        lines.insert(1, f"Maanden vóór {nl_month(eerste)} beschrijft het bestand niet volledig (het begint later): die staan "
                        "leeg, niet als 0 of als lager bestand.")
        st.caption(lines[1])
    long = shown.unpivot(index="maand", on=list(FLOWS), variable_name="reeks", value_name="waarde").with_columns(
        pl.col("reeks").replace_strict(FLOWS), pl.col("maand").dt.strftime("%Y-%m").alias("periode"),
        pl.lit("eigen bestand").alias("bron"), pl.col("maand").dt.strftime(MAAND_KORT).alias("peildatum"))
    flows = long.filter(pl.col("reeks") != FLOWS["bestand"])
    if flows["waarde"].is_null().all():  # a small gemeente: every monthly flow is under MIN_CELL
        st.caption(f"Geen grafiek van instroom en uitstroom: elk maandcijfer is kleiner dan {MIN_CELL} en daarom onderdrukt.")
    else:
        chart(lambda: charts.lines_chart(flows, x="maand", series="reeks", y_title="uitkeringen", temporal=True, x_title="Maand",
                                         time_format="%b %Y"),
              "Instroom en uitstroom per maand", lines, key=f"stromen-eigen-{gemeente}", subtitle="uitkeringen per maand",
              inputs=(file,))
    _table(shown.with_columns(pl.col("maand").dt.strftime(MAAND_KORT)).rename({"maand": "Maand", **FLOWS}), lines,
               key=f"bestandsmonitor-{gemeente}")
    last, prev = shown.row(-1, named=True), shown.row(-4, named=True) if shown.height >= 4 else None
    tr = monitors.trend(beschreven)
    if tr is not None and prev is not None and last["bestand"] is not None and prev["bestand"] is not None:
        st.markdown(f"**Ontwikkeling over de laatste drie maanden:** {tr.tekst}.")
    check = monitors.cbs_check(suppress.cbs_input(beschreven, pagina), wh.observations(gemeente, list(monitors.CBS_REEKSEN), "jaar"))
    if check.is_empty():
        st.caption("Geen openbaar CBS-cijfer voor dezelfde maanden om het bestand mee te vergelijken (maand- en kwartaalcijfers "
                   "per gemeente zijn er zodra de beheerder van het portaal de nieuwste CBS-tabellen ophaalt; wilt u deze vergelijking "
                   "zien, vraag het dan aan de beheerder).")
    else:
        off = check.filter(pl.col("afwijkend"))
        if not off.is_empty():
            st.warning(f"In {off.height} van {check.height} vergelijkbare maanden wijkt het bestand meer dan "
                       f"{nl_number(monitors.DREMPEL_PCT)} % af van CBS: het bestand is mogelijk onvolledig.")
        data_table(check.select(pl.col("maand").dt.strftime(MAAND_KORT).alias("Maand"), pl.col("indicator").alias("CBS-reeks"),
                                pl.col("eenheid").alias("Telt"), pl.col("eigen").alias("Eigen bestand"), pl.col("cbs").alias("CBS"),
                                pl.col("verschil_pct").alias("Verschil (%)")),
                   [line, "Vergelijking met CBS: personen worden vergeleken met bestand plus partners van paren; CBS rondt af op "
                    "tientallen, telt algemene bijstand onder de AOW-leeftijd en loopt een of twee maanden achter. Het eigen "
                    "cijfer staat hier ook afgerond op tientallen (zo verraadt het geen aantal paren), en ontbreekt in een "
                    "maand waarvan het bestand onderdrukt is."],
                   key=f"cbs-check-{gemeente}")
    return table


@st.cache_data(max_entries=16, show_spinner=False)
def _leefvorm_publiek(build: str, codes: tuple[str, ...] | None) -> pl.DataFrame:
    """The public leefvorm mix of Nederland (codes None) or of a group, once per data build."""
    from portal.ui.data import warehouse

    obs = warehouse().all_observations("jaar")
    if codes is None:
        return monitors.leefvorm_publiek(obs.filter(pl.col("gemeente_code") == "NL01"))
    return monitors.leefvorm_publiek(obs, list(codes))


def leefvorm_section(wh: Warehouse, gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str,
                     members: list[str], pagina: suppress.Pagina, eerste: dt.date | None = None) -> None:
    options = suppress.page_peildata(peil)  # the peildatum and the month ends of the five years before it
    if eerste is not None:  # only months the file describes (bestandsmonitor)
        options = [d for d in options if d >= eerste]
    default = [d for d in options if d.month == peil.month][:3]  # the peildatum and the same month one and two years back
    ends = sorted(st.multiselect("Peildata", options, default=default, format_func=nl_date_short,
                                 key=f"peildata-{gemeente}-{peil:%Y-%m-%d}"))  # a file with another peildatum: its own
    if not ends:
        st.caption("Kies een of meer peildata.")
        return
    res = pagina.leefvorm(_monitor("leefvorm", file, (ends,), (), spells))
    _table(res.frame.with_columns(pl.col("peildatum").dt.strftime(DATUM_KORT), _words("leefvorm")).rename(
        {"peildatum": "Peildatum", "leefvorm": "Leefvorm", "aantal": "Uitkeringen", "aandeel": "Aandeel (%)"}),
        [line, *res.note()], key=f"leefvorm-{gemeente}")
    build = f"{wh.path}:{wh.path.stat().st_mtime}"
    nl = _leefvorm_publiek(build, None)
    groep = _leefvorm_publiek(build, tuple(members)) if members else nl.clear()
    if nl.is_empty() and groep.is_empty():
        st.caption("Openbare cijfers naar leefvorm (CBS 82015NED, per maand) zijn er zodra de beheerder van het portaal de "
                   "nieuwste CBS-tabellen ophaalt; de "
                   "meegeleverde gegevens hebben ze niet, dus er staat hier geen vergelijking met Nederland of de referentiegroep.")
        return
    parts = [f.filter(pl.col("periode") == f["periode"].max()).with_columns(pl.lit(naam).alias("Wie"))
             for naam, f in (("Nederland", nl), ("Referentiegroep", groep)) if not f.is_empty()]
    data_table(pl.concat(parts).select("Wie", pl.col("periode").alias("Periode"), _words("leefvorm").alias("Leefvorm"),
                                       pl.col("aandeel").alias("Aandeel (%)"), pl.col("gemeenten").alias("Gemeenten")),
               ["Openbare verdeling naar leefvorm: CBS 82015NED (bijstandsuitkeringen; uitkeringsgrondslag, regio's), nieuwste maand."],
               key=f"leefvorm-publiek-{gemeente}")


def uitstroom_section(gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str, pagina: suppress.Pagina) -> None:
    c1, c2 = st.columns(2)
    per = c1.radio("Per", list(PER), format_func=PER.get, horizontal=True, key=f"per-{gemeente}")
    naar = c2.radio("Uitstroom", ["einde", "werk"], format_func={"einde": "alle uitstroom", "werk": "naar werk"}.get, horizontal=True,
                    key=f"naar-{gemeente}")
    table = _monitor("kans", file, (peil,), (("naar", naar), ("per", per)), _prep(file, peil, spells))
    if table.is_empty():
        st.info("Er zijn nog geen uitkeringen die begonnen in de maanden die het bestand volledig beschrijft, dus nog geen "
                "uitstroomkans. Een bestand met een langere geschiedenis geeft die wel.")
        return
    # Nobody of a group followed up to h months and not everyone left: the Kaplan–Meier curve stops before h, no estimate.
    table = table.with_columns([pl.when((pl.col(f"n_risico_{h}") == 0) & (pl.col(f"kans_{h}") < 1)).then(None)
                                .otherwise(pl.col(f"{p}_{h}")).alias(f"{p}_{h}")
                                for h in (6, 12) for p in ("kans", "onder", "boven", "se")])
    res = pagina.survival(table, per, naar)
    # ... and "still in the bijstand after h months" is then not 0 but not applicable: shown as '–', like the kans.
    unfollowed = {h: table.filter(pl.col(f"kans_{h}").is_null())["groep"].to_list() for h in (6, 12)}
    frame = res.frame.with_columns([pl.when(pl.col("groep").is_in(unfollowed[h])).then(None).otherwise(pl.col(f"n_risico_{h}"))
                                    .alias(f"n_risico_{h}") for h in (6, 12)])
    pct = {c: pl.col(c) * 100 for c in frame.columns if c.split("_")[0] in ("kans", "onder", "boven")}
    shown = frame.with_columns(**{c: e for c, e in pct.items()}).select(
        pl.col("groep").alias(PER[per].capitalize()), pl.col("n").alias("Instromers"),
        *[pl.col(f"{p}_{h}").alias(f"{label} {h} mnd (%)") for h in (6, 12)
          for p, label in (("kans", "Uitstroomkans"), ("onder", "Ondergrens"), ("boven", "Bovengrens"))],
        *[pl.col(f"n_risico_{h}").alias(f"Nog in de bijstand na {h} mnd") for h in (6, 12)])
    method = ("De kans om binnen 6 of 12 maanden na de instroom uit te stromen, voor uitkeringen die begonnen vanaf de eerste "
              "maand die het bestand volledig beschrijft (oudere perioden staan er maar ten dele in). Wie op de peildatum nog een "
              "uitkering heeft, telt mee tot de peildatum (gecensureerd). Leeftijd: bij de instroom, uit de geboortedatum als "
              "het bestand die heeft, anders instroomjaar min geboortejaar. Leeg bij een groep die nog niemand zo lang kon volgen.")
    if naar == "werk":
        method += (" Naar werk: het aandeel dat binnen die tijd naar werk uitstroomt (cumulatieve incidentie, Aalen–Johansen), "
                   "met andere uitstroom als concurrerende reden: wie om een andere reden uitstroomt, kan niet meer naar werk "
                   "uitstromen. 95 %-interval met de variantie volgens de deltamethode (log-log).")
    else:
        method += " Alle uitstroom: Kaplan–Meier, 95 %-interval met Greenwood (log-log)."
    _table(shown, [line, method, *res.note()], key=f"uitstroomkans-{gemeente}-{per}-{naar}")
    st.caption(method)


def herinstroom_section(gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str, pagina: suppress.Pagina) -> None:
    table = _monitor("herinstroom", file, (peil,), (), spells)
    if not monitors.herinstroom_getoond(table):
        st.info("Nog geen herinstroom te tonen: er is geen uitstroom die minstens 6 maanden voor de peildatum viel in de maanden "
                "die het bestand volledig beschrijft.")
        return
    res = pagina.herinstroom(table)
    shown = res.frame.select(
        pl.col("reden").replace_strict({"werk": "naar werk", "overig": "andere reden", "totaal": "totaal"}).alias("Reden van uitstroom"),
        *[e for h in (6, 12) for e in (pl.col(f"uitstromers_{h}").alias(f"Uitstromers ({h} mnd gevolgd)"),
                                       pl.col(f"terug_{h}").alias(f"Terug binnen {h} mnd"),
                                       pl.col(f"aandeel_{h}").alias(f"Terug binnen {h} mnd (%)"))])
    ranges = "; ".join(f"{h} maanden: uitstroom van {table['van'][0]:{MAAND_KORT}} t/m {nl_date_short(table[f'tot_{h}'][0])}"
                       for h in (6, 12) if table[f"tot_{h}"][0] is not None)
    method = (f"Herinstroom: van de personen die uitstroomden, het deel dat binnen 6 of 12 maanden weer een uitkering kreeg, naar de "
              f"reden van uitstroom. Terug binnen {episodes.HERINSTROOM_DAGEN} dagen telt niet als uitstroom (voortzetting, zoals "
              "CBS); CBS publiceert ook 'herinstromers binnen een jaar'. Alleen uitstroom vanaf de eerste maand die het bestand "
              f"volledig beschrijft en lang genoeg vóór de peildatum om de hele termijn te volgen ({ranges}); per persoon telt de "
              "eerste uitstroom in die periode.")
    if spells["synthetisch"].any():
        method += " Het synthetische voorbeeld kent geen herinstroom: elke cliënt heeft er één uitkering."
    _table(shown, [line, method, *res.note()], key=f"herinstroom-{gemeente}")
    st.caption(method)


def herinstroom_nl(wh: Warehouse) -> None:
    """CBS's national (her)instromers binnen een jaar (85615NED) next to the own herinstroom table, as another measure."""
    from portal import views

    share = views.reentry_share(views.national_flows(wh.observations("NL01", views.NATIONAL_FLOWS, "jaar")))
    if share is None:
        st.caption("Landelijk cijfer over herinstroom (CBS 85615NED): niet in de gegevens van het portaal.")
        return
    periode, her, instr = share
    st.caption(f"Landelijk, ter vergelijking (CBS 85615NED, {periode[-1]}e kwartaal {periode[:4]}): {nl_number(100 * her / instr, 1)} % "
               f"van de instromers ({nl_number(her)} van {nl_number(instr)}) had in het jaar vóór de instroom ook bijstand. Dat is "
               "een andere maat dan de tabel hierboven: CBS kijkt terug vanaf de instroom, de tabel vooruit vanaf de uitstroom "
               "(wie binnen 6 of 12 maanden terugkomt). De twee zijn niet één op één te vergelijken.")


def duur_section(gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str, file: str, pagina: suppress.Pagina) -> None:
    res = pagina.duur(_monitor("duur", file, (peil,), (), spells))
    _table(res.frame.rename({"duurklasse": "Duur van de uitkering", "aantal": "Uitkeringen", "aandeel": "Aandeel (%)"}),
               [line, f"Zittend bestand op {nl_date_short(peil)} naar volledige maanden sinds de begindatum.", *res.note()],
               key=f"duur-{gemeente}")
    st.caption("Een landelijke verdeling naar uitkeringsduur zit niet in de gegevens die het portaal meelevert (CBS-tabellen in "
               "data/snapshots); daarom staat hier geen landelijke vergelijking naast de duurklassen.")


def budget_section(gemeente: str, spells: pl.DataFrame, peil: dt.date, line: str) -> None:
    if spells["bedrag"].is_null().all():
        st.info("Het bestand bevat geen uitkeringsbedragen: een budgetmonitor is niet mogelijk. Koppel bij de volgende upload "
                "een kolom met het uitkeringsbedrag per maand.")
        return
    year = dt.date(peil.year, 1, 1)
    paid = spells.lazy().filter(pl.col("bedrag").is_not_null() & (pl.col("begin") <= peil)
                                & (pl.col("einde").is_null() | (pl.col("einde") >= year)))
    if paid.select(pl.col("client").n_unique()).collect().item() < MIN_CELL:
        st.info(f"Geen budgetmonitor: de uitgaven in {peil.year} rusten op minder dan {MIN_CELL} personen met een "
                "uitkeringsbedrag in het bestand. Zo'n bedrag zegt iets over enkele cliënten en wordt daarom niet getoond, net "
                f"als een aantal van minder dan {MIN_CELL} personen.")
        return
    text = st.text_input("I-deel/BUIG-budget voor dit jaar (euro)", placeholder="bijvoorbeeld 412.500.000", key=f"budget-{gemeente}")
    if not text.strip():
        st.caption("Vul het budget in om uitgaven, prognose en verwacht saldo te zien.")
        return
    amount = pl.select(parse.amount(pl.lit(text.strip()))).item()
    if amount is None or not 0 < amount <= 5e9:
        st.error(f"{quoted(text.strip())} is geen bedrag tussen 0 en 5 miljard euro; schrijf het budget als bijvoorbeeld "
                 "412.500.000 of 412500000.")
        return
    b = monitors.budget(spells, amount, peil.year, peil)
    if b is None:
        st.info(f"Het bestand bevat geen uitkeringsbedragen voor {peil.year}: een budgetmonitor is niet mogelijk.")
        return
    c = st.columns(3)
    c[0].metric("Uitgegeven tot de peildatum", nl_euro(b.gerealiseerd))
    c[1].metric("Prognose voor het jaar", nl_euro(b.prognose))
    c[2].metric("Verwacht saldo", nl_euro(b.saldo), help="budget min prognose; negatief is een tekort")
    st.caption(literal(f"{b.methode} {line}"))


@st.cache_data(max_entries=256, show_spinner=False)
def _participant_monthly(gemeente: str, upload_id: int, van: dt.date, tot: dt.date, db: str) -> pl.DataFrame:
    """One participant's monthly table over a window, in persons (episodes); db: part of the cache key."""
    return monitors.monthly(episodes.merge(_stored_spells(gemeente, upload_id, db)), van, tot)


PARTICIPANT_COLUMNS = {"maand": "Maand", "gemeenten": "Gemeenten", "bestand": "Bestand", "instroom": "Instroom",
                       "uitstroom": "Uitstroom", "uitstroom_werk": "Uitstroom naar werk", "instroom_pct": "Instroom %",
                       "uitstroom_pct": "Uitstroom %", "uitstroom_werk_pct": "Naar werk %"}


def deelnemers_section(wh: Warehouse, gemeente: str, user: Gebruiker, own: pl.DataFrame) -> None:
    db = store.default()
    uploads = {c: u for c in db.participants() if c != gemeente and (u := db.current(c, synthetisch=False)) is not None}
    if len(uploads) < MIN_PARTICIPANTS:
        k = len(uploads)
        wie = "is nog geen andere gemeente" if not k else "is 1 andere gemeente" if k == 1 else f"zijn {k} andere gemeenten"
        st.info(f"Vergelijking met andere deelnemers: nog niet mogelijk. Er {wie} met een echte upload; cijfers van andere "
                f"gemeenten worden alleen getoond als totaal over minstens {MIN_PARTICIPANTS} gemeenten.")
        return
    van, tot, path = own["maand"].min(), own["maand"].max(), str(db.path)
    klasse = wh.kenmerken(wh.newest_indeling).filter(pl.col("kenmerk") == "gemeentegrootte")
    mine = klasse.filter(pl.col("gemeentecode") == gemeente)["code"].to_list()
    groepen = {participants.ALLE: None, participants.KLASSE: klasse.filter(pl.col("code").is_in(mine))["gemeentecode"].to_list()}
    earlier = [participants.from_row(r) for r in db.releases(gemeente)]
    result, new = participants.publish(groepen, uploads, gemeente, van, tot, earlier,
                                       lambda g, u: _participant_monthly(g, u, van, tot, path), now(), pseudo.key())
    if new:
        try:
            db.add_releases(gemeente, [participants.to_row(r) for r in new])
        except UserDataError as exc:  # not stored: show nothing new rather than a release that was never recorded
            st.error(exc.dutch())
            return
    st.caption("Een totaal over de referentiegroep of een andere zelf gekozen groep toont het portaal niet: twee groepen die "
               "één gemeente verschillen zouden samen de cijfers van die gemeente geven.")
    for label, (rel, note) in result.items():
        st.markdown(f"**{label.capitalize()}**")
        if rel is None:
            st.caption(note or "")
            continue
        frame, res = participants.shown(rel)
        lines = [f"Totaal van {label} (eigen bestanden van deelnemende gemeenten, in personen): stand van "
                 f"{participants.datum(rel.tijd)}, {len(rel.bijdragers)} gemeenten; alleen deelnemers waarvan "
                 f"het bestand alle maanden {rel.van:{MAAND_KORT}} t/m {rel.tot:{MAAND_KORT}} volledig beslaat. Aantallen afgerond op "
                 "tientallen; percentages per 100 uitkeringen aan het begin van de maand (bestand − instroom + uitstroom), "
                 "berekend uit de afgeronde aantallen.", *res.note(), *([note] if note else [])]
        st.caption(" ".join(lines))
        data_table(frame.with_columns(pl.col("maand").dt.strftime(MAAND_KORT)).rename(PARTICIPANT_COLUMNS), lines,
                   key=f"deelnemers-{gemeente}-{label}")
    if access.may_see_participants(user):
        with st.expander("Per deelnemer (alleen beheer)"):
            per = pl.concat([_participant_monthly(c, u["id"], van, tot, path).with_columns(pl.lit(c).alias("gemeente"))
                             for c, u in uploads.items()])
            overzicht = participants.beheer_overzicht(per)
            res = suppress.suppress(overzicht, list(participants.COUNTS), [], key="gemeente")
            data_table(res.frame.select(
                pl.col("gemeente").map_elements(lambda c: f"{wh.name(c)} ({c})", return_dtype=pl.String).alias("Gemeente"),
                pl.col("eerste_maand").dt.strftime(MAAND_KORT).alias("Eerste maand"),
                pl.col("laatste_maand").dt.strftime(MAAND_KORT).alias("Laatste maand"), pl.col("maanden").alias("Maanden"),
                *[pl.col(c).alias(label) for c, label in FLOWS.items()]),
                ["Alleen voor beheer: per deelnemende gemeente de cijfers van haar laatste maand (bestand, instroom en uitstroom "
                 "in die maand); eerste maand en maanden binnen de periode van de eigen monitor.", *res.note()], key="deelnemers-beheer")


def render(wh: Warehouse, user: Gebruiker) -> None:
    gemeente = choose_gemeente(wh, user)
    if gemeente is None or not access.may_see(user, gemeente):
        return
    naam = wh.name(gemeente)
    st.title(f"Eigen bestand {naam}")
    if access.may_upload(user, gemeente):
        with st.expander("Bestand uploaden", expanded=store.current(gemeente, synthetisch=False) is None):
            upload_section(gemeente, user)
    st.header("Uploads")
    uploads_section(gemeente, user)
    bus_ui.srg_section(gemeente, user, access.may_upload(user, gemeente))
    try:
        got = basis(wh, gemeente)
    except store.BestandOntbreekt as exc:
        st.error(exc.dutch())
        return
    if got is None:
        st.info(f"Er is geen upload en ook geen openbaar bijstandscijfer voor {naam} om een synthetisch voorbeeld op te baseren.")
        return
    spells, peil, line, file = got
    synthetic = bool(spells["synthetisch"].any())
    with file_tag("synthetisch" if synthetic else ""):  # every download of the example says so in its name
        _sections(wh, user, gemeente, naam, spells, peil, line, file)


def _sections(wh: Warehouse, user: Gebruiker, gemeente: str, naam: str, spells: pl.DataFrame, peil: dt.date, line: str,
              file: str) -> None:
    if spells["synthetisch"].any():
        st.warning(f"**Synthetisch voorbeeld.** Er is nog geen eigen bestand van {naam}: alles hieronder rust op een gegenereerd "
                   "bestand zonder echte cliënten, zodat u ziet wat de monitors laten zien. Upload een bestand om uw eigen cijfers te zien.")
    st.caption(literal(line))
    if spells["synthetisch"].any():
        bus_ui.voorbeeld_section(gemeente, peil, file, spells)
    group = current_group(wh, gemeente, show_notes=False)
    extra = bus_ui.extra(gemeente, file, peil, spells)  # BUS tables (reden beëindiging, IOAW/IOAZ/Bbz) of the same file
    meters = rendement_ui.meters(gemeente, naam, file, peil, spells)  # issue 22 part 4: SRG voorzieningen against BUS
    pagina = _pagina(file, peil, spells, rendement_ui.both(extra.pattern(), meters.pattern()), srg=meters.key)
    st.header("Bestandsmonitor")
    # A BUS file holds the records of its statistiekmaanden only: a spell that ended before them is not in it, so the
    # months before its first completely described month are not shown. (An own-layout export is read as complete.)
    eerste = _monitor("gedekt", file, (peil,), (), spells) if extra.redenen is not None else None
    own = bestandsmonitor(wh, gemeente, spells, peil, line, file, pagina, eerste)
    st.header("Leefvorm")
    leefvorm_section(wh, gemeente, spells, peil, line, file, list(group.members), pagina, eerste)
    st.header("Uitstroomkans")
    uitstroom_section(gemeente, spells, peil, line, file, pagina)
    st.header("Uitstroom naar reden")
    bus_ui.redenen_section(gemeente, extra, peil, line, pagina, _table)
    bus_ui.reeksen_section(gemeente, extra, peil, line, pagina, _table)
    st.header("Kenmerken van de uitkeringen (BUS)")
    from portal.ui import kenmerken as kenmerken_ui  # issue 22 part 2: Divosa's indicators from the BUS

    kenmerken_ui.section(naam, gemeente, extra.kenmerken, peil, line, pagina, _table, bool(spells["synthetisch"].any()))
    st.header("Rendementmeters (SRG)")
    rendement_ui.section(gemeente, naam, meters, line, pagina, _table)
    st.header("Herinstroom")
    herinstroom_section(gemeente, spells, peil, line, file, pagina)
    herinstroom_nl(wh)
    st.header("Duur van de uitkering")
    duur_section(gemeente, spells, peil, line, file, pagina)
    st.header("Prognose van het bestand")
    from portal.ui import prognose as prognose_ui  # issue 22 part 3: the stock-flow prognosis with its backtest

    prognose_ui.eigen_section(gemeente, spells, peil, line, file, pagina)
    st.header("Uitgaven en budget")
    budget_section(gemeente, spells, peil, line)
    st.header("Vergelijking met andere deelnemers")
    if spells["synthetisch"].any():
        st.caption("Geen vergelijking met andere deelnemers op een synthetisch bestand.")
    else:
        deelnemers_section(wh, gemeente, user, own)
