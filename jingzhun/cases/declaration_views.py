"""Self-declaration: the public form a household fills in without an account, its
status lookup, and the village's list of declarations waiting to be handled."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from jingzhun.areas.choices import AreaLevel
from jingzhun.areas.models import Area
from jingzhun.cases import declarations, services
from jingzhun.cases.models import Declaration
from jingzhun.cases.selectors import declaration_list
from jingzhun.cases.workflow import is_village_cadre
from jingzhun.core.forms import apply_validation_error, report_errors
from jingzhun.core.http import AuthenticatedHttpRequest
from jingzhun.registry.models import Household
from jingzhun.registry.selectors import household_list

PHONE = RegexValidator(r"^[0-9+\-() ]{7,20}$", gettext_lazy("Enter a phone number."))


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", **attrs})


class DeclarationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=50, widget=_text(autocomplete="name"))
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, widget=_text())
    phone = forms.CharField(
        label=gettext_lazy("Phone"), max_length=20, validators=[PHONE], widget=_text(inputmode="tel")
    )
    township = forms.ChoiceField(
        label=gettext_lazy("Township"),
        widget=forms.Select(
            attrs={
                "class": "form-select",
                # Choosing the township lists its villages (without script the form does
                # the same when sent with a township and no village).
                "hx-get": reverse_lazy("declare:villages"),
                "hx-target": "#id_village",
                "hx-trigger": "change",
            }
        ),
    )
    village = forms.ChoiceField(
        label=gettext_lazy("Village"), widget=forms.Select(attrs={"class": "form-select"})
    )
    what_happened = forms.CharField(
        label=gettext_lazy("What happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=gettext_lazy(
            "For example: illness, an accident, a disaster, losing work, a child's schooling."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("— choose —")), *township_choices()]  # type: ignore[attr-defined]
        township = str(self.data.get("township") or "")
        first = _("— choose —") if township else _("— choose the township first —")
        self.fields["village"].choices = [("", first), *village_choices_of(township)]  # type: ignore[attr-defined]


def township_choices() -> list[tuple[str, str]]:
    """Townships that have villages, named with their county where there are several counties."""
    with_villages = Area.objects.filter(level=AreaLevel.VILLAGE, is_valid=True).values("parent_id")
    townships = Area.objects.filter(level=AreaLevel.TOWNSHIP, is_valid=True, code__in=with_villages)
    townships = townships.select_related("parent").order_by("code")
    counties = {township.code[:6] for township in townships}
    return [
        (t.code, f"{t.parent.name} {t.name}" if len(counties) > 1 and t.parent else t.name) for t in townships
    ]


def village_choices_of(township: str) -> list[tuple[str, str]]:
    if not (township.isdigit() and len(township) == 12):
        return []
    villages = Area.objects.filter(parent_id=township, level=AreaLevel.VILLAGE, is_valid=True)
    return list(villages.order_by("code").values_list("code", "name"))


class LookupForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18, widget=_text())
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, widget=_text(inputmode="tel"))


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@never_cache
def declare(request: HttpRequest) -> HttpResponse:
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            declarations.declaration_submit(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                village=Area.objects.get(code=data["village"]),
                what_happened=data["what_happened"],
                client_address=_client_address(request),
            )
        except declarations.RateLimited:
            form.add_error(
                None,
                _("Too many declarations from here today. Please try again tomorrow or call the village."),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("declare:thanks")
    return render(request, "cases/declare.html", {"form": form})


def declare_villages(request: HttpRequest) -> HttpResponse:
    """The village options of one township, for the form's village list."""
    options = [("", _("— choose —")), *village_choices_of(request.GET.get("township", ""))]
    return render(request, "cases/_village_options.html", {"options": options})


def declare_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/declare_thanks.html")


@never_cache
def declare_status(request: HttpRequest) -> HttpResponse:
    """Status by ID number and phone: only the status and dates, nothing else."""
    form = LookupForm(request.POST or None)
    found: list[Declaration] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            found = declarations.declaration_lookup(
                id_number=form.cleaned_data["id_number"],
                phone=form.cleaned_data["phone"],
                client_address=_client_address(request),
            )
        except declarations.RateLimited:
            form.add_error(None, _("Too many lookups from here. Please try again in an hour."))
    return render(request, "cases/declare_status.html", {"form": form, "found": found})


# --- the village's side ----------------------------------------------------------------


@login_required
def declaration_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    declarations = declaration_list(user=request.user, include_handled=show_all)[:500]
    return render(
        request, "cases/declaration_list.html", {"declarations": declarations, "show_all": show_all}
    )


class AcceptForm(forms.Form):
    household_number = forms.CharField(label=gettext_lazy("Household number"), max_length=30, widget=_text())


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


@login_required
def declaration_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(declaration_list(user=request.user, include_handled=True), pk=pk)
    # Only a household inside the user's area is offered; another village's stays unseen.
    in_area = household_list(user=request.user)
    matched = (
        in_area.filter(pk=declaration.household_id).first()
        if declaration.household_id
        else in_area.filter(members__id_number_index=declaration.id_number_index).first()
    )
    accept_form = AcceptForm(
        request.POST if request.POST.get("do") == "accept" else None,
        initial={"household_number": matched.household_number if matched else ""},
    )
    decline_form = DeclineForm(request.POST if request.POST.get("do") == "decline" else None)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "accept" and accept_form.is_valid():
                household = (
                    household_list(user=request.user)
                    .filter(household_number=accept_form.cleaned_data["household_number"].strip())
                    .first()
                )
                if household is None:
                    raise ValidationError(
                        _("No household with this number in your area: add it to the register first.")
                    )
                case = services.declaration_accept(
                    user=request.user, declaration=declaration, household=household
                )
                messages.success(request, _("Case opened."))
                return redirect("cases:case_detail", pk=case.pk)
            if request.POST.get("do") == "decline" and decline_form.is_valid():
                services.declaration_decline(
                    user=request.user, declaration=declaration, reason=decline_form.cleaned_data["reason"]
                )
                messages.success(request, _("Declaration declined."))
                return redirect("cases:declaration_list")
        except (ValidationError, PermissionDenied) as error:
            report_errors(request, error)
    context: dict[str, Any] = {
        "declaration": declaration,
        "matched": matched if isinstance(matched, Household) else None,
        "accept_form": accept_form,
        "decline_form": decline_form,
        "can_handle": is_village_cadre(request.user),
    }
    return render(request, "cases/declaration_detail.html", context)
