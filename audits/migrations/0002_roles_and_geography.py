"""Load the roles (as groups) and the partnership's geography."""

from __future__ import annotations

from django.db import migrations

ROLES = [
    "Agency lead",
    "Agency contributor",
    "School lead",
    "Business Unit",
    "Auditor",
    "Executive",
    "Independent Scrutineer",
]

LOCAL_AUTHORITIES = [
    ("Blackburn with Darwen", "889"),
    ("Blackpool", "890"),
    ("Lancashire", "888"),
]

# District, its tactical-group locality, and the local authority it belongs to.
DISTRICTS = [
    ("Blackpool", "North", "Blackpool"),
    ("Fylde", "North", "Lancashire"),
    ("Lancaster", "North", "Lancashire"),
    ("Wyre", "North", "Lancashire"),
    ("Chorley", "Central", "Lancashire"),
    ("Preston", "Central", "Lancashire"),
    ("South Ribble", "Central", "Lancashire"),
    ("West Lancashire", "Central", "Lancashire"),
    ("Blackburn with Darwen", "East", "Blackburn with Darwen"),
    ("Burnley", "East", "Lancashire"),
    ("Hyndburn", "East", "Lancashire"),
    ("Pendle", "East", "Lancashire"),
    ("Ribble Valley", "East", "Lancashire"),
    ("Rossendale", "East", "Lancashire"),
]


def load(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    LocalAuthority = apps.get_model("audits", "LocalAuthority")
    Locality = apps.get_model("audits", "Locality")
    District = apps.get_model("audits", "District")

    for name in ROLES:
        Group.objects.get_or_create(name=name)
    authorities = {
        name: LocalAuthority.objects.get_or_create(name=name, defaults={"dfe_code": code})[0]
        for name, code in LOCAL_AUTHORITIES
    }
    localities = {
        name: Locality.objects.get_or_create(name=name)[0] for name in ("North", "Central", "East")
    }
    for name, locality, authority in DISTRICTS:
        District.objects.get_or_create(
            name=name,
            defaults={"locality": localities[locality], "local_authority": authorities[authority]},
        )


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
