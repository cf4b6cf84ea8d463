"""History is append-only: nothing in the portal, its admin or its bulk paths edits
or deletes it, and PostgreSQL refuses to. Only the retention job may delete, and
only inside ``history_purge_allowed()``.

Every check runs over every model django-simple-history keeps, so a model given
history later is covered without touching this file.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import registered_models

from audits import admin as audits_admin
from audits import services as core
from audits.history import historical_models, history_purge_allowed, unguarded_history_tables
from audits.models import Criterion, Response, Return, Role
from section11 import services as section11

from .factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db


def tracked_models():
    return list(registered_models.values())


def test_every_model_with_history_is_covered():
    # The registry is what the checks below walk; these are the ones that matter most.
    names = {m.__name__ for m in tracked_models()}
    assert {"Return", "Response", "ActionItem", "Evidence", "ReportVersion", "SignOff"} <= names
    assert len(historical_models()) == len(tracked_models())


# --- The admin ----------------------------------------------------------------


def test_no_admin_page_lists_adds_changes_or_deletes_historical_records():
    registered = set(admin.site._registry)
    assert not registered & set(historical_models())


def test_every_admin_with_history_refuses_to_revert_it():
    for model in tracked_models():
        model_admin = admin.site._registry.get(model)
        if isinstance(model_admin, SimpleHistoryAdmin):
            assert isinstance(model_admin, audits_admin.SimpleHistoryAdmin), model


def test_reverting_a_return_from_the_admin_is_refused_and_changes_nothing(client, agency):
    cycle = open_cycle(agency)
    return_obj = cycle.returns.get()
    core.return_extend_deadline(
        return_obj=return_obj, until=cycle.closes_on + datetime.timedelta(days=7), actor=None
    )
    first = return_obj.history.earliest("history_date")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:audits_return_simple_history", args=[return_obj.pk, first.pk])
    assert client.get(url).status_code == 200
    before = return_obj.history.count()
    assert client.post(url, {"status": return_obj.status}).status_code == 403
    return_obj.refresh_from_db()
    assert return_obj.extended_deadline is not None
    assert return_obj.history.count() == before


def test_people_cannot_be_deleted_from_the_admin_because_history_names_them(client):
    person = UserFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:audits_user_delete", args=[person.pk])).status_code == 403


def test_the_return_history_page_only_reads(as_persona, agency):
    return_obj = open_cycle(agency).returns.get()
    client = as_persona("business_unit")
    url = reverse("audits:return_history", args=[return_obj.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


# --- The database -------------------------------------------------------------


def test_every_historical_table_has_the_append_only_trigger():
    assert connection.vendor == "postgresql"
    assert unguarded_history_tables() == []


def test_the_database_refuses_to_change_or_delete_history(agency):
    return_obj = open_cycle(agency).returns.get()
    history = Return.history.filter(id=return_obj.pk)
    assert history.exists()
    with pytest.raises(IntegrityError, match="History is append-only"), transaction.atomic():
        history.update(status="accepted")
    with pytest.raises(IntegrityError, match="History is append-only"), transaction.atomic():
        history.delete()
    with (
        pytest.raises(IntegrityError, match="History is append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {Return.history.model._meta.db_table}")  # noqa: S608
    assert history.count() == 1


def test_the_retention_job_may_delete_expired_history_inside_the_purge_block(agency):
    return_obj = open_cycle(agency).returns.get()
    core.return_extend_deadline(
        return_obj=return_obj,
        until=return_obj.cycle.closes_on + datetime.timedelta(days=7),
        actor=None,
    )
    history = Return.history.filter(id=return_obj.pk)
    assert history.count() == 2
    oldest = history.earliest("history_date")
    with history_purge_allowed():
        Return.history.filter(history_id=oldest.history_id).delete()
        # Deleting is all it allows: what is kept is never rewritten.
        with pytest.raises(IntegrityError), transaction.atomic():
            history.update(status="accepted")
    assert history.count() == 1
    # The permission ended with the block.
    with pytest.raises(IntegrityError), transaction.atomic():
        history.delete()
    assert history.count() == 1


# --- Services that write many rows keep history for each ------------------------


def test_opening_a_cycle_for_many_agencies_records_each_return_and_who_opened_it(
    business_unit, django_capture_on_commit_callbacks
):
    agencies = AgencyFactory.create_batch(12)
    with django_capture_on_commit_callbacks(execute=True):
        cycle = section11.section11_cycle_open(
            framework=framework_with_criteria(),
            name="Section 11 audit",
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + datetime.timedelta(days=30),
            organisations=agencies,
            actor=business_unit,
        )
    created = Return.history.filter(cycle_id=cycle.pk, history_type="+")
    assert created.count() == 12
    assert set(created.values_list("history_user", flat=True)) == {business_unit.pk}
    assert cycle.history.filter(history_type="+", history_user=business_unit).exists()
    assert mail.outbox == []  # no agency has a lead yet


def test_carrying_last_year_forward_records_every_answer_and_action_it_moves(agency):
    framework = framework_with_criteria()
    lead = UserFactory(roles=[Role.AGENCY_LEAD], organisation=agency)
    today = timezone.localdate()
    earlier = core.cycle_create(
        framework=framework,
        name="Last year",
        opens_on=today - datetime.timedelta(days=400),
        closes_on=today - datetime.timedelta(days=330),
        organisations=[agency],
        actor=None,
    ).returns.get()
    criteria = list(Criterion.objects.filter(standard__framework=framework))
    for criterion in criteria:
        core.response_save(
            return_obj=earlier,
            criterion=criterion,
            rating="amber",
            narrative="Partly",
            revision=0,
            actor=lead,
        )
        core.action_create(
            organisation=agency,
            source_return=earlier,
            criterion=criterion,
            description="Close the gap",
            owner="Morgan Lead",
            due_date=today + datetime.timedelta(days=60),
            actor=lead,
        )
    current = open_cycle(agency, framework=framework).returns.get()

    brought = section11.return_carry_forward(return_obj=current, actor=lead)

    assert brought == len(criteria)
    for response in Response.objects.filter(return_obj=current):
        assert response.history.filter(history_user=lead, rating="amber").exists()
    moved = list(current.actions.all())
    assert len(moved) == len(criteria)
    for action in moved:
        assert action.history.filter(history_user=lead, source_return_id=current.pk).exists()


def test_sending_an_invitation_records_that_it_was_sent(business_unit, agency):
    invitation = core.invitation_create(
        invited_by=business_unit,
        email="ash.newlead@test.csap.example",
        full_name="Ash Newlead",
        role=Role.AGENCY_LEAD,
        organisation=agency,
    )
    core.invitation_send(invitation=invitation)
    latest = invitation.history.latest("history_date")
    assert latest.sent_at is not None
    assert latest.history_type == "~"
