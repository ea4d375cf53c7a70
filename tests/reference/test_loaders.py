"""Reference loaders: exact counts, idempotent re-load, malformed files refused with nothing changed."""

import shutil

import pytest

from klaster import datasets
from klaster.reference.loaders import PACKAGE_DATA, LoadError, load_all, load_kato, load_oked, read_kato, read_oked, read_regions
from klaster.reference.models import KatoUnit, OkedCode, Region, TerritorialChange

pytestmark = pytest.mark.django_db


def test_exact_counts_after_load():
    assert Region.objects.count() == 20
    assert Region.objects.filter(kind="city").count() == 3
    assert TerritorialChange.objects.count() == 4
    assert KatoUnit.objects.count() == 16264
    assert KatoUnit.objects.filter(level=1).count() == 20
    counts = {lvl: OkedCode.objects.filter(level=lvl).count() for lvl in OkedCode.LEVELS}
    assert counts == {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 1102}


def test_missing_class_27_12_is_added_and_linked():
    c = OkedCode.objects.get(code="2712")
    assert c.level == "class" and c.parent.code == "271"
    assert c.name_en == "Manufacture of electricity distribution and control apparatus"
    assert "added by klaster" in c.note
    assert OkedCode.objects.get(code="27120").parent == c


def test_regions_have_names_iso_and_boundaries():
    abai = Region.objects.get(kato="100000000")
    assert abai.iso == "KZ-10" and abai.name_kk == "Абай облысы" and abai.name_ru == "область Абай"
    assert abai.valid_from.year == 2022
    assert all(r.boundary and r.boundary["type"] in ("Polygon", "MultiPolygon") for r in Region.objects.all())
    almaty = Region.objects.get(kato="750000000")
    assert almaty.kind == "city" and almaty.name_en == "Almaty"


def test_territorial_changes_as_data():
    split = TerritorialChange.objects.get(date__year=2018)
    assert set(split.to_units) == {"790000000", "610000000"}
    new_2022 = {k for c in TerritorialChange.objects.filter(date__year=2022) for k in c.to_units} - {"630000000", "190000000", "350000000"}
    assert new_2022 == {"100000000", "330000000", "620000000"}


def test_kato_hierarchy():
    city = KatoUnit.objects.get(code="101010000")  # г.Семей
    assert city.parent.code == "101000000" and city.parent.parent.code == "100000000"
    assert city.level == 3


def test_reload_changes_nothing():
    before = (OkedCode.objects.order_by("code").values_list("code", "name_ru", "parent_id")[:50:7],)
    reports = load_all()
    assert all(r.created == 0 and r.updated == 0 for r in reports), [str(r) for r in reports]
    assert sum(r.unchanged for r in reports) == 24 + 16264 + 2098
    after = (OkedCode.objects.order_by("code").values_list("code", "name_ru", "parent_id")[:50:7],)
    assert list(before[0]) == list(after[0])


def _corrupt_copy(src, dst, line_no, old, new):
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert old in lines[line_no - 1]
    lines[line_no - 1] = lines[line_no - 1].replace(old, new, 1)
    dst.write_text("".join(lines), encoding="utf-8")
    return dst


def test_malformed_oked_is_refused_naming_file_row_field_and_nothing_changes(tmp_path):
    bad = _corrupt_copy(PACKAGE_DATA / "oked_2019.csv", tmp_path / "oked_bad.csv", 5, "0111,class", "0111,klass")
    shutil.copy(PACKAGE_DATA / "oked_2019_subclasses.json", tmp_path / "subs.json")
    n_before = OkedCode.objects.count()
    name_before = OkedCode.objects.get(code="0111").name_ru
    with pytest.raises(LoadError) as e:
        load_oked(csv_path=bad, subclasses_path=tmp_path / "subs.json")
    assert e.value.file.endswith("oked_bad.csv") and e.value.row == 5 and e.value.field == "level"
    assert "oked_bad.csv, row 5, field 'level'" in str(e.value)
    assert OkedCode.objects.count() == n_before and OkedCode.objects.get(code="0111").name_ru == name_before


def test_malformed_kato_late_row_rolls_back_everything(tmp_path):
    src = datasets.path("kz/kato_2022_ru.csv")
    lines = src.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # Rename an early unit (would be an update) and break a late row: nothing may be written.
    lines[2] = lines[2].replace("г.Семей", "г.Семей-ИЗМЕНЕНО")
    lines[-1] = lines[-1].replace(lines[-1].split(";")[2], "79ABC")
    bad = tmp_path / "kato_bad.csv"
    bad.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(LoadError) as e:
        load_kato(path=bad)
    assert e.value.row == len(lines) and e.value.field == "code"
    assert KatoUnit.objects.get(code="101010000").name_ru == "г.Семей"


def test_read_functions_validate_without_db(tmp_path):
    bad = _corrupt_copy(datasets.path("kz/regions_2024.csv"), tmp_path / "regions.csv", 3, "KZ-AKM,KZ-11", "KZ-AKM,KZ-99")
    with pytest.raises(LoadError) as e:
        read_regions(bad, datasets.path("kz/boundaries/adm1_2024.geojson"))
    assert (e.value.row, e.value.field) == (3, "iso_3166_2_numeric")
    missing_col = tmp_path / "kato.csv"
    missing_col.write_text("id;parent;code;name\n1;0;100000000;x\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        read_kato(missing_col)
    assert (e.value.row, e.value.field) == (1, "parent_id")
    with pytest.raises(LoadError):
        read_oked(PACKAGE_DATA / "oked_2019.csv", missing_col)
