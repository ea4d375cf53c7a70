"""Validation of OKED and KATO codes against the loaded reference data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klaster.reference.models import KatoUnit, OkedCode, normalize_oked


def validate_oked(code: str, *, levels: tuple[str, ...] | None = None) -> OkedCode:
    """Return the OKED code for ``code`` (dots optional).

    Raises
    ------
    ValidationError
        Unknown code, or a level not in ``levels`` (e.g. only ``("subclass", "class")``).
    """
    c = normalize_oked(code)
    obj = OkedCode.objects.filter(code=c).first()
    if obj is None:
        raise ValidationError(_("%(code)s is not an OKED (НК РК 03-2019) code") % {"code": code}, code="oked")
    if levels and obj.level not in levels:
        raise ValidationError(
            _("%(code)s is an OKED %(level)s; expected %(levels)s") % {"code": code, "level": obj.level, "levels": ", ".join(levels)},
            code="oked_level",
        )
    return obj


def validate_kato(code: str) -> KatoUnit:
    """Return the KATO unit for a 9-digit ``code``.

    Raises
    ------
    ValidationError
        Not 9 digits, or not in KATO (17 Oct 2022).
    """
    c = str(code).strip()
    if len(c) != 9 or not c.isdigit():
        raise ValidationError(_("%(code)s: a KATO code has 9 digits") % {"code": code}, code="kato_format")
    obj = KatoUnit.objects.filter(code=c).first()
    if obj is None:
        raise ValidationError(_("%(code)s is not in KATO (17.10.2022)") % {"code": code}, code="kato")
    return obj
