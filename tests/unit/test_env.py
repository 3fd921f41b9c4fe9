import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str


def test_bool_parsing_is_strict(monkeypatch):
    monkeypatch.setenv("JINGZHUN_X", "yes")
    assert env_bool("X", default=False) is True
    monkeypatch.setenv("JINGZHUN_X", "off")
    assert env_bool("X", default=True) is False
    monkeypatch.setenv("JINGZHUN_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="JINGZHUN_X"):
        env_bool("X", default=False)


def test_int_parsing_is_strict(monkeypatch):
    monkeypatch.setenv("JINGZHUN_N", "12")
    assert env_int("N", 5) == 12
    monkeypatch.setenv("JINGZHUN_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 5)
    monkeypatch.setenv("JINGZHUN_N", "2")
    with pytest.raises(ImproperlyConfigured, match="at least 8"):
        env_int("N", 10, minimum=8)


def test_required_string_and_lists(monkeypatch):
    monkeypatch.delenv("JINGZHUN_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="must be set"):
        env_str("MISSING")
    monkeypatch.setenv("JINGZHUN_HOSTS", "a.example, b.example,,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]


def test_production_settings_refuse_to_start_without_a_secret_key():
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGZHUN_")}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "JINGZHUN_SECRET_KEY must be set" in result.stderr


def _production(**extra: str):
    import os
    import subprocess
    import sys

    # As a deployment's environment: none of the test run's own settings.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("JINGZHUN_") and k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
    }
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "JINGZHUN_ALLOWED_HOSTS": "jz.example.org"}
    env |= {f"JINGZHUN_{name}": value for name, value in extra.items()}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_secret_key_of_few_characters_is_refused():
    result = _production(SECRET_KEY="ab" * 30)
    assert result.returncode != 0
    assert "must be random" in result.stderr


def test_the_deployment_check_passes_with_production_settings(tmp_path):
    import base64
    import os
    import secrets

    database = f"sqlite:///{tmp_path / 'deploy.sqlite3'}"
    # Without its own field keys the deployment is warned (keys derived from the secret key).
    warned = _production(SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database)
    assert warned.returncode != 0
    assert "jingzhun.W001" in warned.stderr
    assert "jingzhun.W002" in warned.stderr
    keys = "k1:" + base64.b64encode(os.urandom(32)).decode()
    index_key = base64.b64encode(os.urandom(32)).decode()
    result = _production(
        SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=database, FIELD_KEYS=keys, INDEX_KEY=index_key
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_malformed_field_key_stops_every_check():
    import secrets

    result = _production(SECRET_KEY=secrets.token_urlsafe(50), FIELD_KEYS="k1:not-base64!")
    assert result.returncode != 0
    assert "jingzhun.E001" in result.stderr
