"""The project library: projects, their beneficiaries and the moves of their procedure."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from jingzhun.api import schemas
from jingzhun.api.common import ERRORS, STATE_ERRORS, Paging, page_of, request_user
from jingzhun.projects.choices import ProjectState
from jingzhun.projects.selectors import ProjectFilters, project_beneficiaries, project_get, project_list
from jingzhun.projects.services import project_transition

router = Router(tags=["projects"])


@router.get("/", response={200: schemas.ProjectPage, **ERRORS})
def list_projects(
    request: HttpRequest,
    paging: Query[Paging],
    state: ProjectState | None = None,
    year: int | None = Query(None, ge=2000, le=2100),
    mine: bool = False,
) -> Any:
    filters = ProjectFilters(state=state or "", year=year, mine=mine)
    return page_of(
        project_list(user=request_user(request), filters=filters).order_by("pk"),
        paging.page,
        paging.page_size,
    )


@router.get("/{project_id}", response={200: schemas.ProjectOut, **ERRORS})
def get_project(request: HttpRequest, project_id: int) -> Any:
    return project_get(user=request_user(request), pk=project_id)


@router.get("/{project_id}/beneficiaries", response={200: list[schemas.BeneficiaryOut], **ERRORS})
def list_beneficiaries(request: HttpRequest, project_id: int) -> Any:
    return list(project_beneficiaries(project=project_get(user=request_user(request), pk=project_id)))


def _step_data(data: dict[str, Any]) -> dict[str, Any]:
    """Dates arrive as YYYY-MM-DD text; the steps take dates."""
    parsed: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str) and key.endswith("_on"):
            try:
                parsed[key] = datetime.date.fromisoformat(value)
                continue
            except ValueError:
                pass
        parsed[key] = value
    return parsed


@router.post("/{project_id}/transitions", response={200: schemas.ProjectOut, **STATE_ERRORS})
def transition_project(request: HttpRequest, project_id: int, body: schemas.ProjectTransitionIn) -> Any:
    """One move of the procedure (``projects/workflow.py``), checked as on the web page; the steps
    that need a document (minutes, acceptance report) take it on the web page."""
    user = request_user(request)
    project = project_get(user=user, pk=project_id)
    project_transition(
        user=user, project=project, action=body.action, comment=body.comment, data=_step_data(body.data)
    )
    return project_get(user=user, pk=project_id)
