"""The list pages' export: the same rows as the page, as .xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from jingzhun.core.http import AuthenticatedHttpRequest, xlsx_response
from jingzhun.exports.services import ExportColumn, dated_file_name, export_list


def list_export(
    request: AuthenticatedHttpRequest,
    *,
    what: str,
    title: str,
    columns: list[ExportColumn],
    objects: Iterable[Any],
) -> HttpResponse:
    """A list page's rows as .xlsx, with the request's filters recorded with the export."""
    data = export_list(
        user=request.user,
        what=what,
        title=title,
        columns=columns,
        objects=objects,
        parameters=request.GET.urlencode(),
    )
    return xlsx_response(data, dated_file_name(what))
