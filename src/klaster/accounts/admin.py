"""The Django admin is for administrators only (role ``administrator``)."""

from django.contrib import admin

from klaster.accounts.models import Profile
from klaster.accounts.roles import Role, has_role


def _admin_has_permission(request) -> bool:
    u = request.user
    return bool(u.is_active and u.is_staff and has_role(u, Role.ADMINISTRATOR))


admin.site.has_permission = _admin_has_permission
admin.site.site_header = "klaster"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "full_name", "organisation_name", "organisation_bin", "region_kato", "is_demo")
    search_fields = ("user__username", "full_name", "organisation_name", "organisation_bin")
