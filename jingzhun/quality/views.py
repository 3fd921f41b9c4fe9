from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from jingzhun.areas.selectors import villages_for
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.quality.registry import RULES
from jingzhun.quality.selectors import quality_issue_list


@login_required
def issue_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    villages = villages_for(user=request.user)
    village_code = request.GET.get("village", "")
    area = villages.filter(code=village_code).first() if village_code else None
    issues = quality_issue_list(user=request.user, area=area)
    rule = request.GET.get("rule", "")
    if rule in RULES:
        issues = [issue for issue in issues if issue.rule == rule]
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.rule] = counts.get(issue.rule, 0) + 1
    page = Paginator(issues, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "villages": villages,
        "village": area,
        "rule": rule,
        "rules": RULES.values(),
        "counts": sorted(counts.items(), key=lambda pair: -pair[1]),
        "total": len(issues),
    }
    return render(request, "quality/issue_list.html", context)
