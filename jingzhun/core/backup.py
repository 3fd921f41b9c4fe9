"""Backups of the whole installation: the database and the uploaded files, in one
archive, optionally encrypted with a passphrase.

The archive is a tar file holding ``manifest.json`` (engine, time, the row count
and a checksum of every table), the database (SQLite through its online backup
API, so the application may keep running; PostgreSQL through ``pg_dump`` in its
custom format) and ``media/``. Encrypted, the tar is cut into 1 MiB frames, each
sealed with AES-256-GCM under a key derived from the passphrase with scrypt; the
frame's number and whether it is the last are authenticated with it, so frames
cannot be reordered, dropped or cut short without the restore noticing.

Restoring refuses a database that already holds data: a restore goes into an
empty database (after ``migrate`` or a new server), never over a working one.
"""

from __future__ import annotations

import contextlib
import datetime
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings
from django.utils import timezone

MAGIC = b"JZBACKUP1"
FRAME = 1024 * 1024
_SALT_BYTES, _NONCE_BYTES = 16, 12


class BackupError(RuntimeError):
    pass


# --- checksums --------------------------------------------------------------------


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


def _connect(url: str) -> Any:
    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(config["NAME"])
    import psycopg

    return psycopg.connect(_libpq_url(url))


def _libpq_url(url: str) -> str:
    # dj-database-url accepts postgres:// and postgresql://; libpq wants the latter.
    parts = urlsplit(url)
    return url if parts.scheme == "postgresql" else url.replace(parts.scheme + "://", "postgresql://", 1)


def _tables(connection: Any, engine: str) -> list[str]:
    cursor = connection.cursor()
    if engine == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    return sorted(row[0] for row in cursor.fetchall())


def database_url_of(settings_dict: dict[str, Any]) -> str:
    """The URL of a Django connection's database (the test database in tests)."""
    from urllib.parse import quote, urlencode

    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    options = settings_dict.get("OPTIONS") or {}
    host = settings_dict.get("HOST") or str(options.get("host") or "")
    port = str(settings_dict.get("PORT") or options.get("port") or "")
    if host.startswith("/"):  # a Unix socket directory goes into the query
        query = urlencode({"host": host, **({"port": port} if port else {})})
        return f"postgresql://{credentials}/{quote(settings_dict['NAME'])}?{query}"
    netloc = host + (f":{port}" if port else "")
    return f"postgresql://{credentials}{netloc}/{quote(settings_dict['NAME'])}"


def engine_of(url: str) -> str:
    return "sqlite" if dj_database_url.parse(url)["ENGINE"].endswith("sqlite3") else "postgresql"


def table_checksums(url: str) -> dict[str, TableSum]:
    """Every table's row count and a checksum of its rows in key order: two databases
    with the same sums hold the same data."""
    engine = engine_of(url)
    with contextlib.closing(_connect(url)) as connection:
        sums = {}
        for table in _tables(connection, engine):
            cursor = connection.cursor()
            quoted = '"' + table.replace('"', '""') + '"'
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(5000):
                for row in batch:
                    digest.update(repr(tuple(_plain(value) for value in row)).encode())
                    rows += 1
            sums[table] = TableSum(rows, digest.hexdigest())
        return sums


def _plain(value: object) -> object:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def database_is_empty(url: str) -> bool:
    """No table holds a row, except the ones ``migrate`` fills (its record, content
    types, permissions) and reference data loaded by migrations."""
    sums = table_checksums(url)
    return all(total.rows == 0 for table, total in sums.items() if table not in _FILLED_BY_MIGRATE)


# What ``migrate`` writes into a new database: its own record, content types and
# permissions, and the reference data the migrations load (areas, code lists and
# parameters, the rule catalogue, the working-day calendar).
_FILLED_BY_MIGRATE = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "areas_area",
    "codelists_codelist",
    "codelists_codeitem",
    "codelists_parameter",
    "monitoring_screeningrule",
    "codelists_calendarday",
}


# --- encryption ---------------------------------------------------------------------


def _key(passphrase: str, salt: bytes) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())


