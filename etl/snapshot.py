"""Make the shipped snapshots: copy (or extract) files from the shared raw data into data/snapshots/.

Run once by a maintainer when the raw data changes (`python -m etl.snapshot ../shared/data/raw`); the build itself only
reads data/snapshots/. Every folder keeps its PROVENANCE.md; an EXTRACT.md says what was filtered, and SHA256SUMS
pins each file so the build can refuse a snapshot that changed behind its provenance.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import sys
from pathlib import Path

from portal.paths import SNAPSHOTS

COPY: dict[str, list[str]] = {
    "cbs_37789ksz_nationaal": ["social_security_37789ksz_1998_2017.csv"],
    "cbs_70072ned_2015_snapshot": ["70072ned_2015_gemeenten_bevolking_huishoudens_uitkeringen.csv"],
    "cbs_80860ned_gemeenten_1999_2009": ["80860ned_gemeenten_inwoners_uitkeringen_1999_2009.csv"],
    "cbs_85383NED_maatstaven_fvw_2023_2025": ["85383NED_gemeenten_bijstand_inwoners.csv"],
    "cbs_bijstand_gemeenten_2015_2017": ["bijstand_reintegratie_wsw_gemeenten_2015_2017_long.csv"],
    "cbs_maatstaven_sociaal_domein_2016_2022": [
        "personen_met_bijstand_tot_aow_gemeenten_2014_2021_long.csv",
        "83440NED_gemeenten_regio2016.csv",
        "83718NED_gemeenten_regio2017.csv",
        "83997NED_gemeenten_regio2018.csv",
        "84590NED_gemeenten_regio2019.csv",
        "84860NED_gemeenten_regio2020.csv",
        "85052NED_gemeenten_regio2021.csv",
        "85309NED_gemeenten_regio2022.csv",
    ],
    "cbs_gebieden_in_nederland": ["83287NED_gebieden_in_nederland_2016_regiocodes.csv", "gemeente_corop_2024.csv"],
    "cbs_kwb_2024_85984NED": ["kwb2024_gemeenten_wijken_inwoners.csv", "85984NED_DataProperties_columns.csv"],
    "gemeente_herindelingen": ["gm_changes_before_2018.csv"],
    "nlextract_gemeentelijke_indeling": ["gemeenten_per_jaar_1990_2025.csv", "gemeentelijke-indeling.csv"],
    "nationaal_buig_macro": ["buig_macro_cijfers_uit_publicaties.csv"],
    "g4_g40_stedennetwerk": ["g4_g40_gemeenten_2025.csv", "bronfragmenten.md"],
    "geo_gemeentegrenzen": [f"gemeente_{y}.topojson" for y in range(2015, 2026)]
    + ["provincie_2025.topojson", "coropgebied_2024.topojson", "arbeidsmarktregio_2025.topojson", "gemeente_regio_2025.csv"],
}

IV3_TAAKVELDEN = ("6.3 ", "6.4 ", "6.5 ")
GF_VOLUMINA_COLUMNS = ["CBS", "Naam", "Prov", "inwo", "ephh", "lidr_w_nw", "bo3_nw"]
KWB2020_COLUMNS = ["AantalInwoners_5", "k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_25Tot45Jaar_10", "k_45Tot65Jaar_11", "k_65JaarOfOuder_12",
                   "HuishoudensTotaal_28", "Eenpersoonshuishoudens_29", "HuishoudensZonderKinderen_30", "HuishoudensMetKinderen_31",
                   "PersonenPerSoortUitkeringBijstand_83"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_sums(folder: Path) -> None:
    lines = [f"{sha256(p)}  {p.name}" for p in sorted(folder.iterdir()) if p.is_file() and p.name not in ("SHA256SUMS",)]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _sniff(text: str) -> str:
    first = text.splitlines()[0]
    return "\t" if "\t" in first else ("," if first.count(",") > first.count(";") else ";")


def extract_michielsd(raw: Path, out: Path) -> None:
    src = raw / "michielsd_iv3_gemeentefonds"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "PROVENANCE.md", out / "PROVENANCE.md")
    for f in sorted((src / "iv3").glob("*.csv")):
        lines = f.read_text(encoding="utf-8-sig").splitlines()
        keep = [lines[0]] + [ln for ln in lines[1:] if ln.split(";")[1].startswith(IV3_TAAKVELDEN)]
        (out / f"iv3_{f.stem}_taakveld_6_3_6_4_6_5.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for f in sorted((src / "gemeenteklassen").glob("*.csv")):
        shutil.copy2(f, out / f"gemeenteklassen_{f.name}")
    for f in sorted((src / "gemeentefonds_maatstaven").glob("GF_*_SIUDU.csv")) + sorted(
        (src / "gemeentefonds_maatstaven").glob("GF_*_Volumina.csv")
    ):
        text = f.read_text(encoding="utf-8-sig")
        sep = _sniff(text)
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        header = rows[0]
        wanted = ["CBS", "Naam", "Prov", "Participatie"] if f.stem.endswith("SIUDU") else GF_VOLUMINA_COLUMNS
        idx = [header.index(c) if c in header else None for c in wanted]
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=sep, lineterminator="\n")
        w.writerow([c for c, i in zip(wanted, idx) if i is not None])
        for r in rows[1:]:
            if any(x.strip() for x in r):
                w.writerow([r[i] for i in idx if i is not None])
        (out / f.name).write_text(buf.getvalue(), encoding="utf-8")
    (out / "EXTRACT.md").write_text(
        "# Extract made for this project\n\n"
        "- `iv3_<jaar>_<soort>_taakveld_6_3_6_4_6_5.csv`: the rows of `iv3/<jaar>_<soort>.csv` whose `Taakveld` starts with\n"
        "  6.3, 6.4 or 6.5 (all columns, values unchanged).\n"
        "- `gemeenteklassen_*.csv`: copies of `gemeenteklassen/*`.\n"
        "- `GF_*_SIUDU.csv`: only the columns `CBS`, `Naam`, `Prov`, `Participatie` (integratie-uitkering Participatie, euro);\n"
        "  separator and number format as in the original (`GF_M2024_2025` has no `CBS` column in the original).\n"
        "- `GF_*_Volumina.csv`: only `CBS`, `Naam`, `Prov`, `inwo`, `ephh`, `lidr_w_nw`, `bo3_nw`; number format unchanged.\n"
        "- Not copied: gemeentefonds_afgeleid (computed by the repo author), Gewichten, Uitkeringsfactor.\n",
        encoding="utf-8",
    )
    write_sums(out)


def _write_extract(out: Path, raw_folder: Path, text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(raw_folder / "PROVENANCE.md", out / "PROVENANCE.md")
    (out / "EXTRACT.md").write_text(text, encoding="utf-8")
    write_sums(out)


def extract_reintegratie(raw: Path, out: Path) -> None:
    """85588NED 'lopend eind verslagperiode' and 82342NED totals, Nederland + gemeenten only; 71062ned left out."""
    import polars as pl

    src = raw / "cbs_reintegratie_voorzieningen_gemeenten"
    out.mkdir(parents=True, exist_ok=True)
    m = pl.read_csv(src / "85588NED_reintegratie_participatievoorzieningen_maand_2023_2024_met_codes.csv", infer_schema_length=0)
    m = m.filter((pl.col("StatusVoorziening") == "Lopend eind verslagperiode") & pl.col("soortregio").is_in(["NL", "GM"]))
    m.select("cbs_tabel", "Perioden", "regiocode", "RegioS", "ReIntegratieParticipatievoorzieningen_1").write_csv(
        out / "85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv")
    h = pl.read_csv(src / "82342NED_reintegratie_voorzieningen_halfjaar_2013_2014_met_codes.csv", infer_schema_length=0)
    h = h.filter(pl.col("soortregio").is_in(["NL", "GM"])).select(
        "cbs_tabel", "Perioden", "regiocode", "RegioS", "VoorzieningenBeginVerslagperiode_1", "NieuweVoorzieningen_2",
        "BeeindigdeVoorzieningen_3", "VoorzieningenEindVerslagperiode_4", "AdministratiefVerschil_5")
    h.write_csv(out / "82342NED_totaal_halfjaar_2013_2014_nl_gemeenten.csv")
    _write_extract(out, src, (
        "# Extract made for this project\n\n"
        "- `85588NED_lopend_eind_maand_2023_2024_nl_gemeenten.csv`: from `85588NED_reintegratie_participatievoorzieningen_maand_"
        "2023_2024_met_codes.csv` only the rows with `StatusVoorziening` = \"Lopend eind verslagperiode\" (the slice that is complete\n"
        "  in the dump) and `soortregio` NL or GM; columns `cbs_tabel, Perioden, regiocode, RegioS, "
        "ReIntegratieParticipatievoorzieningen_1`. Values unchanged.\n"
        "  Left out: the slice \"Gestart en lopend eind\" (cut off by the 10 000-row limit after 886 rows, no gemeenten) and the\n"
        "  LD/PV/COROP/arbeidsmarktregio rows.\n"
        "- `82342NED_totaal_halfjaar_2013_2014_nl_gemeenten.csv`: from `82342NED_reintegratie_voorzieningen_halfjaar_2013_2014_met_"
        "codes.csv` the NL and GM rows, only the five columns of *Totaal re-integratievoorzieningen* (`_1` … `_5`). Left out: the\n"
        "  columns `_6` … `_25` (four voorzieningstypen whose names are not in the dump) and the LD/PV/COROP/SG/GA rows.\n"
        "- Not copied: the `*_dertje_dump.csv` originals (the `_met_codes` files hold the same values) and **71062ned**\n"
        "  (`71062ned_*`, half-yearly 2005–2012). Its title and definitions are not in the dump and not in any stored page; the\n"
        "  PROVENANCE only infers from magnitudes that it is probably the Statistiek Re-integratie Gemeenten. Without a confirmed\n"
        "  title and measure definition the portal cannot say what its figures count, so it does not ship them.\n"), )


def extract_kwb_2020(raw: Path, out: Path) -> None:
    """KWB 2020 (84799NED): Nederland + gemeente rows, only the columns the build uses; plus their DataProperties."""
    import polars as pl

    src = raw / "cbs_kwb_2020_84799NED"
    out.mkdir(parents=True, exist_ok=True)
    d = pl.read_parquet(src / "cbs.v3.84799NED_TypedDataSet.parquet")
    d = d.with_columns(pl.col(c).str.strip_chars() for c in ("SoortRegio_2", "Codering_3", "Gemeentenaam_1"))
    d = d.filter(pl.col("SoortRegio_2").is_in(["Land", "Gemeente"])).select(["SoortRegio_2", "Codering_3", "Gemeentenaam_1", *KWB2020_COLUMNS])
    d.sort("Codering_3").write_csv(out / "kwb2020_84799NED_nl_gemeenten_bijstand_bevolking.csv")
    props = pl.read_csv(src / "cbs.v3.84799NED_DataProperties_columns.csv", infer_schema_length=0)
    props.filter(pl.col("Key").is_in(KWB2020_COLUMNS)).write_csv(out / "84799NED_DataProperties_gebruikte_kolommen.csv")
    _write_extract(out, src, (
        "# Extract made for this project\n\n"
        "- `kwb2020_84799NED_nl_gemeenten_bijstand_bevolking.csv`: from `cbs.v3.84799NED_TypedDataSet.parquet` the rows with\n"
        "  `SoortRegio_2` = Land or Gemeente (1 + 355), key columns whitespace-stripped, and only the columns "
        + ", ".join(f"`{c}`" for c in KWB2020_COLUMNS) + ". Values unchanged.\n"
        "- `84799NED_DataProperties_gebruikte_kolommen.csv`: the rows of `cbs.v3.84799NED_DataProperties_columns.csv` for those\n"
        "  columns (title, unit, CBS description).\n"
        "- Not copied: the wijk and buurt rows, the other 100+ columns, the parquet/JSON originals (1.6 MB TypedDataSet) and the\n"
        "  `WijkenEnBuurten` dimension. Income columns (`HuishoudensMetEenLaagInkomen_78` …) are empty for every gemeente in this\n"
        "  version of the table and are therefore not taken.\n"))


def extract_uitkeringen_kwartaal(raw: Path, out: Path) -> None:
    """The national quarterly rows only (the gemeente rows are a truncated subset)."""
    import polars as pl

    src = raw / "cbs_uitkeringen_wijkbuurt_kwartaal_2013_2024_partial"
    out.mkdir(parents=True, exist_ok=True)
    d = pl.read_csv(src / "uitkeringen_soort_gemeenten_kwartaal_2013_2024_partial.csv", infer_schema_length=0)
    d.filter(pl.col("regiocode") == "NL00").write_csv(out / "uitkeringen_soort_nederland_kwartaal_2013_2024.csv")
    _write_extract(out, src, (
        "# Extract made for this project\n\n"
        "- `uitkeringen_soort_nederland_kwartaal_2013_2024.csv`: the 47 Nederland rows (`regiocode` NL00, 2013 maart … 2024\n"
        "  september) of `uitkeringen_soort_gemeenten_kwartaal_2013_2024_partial.csv`, all columns, values unchanged.\n"
        "- Not copied: the 2 040 gemeente rows and `dekking_gemeenten_per_jaar.csv`. Every CBS dump was cut at 10 000 rows, so\n"
        "  only the first 29–61 gemeenten in CBS sort order survive per year (Rotterdam, 's-Gravenhage and Utrecht never). A\n"
        "  benchmark on such a subset would compare a gemeente with whichever gemeenten happen to sort early, and a missing\n"
        "  gemeente would look like missing data. The full tables (83618NED … 86003NED) exist at CBS and can be fetched with\n"
        "  paging (see CBS_TABELLEN.md); until then the portal uses only the national series.\n"))


def main(argv: list[str]) -> int:
    raw = Path(argv[0] if argv else "../shared/data/raw").resolve()
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for folder, files in COPY.items():
        out = SNAPSHOTS / folder
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy2(raw / folder / "PROVENANCE.md", out / "PROVENANCE.md")
        for name in files:
            shutil.copy2(raw / folder / name, out / name)
        left_out = sorted(p.name for p in (raw / folder).iterdir() if p.name not in files and p.name != "PROVENANCE.md")
        if left_out:
            (out / "EXTRACT.md").write_text(
                "# Extract made for this project\n\nFiles copied unchanged: "
                + ", ".join(f"`{n}`" for n in files)
                + ".\nNot copied (not used by the build, keeps the repository light): "
                + ", ".join(f"`{n}`" for n in left_out)
                + ".\n",
                encoding="utf-8",
            )
        write_sums(out)
    extract_michielsd(raw, SNAPSHOTS / "michielsd_iv3_gemeentefonds")
    extract_reintegratie(raw, SNAPSHOTS / "cbs_reintegratie_voorzieningen_gemeenten")
    extract_kwb_2020(raw, SNAPSHOTS / "cbs_kwb_2020_84799NED")
    extract_uitkeringen_kwartaal(raw, SNAPSHOTS / "cbs_uitkeringen_wijkbuurt_kwartaal_2013_2024_partial")
    print(f"Snapshots geschreven naar {SNAPSHOTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
