"""Backups restore into an empty database with every table identical, media included;
encrypted ones only with their passphrase, and a changed byte is noticed."""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jingzhun.assistance import services as assistance_services
from jingzhun.core.backup import database_url_of, engine_of, table_checksums
from tests import factories


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database(tmp_path):
    """A second, empty database on the same engine as the suite's."""
    url = database_url_of(connection.settings_dict)
    if engine_of(url) == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    from jingzhun.core.backup import _libpq_url

    name = f"restored_{secrets.token_hex(4)}"
    with psycopg.connect(_libpq_url(url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield url.replace(f"/{connection.settings_dict['NAME']}", f"/{name}", 1)
    with psycopg.connect(_libpq_url(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_identically(
    reference_data, media, empty_database, tmp_path
):
    village = factories.area("150124100201", "榆树营村")
    cadre = factories.village_cadre(village)
    household = factories.household(village, attribute="09", phone="13912345678")
    factories.member(household, name="王大山")
    visit = assistance_services.visit_record(
        user=cadre,
        household=household,
        visited_on=datetime.date(2026, 11, 2),
        notes="房屋已修缮",
        photos=[factories.photo("门口.jpg")],
    )
    photo_path = Path(visit.photos.get().file.path)
    photo_bytes = photo_path.read_bytes()
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple\n")
    archive = tmp_path / "jingzhun.backup"
    call_command("backup", str(archive), passphrase_file=str(passphrase), verbosity=0)
    assert b"\xe7\x8e\x8b\xe5\xa4\xa7\xe5\xb1\xb1" not in archive.read_bytes()  # 王大山, encrypted away
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(archive), verbosity=0)

    source = table_checksums(database_url_of(connection.settings_dict))
    photo_path.unlink()  # the restore must bring the file back
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase")
    with pytest.raises(CommandError, match="wrong passphrase"):
        call_command("restore", str(archive), database_url=empty_database, passphrase_file=str(wrong))
    with pytest.raises(CommandError, match="encrypted"):
        call_command("restore", str(archive), database_url=empty_database)

    call_command("restore", str(archive), database_url=empty_database, passphrase_file=str(passphrase))
    restored = table_checksums(empty_database)
    assert restored == source
    assert restored["registry_household"].rows == 1
    assert photo_path.read_bytes() == photo_bytes
    # A database that holds data is never restored over.
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive), database_url=empty_database, passphrase_file=str(passphrase))


def test_a_changed_byte_in_an_encrypted_backup_is_refused(reference_data, media, empty_database, tmp_path):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("correct horse battery staple")
    archive = tmp_path / "jingzhun.backup"
    call_command("backup", str(archive), passphrase_file=str(passphrase), verbosity=0)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="changed or cut short"):
        call_command("restore", str(archive), database_url=empty_database, passphrase_file=str(passphrase))
    archive.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(CommandError, match=r"cut short|changed"):
        call_command("restore", str(archive), database_url=empty_database, passphrase_file=str(passphrase))
