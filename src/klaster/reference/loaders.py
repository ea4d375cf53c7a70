"""Loaders of the reference data (``klaster load-reference``).

Each loader first reads and validates its whole file, then applies it in one transaction,
so a malformed file changes nothing. Loading is idempotent: rows are matched by their code,
created when new, updated only when a value differs; a second load reports zero changes.

Sources (see ``klaster/datasets/manifest.yaml``):

* regions: ``kz/regions_2024.csv`` and ``kz/boundaries/adm1_2024.geojson`` (geokz, CC BY 4.0);
  official Russian names from KATO.
* KATO: ``kz/kato_2022_ru.csv`` (BNS, 17 Oct 2022; ``id;parent_id;code;name``, UTF-8 with BOM).
* OKED: ``reference/data/oked_2019.csv`` + ``oked_2019_subclasses.json`` (committed, MIT). The
  source lacks class 27.12 although subclass 27120 exists; the loader adds it with the NACE Rev.2
  name "Manufacture of electricity distribution and control apparatus" and the Russian name of
  subclass 27120, and notes the addition on the record.

Errors
------
LoadError
    Names the file, row (1-based, header = row 1), field and the rule broken.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from klaster import datasets
from klaster.reference.models import KatoUnit, OkedCode, Region, TerritorialChange

PACKAGE_DATA = Path(__file__).with_name("data")
CITIES = {"710000000", "750000000", "790000000"}

# Territorial changes of the first-level frame (small facts written here, with their basis).
TERRITORIAL_CHANGES = [
    {
        "date": dt.date(2018, 6, 19),
        "kind": "split",
        "from_units": {"510000000": "South Kazakhstan oblast"},
        "to_units": {"790000000": "Shymkent (city of republican significance)", "610000000": "Turkistan oblast"},
        "basis": "Decree of the President of RK No. 702 of 19 June 2018",
    },
    {
        "date": dt.date(2022, 6, 8),
        "kind": "carve-out",
        "from_units": {"630000000": "East Kazakhstan oblast"},
        "to_units": {"100000000": "Abai oblast", "630000000": "East Kazakhstan oblast"},
        "basis": "Decree of the President of RK No. 887 of 3 May 2022 (Abai oblast)",
    },
    {
        "date": dt.date(2022, 6, 8),
        "kind": "carve-out",
        "from_units": {"190000000": "Almaty oblast"},
        "to_units": {"330000000": "Jetisu oblast", "190000000": "Almaty oblast"},
        "basis": "Decree of the President of RK No. 887 of 3 May 2022 (Jetisu oblast)",
    },
    {
        "date": dt.date(2022, 6, 8),
        "kind": "carve-out",
        "from_units": {"350000000": "Karaganda oblast"},
        "to_units": {"620000000": "Ulytau oblast", "350000000": "Karaganda oblast"},
        "basis": "Decree of the President of RK No. 887 of 3 May 2022 (Ulytau oblast)",
    },
]
REGION_VALID_FROM = {"790000000": dt.date(2018, 6, 19), "610000000": dt.date(2018, 6, 19),
                     "100000000": dt.date(2022, 6, 8), "330000000": dt.date(2022, 6, 8), "620000000": dt.date(2022, 6, 8)}
OKED_LEVEL_DIGITS = {"division": 2, "group": 3, "class": 4, "subclass": 5}
OKED_ADDED = {
    "2712": {
        "name_en": "Manufacture of electricity distribution and control apparatus",
        "note": "added by klaster: class 27.12 is missing in the source list although subclass 27120 exists (NACE Rev.2 27.12)",
    }
}


class LoadError(Exception):
    """A reference file breaks a rule; names file, row, field and rule."""

    def __init__(self, file, row, field, rule):
        super().__init__(f"{file}, row {row}, field '{field}': {rule}")
        self.file, self.row, self.field, self.rule = str(file), row, field, rule


@dataclass
class LoadReport:
    """What a loader did: counts of rows created, updated and unchanged."""

    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.name}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def _sync(model, key: str, rows: list[dict], report: LoadReport, fk_fields=()) -> None:
    """Create/update ``model`` rows matched by ``key``; only differing values are written."""
    existing = {getattr(o, key): o for o in model.objects.all()}
    to_create, to_update, fields = [], [], set()
    for r in rows:
        obj = existing.get(r[key])
        if obj is None:
            to_create.append(model(**r))
            continue
        changed = [f for f, v in r.items() if getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, r[f])
            fields.update(changed)
            to_update.append(obj)
        else:
            report.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=1000)
    report.created += len(to_create)
    report.updated += len(to_update)


def _read_csv(p: Path, delimiter=",", required=()) -> list[dict]:
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delimiter)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise LoadError(p, 1, missing[0], f"required column '{missing[0]}' is missing from the header")
            rows = list(reader)
    except UnicodeDecodeError as e:
        raise LoadError(p, "?", "-", f"not UTF-8 text ({e})") from e
    return rows


# ---------------------------------------------------------------- regions

def read_regions(csv_path: Path, geojson_path: Path, kato_names: dict[str, str] | None = None) -> list[dict]:
    """Parse and validate the 20 regions; returns field dicts for :class:`Region`."""
    rows = _read_csv(csv_path, required=("kato", "name_en", "name_kk", "name_ru", "iso_alpha_geokz", "iso_3166_2_numeric"))
    try:
        geo = json.loads(Path(geojson_path).read_text(encoding="utf-8"))
        shapes = {f["properties"]["KATO"]: f["geometry"] for f in geo["features"]}
    except (ValueError, KeyError, TypeError) as e:
        raise LoadError(geojson_path, "-", "features", f"not a GeoJSON FeatureCollection with a KATO property ({e})") from e
    out, seen = [], set()
    for i, r in enumerate(rows, start=2):
        kato = (r["kato"] or "").strip()
        if len(kato) != 9 or not kato.isdigit() or not kato.endswith("0000000"):
            raise LoadError(csv_path, i, "kato", f"{kato!r} is not a first-level KATO code (9 digits ending in 0000000)")
        if kato in seen:
            raise LoadError(csv_path, i, "kato", f"duplicate code {kato}")
        seen.add(kato)
        iso = (r["iso_3166_2_numeric"] or "").strip()
        if iso != f"KZ-{kato[:2]}":
            raise LoadError(csv_path, i, "iso_3166_2_numeric", f"{iso!r} should be KZ-{kato[:2]} (first two KATO digits)")
        for f in ("name_en", "name_kk", "name_ru"):
            if not (r[f] or "").strip():
                raise LoadError(csv_path, i, f, "name is empty")
        if kato not in shapes:
            raise LoadError(geojson_path, "-", "KATO", f"no boundary for region {kato}")
        city = kato in CITIES
        base_en = r["name_en"].replace(" (city)", "").strip()
        base_kk = r["name_kk"].replace(" (қала)", "").strip()
        out.append(
            dict(
                kato=kato,
                iso=iso,
                iso_alpha=r["iso_alpha_geokz"].strip(),
                name_en=base_en if city else f"{base_en} Region",
                name_kk=f"{base_kk} қаласы" if city else f"{base_kk} облысы",
                name_ru=(kato_names or {}).get(kato) or r["name_ru"].strip(),
                kind="city" if city else "oblast",
                valid_from=REGION_VALID_FROM.get(kato),
                boundary=shapes[kato],
            )
        )
    if len(out) != 20:
        raise LoadError(csv_path, "-", "kato", f"expected the 20 first-level units of the 2024 frame, found {len(out)}")
    return out


# ---------------------------------------------------------------- KATO

def kato_level(code: str) -> int:
    """Level of a KATO code AB CD EF HIJ: 1 region, 2 district or city, 3 rural district or town, 4 settlement."""
    if code[2:] == "0000000":
        return 1
    if code[4:] == "00000":
        return 2
    if code[6:] == "000":
        return 3
    return 4


def read_kato(p: Path) -> list[dict]:
    """Parse and validate the KATO list (``id;parent_id;code;name``)."""
    rows = _read_csv(p, delimiter=";", required=("id", "parent_id", "code", "name"))
    out, ids, codes = [], set(), set()
    for i, r in enumerate(rows, start=2):
        try:
            sid = int(r["id"])
        except (TypeError, ValueError):
            raise LoadError(p, i, "id", f"{r['id']!r} is not an integer") from None
        try:
            pid = int(r["parent_id"])
        except (TypeError, ValueError):
            raise LoadError(p, i, "parent_id", f"{r['parent_id']!r} is not an integer") from None
        code = (r["code"] or "").strip()
        if len(code) != 9 or not code.isdigit():
            raise LoadError(p, i, "code", f"{code!r} is not a 9-digit KATO code")
        if code in codes:
            raise LoadError(p, i, "code", f"duplicate code {code}")
        name = (r["name"] or "").strip()
        if not name:
            raise LoadError(p, i, "name", "name is empty")
        ids.add(sid)
        codes.add(code)
        out.append({"source_id": sid, "parent_source_id": pid or None, "code": code, "name_ru": name, "level": kato_level(code), "_row": i})
    for r in out:
        if r["parent_source_id"] is not None and r["parent_source_id"] not in ids:
            raise LoadError(p, r["_row"], "parent_id", f"parent {r['parent_source_id']} does not exist")
    return out


# ---------------------------------------------------------------- OKED

def read_oked(csv_path: Path, subclasses_path: Path) -> list[dict]:
    """Parse and validate OKED (all five levels); adds the missing class 27.12."""
    rows = _read_csv(csv_path, required=("code", "level", "parent", "section", "name_ru", "nace_rev2_name_en_same_code"))
    by_code: dict[str, dict] = {}
    for i, r in enumerate(rows, start=2):
        code, level = (r["code"] or "").strip(), (r["level"] or "").strip()
        if level not in OkedCode.LEVELS:
            raise LoadError(csv_path, i, "level", f"{level!r} is not one of {', '.join(OkedCode.LEVELS)}")
        if level == "section":
            if len(code) != 1 or not code.isalpha():
                raise LoadError(csv_path, i, "code", f"{code!r} is not a section letter")
        elif len(code) != OKED_LEVEL_DIGITS[level] or not code.isdigit():
            raise LoadError(csv_path, i, "code", f"{code!r} is not a {level} code of {OKED_LEVEL_DIGITS[level]} digits")
        if code in by_code:
            raise LoadError(csv_path, i, "code", f"duplicate code {code}")
        if not (r["name_ru"] or "").strip():
            raise LoadError(csv_path, i, "name_ru", "name is empty")
        by_code[code] = dict(code=code, level=level, parent_code=(r["parent"] or "").strip() or None,
                             section=(r["section"] or "").strip(), name_ru=r["name_ru"].strip(),
                             name_en=(r["nace_rev2_name_en_same_code"] or "").strip(), name_kk="", note="", _row=i)
    try:
        subs = json.loads(Path(subclasses_path).read_text(encoding="utf-8"))
    except ValueError as e:
        raise LoadError(subclasses_path, "-", "-", f"not valid JSON ({e})") from e
    for j, s in enumerate(subs, start=1):
        code = str(s.get("code", "")).strip()
        if len(code) != 5 or not code.isdigit():
            raise LoadError(subclasses_path, j, "code", f"{code!r} is not a 5-digit subclass code")
        if code not in by_code:
            raise LoadError(subclasses_path, j, "code", f"subclass {code} is not in {Path(csv_path).name}")
    for code, extra in OKED_ADDED.items():
        if code not in by_code:
            sub = by_code.get(code + "0")
            by_code[code] = dict(code=code, level="class", parent_code=code[:3], section=by_code[code[:2]]["section"],
                                 name_ru=sub["name_ru"] if sub else extra["name_en"], name_en=extra["name_en"], name_kk="",
                                 note=extra["note"], _row="-")
    for r in by_code.values():
        pc = r["parent_code"]
        if r["level"] != "section" and (pc is None or pc not in by_code):
            raise LoadError(csv_path, r["_row"], "parent", f"parent {pc!r} of {r['code']} does not exist")
    return list(by_code.values())


# ---------------------------------------------------------------- apply

def load_regions(*, csv_path=None, geojson_path=None, kato_path=None) -> tuple[LoadReport, LoadReport]:
    """Load the 20 regions with boundaries, and the territorial changes; returns both reports."""
    kato_names = {}
    kp = kato_path or datasets.path("kz/kato_2022_ru.csv")
    for r in _read_csv(kp, delimiter=";", required=("code", "name")):
        if r["code"].endswith("0000000"):
            kato_names[r["code"]] = r["name"].strip()
    rows = read_regions(csv_path or datasets.path("kz/regions_2024.csv"), geojson_path or datasets.path("kz/boundaries/adm1_2024.geojson"), kato_names)
    report = LoadReport("regions")
    with transaction.atomic():
        _sync(Region, "kato", rows, report)
        tc = LoadReport("territorial changes")
        for ch in TERRITORIAL_CHANGES:
            obj, created = TerritorialChange.objects.get_or_create(date=ch["date"], basis=ch["basis"], defaults=ch)
            if created:
                tc.created += 1
            elif any(getattr(obj, k) != v for k, v in ch.items()):
                for k, v in ch.items():
                    setattr(obj, k, v)
                obj.save()
                tc.updated += 1
            else:
                tc.unchanged += 1
    return report, tc


def load_kato(*, path=None) -> LoadReport:
    """Load the full KATO list (parents linked)."""
    rows = read_kato(path or datasets.path("kz/kato_2022_ru.csv"))
    report = LoadReport("KATO")
    with transaction.atomic():
        _sync(KatoUnit, "code", [{k: v for k, v in r.items() if k in ("source_id", "code", "name_ru", "level")} for r in rows], report)
        ids = dict(KatoUnit.objects.values_list("source_id", "id"))
        current = dict(KatoUnit.objects.values_list("id", "parent_id"))
        fix = []
        for r in rows:
            want = ids.get(r["parent_source_id"]) if r["parent_source_id"] else None
            oid = ids[r["source_id"]]
            if current[oid] != want:
                fix.append(KatoUnit(id=oid, parent_id=want))
        KatoUnit.objects.bulk_update(fix, ["parent"], batch_size=1000)
    return report


def load_oked(*, csv_path=None, subclasses_path=None) -> LoadReport:
    """Load OKED, all five levels, with parents linked."""
    rows = read_oked(csv_path or PACKAGE_DATA / "oked_2019.csv", subclasses_path or PACKAGE_DATA / "oked_2019_subclasses.json")
    report = LoadReport("OKED")
    with transaction.atomic():
        _sync(OkedCode, "code", [{k: v for k, v in r.items() if k not in ("parent_code", "_row")} for r in rows], report)
        ids = dict(OkedCode.objects.values_list("code", "id"))
        current = dict(OkedCode.objects.values_list("id", "parent_id"))
        fix = []
        for r in rows:
            want = ids[r["parent_code"]] if r["parent_code"] else None
            oid = ids[r["code"]]
            if current[oid] != want:
                fix.append(OkedCode(id=oid, parent_id=want))
        OkedCode.objects.bulk_update(fix, ["parent"], batch_size=1000)
    return report


def load_all(console=None) -> list[LoadReport]:
    """Load every reference dataset (regions, territorial changes, KATO, OKED) and check the
    priority-sector regulation; prints a line per dataset to ``console`` when given."""
    from klaster import regulations
    from klaster.accounts.demo import ensure_roles

    ensure_roles()
    reports = [*load_regions(), load_kato(), load_oked()]
    doc = regulations.load("productivity2020-priority-sectors")
    for rep in reports:
        if console:
            console.print(str(rep))
    if console:
        console.print(f"priority sectors: {doc.id} {doc.version}, {sum(len(g['codes']) for g in doc.content['groups'])} codes")
    return reports
