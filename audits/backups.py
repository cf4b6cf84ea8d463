"""Backing up the portal and restoring it: the database and the uploaded files together.

A backup is one folder holding the database (``pg_dump`` custom format, or a
copy made with SQLite's online backup API on a ``make run`` install), a tar of
the private media folder, and ``manifest.json`` with the time, the database,
row counts and the SHA-256 of both files. A restore checks every hash before it
touches anything, refuses a database or media folder that already holds data
unless told to replace it, and afterwards counts the rows again.

The counts are taken in the same snapshot that ``pg_dump`` reads, so the
manifest says exactly what the dump holds.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ
import psycopg
from django.apps import apps
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
POSTGRES_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT_VERSION = 1

# The records the manifest counts, and a restore counts again.
COUNTED = (
    "audits.Organisation",
    "audits.User",
    "audits.AuditCycle",
    "audits.Return",
    "audits.Response",
    "audits.Evidence",
    "audits.ActionItem",
    "audits.ReviewComment",
    "audits.AccessRecord",
    "reports.ReportVersion",
)
POSTGRES = "postgresql"
SQLITE = "sqlite"


class BackupError(Exception):
    """The backup or restore cannot go ahead; the message says why, for an operator."""


@dataclass(frozen=True)
class Restored:
    database: str
    media_root: Path
    counts: dict[str, int]


# --- Backing up ---------------------------------------------------------------------


def backup_create(*, backup_dir: Path, alias: str = "default") -> Path:
    """Write a new backup folder under ``backup_dir`` and return it.

    The folder is written under a temporary name and renamed when complete, so
    a folder with the final name is always a whole backup. It and its files are
    readable by the owner only: they hold every return and document.
    """
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a transaction: it needs its own snapshot.")
    stamp = timezone.now().astimezone(datetime.UTC)
    name = f"csap-backup-{stamp:%Y%m%dT%H%M%SZ}"
    backup_dir.mkdir(parents=True, exist_ok=True)
    final = backup_dir / name
    if final.exists():
        raise BackupError(f"{final} already exists. Wait a second and try again.")
    partial = backup_dir / f".{name}.partial"
    partial.mkdir(mode=0o700)
    try:
        if connection.vendor == POSTGRES:
            database_file, counts, migrations = _dump_postgres(alias, partial / POSTGRES_DUMP)
        elif connection.vendor == SQLITE:
            database_file, counts, migrations = _copy_sqlite(alias, partial / SQLITE_COPY)
        else:
            raise BackupError(f"There is no backup for a {connection.vendor} database.")
        media_root = _media_root()
        media_files = _tar_media(media_root, partial / MEDIA_ARCHIVE)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": stamp.isoformat(),
            "database": {
                "engine": connection.vendor,
                "name": Path(str(connection.settings_dict["NAME"])).name,
                "file": database_file.name,
                "sha256": _sha256(database_file),
                "size": database_file.stat().st_size,
            },
            "media": {
                "root": str(media_root),
                "file": MEDIA_ARCHIVE,
                "files": media_files,
                "sha256": _sha256(partial / MEDIA_ARCHIVE),
                "size": (partial / MEDIA_ARCHIVE).stat().st_size,
            },
            "counts": counts,
            "migrations": migrations,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in partial.iterdir():
            path.chmod(0o600)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _dump_postgres(alias: str, target: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """pg_dump in custom format, reading the snapshot in which the rows are counted."""
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        # The first statement of the transaction, as PostgreSQL requires.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _counts(cursor, _quote_postgres)
        migrations = _migrations(cursor)
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            _postgres_env(connection.settings_dict),
        )
    return target, counts, migrations


def _copy_sqlite(alias: str, target: Path) -> tuple[Path, dict[str, int], dict[str, str]]:
    """SQLite's online backup API: a consistent copy while the portal keeps running."""
    source = sqlite3.connect(str(connections[alias].settings_dict["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)
        cursor = copy.cursor()
        counts = _counts(cursor, _quote_sqlite)
        migrations = _migrations(cursor)
    finally:
        copy.close()
        source.close()
    return target, counts, migrations


def _media_root() -> Path:
    storage = storages["default"]
    if not isinstance(storage, FileSystemStorage):
        raise BackupError("Uploaded files are backed up only from a file-system storage.")
    return Path(storage.location)


def _tar_media(media_root: Path, target: Path) -> int:
    """Every uploaded file, named relative to the media folder. Returns how many."""
    count = 0
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    count += 1
    return count


# --- Checking a backup --------------------------------------------------------------


def backup_verify(folder: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it names matches its SHA-256."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as error:
        raise BackupError(f"{manifest_path} cannot be read: {error}.") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"This portal reads backups of format {FORMAT_VERSION} only.")
    for part in ("database", "media"):
        entry = manifest[part]
        path = folder / Path(entry["file"]).name
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {path.name} is missing.")
        if _sha256(path) != entry["sha256"]:
            raise BackupError(
                f"{path.name} does not match the SHA-256 in the manifest: the backup is "
                "damaged or has been changed. Nothing was restored."
            )
    return manifest


# --- Restoring ----------------------------------------------------------------------


def backup_restore(
    *, folder: Path, database_url: str, media_root: Path, replace: bool = False
) -> Restored:
    """Restore a verified backup into the database and media folder given.

    Without ``replace``, a database that already has tables and a media folder
    that already has files are refused, so that a mistyped target cannot
    overwrite a live portal.
    """
    manifest = backup_verify(folder)
    target = environ.Env.db_url_config(database_url)
    if target["ENGINE"].endswith("postgresql"):
        engine = POSTGRES
    elif target["ENGINE"].endswith("sqlite3"):
        engine = SQLITE
    else:
        raise BackupError(f"There is no restore into {target['ENGINE']}.")
    if engine != manifest["database"]["engine"]:
        raise BackupError(
            f"This is a {manifest['database']['engine']} backup; it cannot be restored "
            f"into {engine}."
        )
    if not replace and media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(
            f"{media_root} already holds files. Restore into an empty folder, or pass "
            "--replace to write the backup's files over it."
        )
    database_file = folder / Path(manifest["database"]["file"]).name
    if engine == POSTGRES:
        with _postgres(target) as check:
            tables = _postgres_tables(check)
        _refuse_unless_replacing(tables, target["NAME"], replace)
        command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        if replace:
            command += ["--clean", "--if-exists"]
        _run([*command, f"--dbname={target['NAME']}", str(database_file)], _postgres_env(target))
        with _postgres(target) as restored, restored.cursor() as cursor:
            counts = _counts(cursor, _quote_postgres)
    else:
        path = Path(target["NAME"])
        _refuse_unless_replacing(_sqlite_tables(path), str(path), replace)
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(database_file))
        restored_db = sqlite3.connect(str(path))
        try:
            source.backup(restored_db)
            counts = _counts(restored_db.cursor(), _quote_sqlite)
        finally:
            restored_db.close()
            source.close()
    _extract_media(folder / MEDIA_ARCHIVE, media_root)
    if counts != manifest["counts"]:
        raise BackupError(
            f"The database was restored but its rows differ from the manifest: "
            f"expected {manifest['counts']}, found {counts}."
        )
    return Restored(database=str(target["NAME"]), media_root=media_root, counts=counts)


def _refuse_unless_replacing(tables: int, name: str, replace: bool) -> None:
    if tables and not replace:
        raise BackupError(
            f"The database {name} already has {tables} tables. Restore into a new, empty "
            "database, or pass --replace to overwrite it."
        )


def _extract_media(archive_path: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive_path, "r:gz") as archive:
        # The "data" filter refuses absolute paths, links out of the folder and
        # device files, so a doctored archive cannot write outside media_root.
        archive.extractall(media_root, filter="data")


# --- PostgreSQL ---------------------------------------------------------------------


def _postgres_env(db: dict[str, Any]) -> dict[str, str]:
    """Connection details for pg_dump and pg_restore, passed in the environment so
    that the password never appears in a process listing."""
    values = {
        "PGHOST": db.get("HOST") or "",
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db.get("NAME") or "",
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode", ""),
    }
    return {**os.environ, **{key: value for key, value in values.items() if value}}


@contextmanager
def _postgres(db: dict[str, Any]) -> Iterator[psycopg.Connection[Any]]:
    options = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        **(db.get("OPTIONS") or {}),
    }
    try:
        connection = psycopg.connect(
            **{key: value for key, value in options.items() if value is not None}
        )
    except psycopg.OperationalError as error:
        raise BackupError(
            f"Cannot connect to the database {db['NAME']}: {error}. Create it first "
            f"(createdb {db['NAME']}) and check the address."
        ) from error
    try:
        yield connection
    finally:
        connection.close()


def _postgres_tables(connection: psycopg.Connection[Any]) -> int:
    row = connection.execute(
        "SELECT count(*) FROM pg_catalog.pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    ).fetchone()
    return int(row[0]) if row else 0


def _quote_postgres(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- SQLite -------------------------------------------------------------------------


def _sqlite_tables(path: Path) -> int:
    if not path.exists():
        return 0
    connection = sqlite3.connect(str(path))
    try:
        row = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    finally:
        connection.close()
    return int(row[0])


def _quote_sqlite(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- Shared -------------------------------------------------------------------------


def _counts(cursor: Any, quote: Any) -> dict[str, int]:
    counts = {}
    for label in COUNTED:
        table = quote(apps.get_model(label)._meta.db_table)
        # The table names are the models' own, quoted; nothing here comes from input.
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  # nosec B608
        counts[label] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor: Any) -> dict[str, str]:
    """The newest migration applied per app: what code the backup needs to run."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = name
    return latest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} is not installed. Install the PostgreSQL client of the "
            "server's version (Debian: apt-get install postgresql-client)."
        )
    # A fixed program found on PATH, with arguments built here: no shell, no input.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [program, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip() or result.stdout}")
