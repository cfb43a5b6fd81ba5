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

from etl.paths import SNAPSHOTS

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
    "geo_gemeentegrenzen": [f"gemeente_{y}.topojson" for y in range(2015, 2026)]
    + ["provincie_2025.topojson", "coropgebied_2024.topojson", "arbeidsmarktregio_2025.topojson", "gemeente_regio_2025.csv"],
}

IV3_TAAKVELDEN = ("6.3 ", "6.4 ", "6.5 ")
GF_VOLUMINA_COLUMNS = ["CBS", "Naam", "Prov", "inwo", "ephh", "lidr_w_nw", "bo3_nw"]


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
    print(f"Snapshots geschreven naar {SNAPSHOTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
