"""Referentiegroepen: ready-made groups (same class or region, G4, G40) and nearest neighbours on structural characteristics.

A group is described by a `GroupSpec` that fits in a URL; resolving it against the warehouse gives the members.
The nearest-neighbour search standardises each characteristic over all gemeenten of the newest indeling (z-scores)
and uses the Euclidean distance over the switched-on characteristics; each characteristic's share of the distance is
its squared difference divided by the squared distance. No Streamlit here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from portal.indeling import is_gemeente_code
from portal.store import Warehouse
from portal.tekst import quoted


@dataclass(frozen=True)
class Feature:
    id: str
    label: str
    unit: str
    source: str
    log: bool = False


# The characteristic set, all on the 2025 indeling. Counts come from CBS tables harmonised by the warehouse.
FEATURES: dict[str, Feature] = {f.id: f for f in [
    Feature("inwoners", "Inwoners", "inwoners (log-schaal)", "CBS 85383NED, inwoners 2024", log=True),
    Feature("bevolkingsdichtheid", "Bevolkingsdichtheid", "inwoners per km² land (log-schaal)",
            "CBS 85383NED inwoners 2024 / CBS 85984NED oppervlakte land 2024", log=True),
    Feature("eenpersoons", "Eenpersoonshuishoudens", "per 1 000 inwoners", "CBS 85383NED, 2024"),
    Feature("laag_inkomen", "Huishoudens met laag inkomen", "per 1 000 inwoners", "CBS 85383NED, 2023 (voorlopig)"),
    Feature("stedelijkheid", "Stedelijkheid", "klasse 1 (niet) – 5 (zeer sterk)", "gemeenteklassen 2025 (CBS-indeling)"),
    Feature("centrumfunctie", "Centrumfunctie", "klasse 0 (zonder) – 3 (sterk)", "gemeentefondsklassen 2025"),
    Feature("sociale_structuur", "Sociale structuur", "klasse 1 (goed) – 4 (zwak)", "gemeentefondsklassen 2025"),
]}
ORDINAL = {
    "stedelijkheid": {"Niet stedelijk": 1, "Weinig stedelijk": 2, "Matig stedelijk": 3, "Sterk stedelijk": 4, "Zeer sterk stedelijk": 5},
    "centrumfunctie": {"Zonder": 0, "Weinig": 1, "Redelijk": 2, "Sterk": 3},
    "sociale_structuur": {"Goed": 1, "Redelijk": 2, "Matig": 3, "Zwak": 4},
}
CLASS_YEAR = 2025
# Ready-made groups on a shared characteristic (gemeente_kenmerken of CLASS_YEAR).
KENMERK_GROUPS = {
    "gemeentegrootte": "Zelfde gemeentegrootteklasse",
    "stedelijkheid": "Zelfde stedelijkheidsklasse",
    "provincie": "Zelfde provincie",
    "arbeidsmarktregio": "Zelfde arbeidsmarktregio",
    "corop": "Zelfde COROP-gebied",
    "sociale_structuur": "Zelfde sociale structuur (gemeentefonds)",
}
# The four largest cities (Amsterdam, Rotterdam, 's-Gravenhage, Utrecht): a fixed group in Dutch policy since the 1990s.
G4 = ("GM0363", "GM0599", "GM0518", "GM0344")
# The G40-stedennetwerk: members come from the warehouse (gemeente_kenmerken, kenmerk 'g40', from the snapshot
# g4_g40_stedennetwerk), never from a list in code. The label names the list's date and sources as shipped.
G40_LABEL = ("G40-stedennetwerk (41 gemeenten, ledenlijst per 1 juli 2022; bron: hetccv.nl, fy.wikipedia.org, stadszaken.nl; "
             "latere wijzigingen niet gecontroleerd)")
KINDS = ("knn", "kenmerk", "g4", "g40", "lijst")
DEFAULT_K = 10
K_MIN, K_MAX = 1, 50  # the number of nearest neighbours a link or the form may ask for


@dataclass(frozen=True)
class GroupSpec:
    """How a referentiegroep is made. kind: knn | kenmerk | g4 | g40 | lijst (hand-picked only)."""

    kind: str = "knn"
    k: int = DEFAULT_K
    features: tuple[str, ...] = tuple(FEATURES)
    kenmerk: str = "gemeentegrootte"
    extra: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def to_params(self) -> dict[str, str]:
        p: dict[str, str] = {"rg": self.kind}
        if self.kind == "knn":
            p["k"] = str(self.k)
            p["kenm"] = ",".join(self.features)
        if self.kind == "kenmerk":
            p["klasse"] = self.kenmerk
        if self.extra:
            p["plus"] = ",".join(self.extra)
        if self.removed:
            p["min"] = ",".join(self.removed)
        return p

    def describe(self) -> str:
        base = {
            "knn": f"{self.k} meest gelijkende gemeenten op {', '.join(FEATURES[f].label.lower() for f in self.features)}",
            "kenmerk": KENMERK_GROUPS.get(self.kenmerk, self.kenmerk),
            "g4": "G4 (Amsterdam, Rotterdam, 's-Gravenhage, Utrecht)",
            "g40": G40_LABEL,
            "lijst": "zelf samengestelde lijst",
        }[self.kind]
        if self.extra:
            base += f"; {len(self.extra)} met de hand toegevoegd"
        if self.removed:
            base += f"; {len(self.removed)} met de hand verwijderd"
        return base


def _codes(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.strip().upper() for c in (text or "").split(",") if c.strip()))


def spec_from_params(params: dict[str, str]) -> tuple[GroupSpec, list[str]]:
    """Read a GroupSpec from URL parameters; returns the spec and Dutch messages about what was ignored (Markdown, with
    the link's values escaped and shortened by portal.tekst.quoted)."""
    msgs: list[str] = []
    kind = params.get("rg", "knn")
    if kind not in KINDS:
        msgs.append(f"Onbekend soort referentiegroep {quoted(kind)} in de link (parameter rg); de meest gelijkende gemeenten "
                    "worden getoond.")
        kind = "knn"
    k = DEFAULT_K
    if "k" in params:
        # ASCII digits only: int() also reads '١٢', ' 12' and '1_2'.
        if re.fullmatch(r"[0-9]{1,2}", params["k"]) and K_MIN <= int(params["k"]) <= K_MAX:
            k = int(params["k"])
        else:
            msgs.append(f"Aantal buren {quoted(params['k'])} in de link (parameter k) is geen geheel getal van {K_MIN} tot en met "
                        f"{K_MAX}; {DEFAULT_K} wordt gebruikt.")
    features = tuple(FEATURES)
    if "kenm" in params:
        asked = [f for f in params["kenm"].split(",") if f]
        unknown = [f for f in asked if f not in FEATURES]
        if unknown:
            msgs.append(f"Onbekende kenmerken in de link (parameter kenm) genegeerd: {', '.join(quoted(f, 30) for f in unknown[:10])}.")
        features = tuple(f for f in FEATURES if f in asked) or tuple(FEATURES)
    kenmerk = params.get("klasse", "gemeentegrootte")
    if kenmerk not in KENMERK_GROUPS:
        msgs.append(f"Onbekende indeling {quoted(kenmerk)} in de link (parameter klasse); de gemeentegrootteklasse wordt gebruikt.")
        kenmerk = "gemeentegrootte"
    extra, removed = _codes(params.get("plus")), _codes(params.get("min"))
    bad = [c for c in extra + removed if not is_gemeente_code(c)]
    if bad:
        msgs.append(f"Ongeldige gemeentecodes in de link (parameter plus of min) genegeerd: "
                    f"{', '.join(quoted(c, 20) for c in bad[:10])}.")
        extra = tuple(c for c in extra if is_gemeente_code(c))
        removed = tuple(c for c in removed if is_gemeente_code(c))
    return GroupSpec(kind, k, features, kenmerk, extra, removed), msgs


def feature_table(wh: Warehouse) -> pl.DataFrame:
    """One row per gemeente of the newest indeling with the raw characteristic values (null where the source has none)."""
    gm = wh.gemeenten().select("gemeentecode", "gemeentenaam")
    obs = wh.all_observations("nieuwste").filter(
        pl.col("indicator").is_in(["inwoners_totaal", "oppervlakte_land", "eenpersoonshuishoudens", "huishoudens_laag_inkomen"])
        & pl.col("periode").is_in(["2023", "2024"])
    )
    obs = obs.with_columns(pl.format("{}_{}", "indicator", "periode").alias("key"))
    wide = obs.pivot(on="key", index="gemeente_code", values="waarde", aggregate_function="first")
    inw24 = pl.col("inwoners_totaal_2024")
    wide = wide.select(
        pl.col("gemeente_code").alias("gemeentecode"),
        inw24.alias("inwoners"),
        (inw24 / (pl.col("oppervlakte_land_2024") / 100)).alias("bevolkingsdichtheid"),  # hectare -> km²
        (pl.col("eenpersoonshuishoudens_2024") / inw24 * 1000).alias("eenpersoons"),
        (pl.col("huishoudens_laag_inkomen_2023") / pl.col("inwoners_totaal_2023") * 1000).alias("laag_inkomen"),
    )
    kenm = wh.kenmerken(CLASS_YEAR).filter(pl.col("kenmerk").is_in(list(ORDINAL)))
    kenm = kenm.pivot(on="kenmerk", index="gemeentecode", values="waarde", aggregate_function="first")
    kenm = kenm.select("gemeentecode", *[pl.col(k).replace_strict(v, default=None, return_dtype=pl.Float64).alias(k)
                                         for k, v in ORDINAL.items() if k in kenm.columns])
    out = gm.join(wide, on="gemeentecode", how="left").join(kenm, on="gemeentecode", how="left")
    for f in FEATURES:
        if f not in out.columns:
            out = out.with_columns(pl.lit(None, pl.Float64).alias(f))
    return out.with_columns(pl.col(list(FEATURES)).cast(pl.Float64)).sort("gemeentecode")


@dataclass
class FeatureMatrix:
    """Standardised characteristics as a numpy matrix, for fast neighbour searches."""

    codes: list[str]
    names: dict[str, str]
    raw: pl.DataFrame
    z: np.ndarray = field(repr=False)  # rows = gemeenten, columns = FEATURES order; NaN where missing

    @classmethod
    def build(cls, table: pl.DataFrame) -> FeatureMatrix:
        cols = []
        for f in FEATURES.values():
            v = table[f.id].to_numpy().astype(float)
            if f.log:
                v = np.log10(v)
            mu, sd = np.nanmean(v), np.nanstd(v)
            cols.append((v - mu) / sd if sd > 0 else v * 0)
        return cls(table["gemeentecode"].to_list(), dict(zip(table["gemeentecode"], table["gemeentenaam"])), table,
                   np.column_stack(cols))


def distances(fm: FeatureMatrix, code: str, features: tuple[str, ...], members: list[str] | None = None) -> pl.DataFrame:
    """Distance from `code` to every other gemeente (or to `members`), nearest first, with each characteristic's share.

    A characteristic missing for the chosen gemeente does not count; a candidate missing one of the others is
    compared on the ones it has, with the squared distance scaled up to the full number (as in Gower's method).
    """
    idx = [list(FEATURES).index(f) for f in features]
    me = fm.z[fm.codes.index(code), idx]
    used = [f for f, v in zip(features, me) if not np.isnan(v)]
    if not used:
        return pl.DataFrame()
    cols = [list(FEATURES).index(f) for f in used]
    sq = (fm.z[:, cols] - fm.z[fm.codes.index(code), cols]) ** 2
    have = (~np.isnan(sq)).sum(axis=1)
    part = np.nansum(sq, axis=1)
    total = np.where(have > 0, part * len(used) / np.maximum(have, 1), np.inf)
    keep = np.array([c != code and (members is None or c in members) for c in fm.codes]) & np.isfinite(total)
    order = [i for i in np.argsort(total, kind="stable") if keep[i]]
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = sq[order] / part[order, None]
    frame = pl.DataFrame({
        "gemeentecode": [fm.codes[i] for i in order],
        "afstand": np.sqrt(total[order]),
        **{f"aandeel_{f}": shares[:, j] for j, f in enumerate(used)},
    })
    return frame.with_columns(pl.col(f"aandeel_{f}" for f in used).fill_nan(None))


def nearest(fm: FeatureMatrix, code: str, k: int, features: tuple[str, ...]) -> pl.DataFrame:
    """The k gemeenten closest to `code` on the chosen characteristics (see `distances`), with their rank."""
    return distances(fm, code, features).head(k).with_row_index("rang", offset=1)


@dataclass
class Group:
    """A resolved referentiegroep: members (without the chosen gemeente), how they were chosen, and notes for the user."""

    spec: GroupSpec
    code: str
    members: list[str]
    why: pl.DataFrame  # distance and share per characteristic for each member (empty for an empty group)
    notes: list[str]
    name: str = ""

    def label(self) -> str:
        return self.name or self.spec.describe()


def resolve(wh: Warehouse, fm: FeatureMatrix, spec: GroupSpec, code: str) -> Group:
    notes: list[str] = []
    why = pl.DataFrame()
    if spec.kind == "knn":
        row = fm.raw.filter(pl.col("gemeentecode") == code)  # once, not per characteristic
        missing = [FEATURES[f].label for f in spec.features if row[f].is_null().any()]
        if missing:
            notes.append(f"Voor {fm.names.get(code, code)} ontbreekt in de bron: {', '.join(missing)}. Dit kenmerk telt niet mee"
                         + (" (de G4 hebben in de gemeentefondsklassen geen centrumfunctieklasse)." if code in G4 else "."))
        why = nearest(fm, code, spec.k, spec.features)
        members = why["gemeentecode"].to_list() if why.height else []
    elif spec.kind == "kenmerk":
        kenm = wh.kenmerken(CLASS_YEAR).filter(pl.col("kenmerk") == spec.kenmerk)
        mine = kenm.filter(pl.col("gemeentecode") == code)["waarde"]
        if mine.is_empty() or mine[0] is None:
            notes.append(f"Voor {fm.names.get(code, code)} is geen {spec.kenmerk} {CLASS_YEAR} bekend; de groep is leeg.")
            members = []
        else:
            members = sorted(kenm.filter((pl.col("waarde") == mine[0]) & (pl.col("gemeentecode") != code))["gemeentecode"])
            notes.append(f"{KENMERK_GROUPS[spec.kenmerk]}: {mine[0]} (indeling {CLASS_YEAR}).")
    elif spec.kind == "g4":
        members = [c for c in G4 if c != code]
    elif spec.kind == "g40":
        leden = wh.kenmerken(CLASS_YEAR).filter(pl.col("kenmerk") == "g40")
        members = sorted(c for c in leden["gemeentecode"] if c != code)
        if leden.is_empty():
            notes.append("De G40-ledenlijst staat niet in dit warehouse; bouw het opnieuw (python3 dev.py etl build).")
        else:
            notes.append(f"{leden.height} leden volgens {leden['bron'][0]}"
                         + (f"; {fm.names.get(code, code)} is zelf lid." if code in set(leden["gemeentecode"]) else "."))
    else:
        members = []
    known = set(fm.codes)
    for c in spec.extra:
        if c not in known:
            notes.append(f"{c} is geen gemeente in de indeling van {wh.newest_indeling} en is niet toegevoegd.")
        elif c != code and c not in members:
            members.append(c)
    members = [c for c in members if c not in spec.removed]
    if spec.kind != "knn" or spec.extra:
        why = distances(fm, code, spec.features, members) if members else pl.DataFrame()
    return Group(spec, code, members, why, notes)


def why_table(fm: FeatureMatrix, group: Group) -> pl.DataFrame:
    """Characteristic values of the chosen gemeente and each member side by side, with the share of the distance."""
    rows = fm.raw.filter(pl.col("gemeentecode").is_in([group.code, *group.members]))
    out = rows.select("gemeentecode", "gemeentenaam", *FEATURES)
    if group.why.height:
        out = out.join(group.why.drop("rang", strict=False), on="gemeentecode", how="left")
    order = {c: i for i, c in enumerate([group.code, *group.members])}
    return out.with_columns(pl.col("gemeentecode").replace_strict(order, return_dtype=pl.Int32).alias("_o")).sort("_o").drop("_o")


def why_display(why: pl.DataFrame, code: str) -> tuple[pl.DataFrame, dict[str, int]]:
    """`why_table` with Dutch headers for the page and its downloads: numbers stay numbers (inwoners, afstand, shares in
    %), ordinal classes become their labels. Returns the frame and the decimals per numeric column."""
    labels = {k: {v: t for t, v in m.items()} for k, m in ORDINAL.items()}
    cols = [pl.format("{} ({})", "gemeentenaam", "gemeentecode").alias("Gemeente"),
            pl.when(pl.col("gemeentecode") == code).then(pl.lit("gekozen")).otherwise(pl.lit("")).alias("Rol")]
    decimals: dict[str, int] = {}
    if "afstand" in why.columns:
        cols.append(pl.col("afstand").alias("Afstand"))
        decimals["Afstand"] = 2
    for f, feat in FEATURES.items():
        if f in labels:
            cols.append(pl.col(f).cast(pl.Int64).replace_strict(labels[f], default=None, return_dtype=pl.String).alias(feat.label))
        else:
            cols.append(pl.col(f).alias(feat.label))
            decimals[feat.label] = 0 if f in ("inwoners", "bevolkingsdichtheid") else 1
    for s in (c for c in why.columns if c.startswith("aandeel_")):
        name = f"Aandeel {FEATURES[s[8:]].label.lower()} (%)"
        cols.append((pl.col(s) * 100).alias(name))
        decimals[name] = 0
    return why.select(cols), decimals


def distance_parts(why: pl.DataFrame, code: str) -> pl.DataFrame:
    """Each member's distance split by characteristic (share × distance), for the bar chart: gemeentenaam, afstand,
    kenmerk (label), aandeel, bijdrage."""
    shares = [c for c in why.columns if c.startswith("aandeel_")]
    bars = why.filter(pl.col("gemeentecode") != code).unpivot(index=["gemeentenaam", "afstand"], on=shares,
                                                               variable_name="kenmerk", value_name="aandeel")
    return bars.with_columns((pl.col("aandeel") * pl.col("afstand")).alias("bijdrage"),
                             pl.col("kenmerk").str.slice(8).replace_strict({f: v.label for f, v in FEATURES.items()})).drop_nulls()


def with_change(spec: GroupSpec, add: str | None = None, remove: str | None = None) -> GroupSpec:
    """The spec after adding or removing one member by hand."""
    extra, removed = list(spec.extra), list(spec.removed)
    if add:
        removed = [c for c in removed if c != add]
        extra = extra if add in extra else [*extra, add]
    if remove:
        extra = [c for c in extra if c != remove]
        removed = removed if remove in removed else [*removed, remove]
    return replace(spec, extra=tuple(extra), removed=tuple(removed))
