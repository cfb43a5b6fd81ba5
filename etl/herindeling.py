"""Herindeling steps 2010–2025 with weights: declared rows, checked against the CBS lists, splits weighted by population.

Split weights. A gemeente split over several successors is divided by the population of the part each successor
received, counted by CBS in Kerncijfers wijken en buurten 2020 (84799NED, inwoners on 1 January 2020, on the 2020
indeling). The parts are wijken or buurten that CBS still names after the former gemeente or its villages; the figures
are in SPLITS below (and in Dutch in data/reference/README.md). Counting the parts directly replaces the earlier
estimate "population after minus population before, scaled by national growth": a successor like Tilburg or
's-Hertogenbosch grows or shrinks by more than the whole part it received, so that residual was mostly noise
(Haaren → Tilburg 0,133 instead of 0,102; Maasdonk → 's-Hertogenbosch 0,709 instead of 0,589; Boarnsterhim → De
Friese Meren 0). The counts are from 2020, years after the splits of 2014–2019; only the shares are used, and each
split's total is checked against an earlier CBS figure for the whole gemeente (SPLITS comments).

Sanity check, not a source: the VNG/grenswijzigen address shares (CC BY-NC-SA, read but neither shipped nor used)
agree within a few points: Littenseradiel 0,31 / 0,51 / 0,18 (ours 0,312 / 0,512 / 0,176), Winsum 0,877 / 0,123 (ours
0,885 / 0,115), Haaren Boxtel 0,150, Oisterwijk 0,423, Tilburg 0,084, Vught 0,343 (ours 0,150 / 0,409 / 0,102 / 0,339;
Tilburg's Biezenmortel includes the Huize Assisië institution: many residents on few addresses).

Not modelled: border corrections between gemeenten that both continue (Slochteren → Groningen 2017, Meerstad, about
4 % of Slochteren's addresses; Nissewaard → Hellevoetsluis 2018, about 1,4 % of Nissewaard's; Skarsterlân → Heerenveen
2014, Haskerdijken and Nieuwebrug, 620 inwoners in 2020 or about 2 % of Skarsterlân). The CBS gemeente list does not
record them (no code disappears), no shipped CBS table counts the people moved, and modelling them would require
splitting the continuing gemeente too. Their effect on a harmonised series is a level shift of at most a few percent
for the giving gemeente in the years before the correction; data/reference/README.md says so.
"""

from __future__ import annotations

import polars as pl

from portal.paths import REFERENCE
from etl.validate import Collector, read_table

FILE = REFERENCE / "herindelingen_2010_2025.csv"
FIRST, LAST = 2009, 2025
SPLIT_SOURCE = "CBS 84799NED (Kerncijfers wijken en buurten 2020), inwoners 1-1-2020 van de overgegane wijken/buurten"

# old code -> successor code -> (inwoners 1-1-2020 of the part it received, which wijken/buurten of 84799NED)
SPLITS: dict[str, dict[str, tuple[int, str]]] = {
    # Boarnsterhim (2014). Total 20 830 (80860ned: 19 320 inwoners on 1-1-2009).
    "GM0055": {
        "GM0080": (12_320, "Leeuwarden: Grou e.o. (WK008082) 8 405 + Dorpen Zuid-Oost (WK008080: Wirdum, Swichum, "
                           "Wergea, Warten, Warstiens) 3 915"),
        "GM0074": (5_940, "Heerenveen: wijk Boarnsterhim (WK007409: Akkrum, Nes, Aldeboarn)"),
        "GM1900": (1_655, "Súdwest-Fryslân: wijk 19 Boarnsterhim (WK190019: Raerd, Poppenwier, Sibrandabuorren, "
                          "Tersoal, Dearsum)"),
        "GM1921": (915, "De Fryske Marren: Terherne (WK194046) 750 + Akmarijp (WK194001) 110 + Snikzwaag (WK194044) 55"),
    },
    # Maasdonk (2015). Total 12 100 (80860ned: 11 270 on 1-1-2009).
    "GM1671": {
        "GM0796": (7_130, "'s-Hertogenbosch: Nuland (WK079613) 4 535 + Vinkel (WK079614) 2 595"),
        "GM0828": (4_970, "Oss: Geffen (WK082822)"),
    },
    # Littenseradiel (2018). Total 10 710 (70072ned: 10 879 on 1-1-2015). Menameradiel went whole into Waadhoeke.
    "GM0140": {
        "GM1900": (5_485, "Súdwest-Fryslân: wijk 20 Littenseradiel (WK190020: Wommels, Easterein, Itens, Hidaard, …)"),
        "GM0080": (3_340, "Leeuwarden: buurten Mantgum, Weidum, Jellum, Bears, Jorwert, Hilaard, Húns, Leons, Baard, "
                          "Easterlittens met buitengebieden (WK008081 Dorpen Zuid-West zonder Wytgaard)"),
        "GM1949": (1_885, "Waadhoeke: Baaium 120, Spannum 280, Winsum 1 030, Wjelsryp 455 (buurten incl. buitengebied)"),
    },
    # Winsum (2019). Total 13 515 (70072ned: 13 774 on 1-1-2015).
    "GM0053": {
        "GM1966": (11_965, "Het Hogeland: wijken 01 Winsum/Obergum 7 405, 02 Baflo 2 635, 03 Adorp/Sauwerd 1 925"),
        "GM1969": (1_550, "Westerkwartier: wijk 13 (WK196913: Ezinge, Feerwerd, Garnwerd)"),
    },
    # Haaren (2021). Total 14 360 (84799NED gemeente Haaren: 14 370).
    "GM0788": {
        "GM0824": (5_875, "Oisterwijk: wijk 01 Haaren (WK078801)"),
        "GM0865": (4_865, "Vught: wijk 02 Helvoirt (WK078802)"),
        "GM0757": (2_155, "Boxtel: wijk 03 Esch (WK078803)"),
        "GM0855": (1_465, "Tilburg: wijk 04 Biezenmortel (WK078804)"),
    },
}


