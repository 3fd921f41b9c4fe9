from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

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
    counts = Counter(issue.rule for issue in issues)
    largest = max(counts.values(), default=1)
    bars = [(RULES[code], count, round(100 * count / largest)) for code, count in counts.most_common()]
    page = Paginator(issues, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "villages": villages,
        "village": area,
        "rule": rule,
        "query": urlencode({"village": area.code if area else "", "rule": rule}),
        "rules": RULES.values(),
        "bars": bars,
        "total": len(issues),
    }
    return render(request, "quality/issue_list.html", context)