def _encrypt(source: IO[bytes], target: IO[bytes], passphrase: str) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce_base = os.urandom(_SALT_BYTES), os.urandom(_NONCE_BYTES)
    cipher = AESGCM(_key(passphrase, salt))
    target.write(MAGIC + salt + nonce_base)
    counter = 0
    chunk = source.read(FRAME)
    while True:
        following = source.read(FRAME)
        last = not following
        sealed = cipher.encrypt(_nonce(nonce_base, counter), chunk, _frame_data(counter, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, counter = following, counter + 1


def _decrypt(source: io.BufferedReader, target: IO[bytes], passphrase: str) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header = source.read(len(MAGIC) + _SALT_BYTES + _NONCE_BYTES)
    if not header.startswith(MAGIC):
        raise BackupError("not an encrypted jingzhun backup")
    salt = header[len(MAGIC) : len(MAGIC) + _SALT_BYTES]
    nonce_base = header[len(MAGIC) + _SALT_BYTES :]
    cipher = AESGCM(_key(passphrase, salt))
    counter = 0
    while True:
        size_bytes = source.read(4)
        if len(size_bytes) < 4:
            raise BackupError("the backup is cut short")
        sealed = source.read(struct.unpack(">I", size_bytes)[0])
        last = not source.peek(1)
        try:
            target.write(cipher.decrypt(_nonce(nonce_base, counter), sealed, _frame_data(counter, last)))
        except InvalidTag:
            raise BackupError("wrong passphrase, or the backup was changed or cut short") from None
        if last:
            return
        counter += 1


def _nonce(base: bytes, counter: int) -> bytes:
    return (int.from_bytes(base, "big") ^ counter).to_bytes(_NONCE_BYTES, "big")


def _frame_data(counter: int, last: bool) -> bytes:
    return struct.pack(">Q?", counter, last)


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


# --- backup and restore ---------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} not found (apt-get install postgresql-client)")
    return candidates[-1]


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup_create(output: Path, *, url: str, passphrase: str | None = None) -> dict[str, Any]:
    """Write the archive to ``output`` (written beside it and moved into place when complete)."""
    engine = engine_of(url)
    with tempfile.TemporaryDirectory(prefix="jingzhun-backup-") as work:
        workdir = Path(work)
        if engine == "sqlite":
            database = workdir / "database.sqlite3"
            with (
                contextlib.closing(sqlite3.connect(dj_database_url.parse(url)["NAME"])) as live,
                contextlib.closing(sqlite3.connect(database)) as copy,
            ):
                live.backup(copy)
        else:
            database = workdir / "database.dump"
            subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={database}", _libpq_url(url)],
                check=True,
                capture_output=True,
            )
        manifest = {
            "format": 1,
            "engine": engine,
            "created_at": timezone.now().isoformat(),
            "tables": {name: total.__dict__ for name, total in table_checksums(url).items()},
        }
        tar_path = workdir / "backup.tar"
        with tarfile.open(tar_path, "w") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            archive.add(database, arcname=database.name)
            media = _media_root()
            if media.is_dir():
                archive.add(media, arcname="media")
        partial = output.with_name(output.name + ".partial")
        with tar_path.open("rb") as source, partial.open("wb") as target:
            if passphrase:
                _encrypt(source, target, passphrase)
            else:
                shutil.copyfileobj(source, target)
        partial.replace(output)
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


@contextlib.contextmanager
def _opened_archive(path: Path, passphrase: str | None) -> Iterator[tarfile.TarFile]:
    with tempfile.TemporaryDirectory(prefix="jingzhun-restore-") as work:
        if is_encrypted(path):
            if not passphrase:
                raise BackupError("the backup is encrypted: give its passphrase")
            plain = Path(work) / "backup.tar"
            with path.open("rb") as source, plain.open("wb") as target:
                _decrypt(source, target, passphrase)
            path = plain
        with tarfile.open(path, "r") as archive:
            yield archive


def backup_restore(path: Path, *, url: str, passphrase: str | None = None) -> dict[str, Any]:
    """Restore the archive into the (empty) database at ``url`` and the media folder,
    then check every table against the manifest's sums."""
    engine = engine_of(url)
    if not database_is_empty(url):
        raise BackupError("the target database already holds data; restore into an empty database")
    with _opened_archive(path, passphrase) as archive, tempfile.TemporaryDirectory() as work:
        manifest = json.loads(_member(archive, "manifest.json"))
        if manifest.get("engine") != engine:
            raise BackupError(f"the backup is of a {manifest.get('engine')} database, the target is {engine}")
        # Only the archive's own names are extracted, with tar's data filter (no links
        # out of the folder, no absolute paths, no devices).
        archive.extractall(work, filter="data")
        extracted = Path(work)
        if engine == "sqlite":
            target = Path(dj_database_url.parse(url)["NAME"])
            with (
                contextlib.closing(sqlite3.connect(extracted / "database.sqlite3")) as copy,
                contextlib.closing(sqlite3.connect(target)) as live,
            ):
                copy.backup(live)
        else:
            result = subprocess.run(
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--clean",
                    "--if-exists",
                    "--single-transaction",
                    f"--dbname={_libpq_url(url)}",
                    str(extracted / "database.dump"),
                ],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()[-2000:]}")
        media = extracted / "media"
        if media.is_dir():
            shutil.copytree(media, _media_root(), dirs_exist_ok=True)
    restored = table_checksums(url)
    expected = {name: TableSum(**value) for name, value in manifest["tables"].items()}
    different = sorted(name for name in expected if restored.get(name) != expected[name])
    if different:
        raise BackupError(f"restored tables differ from the backup: {', '.join(different)}")
    return manifest


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise BackupError(f"{name} missing from the backup")
    return handle.read()
