from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import formats, timezone

from audits.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Apply the retention schedule: delete, with their files and history, the records "
        "each rule says have expired. With --dry-run, only say how many would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        outcomes = retention_apply(dry_run=dry_run)
        verb = "would go" if dry_run else "deleted"
        if dry_run:
            self.stdout.write("Dry run: nothing is deleted.")
        for outcome in outcomes:
            cutoff = formats.date_format(timezone.localtime(outcome.cutoff), "j F Y, H:i")
            self.stdout.write(outcome.rule.records)
            self.stdout.write(
                f"    Kept: {outcome.rule.kept}. Cut-off {cutoff}: {outcome.count} {verb}."
            )
        total = sum(outcome.count for outcome in outcomes)
        summary = f"{total} record{'s' if total != 1 else ''} {verb}."
        self.stdout.write(self.style.SUCCESS(summary) if not dry_run else summary)
