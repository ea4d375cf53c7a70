"""The support demo (``klaster demo``): the applications a visitor sees first are the ones whose
pages lead further (the returned application: its documents, upload, removal and resubmission;
the 2019 agreement: its DOCX and PDF), every one is marked demo, and a second load adds nothing."""

from __future__ import annotations

import io

from django.test import Client, TestCase

from tests.api.world import demo_user, load_world


class SupportDemo(TestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile

        from django.test.utils import override_settings

        cls._media = tempfile.TemporaryDirectory(prefix="klaster-support-demo-")
        cls._override = override_settings(MEDIA_ROOT=cls._media.name)
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._override.disable()
        cls._media.cleanup()

    @classmethod
    def setUpTestData(cls):
        load_world()

    def test_the_lists_show_the_returned_application_then_the_agreement_first(self):
        from klaster.support.models import Agreement

        for role in ("applicant", "organizer"):
            c = Client()
            c.force_login(demo_user(role))
            rows = c.get("/support/").context["rows"]
            first, second = rows[0]["a"], rows[1]["a"]
            assert first.status == "incomplete" and first.files.exists(), role
            assert Agreement.objects.filter(application=second).exists(), role
            assert all(r["a"].is_demo for r in rows), role

    def test_a_second_load_adds_nothing(self):
        from rich.console import Console

        from klaster.common.models import AuditEntry
        from klaster.support import demo
        from klaster.support.models import Agreement, Application, ApplicationDocument, CostLine

        def counts():
            return [m.objects.count() for m in (Application, CostLine, ApplicationDocument, Agreement, AuditEntry)]

        before = counts()
        demo.load_demo(Console(file=io.StringIO()))
        assert counts() == before