def split_weight_table() -> dict[tuple[str, str], float]:
    """(old, new) -> share of the old gemeente's population that went to new (sums to 1 per old code)."""
    out = {}
    for old, parts in SPLITS.items():
        total = sum(n for n, _ in parts.values())
        for new, (n, _) in parts.items():
            out[(old, new)] = n / total
    return out


def read_steps(col: Collector) -> pl.DataFrame:
    df = read_table(FILE, col, required=["indeling_jaar", "datum", "oude_code", "nieuwe_code", "soort"], counts=["indeling_jaar"],
                    key=["oude_code", "nieuwe_code"])
    if df.is_empty():
        return df
    bad = df.filter(~pl.col("soort").is_in(["samenvoeging", "splitsing", "naamswijziging"]))
    for rij, soort in bad.select("_rij", "soort").iter_rows():
        col.add(f"reference/{FILE.name}", rij, "soort", f"onbekende soort '{soort}'")
    return df.with_columns(pl.col("indeling_jaar").cast(pl.Int32))


def mergers(steps: pl.DataFrame) -> dict[int, dict[str, str]]:
    """Indeling year -> old code -> new code, for the codes that went whole into one successor (not splits)."""
    out: dict[int, dict[str, str]] = {}
    if steps.is_empty():
        return out
    for y, old, new in steps.filter(pl.col("soort") != "splitsing").select("indeling_jaar", "oude_code", "nieuwe_code").iter_rows():
        out.setdefault(int(y), {})[old] = new
    return out


def check_steps(steps: pl.DataFrame, active: dict[int, set[str]], old_list: pl.DataFrame, col: Collector) -> None:
    """Every code that disappears or appears in the CBS list must be covered by a step, and the reverse."""
    name = f"reference/{FILE.name}"
    for y in range(FIRST + 1, LAST + 1):
        s = steps.filter(pl.col("indeling_jaar") == y)
        olds, news = set(s["oude_code"]), set(s["nieuwe_code"])
        for c in sorted((active[y - 1] - active[y]) - olds):
            col.add(name, None, "oude_code", f"{c} verdwijnt uit de CBS-lijst in {y} maar staat niet als herindeling vermeld")
        for c in sorted((active[y] - active[y - 1]) - news):
            col.add(name, None, "nieuwe_code", f"{c} verschijnt in de CBS-lijst in {y} zonder voorganger")
        for rij, old, new in s.select("_rij", "oude_code", "nieuwe_code").iter_rows():
            if old not in active[y - 1]:
                col.add(name, rij, "oude_code", f"{old} was op 1 januari {y - 1} geen gemeente")
            if new not in active[y]:
                col.add(name, rij, "nieuwe_code", f"{new} is op 1 januari {y} geen gemeente")
    if old_list.is_empty():
        return
    pairs = set(steps.select("oude_code", "nieuwe_code").iter_rows())
    for rij, jaar, old, new in old_list.select("_rij", "Eindjaar", "Oude", "Nieuwe").iter_rows():
        if int(jaar) >= 2010 and old != new and (old, new) not in pairs:
            col.add("gemeente_herindelingen/gm_changes_before_2018.csv", rij, "Nieuwe",
                    f"herindeling {old} → {new} ({jaar}) ontbreekt in {FILE.name}")


def split_weights(steps: pl.DataFrame, col: Collector) -> pl.DataFrame:
    """Return steps with a `gewicht` column (1 unless split) and a `gewicht_bron` note for split rows."""
    name = f"reference/{FILE.name}"
    weights = split_weight_table()
    split = steps.filter(pl.col("soort") == "splitsing")
    declared = set(split.select("oude_code", "nieuwe_code").iter_rows())
    for rij, old, new in split.select("_rij", "oude_code", "nieuwe_code").iter_rows():
        if (old, new) not in weights:
            col.add(name, rij, "soort", f"splitsing {old} → {new} heeft geen bevolkingscijfer in etl/herindeling.py (SPLITS)")
    for old, new in sorted(set(weights) - declared):
        col.add(name, None, "soort", f"SPLITS in etl/herindeling.py noemt {old} → {new}, maar het bestand niet als splitsing")
    rows = [(weights.get((o, n), 1.0) if s == "splitsing" else 1.0,
             f"{SPLIT_SOURCE}: {SPLITS[o][n][1]}; {SPLITS[o][n][0]:_} inwoners".replace("_", " ") if s == "splitsing" and (o, n) in weights else "")
            for o, n, s in steps.select("oude_code", "nieuwe_code", "soort").iter_rows()]
    return steps.with_columns(pl.Series("gewicht", [r[0] for r in rows], dtype=pl.Float64),
                              pl.Series("gewicht_bron", [r[1] for r in rows], dtype=pl.String))
