"""PDF beside DOCX (issue 10, part 3): the PDFs klaster issues are PDF/A, embed the font shipped in
the package (which has every Kazakh letter), carry the title and language, say what the DOCX says
(title, numbers, dates — read back with pypdf, in Kazakh and in Russian), and are refused to a user
without the right exactly as the DOCX is.
"""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.test import Client, TestCase
from docx import Document
from pypdf import PdfReader

from klaster.common import pdf

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"


def text_of(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed (table cells and long titles wrap over lines; a line
    that ends after a hyphen, a dash or a slash, "22-" + "тармақ", is joined back)."""
    raw = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(re.sub(r"(?<=\w)([-/–])[ \t]*\n", r"\1", raw).split())


def squash(s: str) -> str:
    return " ".join(str(s).split())


def docx_texts(data: bytes) -> list[str]:
    """Every paragraph and table cell of a DOCX (non-empty)."""
    d = Document(io.BytesIO(data))
    out = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            out += [c.text for c in row.cells]
    return [squash(x) for x in out if x.strip()]


def embedded_fonts(data: bytes) -> list[tuple[str, bytes]]:
    """(BaseFont, embedded font program) of every font of every page."""
    fonts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            f = f.get_object()
            desc = f.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in f:
                desc = f["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            desc = desc.get_object() if desc is not None else {}
            prog = next((desc[k].get_object().get_data() for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in desc), b"")
            fonts.append((str(f["/BaseFont"]), prog))
    return fonts


def assert_pdfa_with_shipped_font(data: bytes, title: str, lang: str) -> None:
    from fontTools.ttLib import TTFont

    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert re.search(r'pdfaid:part="3"', xmp) and re.search(r'pdfaid:conformance="B"', xmp), xmp[:400]
    assert squash(reader.metadata.title) == squash(title)
    assert reader.trailer["/Root"].get("/Lang") == lang
    fonts = embedded_fonts(data)
    assert fonts
    for name, prog in fonts:
        assert prog, f"font {name} is not embedded"
        family = TTFont(io.BytesIO(prog))["name"].getDebugName(1)
        assert family == "DejaVu Sans", f"{name} is {family}, not the shipped font"
        assert name.split("+", 1)[-1].startswith("/Klaster-Sans") or "Klaster-Sans" in name, name


def test_the_shipped_font_has_every_kazakh_letter_and_its_licence():
    from fontTools.ttLib import TTFont

    assert (pdf.FONTS / "LICENSE-DejaVu.txt").read_text().startswith("Fonts are (c) Bitstream")
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        cmap = TTFont(pdf.FONTS / name).getBestCmap()
        assert [c for c in KAZAKH_LETTERS + "№«»—–" if ord(c) not in cmap] == [], name


def test_the_renderer_fetches_nothing_but_the_shipped_fonts():
    f = pdf._fetcher()
    for url in ("file:///etc/passwd", "https://example.org/font.ttf", "http://127.0.0.1:1/x.css", "data:text/css,p{}",
                (pdf.FONTS / ".." / "pdf.py").as_uri()):
        with pytest.raises(ValueError):
            f.fetch(url)
    assert f.fetch((pdf.FONTS / "DejaVuSans.ttf").as_uri()).read()[:4] == b"\x00\x01\x00\x00"
    # A document whose text names files or addresses renders them as text and fetches nothing.
    data = pdf.blocks_pdf([("heading", 1, "Қазақша <img src='file:///etc/passwd'>"), ("para", "<link rel=stylesheet href='http://127.0.0.1:1/x.css'>")], "kk")
    assert "file:///etc/passwd" in text_of(data)
    assert_pdfa_with_shipped_font(data, "Қазақша <img src='file:///etc/passwd'>", "kk")


def test_kazakh_letters_survive_the_round_trip():
    data = pdf.blocks_pdf([("title", f"Тест {KAZAKH_LETTERS}"), ("table", ["№", "Ә"], [[1, KAZAKH_LETTERS]])], "kk")
    assert KAZAKH_LETTERS in text_of(data)
    assert_pdfa_with_shipped_font(data, f"Тест {KAZAKH_LETTERS}", "kk")


class Documents(TestCase):
    """The demo data of every module, loaded once."""

    media_per_class = True

    @classmethod
    def setUpClass(cls):
        import tempfile

        from django.conf import settings as dj
        from django.test.utils import override_settings

        cls._media = tempfile.TemporaryDirectory(prefix="klaster-pdf-")
        cls._override = override_settings(MEDIA_ROOT=cls._media.name, ALLOWED_HOSTS=[*dj.ALLOWED_HOSTS, "testserver"])
        cls._override.enable()
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        from rich.console import Console

        from klaster.cli.web import DEMO_MODULES

        for mod in DEMO_MODULES:
            importlib.import_module(mod).load_demo(Console(file=io.StringIO()))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._override.disable()
        cls._media.cleanup()

    def client_for(self, username: str) -> Client:
        from django.contrib.auth import get_user_model

        c = Client()
        c.force_login(get_user_model().objects.get(username=username))
        return c

    # ------------------------------------------------------------------------------ protocols

    def test_a_review_protocol_in_kazakh_and_russian_says_what_the_docx_says(self):
        from klaster.competition import documents as docs
        from klaster.competition.domain import services as svc
        from klaster.competition.models import Competition

        c = Competition.objects.get(state="stage1_commission")
        ranked = list(svc.ranked(c, 1))
        assert ranked, "the demo competition at the Commission has a ranked list"
        signed = c.events.get(name=docs.PROTOCOL_EVENTS["22"]).day
        for lang in ("kk", "ru"):
            data = docs.protocol(c, "22", lang, "pdf")
            text = text_of(data)
            title = docs.PROTOCOL_TITLES["22"][lang]
            assert squash(title) in text
            assert docs.long_day(signed, lang) in text  # the date as the forms write it
            for e, a in ranked:
                assert docs._points(e.score, lang) in text, (lang, e.score)  # the points with a decimal comma
                assert squash(a.cluster_name) in text
            assert squash(c.rules.doc.sha256[:12]) in text
            assert_pdfa_with_shipped_font(data, title, lang)
            # one content, two renderings: every paragraph and cell of the DOCX is in the PDF
            missing = [t for t in docx_texts(docs.protocol(c, "22", lang)) if t not in text]
            assert missing == [], missing

    def test_every_protocol_receipt_and_conclusion_renders_as_pdf_from_the_same_content(self):
        from klaster.competition import documents as docs
        from klaster.competition.models import Application, Competition

        c = Competition.objects.get(state="stage1_review")
        for clause in docs.PROTOCOLS:
            text = text_of(docs.protocol(c, clause, "ru", "pdf"))
            assert squash(docs.PROTOCOL_TITLES[clause]["ru"]) in text
            assert [t for t in docx_texts(docs.protocol(c, clause, "ru")) if t not in text] == [], clause
        a = Application.objects.filter(competition=c, applicant__username="applicant").exclude(registration_number="").first()
        for lang in ("kk", "ru"):
            data = docs.receipt(a, lang, "pdf")
            text = text_of(data)
            assert squash(docs.T["receipt_title"][a.stage][lang]) in text and a.registration_number in text
            assert docs.long_day(a.registered_at, lang) in text
            assert [t for t in docx_texts(docs.receipt(a, lang)) if t not in text] == []
            conclusion = text_of(docs.akimat_conclusion(a, lang, "pdf"))
            assert squash(docs.T["akimat_title"][lang]) in conclusion
            assert [t for t in docx_texts(docs.akimat_conclusion(a, lang)) if t not in conclusion] == []

    # ------------------------------------------------------------------------------ register extract

    def test_the_register_extract_in_kazakh_and_russian_with_the_demo_mark(self):
        from klaster.common.dates import day_text, today
        from klaster.register.domain import services
        from klaster.register.interfaces import documents

        day = today()
        clusters = list(services.register_on(day))
        assert clusters and any(c.is_demo for c in clusters)
        for lang in ("kk", "ru"):
            data = documents.register_extract(day, lang, "pdf")
            text = text_of(data)
            title = documents.TITLES[lang][0].format(d=day_text(day, lang))
            assert title in text and day_text(day, lang) in text
            marker, note, _real = documents.DEMO[lang]
            assert squash(note) in text  # "… This is not an official extract."
            for c in clusters:
                assert c.code in text and squash(c.localized_name(lang)) in text
                assert str(services.members_on(c, day).count()) in text
                for p in services.members_on(c, day):
                    assert p.bin in text
            assert_pdfa_with_shipped_font(data, f"{title} — {marker}", lang)
            assert [t for t in docx_texts(documents.register_extract(day, lang)) if t not in text] == []

    def test_the_register_extract_url_answers_pdf_and_a_malformed_date_is_an_error_not_a_500(self):
        r = Client().get("/register/extract.pdf", {"date": "2026-01-15"})
        assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
        assert r["Content-Disposition"] == 'attachment; filename="register-extract-2026-01-15.pdf"'
        assert "15.01.2026" in text_of(r.content)
        for bad in ("2026-02-30", "9" * 30, "abc", "1e30"):
            r = Client().get("/register/extract.pdf", {"date": bad})
            assert r.status_code == 302 and r["Location"].endswith("/register/"), bad

    # ------------------------------------------------------------------------------ programmes

    def test_the_monitoring_and_consolidated_reports_say_what_the_docx_says(self):
        from klaster.programmes import consolidated
        from klaster.programmes.models import Programme

        p = Programme.objects.filter(is_demo=True).select_related("cluster").first() or Programme.objects.select_related("cluster").first()
        c = self.client_for("organizer")
        for lang in ("kk", "ru"):
            c.cookies["django_language"] = lang
            r_pdf = c.get(f"/programmes/{p.cluster.code}/monitoring.pdf", HTTP_ACCEPT_LANGUAGE=lang)
            r_docx = c.get(f"/programmes/{p.cluster.code}/monitoring.docx", HTTP_ACCEPT_LANGUAGE=lang)
            assert r_pdf.status_code == 200 and r_pdf["Content-Type"] == "application/pdf"
            text = text_of(r_pdf.content)
            assert [t for t in docx_texts(r_docx.content) if t not in text] == []
            assert PdfReader(io.BytesIO(r_pdf.content)).trailer["/Root"]["/Lang"] == lang
        data = consolidated.build(2025, 4)
        for lang in ("kk", "ru"):
            text = text_of(consolidated.to_pdf(data, lang))
            assert [t for t in docx_texts(consolidated.to_docx(data, lang)) if t not in text] == []

    # ------------------------------------------------------------------------------ reimbursement agreement

    def test_the_reimbursement_agreement_in_kazakh_and_russian(self):
        from klaster.common.dates import day_text
        from klaster.common.money import format_number
        from klaster.register.interfaces.documents import DEMO
        from klaster.support import documents
        from klaster.support.domain import instruments_for
        from klaster.support.models import Application

        app = Application.objects.filter(agreement__isnull=False).select_related("agreement", "participant").first()
        assert app is not None, "the support demo signs an agreement"
        ag, terms = app.agreement, instruments_for(app).agreement["terms"]
        for lang in ("kk", "ru"):
            r = self.client_for("organizer").get(f"/support/{app.pk}/agreement/{lang}.pdf")
            assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
            text = text_of(r.content)
            assert day_text(ag.signed_on, lang) in text and format_number(ag.amount, lang, decimals=2) in text
            assert app.participant.bin in text and squash(ag.target_indicator) in text
            for t in terms:
                assert squash(t[lang]) in text
            assert DEMO[lang][0] in text and app.is_demo
            assert [t for t in docx_texts(documents.agreement(app, lang)) if t not in text] == []
            assert PdfReader(io.BytesIO(r.content)).trailer["/Root"]["/Lang"] == lang
        assert self.client_for("applicant").get(f"/support/{app.pk}/agreement/ru.pdf").status_code == 200
        for user in ("expert", "akimat", "analyst"):
            assert self.client_for(user).get(f"/support/{app.pk}/agreement/ru.pdf").status_code == 403
        assert self.client_for("organizer").get(f"/support/{app.pk}/agreement/en.pdf").status_code == 404
        without = Application.objects.filter(agreement__isnull=True).first()
        assert self.client_for("organizer").get(f"/support/{without.pk}/agreement/ru.pdf").status_code == 404
        assert self.client_for("organizer").get("/support/99999999999999999999/agreement/ru.pdf").status_code == 404

    # ------------------------------------------------------------------------------ the links

    def test_every_page_that_offers_a_docx_offers_the_pdf_beside_it(self):
        from klaster.competition.models import Application, Competition
        from klaster.programmes.models import Programme
        from klaster.support.models import Application as SupportApplication

        c = Competition.objects.get(state="stage1_commission")
        a = Application.objects.filter(applicant__username="applicant").exclude(registration_number="").first()
        pages = {"organizer": [f"/competition/organizer/{c.pk}/", f"/competition/commission/{c.pk}/", "/register/",
                               f"/programmes/{Programme.objects.select_related('cluster').first().cluster.code}/", "/programmes/quarterly/",
                               f"/support/{SupportApplication.objects.filter(agreement__isnull=False).first().pk}/"],
                 "applicant": [f"/competition/my/{a.pk}/"]}
        offered = 0
        for user, urls in pages.items():
            client = self.client_for(user)
            for u in urls:
                r = client.get(u)
                assert r.status_code == 200, u
                hrefs = set(re.findall(r'href="([^"]+)"', r.content.decode()))
                docx = {h for h in hrefs if h.split("?")[0].endswith(".docx")}
                assert docx, f"{u} offers no DOCX"
                for h in docx:
                    path, _, query = h.partition("?")
                    assert path[:-5] + ".pdf" + ("?" + query if query else "") in hrefs, (u, h)
                    offered += 1
                    if offered % 7 == 1:  # a sample of the links answers a PDF
                        got = client.get(path[:-5] + ".pdf", dict(x.split("=", 1) for x in query.replace("&amp;", "&").split("&")) if query else None)
                        assert got.status_code == 200 and got.content[:5] == b"%PDF-", (u, h, got.status_code)
        assert offered >= 10

    # ------------------------------------------------------------------------------ who may download

    def test_each_pdf_url_refuses_whom_the_docx_url_refuses(self):
        from klaster.competition.models import Application, Competition
        from klaster.programmes.models import Programme

        c = Competition.objects.get(state="stage1_commission")
        a = Application.objects.filter(applicant__username="applicant").exclude(registration_number="").first()
        p = Programme.objects.select_related("cluster").first()
        urls = [f"/competition/protocol/{c.pk}/22/kk", f"/competition/application/{a.pk}/receipt/ru",
                f"/competition/application/{a.pk}/akimat_conclusion/kk", f"/competition/package/{a.pk}/form/concept/ru",
                f"/programmes/{p.cluster.code}/monitoring", "/programmes/quarterly/report"]
        seen = set()
        for user in ("organizer", "applicant", "expert", "akimat", "secretary", "analyst", "regional"):
            client = self.client_for(user)
            for u in urls:
                docx, pdf_ = client.get(u + ".docx"), client.get(u + ".pdf")
                assert pdf_.status_code == docx.status_code, (user, u, docx.status_code, pdf_.status_code)
                if pdf_.status_code == 200:
                    assert pdf_["Content-Type"] == "application/pdf" and pdf_.content[:5] == b"%PDF-"
                seen.add(pdf_.status_code)
        assert seen >= {200, 403}
        anon = Client().get(urls[0] + ".pdf")
        assert anon.status_code == 302 and "/accounts/login" in anon["Location"]
        # path values outside the bounds: not found, never a server error
        client = self.client_for("organizer")
        for u in (f"/competition/protocol/{c.pk}/99/kk.pdf", f"/competition/protocol/{c.pk}/22/en.pdf", "/competition/protocol/999999999/22/kk.pdf",
                  f"/competition/application/{a.pk}/other/kk.pdf", "/competition/protocol/99999999999999999999999999/22/kk.pdf"):
            assert client.get(u).status_code == 404, u
