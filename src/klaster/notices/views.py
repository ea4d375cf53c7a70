"""The inbox: a user's notices (newest first, unread marked), mark one or all as read, and the
language the user receives notices in."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from klaster.accounts.permissions import login_required_any_role
from klaster.common.forms import errors_text
from klaster.common.refusals import Refusal
from klaster.notices import service
from klaster.notices.forms import InboxFilterForm, LanguageForm, MarkReadForm
from klaster.notices.kinds import KINDS
from klaster.notices.models import Notice

PAGE = 50


@login_required_any_role
def inbox(request):
    """GET: the user's notices (``?unread=1``: unread only; ``?page=N``)."""
    f = InboxFilterForm(request.GET)
    if not f.is_valid():
        messages.error(request, errors_text(f))
        return redirect("notices:inbox")
    mine = Notice.objects.filter(recipient=request.user)
    unread = mine.filter(read_at__isnull=True).count()
    qs = mine.filter(read_at__isnull=True) if f.cleaned_data.get("unread") else mine
    page = Paginator(qs, PAGE).get_page(f.cleaned_data.get("page") or 1)
    return render(request, "notices/inbox.html", {
        "page": page, "unread": unread, "only_unread": bool(f.cleaned_data.get("unread")), "kinds": KINDS,
        "language_form": LanguageForm(initial={"language": service.language_of(request.user)})})


@login_required_any_role
def mark_read(request):
    """POST ``notice=<id>`` or ``all=1``: mark as read (only the user's own notices)."""
    if request.method != "POST":
        return redirect("notices:inbox")
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("notices:inbox")
    mine = Notice.objects.filter(recipient=request.user, read_at__isnull=True)
    if form.cleaned_data["all"]:
        targets = list(mine)
    else:
        targets = list(mine.filter(pk=form.cleaned_data["notice"]))
        if not targets and not Notice.objects.filter(recipient=request.user, pk=form.cleaned_data["notice"]).exists():
            messages.error(request, _("No such notice in your inbox."))
            return redirect("notices:inbox")
    try:
        service.mark_read(actor=request.user, notices=targets)
    except Refusal as e:
        messages.error(request, e.text())
    return redirect("notices:inbox")


@login_required_any_role
def language(request):
    """POST ``language=kk|ru|en``: the language of the user's future notices."""
    if request.method != "POST":
        return redirect("notices:inbox")
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect("notices:inbox")
    try:
        service.set_language(actor=request.user, language=form.cleaned_data["language"])
    except Refusal as e:
        messages.error(request, e.text())
    else:
        messages.success(request, _("Your notices will be written in the chosen language."))
    return redirect("notices:inbox")
