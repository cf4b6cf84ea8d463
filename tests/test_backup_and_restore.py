"""`make backup` and `make restore`: a backup restored into a new database and a new
media folder holds the same returns and the same documents, byte for byte."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from audits import services as core
from audits.models import Evidence, Return, Role

from .factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

ROOT = Path(__file__).resolve().parents[1]
# The make targets, with this interpreter, never reinstalling the environment mid-test.
MAKE = ["make", "-o", ".venv/.installed", f"PY={sys.executable}"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data(reference_data: None) -> None:
    """The backup reads committed data, so these tests commit for real."""


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    """A media folder of the test's own, so that the backup holds its files alone."""
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(root)}},
    }
    return root


def server() -> dict[str, object]:
    db = connection.settings_dict
    return {
        "user": db.get("USER") or "postgres",
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
    }


def database_url(name: str) -> str:
    where = server()
    return f"postgres://{where['user']}@{where['host']}:{where['port']}/{name}"


@pytest.fixture
def new_database() -> Iterator[str]:
    """An empty database with a random name beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server()) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server()) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def partnership() -> list[Return]:
    """Two agencies' returns with answers and documents, one document on an action."""
    agencies = [AgencyFactory(name="Westmoor Youth Justice"), AgencyFactory(name="Fellside ICB")]
    cycle = open_cycle(*agencies, framework=framework_with_criteria(standards=2))
    returns = list(cycle.returns.order_by("organisation__name"))
    for n, return_obj in enumerate(returns):
        lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=return_obj.organisation)
        criterion = cycle.framework.standards.first().criteria.first()
        core.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating="amber",
            narrative=f"Partly in place at {return_obj.organisation.name}.",
            revision=0,
            actor=lead,
        )
        uploads = {
            "policy.pdf": f"%PDF-1.7\n% policy of agency {n}\n".encode(),
            "minutes.txt": f"Minutes of agency {n}\n".encode(),
        }
        for name, content in uploads.items():
            core.evidence_attach(
                organisation=return_obj.organisation,
                upload=SimpleUploadedFile(name, content),
                return_obj=return_obj,
                actor=lead,
            )
        action = core.action_create(
            organisation=return_obj.organisation,
            source_return=return_obj,
            criterion=criterion,
            description="Refresh the training plan",
            owner="Training lead",
            due_date=cycle.closes_on,
            actor=lead,
        )
        core.evidence_attach(
            organisation=return_obj.organisation,
            upload=SimpleUploadedFile("plan.txt", b"The new plan\n"),
            action=action,
            actor=lead,
        )
    return returns


def backup(tmp_path: Path) -> Path:
    call_command("backup", backup_dir=tmp_path / "backups")
    [folder] = (tmp_path / "backups").iterdir()
    return folder


def restored_rows(name: str) -> tuple[list[tuple], list[tuple]]:
    with psycopg.connect(dbname=name, **server()) as restored:
        returns = restored.execute(
            "SELECT r.id, o.name, c.name, r.status, s.narrative FROM audits_return r "
            "JOIN audits_organisation o ON o.id = r.organisation_id "
            "JOIN audits_auditcycle c ON c.id = r.cycle_id "
            "LEFT JOIN audits_response s ON s.return_obj_id = r.id ORDER BY r.id"
        ).fetchall()
        documents = restored.execute(
            "SELECT id, original_name, file, sha256 FROM audits_evidence ORDER BY id"
        ).fetchall()
    return returns, documents


def test_a_backup_restored_into_a_new_database_has_the_same_returns_and_documents(
    partnership, tmp_path, new_database, media_root
):
    folder = backup(tmp_path)
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 6
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["audits.Return"] == 2
    assert manifest["counts"]["audits.Evidence"] == 6
    assert manifest["media"]["files"] == 6
    for part in ("database", "media"):
        file = folder / manifest[part]["file"]
        assert hashlib.sha256(file.read_bytes()).hexdigest() == manifest[part]["sha256"]

    media = tmp_path / "restored-media"
    call_command("restore", str(folder), database_url=database_url(new_database), media_root=media)

    returns, documents = restored_rows(new_database)
    assert returns == [
        (
            r.pk,
            r.organisation.name,
            r.cycle.name,
            r.status,
            r.responses.get().narrative,
        )
        for r in Return.objects.order_by("pk")
    ]
    assert documents == list(
        Evidence.objects.order_by("pk").values_list("pk", "original_name", "file", "sha256")
    )
    # The files themselves came back: read from the new folder, they hash as recorded.
    for _pk, _name, stored, sha256 in documents:
        assert hashlib.sha256((media / stored).read_bytes()).hexdigest() == sha256


