"""Log-in in two steps: the password (with lock-outs), then the code where needed."""

from __future__ import annotations

import io
from typing import Any

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from jingzhun.accounts import services
from jingzhun.accounts.forms import SecondFactorForm
from jingzhun.core.forms import apply_validation_error
from jingzhun.core.http import AuthenticatedHttpRequest


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return settings.LOGIN_REDIRECT_URL


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """Say what is locked — this account, or log-ins from this address — and until when."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    state = services.lockout_state(
        request, username=username, ip_address=get_client_ip_address(request) or ""
    )
    return render(
        request,
        "accounts/locked_out.html",
        {"lockout": state, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address = get_client_ip_address(request) or ""
        if services.address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return locked_out(request, None, {"username": request.POST.get("username", "")})
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        services.session_begin(user=user, session_key=self.request.session.session_key or "")
        if not services.log_in_complete(self.request):
            step = "second_factor" if services.second_factor_device(user) else "second_factor_setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': self.get_success_url()})}")
        return response


class SignOutView(auth_views.LogoutView):
    pass


@login_required
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The log-in's second step: the code from the app."""
    if services.verified(request.user) or services.second_factor_device(request.user) is None:
        return redirect(_next(request))
    form = SecondFactorForm(request.POST or None)
    if _code_accepted(request, form, services.second_factor_verify):
        return redirect(_next(request))
    return render(request, "accounts/second_factor.html", {"form": form, "next": _next(request)})


def _code_accepted(request: AuthenticatedHttpRequest, form: SecondFactorForm, check: Any) -> bool:
    """Whether a posted code passed ``check`` (verify or confirm); its refusal shows on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        check(request=request, user=request.user, token=form.cleaned_data["token"])
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    return True


@login_required
def second_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Set up an authenticator app: scan the code (or type the key), enter the first code.

    An account that already has one must complete its log-in with it first."""
    if services.second_factor_device(request.user) is not None and not services.verified(request.user):
        return redirect("second_factor")
    device = services.second_factor_enrolment(request.user)
    form = SecondFactorForm(request.POST or None)
    if _code_accepted(request, form, services.second_factor_confirm):
        return redirect(_next(request))
    import qrcode
    import qrcode.image.svg

    svg = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(svg)
    secret = _base32(device.bin_key)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": svg.getvalue().decode(),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": services.needs_second_factor(request.user),
        },
    )


def _base32(key: bytes) -> str:
    from base64 import b32encode

    return b32encode(key).decode().rstrip("=")
