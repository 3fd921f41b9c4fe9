import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from config import settings as production_settings
from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_and_redirect_for_anonymous():
    client = Client()
    response = client.get("/households/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "登录" in client.get("/accounts/login/").content.decode()


def test_login_and_lockout_after_repeated_failures(cadre):
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": "cadre", "password": factories.PASSWORD}).status_code
        == 302
    )
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cadre", "password": "wrong-password-1"})
    response = client.post("/accounts/login/", {"username": "cadre", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert client.get("/households/").status_code == 302


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
