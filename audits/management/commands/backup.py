from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.backups import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's backup API) and the uploaded files "
        "into one new folder under BACKUP_DIR, with a manifest of their SHA-256s."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backup-dir",
            type=Path,
            default=None,
            help="Where to write the backup folder (default: the BACKUP_DIR setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        backup_dir = options["backup_dir"] or settings.BACKUP_DIR
        try:
            folder = backup_create(backup_dir=Path(backup_dir))
            manifest = backup_verify(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = manifest["counts"]
        self.stdout.write(self.style.SUCCESS(f"Backed up to {folder}"))
        self.stdout.write(
            f"  {manifest['database']['engine']} database {manifest['database']['name']}: "
            f"{counts['audits.Return']} returns, {counts['audits.Evidence']} documents, "
            f"{counts['audits.User']} people"
        )
        self.stdout.write(f"  {manifest['media']['files']} uploaded files")
