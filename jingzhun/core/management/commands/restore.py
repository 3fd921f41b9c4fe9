"""``jingzhun restore FILE``: a backup into an empty database, checked table by table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from jingzhun.core.backup import BackupError, backup_restore, database_url_of
from jingzhun.core.management.commands.backup import read_passphrase


class Command(BaseCommand):
    help = "Restore a backup into an empty database and the media folder, then check every table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--passphrase-file", help="the passphrase of an encrypted backup")
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one (it must be empty)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["database_url"] or database_url_of(connection.settings_dict)
        try:
            manifest = backup_restore(options["archive"], url=url, passphrase=read_passphrase(options))
        except (BackupError, OSError) as error:
            raise CommandError(f"restore failed: {error}") from None
        tables = len(manifest["tables"])
        self.stdout.write(f"restored the backup of {manifest['created_at']}: {tables} tables, each identical")
