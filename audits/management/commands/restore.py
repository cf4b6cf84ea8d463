from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the database and media folder given. The manifest's "
        "hashes are checked first; a database or folder holding data is refused unless "
        "--replace is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="The backup folder (csap-backup-...).")
        parser.add_argument(
            "--database-url",
            default=os.environ.get("RESTORE_DATABASE_URL", ""),
            help="The database to restore into, e.g. postgres://user@host:5432/csap_restored "
            "(or RESTORE_DATABASE_URL, which keeps a password out of the process list).",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=os.environ.get("RESTORE_MEDIA_ROOT") or None,
            help="The folder to restore the uploaded files into (or RESTORE_MEDIA_ROOT).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that already has tables, and write over files "
            "already in the media folder.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Both targets are always given: a restore never guesses where to write.
        if not options["database_url"]:
            raise CommandError("Say which database to restore into with --database-url.")
        if not options["media_root"]:
            raise CommandError("Say which folder to restore the files into with --media-root.")
        try:
            restored = backup_restore(
                folder=options["backup"],
                database_url=options["database_url"],
                media_root=Path(options["media_root"]),
                replace=options["replace"],
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = restored.counts
        self.stdout.write(self.style.SUCCESS(f"Restored {options['backup']}"))
        self.stdout.write(
            f"  into the database {restored.database}: {counts['audits.Return']} returns, "
            f"{counts['audits.Evidence']} documents, {counts['audits.User']} people, "
            "as the manifest says"
        )
        self.stdout.write(f"  and the files into {restored.media_root}")
