"""A trigger on every historical table refuses UPDATE and DELETE (PostgreSQL only).

See audits/history.py. A later migration that adds a model with history calls
``install_history_guard`` for its table.
"""

from django.db import migrations

from audits.history import historical_models, install_history_guard, remove_history_guard


def _tables(apps):
    return [model._meta.db_table for model in historical_models(apps)]


def install(apps, schema_editor):
    install_history_guard(schema_editor, _tables(apps))


def remove(apps, schema_editor):
    remove_history_guard(schema_editor, _tables(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0007_user_history_invitation_revoked"),
        # Every app with history, so that all their tables exist and are guarded.
        ("section11", "0001_initial"),
        ("reports", "0002_render_handover"),
    ]

    operations = [migrations.RunPython(install, remove, elidable=False)]
