"""The design system's shared pieces (issue 13): the error summary on a refused form, status
tags, banners and the navigation of each role."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
def test_malformed_query_shows_the_error_summary_once():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    c = Client()
    c.cookies["django_language"] = "en"
    r = c.get("/oked/", {"page": "1e30"})
    html = r.content.decode()
    assert r.status_code == 400
    assert html.count('class="govuk-error-summary"') == 1 and "There is a problem" in html
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert summary.count("<li>") == 1


def test_tag_colours_follow_the_state_words():
    from klaster.web.templatetags.klaster import tag_colour

    assert tag_colour("overdue") == "govuk-tag--red"
    assert tag_colour("stage1_refused") == "govuk-tag--red"
    assert tag_colour("approved") == "govuk-tag--green"
    assert tag_colour("due") == "govuk-tag--yellow"
    assert tag_colour("submitted") == "govuk-tag--blue"
    assert tag_colour("something_new") == "govuk-tag--grey" and tag_colour(None) == "govuk-tag--grey"


def test_banner_kinds():
    from klaster.web.templatetags.klaster import banner_kind

    assert banner_kind("error") == "klaster-banner--error"
    assert banner_kind("success extra") == "klaster-banner--success"
    assert banner_kind("info") == "klaster-banner--info"


def test_navigation_per_role_marks_the_current_section():
    from klaster.web.templatetags.klaster import nav_for

    public = [url for _l, url, _c in nav_for(())]
    assert "/me/" not in public and "/register/" in public and "/competition/expert/" not in public
    expert = nav_for({"expert"}, "/competition/expert/12/")
    urls = [url for _l, url, _c in expert]
    assert urls[:2] == ["/me/", "/competition/expert/"]
    assert [url for _l, url, current in expert if current] == ["/competition/expert/"]
    assert "/competition/organizer/" not in urls and "/admin/" not in urls
    assert "/admin/" in [url for _l, url, _c in nav_for({"administrator"})]
