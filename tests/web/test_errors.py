"""Error pages (400, 403, 404, 500, refused form) in the site's design and the user's language,
never Django's bare English page and never a stack trace (DEBUG is off in tests)."""

import pytest
from django.test import Client

from klaster.accounts.roles import Role

pytestmark = pytest.mark.django_db

TEXT = {  # status page → the heading in kk, ru, en
    "404": {"kk": "Бет табылмады", "ru": "Страница не найдена", "en": "Page not found"},
    "403": {"kk": "Кіруге рұқсат жоқ", "ru": "Доступ запрещён", "en": "Access denied"},
    "400": {"kk": "Қате сұрау", "ru": "Некорректный запрос", "en": "Bad request"},
    "500": {"kk": "Сервер қатесі", "ru": "Ошибка сервера", "en": "Server error"},
    "csrf": {"kk": "Нысан қабылданбады", "ru": "Форма не принята", "en": "The form was not accepted"},
}
LANGS = ("kk", "ru", "en")
# What Django shows without the templates (its bare English pages) and what a debug page shows.
BARE = ("The requested resource was not found on this server", "<h1>Not Found</h1>", "Server Error (500)",
        "<h1>403 Forbidden</h1>", "Bad Request (400)", "CSRF verification failed", "Traceback", "secret detail",
        "internal reason", "could not connect")


@pytest.fixture
def urls(settings):
    settings.ROOT_URLCONF = "tests.web.errors_urls"
    settings.ALLOWED_HOSTS = ["testserver"]


def _client(lang, **kw):
    c = Client(raise_request_exception=False, **kw)
    c.cookies["django_language"] = lang
    return c


def _assert_page(r, status, kind, lang):
    html = r.content.decode()
    assert r.status_code == status
    assert f'<html lang="{lang}">' in html and '<header class="klaster-header"' in html and 'class="error-page"' in html
    assert TEXT[kind][lang] in html, html
    others = [TEXT[kind][other] for other in LANGS if other != lang]
    assert not any(t in html for t in others)
    assert not any(b in html for b in BARE), html


@pytest.mark.parametrize("lang", LANGS)
def test_404(urls, lang):
    _assert_page(_client(lang).get("/no-such-page/"), 404, "404", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_403_for_a_user_without_the_role(urls, lang, user_factory):
    c = _client(lang)
    c.force_login(user_factory(f"expert_{lang}", Role.EXPERT))
    r = c.get("/programmes/")
    _assert_page(r, 403, "403", lang)
    assert f"expert_{lang}" in r.content.decode()  # 403 renders with the request: the header shows the user


@pytest.mark.parametrize("lang", LANGS)
def test_403_from_permission_denied_hides_its_reason(urls, lang):
    _assert_page(_client(lang).get("/test-errors/forbidden/"), 403, "403", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_400_for_a_host_not_allowed(urls, lang):
    _assert_page(_client(lang, HTTP_HOST="evil.example").get("/"), 400, "400", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_400_for_a_suspicious_request(urls, lang):
    _assert_page(_client(lang).get("/test-errors/suspicious/"), 400, "400", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_500(urls, lang):
    _assert_page(_client(lang).get("/test-errors/boom/"), 500, "500", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_language_from_accept_language_when_there_is_no_cookie(urls, lang):
    c = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=lang)
    _assert_page(c.get("/test-errors/boom/"), 500, "500", lang)
    _assert_page(Client(HTTP_ACCEPT_LANGUAGE=lang, HTTP_HOST="evil.example").get("/"), 400, "400", lang)


def test_500_page_needs_no_database(urls, user_factory, django_assert_num_queries):
    """A logged-in user (session in the database) hits a database failure: the 500 page is
    rendered without a single query, with a working language switch (CSRF token)."""
    c = _client("kk")
    c.force_login(user_factory("db_down", Role.ANALYST))
    with django_assert_num_queries(0):
        r = c.get("/test-errors/database/")
    _assert_page(r, 500, "500", "kk")
    assert 'name="csrfmiddlewaretoken"' in r.content.decode() and "/i18n/setlang/" in r.content.decode()


def test_500_falls_back_to_a_plain_page_in_the_language(urls, monkeypatch):
    from klaster.web import views

    def broken(*a, **kw):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(views.loader, "render_to_string", broken)
    r = _client("kk").get("/test-errors/boom/")
    html = r.content.decode()
    assert r.status_code == 500 and '<html lang="kk">' in html
    assert "Біз жақта қате орын алды" in html and "Басты бет" in html and "template engine down" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_refused_form(urls, lang):
    c = _client(lang, enforce_csrf_checks=True)
    r = c.post("/accounts/login/", {"username": "x", "password": "y"})
    _assert_page(r, 403, "csrf", lang)


def test_every_language_has_every_error_text():
    """The catalogues translate the texts of the error pages (the headings above and the messages)."""
    import polib

    import klaster

    from pathlib import Path

    msgids = ["Bad request", "Access denied", "The form was not accepted", "Page not found", "Server error", "Home page",
              "Something went wrong on our side. The error has been recorded; please try again later."]
    for lang in ("kk", "ru"):
        po = polib.pofile(str(Path(klaster.__file__).parent / "locale" / lang / "LC_MESSAGES" / "django.po"))
        got = {e.msgid: e.msgstr for e in po}
        for m in msgids:
            assert got.get(m), (lang, m)
