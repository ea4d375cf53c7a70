"""The OpenAPI schema as klaster's permissions are: drf-spectacular's AutoSchema, which cannot read
:class:`klaster.api.permissions.KlasterPermission`, is told by the views' markers which operations
need no credentials (security ``{}``) and which roles may call the others (in the description)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from klaster.api.permissions import view_roles


class KlasterAutoSchema(AutoSchema):
    def get_auth(self):
        auth = super().get_auth()
        if view_roles(self.view) is None and {} not in auth:
            auth.append({})
        return auth

    def get_description(self):
        text = super().get_description() or ""
        roles = view_roles(self.view)
        if roles is None:
            return (text + "\n\nPublic: no credentials needed.").strip()
        who = "any logged-in user" if "*" in roles else ", ".join(roles)
        return (text + f"\n\nRoles (as on the pages): {who}. Without credentials: 403; objects the user may not read: 404.").strip()