def test_a_database_that_holds_data_is_refused_unless_replacing(
    partnership, tmp_path, new_database
):
    folder = backup(tmp_path)
    target = database_url(new_database)
    call_command("restore", str(folder), database_url=target, media_root=tmp_path / "first")
    with pytest.raises(CommandError, match=r"already has \d+ tables"):
        call_command("restore", str(folder), database_url=target, media_root=tmp_path / "second")
    assert not (tmp_path / "second").exists()
    # Told to, it replaces what is there with the backup.
    with psycopg.connect(dbname=new_database, autocommit=True, **server()) as restored:
        restored.execute("UPDATE audits_evidence SET original_name = 'changed.pdf'")
    call_command(
        "restore", str(folder), database_url=target, media_root=tmp_path / "first", replace=True
    )
    _returns, documents = restored_rows(new_database)
    assert "changed.pdf" not in {name for _pk, name, _file, _sha in documents}


def test_a_media_folder_that_holds_files_is_refused(partnership, tmp_path, new_database):
    folder = backup(tmp_path)
    media = tmp_path / "in-use"
    media.mkdir()
    (media / "someone-elses.pdf").write_bytes(b"%PDF-1.7\n")
    with pytest.raises(CommandError, match="already holds files"):
        call_command(
            "restore", str(folder), database_url=database_url(new_database), media_root=media
        )
    with psycopg.connect(dbname=new_database, **server()) as untouched:
        assert untouched.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


@pytest.mark.parametrize("part", ["database.dump", "media.tar.gz"])
def test_a_backup_that_does_not_match_its_manifest_restores_nothing(
    partnership, tmp_path, new_database, part
):
    folder = backup(tmp_path)
    damaged = folder / part
    damaged.chmod(0o600)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    media = tmp_path / "restored-media"
    with pytest.raises(CommandError, match=re.escape(f"{part} does not match the SHA-256")):
        call_command(
            "restore", str(folder), database_url=database_url(new_database), media_root=media
        )
    assert not media.exists()
    with psycopg.connect(dbname=new_database, **server()) as untouched:
        assert untouched.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone() == (0,)


def test_restore_needs_both_targets_said_explicitly(partnership, tmp_path, monkeypatch):
    folder = backup(tmp_path)
    monkeypatch.delenv("RESTORE_DATABASE_URL", raising=False)
    monkeypatch.delenv("RESTORE_MEDIA_ROOT", raising=False)
    with pytest.raises(CommandError, match="--database-url"):
        call_command("restore", str(folder), media_root=tmp_path / "media")
    with pytest.raises(CommandError, match="--media-root"):
        call_command("restore", str(folder), database_url=database_url("anything"))


def test_the_backup_folder_is_private_to_its_owner(partnership, tmp_path):
    folder = backup(tmp_path)
    assert folder.stat().st_mode & 0o077 == 0
    assert all(path.stat().st_mode & 0o077 == 0 for path in folder.iterdir())
    assert sorted(path.name for path in folder.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]


@pytest.mark.integration
def test_make_backup_and_restore_work_on_the_demo_sqlite_install(tmp_path):
    """What a demo user has after `make run`: SQLite, and files in var/media."""
    media = tmp_path / "media"
    (media / "evidence" / "1").mkdir(parents=True)
    (media / "evidence" / "1" / "abc").write_bytes(b"%PDF-1.7 demo\n")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csap_portal.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(media),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "REDIS_URL": "",
        "CELERY_BROKER_DIR": str(tmp_path / "celery"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    backed_up = subprocess.run(
        [*MAKE, "backup"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert "Backed up to" in backed_up.stdout
    [folder] = (tmp_path / "backups").iterdir()
    assert (folder / "database.sqlite3").is_file()

    restored = tmp_path / "restored.sqlite3"
    subprocess.run(
        [*MAKE, "restore", f"BACKUP={folder}"],
        env={
            **env,
            "RESTORE_DATABASE_URL": f"sqlite:///{restored}",
            "RESTORE_MEDIA_ROOT": str(tmp_path / "restored-media"),
        },
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    query = "SELECT name FROM audits_district ORDER BY name"
    with sqlite3.connect(tmp_path / "portal.sqlite3") as original:
        districts = original.execute(query).fetchall()
    with sqlite3.connect(restored) as copy:
        assert copy.execute(query).fetchall() == districts
    assert len(districts) == 14
    assert (tmp_path / "restored-media" / "evidence" / "1" / "abc").read_bytes() == (
        b"%PDF-1.7 demo\n"
    )
