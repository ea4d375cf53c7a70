"""Data manifest: fetch from a mirror verifies checksums; missing or corrupt data gets a clear message."""

import pytest

from klaster import datasets


def test_every_manifest_file_is_present_and_verified():
    for ds in datasets.manifest():
        assert ds.licence and ds.publisher and ds.version
        for f in ds.files:
            assert datasets.sha256_of(datasets.path(f.path)) == f.sha256


def test_fetch_from_mirror_and_refusals(tmp_path, monkeypatch):
    real = datasets.path("kz/regions_2024.csv")
    mirror = tmp_path / "mirror"
    (mirror / "kz").mkdir(parents=True)
    (mirror / "kz" / "regions_2024.csv").write_bytes(real.read_bytes())
    (mirror / "kz" / "kato_2022_ru.csv").write_text("corrupted", encoding="utf-8")
    monkeypatch.setenv("KLASTER_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(datasets.DatasetMissing) as e:
        datasets.path("kz/regions_2024.csv")
    assert "klaster data fetch" in str(e.value)
    res = {r.file.path: r for r in datasets.fetch(mirror=mirror, only=["kz-regions-2024", "kz-kato-2022"], download=False)}
    assert res["kz/regions_2024.csv"].status == "copied"
    assert res["kz/kato_2022_ru.csv"].status == "failed"
    assert "checksum" in res["kz/kato_2022_ru.csv"].message
    assert not (tmp_path / "data" / "datasets" / "kz" / "kato_2022_ru.csv").exists()  # nothing half-written
    assert res["kz/boundaries/adm1_2024.geojson"].status == "failed"
    assert "mirror" in res["kz/boundaries/adm1_2024.geojson"].message
    assert datasets.path("kz/regions_2024.csv", verify=True).is_file()
    again = datasets.fetch(mirror=mirror, only=["kz-regions-2024"], download=False)
    assert again[0].status == "present"
    (tmp_path / "data" / "datasets" / "kz" / "regions_2024.csv").write_text("tampered", encoding="utf-8")
    with pytest.raises(datasets.DatasetCorrupt):
        datasets.path("kz/regions_2024.csv", verify=True)
