import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from config import settings as production_settings
from jingzhun.accounts.choices import Role
from jingzhun.accounts.services import account_reset_by_administrator
from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_and_redirect_for_anonymous():
    client = Client()
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "登录" in client.get("/accounts/login/").content.decode()


def _log_in(client, username, password=factories.PASSWORD, address="10.1.1.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_failures_lock_the_account_from_every_address(cadre):
    client = Client(headers={"accept-language": "en"})
    assert _log_in(client, "cadre").status_code == 302
    client.post("/accounts/logout/")
    # Each failure from another address: the account is counted, not the address.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "cadre", "wrong-password-1", address=f"10.0.0.{attempt + 1}")
    response = _log_in(client, "cadre", address="10.9.9.9")
    assert response.status_code == 429
    page = response.content.decode()
    assert "This account is locked" in page
    assert "It opens again at" in page
    assert client.get("/households/").status_code == 302


def test_an_address_is_limited_across_accounts(village, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for number in range(3):
        factories.village_cadre(village, username=f"cadre{number}")
    client = Client(headers={"accept-language": "en"})
    for number in range(3):
        for _ in range(2):
            _log_in(client, f"cadre{number}", "wrong-password-1", address="10.2.2.2")
    refused = _log_in(client, "cadre0", address="10.2.2.2")
    assert refused.status_code == 429
    assert "network address" in refused.content.decode()
    # The same account from another address is not locked (2 failures of 5).
    assert _log_in(Client(headers={"accept-language": "en"}), "cadre0", address="10.3.3.3").status_code == 302


def test_an_administrator_lifts_a_lock_by_setting_a_new_password(cadre, village):
    admin = factories.user("admin", Role.SYSTEM_ADMIN, village)
    client = Client(headers={"accept-language": "en"})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "cadre", "wrong-password-1")
    assert _log_in(client, "cadre").status_code == 429
    with pytest.raises(PermissionDenied):
        account_reset_by_administrator(actor=cadre, user=cadre, new_password="Another-password-2027")
    signed_in = Client()
    signed_in.force_login(cadre)
    account_reset_by_administrator(actor=admin, user=cadre, new_password="Another-password-2027")
    assert signed_in.get("/households/").status_code == 302  # the old session ended with the password
    assert _log_in(client, "cadre", "Another-password-2027").status_code == 302


def test_a_new_log_in_ends_the_accounts_other_session(cadre):
    first, second = Client(headers={"accept-language": "en"}), Client(headers={"accept-language": "en"})
    assert _log_in(first, "cadre").status_code == 302
    assert first.get("/households/").status_code == 200
    assert _log_in(second, "cadre", address="10.4.4.4").status_code == 302
    assert second.get("/households/").status_code == 200
    assert first.get("/households/").status_code == 302  # back to the log-in page


def _code(key: bytes) -> str:
    return f"{TOTP(key).token():06d}"


def test_a_county_officer_sets_up_and_then_uses_the_second_factor(village):
    factories.user("county", Role.COUNTY_OFFICER, village.parent.parent)
    client = Client(headers={"accept-language": "en"})
    response = _log_in(client, "county")
    assert response["Location"].startswith("/accounts/second-factor/setup/")
    # Every page sends the half-logged-in account back to the second step.
    assert client.get("/households/")["Location"].startswith("/accounts/second-factor/setup/")
    assert client.get("/api/v1/households/").status_code == 401
    setup = client.get("/accounts/second-factor/setup/")
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user__username="county", confirmed=False)
    wrong = client.post("/accounts/second-factor/setup/", {"token": "000000"})
    assert "The code is not right" in wrong.content.decode()
    # Each wrong code doubles the wait before the next is checked.
    assert (
        "Too many wrong codes"
        in client.post("/accounts/second-factor/setup/", {"token": "000000"}).content.decode()
    )
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(
        "/accounts/second-factor/setup/", {"token": _code(device.bin_key), "next": "/households/"}
    )
    assert done["Location"] == "/households/"
    assert client.get("/households/").status_code == 200
    # The next log-in asks for the code from the same app.
    client.post("/accounts/logout/")
    again = _log_in(client, "county")
    assert again["Location"].startswith("/accounts/second-factor/?")
    assert client.get("/households/").status_code == 302
    device.refresh_from_db()
    device.last_t = -1  # a code may be used once; the app shows the next one half a minute later
    device.save()
    assert client.post("/accounts/second-factor/", {"token": _code(device.bin_key)}).status_code == 302
    assert client.get("/households/").status_code == 200


def test_a_village_cadre_logs_in_with_the_password_alone(cadre):
    client = Client(headers={"accept-language": "en"})
    assert _log_in(client, "cadre")["Location"] == "/"
    assert client.get("/households/").status_code == 200


def test_production_hashing_and_session_rules():
    assert production_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.parametrize("password", ["short1", "abcdefghijkl", "123456789012", "password123"])
def test_weak_passwords_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_good_password_accepted():
    validate_password("Qingshuihe-2026-ok")


def test_a_new_password_set_on_the_admin_site_lifts_the_lock_too(cadre, village):
    admin = factories.user("root", Role.SYSTEM_ADMIN, village, is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(), "cadre", "wrong-password-1")
    assert _log_in(Client(), "cadre").status_code == 429
    site = Client()
    site.force_login(admin)
    response = site.post(
        f"/admin/accounts/user/{cadre.pk}/password/",
        {
            "password1": "Another-password-2027",
            "password2": "Another-password-2027",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert _log_in(Client(), "cadre", "Another-password-2027").status_code == 302
