from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from jingzhun.cases.selectors import overdue_by_area
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.worklist.selectors import worklist_for


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"work": worklist_for(user=request.user), "by_area": overdue_by_area(user=request.user)}
    return render(request, "worklist/home.html", context)
