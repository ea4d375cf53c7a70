"""The six pilot clusters of seed 003: totals reproduced, printed percentages checked (regulations.md §6)."""

from decimal import Decimal

from klaster.common.money import Money
from klaster.programmes import pilots


def test_six_pilots_with_regions_and_projects():
    cs = pilots.clusters()
    assert [c["id"] for c in cs] == ["construction", "furniture", "pharmaceutical", "milk", "flour", "tourism"]
    assert all(c["kato"] and c["project"]["cost"] > 0 for c in cs)


def test_seed_003_total_project_cost_3896_5_mln_tenge():
    assert pilots.totals()["project_cost"] == Money("3896.5", "mln tenge")


def test_seed_003_production_264_9_to_441_2_bn_tenge():
    t = pilots.totals()
    assert t["production_2020"].round(1) == Money("264.9", "bn tenge")
    assert t["production_2024"].round(1) == Money("441.2", "bn tenge")
    # the exact sums of the printed rows, mln tenge
    assert t["production_2020"].to("mln tenge") == Money("264893", "mln tenge")
    assert t["production_2024"].to("mln tenge") == Money("441190", "mln tenge")


def test_seed_003_exports_281_5_to_423_5_mln_usd():
    t = pilots.totals()
    assert t["exports_2020"] == Money("281.5", "mln USD")
    assert t["exports_2024"] == Money("423.5", "mln USD")


def test_seed_003_taxes_plus_4_8_bn_tenge():
    t = pilots.totals()
    # 15,949.1 − 11,133.9 = 4,815.2 mln tenge
    assert t["taxes_increase"] == Money("4815.2", "mln tenge")
    assert t["taxes_increase"].round(1) == Money("4.8", "bn tenge")


def test_printed_totals_all_reconcile():
    assert all(c.matches for c in pilots.reconcile() if c.what.startswith("total:"))


def test_exactly_three_printed_percentages_differ_from_their_ratios():
    got = {(c.what, c.cluster): (c.printed, c.computed) for c in pilots.mismatches()}
    assert got == {
        ("effect:production", "furniture"): (Decimal("88"), Decimal("87.4")),   # 29,170 / 15,568
        ("effect:exports", "construction"): (Decimal("43"), Decimal("42.5")),   # 31.2 / 21.9
        ("effect:exports", "flour"): (Decimal("52"), Decimal("51.2")),          # 379.0 / 250.6
    }


def test_every_cluster_share_is_the_30_percent_of_70_30():
    shares = [c for c in pilots.reconcile() if c.what == "cluster-share-70-30"]
    assert len(shares) == 6 and all(c.matches for c in shares)
    assert pilots.totals()["cluster_share"] == Money("1168.9", "mln tenge")
