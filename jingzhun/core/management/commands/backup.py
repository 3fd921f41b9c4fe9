"""``jingzhun backup FILE``: the database and the uploaded files in one archive."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from jingzhun.core.backup import BackupError, backup_create, database_url_of


def read_passphrase(options: dict[str, Any]) -> str | None:
    """From a file (readable by the operator only) or JINGZHUN_BACKUP_PASSPHRASE; never
    from the command line, where other users of the server could read it."""
    if options.get("passphrase_file"):
        try:
            return Path(options["passphrase_file"]).read_text(encoding="utf-8").strip() or None
        except OSError as error:
            raise CommandError(str(error)) from None
    return os.environ.get("JINGZHUN_BACKUP_PASSPHRASE") or None


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (optionally encrypted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "output", type=Path, help="the archive to write (.tar, or .tar.enc when encrypted)"
        )
        parser.add_argument(
            "--passphrase-file",
            help="encrypt with the passphrase in this file (or JINGZHUN_BACKUP_PASSPHRASE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if output.exists():
            raise CommandError(f"{output} exists; backups are never overwritten")
        passphrase = read_passphrase(options)
        try:
            manifest = backup_create(
                output, url=database_url_of(connection.settings_dict), passphrase=passphrase
            )
        except (BackupError, OSError) as error:
            raise CommandError(f"backup failed, nothing written: {error}") from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        state = "encrypted" if passphrase else "not encrypted"
        self.stdout.write(f"{output}: {len(manifest['tables'])} tables, {rows} rows, media files ({state})")
