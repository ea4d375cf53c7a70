"""The register's JSON endpoints of earlier versions, kept at their addresses and in their format
(``/register/api/clusters.json``, ``/register/api/clusters/<code>.json``) as thin aliases of the
API: the same records (:mod:`klaster.api.records`), the same ``?date=`` form, the old keys
(``demo`` for ``is_demo``, the register without paging). New clients use ``/api/v1/register/clusters/``.
"""

from __future__ import annotations

from django.http import Http404, JsonResponse

from klaster.accounts.permissions import public
from klaster.api import records
from klaster.common.forms import errors_text


def _day_or_error(request):
    from klaster.register.forms import DayQueryForm

    form = DayQueryForm(request.GET if "date" in request.GET else None)
    if form.errors:
        return None, JsonResponse({"error": "; ".join(errors_text(form))}, status=400, json_dumps_params={"ensure_ascii": False})
    return form.day(), None


def _old(rec: dict) -> dict:
    return {"code": rec["code"], "demo": rec["is_demo"], "invented": rec["invented"], "name": rec["name"], "oked": rec["oked"],
            "regions": rec["regions"], "included_on": rec["included_on"].isoformat() if rec["included_on"] else None,
            "association_bin": rec["association_bin"], "members": rec["members"], "eligibility": rec["eligibility"]}


@public
def clusters(request):
    """Read-only JSON: the register on ``?date=`` (default today); a malformed date → 400 ``{"error"}``."""
    day, error = _day_or_error(request)
    if error:
        return error
    data = [_old(r) for r in records.register_clusters(day)]
    return JsonResponse({"date": day.isoformat(), "eligibility_act": records.eligibility_act(day), "clusters": data},
                        json_dumps_params={"ensure_ascii": False})


@public
def cluster(request, code):
    """Read-only JSON: an included cluster on ``?date=`` with its members then and its wins."""
    from klaster.register.models import Cluster, ClusterStatus

    c = Cluster.objects.select_related("association").prefetch_related(records.regions_prefetch()).filter(code=code, status=ClusterStatus.INCLUDED).first()
    if c is None:
        raise Http404
    day, error = _day_or_error(request)
    if error:
        return error
    rec = records.cluster_detail(c, day)
    members = [{k: m[k] for k in ("bin", "name", "kind", "oked_main", "oked_additional", "kato")} | {"demo": m["is_demo"]} for m in rec["members_on_date"]]
    wins = [{"stage": w["stage"], "decided_on": w["decided_on"].isoformat(), "competition": w["competition"], "winner_bin": w["winner_bin"], "demo": w["is_demo"]}
            for w in rec["wins"]]
    return JsonResponse({"date": day.isoformat(), "code": c.code, "demo": c.is_demo, "invented": rec["invented"], "name_ru": c.name_ru, "source": c.source,
                         "esca_label": rec["esca_label"], "esca_source": rec["esca_source"], "wins": wins, "members": members},
                        json_dumps_params={"ensure_ascii": False})
