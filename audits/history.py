"""History is append-only: PostgreSQL refuses to change or delete a historical row.

Every change to a return, answer, action, report and the rest is kept by
django-simple-history in a ``historical_*`` table. No view, admin page or bulk
path of the portal edits or deletes those rows, and the database holds that
line too: a trigger on every historical table refuses UPDATE and DELETE.

The one exception is retention. Expired history is deleted inside
``history_purge_allowed()``, which sets a transaction-local flag the trigger
checks; the flag allows DELETE only (never UPDATE) and only until the block
ends. SQLite, used by ``make run`` on a developer's machine, has no triggers
installed: the guard is for the deployments that hold real data.

A migration that adds a model with history must call ``install_history_guard``
for its table; ``tests/test_history_append_only.py`` fails while any
historical table lacks the trigger.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Model
from simple_history.models import HistoricalChanges

TRIGGER = "csap_history_append_only"
PURGE_SETTING = "csap.allow_history_purge"

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{PURGE_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'History is append-only: % on % is refused.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Expired history is deleted inside audits.history.history_purge_allowed().';
END
$$;
"""


def historical_models(registry: Apps = global_apps) -> list[type[Model]]:
    """Every model django-simple-history keeps, in ``registry`` (the live apps or a
    migration's state)."""
    return [m for m in registry.get_models() if issubclass(m, HistoricalChanges)]


def install_history_guard(schema_editor: BaseDatabaseSchemaEditor, tables: Iterable[str]) -> None:
    """Create (or replace) the trigger on each table. PostgreSQL only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    schema_editor.execute(_FUNCTION, params=None)
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()"
        )


def remove_history_guard(schema_editor: BaseDatabaseSchemaEditor, tables: Iterable[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {schema_editor.quote_name(table)}"
        )


def unguarded_history_tables() -> list[str]:
    """Historical tables without the trigger: empty when all is well (PostgreSQL)."""
    tables = sorted(m._meta.db_table for m in historical_models())
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND NOT t.tgisinternal AND c.relname = ANY(%s)",
            [TRIGGER, tables],
        )
        guarded = {name for (name,) in cursor.fetchall()}
    return [t for t in tables if t not in guarded]


@contextlib.contextmanager
def history_purge_allowed() -> Iterator[None]:
    """Allow deleting historical rows inside this block, and nothing else.

    For the retention job only: it runs in one transaction, the flag is
    ``SET LOCAL`` (so it ends with that transaction whatever happens) and it is
    switched off again as the block ends. Updating history stays refused.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        try:
            yield
        finally:
            if connection.vendor == "postgresql" and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
