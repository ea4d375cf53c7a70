"""The batch forms of the competition's per-item functions used by the organizer's pages give the
same results as the per-item functions, on the demo world (every competition, every application):
``timelines_labelled`` = ``timeline_labelled`` competition by competition, ``completeness_of`` =
``completeness`` application by application."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_world(db):
    from rich.console import Console

    from klaster.accounts.demo import load_demo as accounts_demo
    from klaster.competition.demo import load_demo

    con = Console(file=io.StringIO())
    accounts_demo(con)
    load_demo(con)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_timelines_labelled_equal_one_by_one(demo_world, lang):
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Competition

    comps = list(Competition.objects.all())
    assert len(comps) >= 3
    batch = svc.timelines_labelled(comps, lang=lang)
    one_by_one = {c.pk: svc.timeline_labelled(c, lang=lang) for c in comps}
    assert batch == one_by_one
    rows = [r for tl in batch.values() for r in tl]
    assert any(app is not None for _, app, *_ in rows)  # application rows, not only the competitions'
    assert len({r[0].state for r in rows}) >= 3  # rows in several states (met, due, pending…)


def test_timelines_on_another_day(demo_world):
    import datetime as dt

    from klaster.competition.domain import services as svc
    from klaster.competition.models import Competition

    comps = list(Competition.objects.all())
    day = dt.date(2030, 1, 1)
    assert svc.timelines_labelled(comps, on=day) == {c.pk: svc.timeline_labelled(c, on=day) for c in comps}


def test_completeness_of_equal_one_by_one(demo_world):
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Application

    # stage-2 applications following stage-1 ones that have conclusions (the akimat's is carried
    # over, §7) — one whose stage-1 application passed, one whose did not
    firsts = [a for a in Application.objects.filter(stage=1, conclusions__issued_on__isnull=False).distinct()][:2]
    assert len(firsts) == 2
    Application.objects.filter(pk=firsts[0].pk).update(state="passed")
    for a in firsts:
        Application.objects.create(competition=a.competition, stage=2, applicant=a.applicant, organisation_name=a.organisation_name,
                                   organisation_bin=a.organisation_bin, kind=a.kind, cluster_name=a.cluster_name,
                                   region_kato=a.region_kato, stage1_application=a, state="submitted")
    apps = list(Application.objects.order_by("?"))  # applications of several competitions, mixed
    batch = svc.completeness_of(apps)
    assert batch == {a.pk: svc.completeness(a) for a in Application.objects.all()}
    assert {a.stage for a in apps} == {1, 2}
    results = list(batch.values())
    assert any(r.complete for r in results) and any(not r.complete for r in results)


def test_completeness_of_a_competitions_applications(demo_world, django_assert_max_num_queries):
    """From ``competition.applications`` (the competition already loaded): no query per application."""
    from klaster.competition.domain import services as svc
    from klaster.competition.models import Competition

    c = max(Competition.objects.all(), key=lambda c: c.applications.count())
    apps = list(c.applications.all())
    assert len(apps) >= 2
    with django_assert_max_num_queries(7):
        batch = svc.completeness_of(apps)
    assert batch == {a.pk: svc.completeness(a) for a in apps}
