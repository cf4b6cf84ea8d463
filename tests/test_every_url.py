"""Every URL walked, as every persona, for the persona agency's data and another's.

Each URL pattern of the project (Django's admin aside: it has its own staff
checks) is in SAMPLES, with how to build its arguments and what each persona
gets from a GET and from a POST. A new pattern without an entry fails the first
test, so no page can be added without saying who may open it.

The rules, as the access helpers state them: outsiders get 404 (they must not
learn that a thing exists), people who may read but not change get 403,
anonymous visitors the sign-in page, and the roles allowed get a page, a
redirect or the form's errors. No combination may answer 500.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audits import services as core
from audits.models import (
    ActionItem,
    AuditCycle,
    Criterion,
    Evidence,
    Organisation,
    OrganisationExport,
    Return,
    Role,
    Sector,
    Standard,
    StatutoryPartner,
    User,
)
from reports import services as reports
from reports.models import ReportVersion
from section11 import services as section11
from section11.challenges import challenge_event_create, challenge_panel_add
from section11.models import ChallengeEvent, ChallengePanelMember, PanelRole

from .conftest import PERSONAS
from .factories import UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# What a persona may get. OK: the page (200), a redirect that is not to sign
# in (302) or the form's errors (400). LOGIN: the redirect to the sign-in page.
OK = "200, 302 or 400"
LOGIN = "the sign-in page"
Expected = dict[str, int | str]
EVERYONE = [*PERSONAS, "anonymous"]

# --- The rules, one per kind of page ---------------------------------------------

# Public pages: anyone, signed in or not.
ANYONE: Expected = dict.fromkeys(EVERYONE, OK)
# A public page asked with a method it does not take.
NOBODY: Expected = dict.fromkeys(EVERYONE, 405)
# A signed-in page asked with a method it does not take: sign-in comes first.
WRONG_METHOD: Expected = {**dict.fromkeys(PERSONAS, 405), "anonymous": LOGIN}
# Pages every signed-in person has, each showing only what is theirs.
SIGNED_IN: Expected = {**dict.fromkeys(PERSONAS, OK), "anonymous": LOGIN}
RETURN_READERS: Expected = {
    "agency_lead": OK,
    "contributor": OK,
    "other_agency_lead": 404,
    "school_lead": 404,
    "business_unit": OK,
    "auditor": 404,
    "executive": OK,
    "scrutineer": OK,
    "anonymous": LOGIN,
}
RETURN_AUTHORS: Expected = {
    **RETURN_READERS,
    "business_unit": 403,
    "executive": 403,
    "scrutineer": 403,
}
# Submitting is the lead's; the contributor may read the return but not submit it.
RETURN_LEAD: Expected = {**RETURN_AUTHORS, "contributor": 403}
OVERSIGHT: Expected = {
    "agency_lead": 404,
    "contributor": 404,
    "other_agency_lead": 404,
    "school_lead": 404,
    "business_unit": OK,
    "auditor": 404,
    "executive": OK,
    "scrutineer": OK,
    "anonymous": LOGIN,
}
BUSINESS_UNIT: Expected = {**OVERSIGHT, "executive": 403, "scrutineer": 403}
# Executive members request reports as well as the Business Unit.
REPORT_REQUESTERS: Expected = {**OVERSIGHT, "scrutineer": 403}
# Only an Executive member who speaks for a statutory partner signs off.
SIGNATORIES: Expected = {**OVERSIGHT, "business_unit": 403, "scrutineer": 403}
# A framework version a cycle has used is frozen: the Business Unit may read it, not change it.
FROZEN: Expected = {**BUSINESS_UNIT, "business_unit": 403}
# A key that opens nothing (a forged invitation, a report not yet published).
NOT_FOUND: Expected = dict.fromkeys(EVERYONE, 404)
# Two-factor sign-in can be turned off only by those whose role does not need it.
TWO_FACTOR_OPTIONAL: Expected = {
    **SIGNED_IN,
    "business_unit": 403,
    "executive": 403,
    "scrutineer": 403,
}


def seen_from_the_other_agency(expected: Expected) -> Expected:
    """The rule for the other agency's copy of a thing: its lead stands where ours
    stood, and our lead and contributor are outsiders to it."""
    if expected["agency_lead"] == 405:
        return expected  # the method is refused before anything is looked up
    return {
        **expected,
        "agency_lead": 404,
        "contributor": 404,
        "other_agency_lead": expected["agency_lead"],
    }


# An organisation's whole archive: its lead's and the Business Unit's. Its other
# members and the oversight readers are told no; outsiders learn nothing.
EXPORTERS: Expected = {**RETURN_LEAD, "business_unit": OK}
# The same for the other agency's archive, whose members include the auditor.
THEIR_EXPORTERS: Expected = {
    **seen_from_the_other_agency(EXPORTERS),
    "auditor": 403,
}


# --- The world every persona walks ------------------------------------------------


@dataclass
class Side:
    """One agency's things: the persona agency's, or the other agency's."""

    draft: Return  # this cycle's return, still open for changes
    submitted: Return  # last cycle's, an S-CAT awaiting the Business Unit's decision
    action: ActionItem
    return_evidence: Evidence
    action_evidence: Evidence
    event: ChallengeEvent  # a challenge of the submitted return
    panel_member: ChallengePanelMember
    export: OrganisationExport  # "All our data", ready to download


@dataclass
class World:
    ours: Side
    theirs: Side
    cycle: AuditCycle
    area: Standard
    criterion: Criterion
    draft_area: Standard  # of a framework version not yet used, so still editable
    draft_criterion: Criterion
    version: ReportVersion  # rendered, agreed and published
    next_version: ReportVersion  # requested since, so not published
    invitation_token: str
    reset_uid: str
    reset_token: str
    colleague: User  # someone the people pages are about


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n")


def agency_things(
    organisation: Organisation,
    lead: User,
    business_unit: User,
    *,
    last_cycle: AuditCycle,
    cycle: AuditCycle,
    criterion: Criterion,
) -> Side:
    submitted = last_cycle.returns.get(organisation=organisation)
    core.response_save(
        return_obj=submitted,
        criterion=criterion,
        rating="green",
        narrative="In place.",
        revision=0,
        actor=lead,
    )
    section11.equivalent_return_submit(
        return_obj=submitted, form="scat", upload=pdf("s-cat.pdf"), actor=lead
    )
    draft = cycle.returns.get(organisation=organisation)
    core.response_save(
        return_obj=draft,
        criterion=criterion,
        rating="amber",
        narrative="Partly.",
        revision=0,
        actor=lead,
    )
    action = core.action_create(
        organisation=organisation,
        description="Train the front door team.",
        owner="Safeguarding lead",
        due_date=TODAY + datetime.timedelta(days=90),
        source_return=draft,
        criterion=criterion,
        actor=lead,
    )
    event = challenge_event_create(
        return_obj=submitted, held_on=TODAY + datetime.timedelta(days=14), actor=business_unit
    )
    export = core.organisation_export_request(organisation=organisation, actor=lead)
    return Side(
        draft=draft,
        submitted=submitted,
        action=action,
        return_evidence=core.evidence_attach(
            organisation=organisation,
            upload=pdf(),
            return_obj=draft,
            criterion=criterion,
            actor=lead,
        ),
        action_evidence=core.evidence_attach(
            organisation=organisation, upload=pdf(), action=action, actor=lead
        ),
        event=event,
        panel_member=challenge_panel_add(
            event=event, role=PanelRole.CHAIR, name="Riley Officer", actor=business_unit
        ),
        export=core.organisation_export_build(export_id=export.pk),
    )


@pytest.fixture
def world(
    agency: Organisation,
    other_agency: Organisation,
    agency_lead: User,
    other_agency_lead: User,
    business_unit: User,
    executive: User,
) -> World:
    # Health partners, so that the S-CAT/SAF pages exist for both agencies.
    for organisation in (agency, other_agency):
        organisation.sector = Sector.HEALTH_PROVIDER
        organisation.save()
    framework = framework_with_criteria(standards=2, criteria_per_standard=2)
    area = framework.standards.order_by("position").first()
    criterion = area.criteria.order_by("position").first()
    last_cycle = core.cycle_create(
        framework=framework,
        name="Section 11 audit last year",
        opens_on=TODAY - datetime.timedelta(days=400),
        closes_on=TODAY - datetime.timedelta(days=340),
        organisations=[agency, other_agency],
        actor=None,
    )
    cycle = open_cycle(agency, other_agency, framework=framework)
    things = {"last_cycle": last_cycle, "cycle": cycle, "criterion": criterion}
    ours = agency_things(agency, agency_lead, business_unit, **things)
    theirs = agency_things(other_agency, other_agency_lead, business_unit, **things)

    draft_framework = section11.section11_version_start(actor=business_unit)
    draft_area = draft_framework.standards.order_by("position").first()

    # One rendered version, agreed by the three partners and published.
    executive.statutory_partner = StatutoryPartner.LOCAL_AUTHORITY
    executive.save()
    partners = [
        executive,
        UserFactory(roles=[Role.EXECUTIVE], statutory_partner=StatutoryPartner.POLICE),
        UserFactory(roles=[Role.EXECUTIVE], statutory_partner=StatutoryPartner.HEALTH),
    ]
    version = reports.report_request(cycle=cycle, actor=business_unit)
    reports.report_version_render(version_id=version.pk)
    version.refresh_from_db()
    reports.report_send_for_signoff(version=version, actor=business_unit)
    for partner in partners:
        reports.report_signoff_record(version=version, decision="agreed", comment="", actor=partner)
    reports.report_publish(version=version, actor=business_unit)
    next_version = reports.report_request(cycle=cycle, actor=business_unit)

    invitation = core.invitation_create(
        invited_by=business_unit,
        email="new.contributor@test.csap.example",
        full_name="Nico Newcomer",
        role=Role.AGENCY_CONTRIBUTOR,
        organisation=agency,
    )
    # Someone who never signs in here, so that the reset token stays valid.
    forgetful = UserFactory(full_name="Fran Forgetful")
    return World(
        ours=ours,
        theirs=theirs,
        cycle=cycle,
        area=area,
        criterion=criterion,
        draft_area=draft_area,
        draft_criterion=draft_area.criteria.order_by("position").first(),
        version=version,
        next_version=next_version,
        invitation_token=core.invitation_token(invitation),
        reset_uid=urlsafe_base64_encode(force_bytes(forgetful.pk)),
        reset_token=default_token_generator.make_token(forgetful),
        colleague=UserFactory(full_name="Lee Colleague", roles=[Role.AGENCY_CONTRIBUTOR]),
    )


# --- The table --------------------------------------------------------------------

Builder = Callable[[World, Side], dict[str, object]]


def nothing(world: World, side: Side) -> dict[str, object]:
    return {}


class Sample(NamedTuple):
    kwargs: Builder  # the URL's arguments
    get: Expected
    post: Expected
    data: Builder = nothing  # the POST body; empty unless the view needs more to act
    each_agency: bool = False  # walked with our agency's objects and the other's
    label: str = ""  # which of a URL's samples this is, when it has more than one


def cycle_pk(world: World, side: Side) -> dict[str, object]:
    return {"cycle_pk": world.cycle.pk}


def draft(world: World, side: Side) -> dict[str, object]:
    return {"pk": side.draft.pk}


def draft_and_criterion(world: World, side: Side) -> dict[str, object]:
    return {"pk": side.draft.pk, "criterion_pk": world.criterion.pk}


def submitted(world: World, side: Side) -> dict[str, object]:
    return {"pk": side.submitted.pk}


def event(world: World, side: Side) -> dict[str, object]:
    return {"pk": side.event.pk}


def version(world: World, side: Side) -> dict[str, object]:
    return {"pk": world.version.pk}


def colleague(world: World, side: Side) -> dict[str, object]:
    return {"pk": world.colleague.pk}


def export_pages() -> tuple[Sample, Sample]:
    """An "All our data" archive's pages, for our agency's archive and the other's.
    They only read: a POST is refused before anything is looked up."""
    return (
        Sample(lambda w, s: {"pk": w.ours.export.pk}, EXPORTERS, WRONG_METHOD),
        Sample(
            lambda w, s: {"pk": w.theirs.export.pk},
            THEIR_EXPORTERS,
            WRONG_METHOD,
            label="the other agency's",
        ),
    )


SAMPLES: dict[str, Sample | tuple[Sample, ...]] = {
    # Signing in and out, and resetting a password: open to all.
    "login": Sample(nothing, ANYONE, ANYONE),  # a signed-in person is sent home
    "logout": Sample(nothing, NOBODY, ANYONE),  # POST only, since Django 5
    "password_reset": Sample(nothing, ANYONE, ANYONE),
    "password_reset_done": Sample(nothing, ANYONE, NOBODY),
    "password_reset_confirm": Sample(
        lambda w, s: {"uidb64": w.reset_uid, "token": w.reset_token}, ANYONE, ANYONE
    ),
    "password_reset_complete": Sample(nothing, ANYONE, NOBODY),
    # --- accounts: each person's own account, and two-factor sign-in
    "accounts:account": Sample(nothing, SIGNED_IN, WRONG_METHOD),
    "accounts:email_change": Sample(nothing, SIGNED_IN, SIGNED_IN),
    "accounts:password_change": Sample(nothing, SIGNED_IN, SIGNED_IN),
    # Sessions past two-factor sign-in are sent on; those without it are sent home.
    "accounts:otp_verify": Sample(nothing, SIGNED_IN, SIGNED_IN),
    "accounts:otp_recover": Sample(nothing, SIGNED_IN, SIGNED_IN),
    "accounts:otp_setup": Sample(nothing, SIGNED_IN, SIGNED_IN),
    "accounts:recovery_codes": Sample(nothing, SIGNED_IN, SIGNED_IN),
    "accounts:otp_turn_off": Sample(nothing, TWO_FACTOR_OPTIONAL, TWO_FACTOR_OPTIONAL),
    # --- accounts: the people pages (the Business Unit manages; oversight reads)
    "accounts:person_list": Sample(nothing, OVERSIGHT, WRONG_METHOD),
    "accounts:person_detail": Sample(colleague, OVERSIGHT, WRONG_METHOD),
    "accounts:person_disable": Sample(colleague, BUSINESS_UNIT, BUSINESS_UNIT),
    "accounts:person_enable": Sample(colleague, WRONG_METHOD, BUSINESS_UNIT),
    "accounts:person_two_factor_reset": Sample(colleague, WRONG_METHOD, BUSINESS_UNIT),
    # --- audits
    "audits:home": Sample(nothing, SIGNED_IN, WRONG_METHOD),
    "audits:healthz": Sample(nothing, ANYONE, NOBODY),
    "audits:return_detail": Sample(draft, RETURN_READERS, WRONG_METHOD, each_agency=True),
    "audits:return_history": Sample(draft, RETURN_READERS, WRONG_METHOD, each_agency=True),
    "audits:retention_schedule": Sample(nothing, BUSINESS_UNIT, WRONG_METHOD),
    "audits:invitation_list": Sample(nothing, BUSINESS_UNIT, WRONG_METHOD),
    "audits:invitation_create": Sample(nothing, BUSINESS_UNIT, BUSINESS_UNIT),
    # The link in the email is the key: a valid one opens the page to anyone.
    "audits:invitation_accept": (
        Sample(lambda w, s: {"token": w.invitation_token}, ANYONE, ANYONE),
        Sample(lambda w, s: {"token": "forged"}, NOT_FOUND, NOT_FOUND, label="forged token"),
    ),
    "audits:action_list": Sample(nothing, SIGNED_IN, WRONG_METHOD),
    "audits:action_detail": Sample(
        lambda w, s: {"pk": s.action.pk}, RETURN_READERS, RETURN_AUTHORS, each_agency=True
    ),
    "audits:organisation_export": (
        Sample(lambda w, s: {"pk": w.ours.draft.organisation_id}, EXPORTERS, EXPORTERS),
        Sample(
            lambda w, s: {"pk": w.theirs.draft.organisation_id},
            THEIR_EXPORTERS,
            THEIR_EXPORTERS,
            label="the other agency's",
        ),
    ),
    "audits:export_detail": export_pages(),
    "audits:export_status": export_pages(),
    "audits:export_download": export_pages(),
    "audits:evidence_download": (
        Sample(
            lambda w, s: {"pk": s.return_evidence.pk},
            RETURN_READERS,
            WRONG_METHOD,
            each_agency=True,
            label="a return's document",
        ),
        Sample(
            lambda w, s: {"pk": s.action_evidence.pk},
            RETURN_READERS,
            WRONG_METHOD,
            each_agency=True,
            label="an action's document",
        ),
    ),
    # --- section11: setting up (the Business Unit's)
    "section11:cycle_list": Sample(nothing, OVERSIGHT, WRONG_METHOD),
    "section11:cycle_open": Sample(nothing, BUSINESS_UNIT, BUSINESS_UNIT),
    "section11:framework_list": Sample(nothing, BUSINESS_UNIT, WRONG_METHOD),
    "section11:framework_start_version": Sample(nothing, WRONG_METHOD, BUSINESS_UNIT),
    "section11:framework_detail": Sample(
        lambda w, s: {"pk": w.cycle.framework_id}, BUSINESS_UNIT, WRONG_METHOD
    ),
    "section11:criterion_edit": (
        Sample(lambda w, s: {"pk": w.draft_criterion.pk}, BUSINESS_UNIT, BUSINESS_UNIT),
        Sample(lambda w, s: {"pk": w.criterion.pk}, FROZEN, FROZEN, label="frozen version"),
    ),
    "section11:criterion_add": (
        Sample(lambda w, s: {"standard_pk": w.draft_area.pk}, BUSINESS_UNIT, BUSINESS_UNIT),
        Sample(lambda w, s: {"standard_pk": w.area.pk}, FROZEN, FROZEN, label="frozen version"),
    ),
    # --- section11: completing a return (the agency's)
    "section11:return_overview": Sample(draft, RETURN_READERS, WRONG_METHOD, each_agency=True),
    "section11:return_area": Sample(
        lambda w, s: {"pk": s.draft.pk, "code": w.area.code},
        RETURN_READERS,
        WRONG_METHOD,
        each_agency=True,
    ),
    "section11:response_save": Sample(
        draft_and_criterion, WRONG_METHOD, RETURN_AUTHORS, each_agency=True
    ),
    "section11:action_add": Sample(
        draft_and_criterion, WRONG_METHOD, RETURN_AUTHORS, each_agency=True
    ),
    "section11:return_evidence": Sample(draft, RETURN_READERS, RETURN_AUTHORS, each_agency=True),
    "section11:evidence_remove": (
        Sample(
            lambda w, s: {"pk": s.draft.pk, "evidence_pk": s.return_evidence.pk},
            WRONG_METHOD,
            RETURN_AUTHORS,
            each_agency=True,
        ),
        # Guessing: the other agency's document through our own return is not found.
        Sample(
            lambda w, s: {"pk": w.ours.draft.pk, "evidence_pk": w.theirs.return_evidence.pk},
            WRONG_METHOD,
            {**RETURN_AUTHORS, "agency_lead": 404, "contributor": 404},
            label="their document through our return",
        ),
    ),
    "section11:return_carry_forward": Sample(draft, WRONG_METHOD, RETURN_AUTHORS, each_agency=True),
    # Even the check-before-submitting page is the lead's alone.
    "section11:return_submit": Sample(draft, RETURN_LEAD, RETURN_LEAD, each_agency=True),
    "section11:equivalent_submit": Sample(draft, RETURN_LEAD, RETURN_LEAD, each_agency=True),
    # --- section11: reviewing (the oversight roles read; the Business Unit decides)
    "section11:cycle_tracker": Sample(lambda w, s: {"pk": w.cycle.pk}, OVERSIGHT, WRONG_METHOD),
    "section11:return_review": Sample(submitted, OVERSIGHT, WRONG_METHOD, each_agency=True),
    "section11:review_comment": Sample(submitted, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    # Moderating needs the answer it is about, or the page is rightly not found.
    "section11:review_moderate": Sample(
        submitted,
        WRONG_METHOD,
        BUSINESS_UNIT,
        data=lambda w, s: {"criterion": w.criterion.pk},
        each_agency=True,
    ),
    "section11:review_decide": Sample(submitted, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    "section11:review_reopen": Sample(submitted, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    "section11:review_deadline": Sample(submitted, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    "section11:review_equivalent": Sample(submitted, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    # --- section11: challenge events
    "section11:challenge_list": Sample(cycle_pk, OVERSIGHT, WRONG_METHOD),
    "section11:challenge_create": Sample(cycle_pk, WRONG_METHOD, BUSINESS_UNIT),
    "section11:challenge_collation": Sample(cycle_pk, OVERSIGHT, WRONG_METHOD),
    "section11:challenge_detail": Sample(event, OVERSIGHT, WRONG_METHOD, each_agency=True),
    "section11:challenge_update": Sample(event, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    "section11:challenge_panel_add": Sample(event, WRONG_METHOD, BUSINESS_UNIT, each_agency=True),
    "section11:challenge_panel_remove": Sample(
        lambda w, s: {"pk": s.event.pk, "member_pk": s.panel_member.pk},
        WRONG_METHOD,
        BUSINESS_UNIT,
        each_agency=True,
    ),
    "section11:challenge_finding_record": Sample(
        lambda w, s: {"pk": s.event.pk, "standard_pk": w.area.pk},
        WRONG_METHOD,
        BUSINESS_UNIT,
        each_agency=True,
    ),
    "section11:challenge_recommendation_add": Sample(
        event, WRONG_METHOD, BUSINESS_UNIT, each_agency=True
    ),
    # --- section11: the dashboard and its exports
    "section11:cycle_dashboard": Sample(cycle_pk, OVERSIGHT, WRONG_METHOD),
    "section11:cycle_export_csv": Sample(cycle_pk, OVERSIGHT, WRONG_METHOD),
    "section11:cycle_export_xlsx": Sample(cycle_pk, OVERSIGHT, WRONG_METHOD),
    # --- reports
    "reports:report_list": Sample(nothing, OVERSIGHT, WRONG_METHOD),
    "reports:report_request": Sample(cycle_pk, WRONG_METHOD, REPORT_REQUESTERS),
    # Everyone in oversight reads a report; only the Business Unit edits its words.
    "reports:report_detail": Sample(
        lambda w, s: {"pk": w.version.report_id}, OVERSIGHT, BUSINESS_UNIT
    ),
    "reports:version_detail": Sample(version, OVERSIGHT, WRONG_METHOD),
    "reports:version_status": Sample(version, OVERSIGHT, WRONG_METHOD),
    "reports:version_retry": Sample(version, WRONG_METHOD, REPORT_REQUESTERS),
    "reports:version_send": Sample(version, WRONG_METHOD, BUSINESS_UNIT),
    "reports:version_signoff": Sample(version, WRONG_METHOD, SIGNATORIES),
    "reports:version_publish": Sample(version, WRONG_METHOD, BUSINESS_UNIT),
    "reports:version_download": Sample(version, OVERSIGHT, WRONG_METHOD),
    "reports:public_list": Sample(nothing, ANYONE, NOBODY),
    "reports:public_download": (
        Sample(version, ANYONE, NOBODY),
        Sample(lambda w, s: {"pk": w.next_version.pk}, NOT_FOUND, NOBODY, label="not published"),
    ),
}


# --- Walking ------------------------------------------------------------------------


def url_patterns() -> dict[str, str]:
    """Every pattern but the admin's, as {"namespace:name": route}."""
    found: dict[str, str] = {}

    def walk(patterns: list[URLPattern | URLResolver], route: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, route + str(pattern.pattern), inner)
            else:
                full = route + str(pattern.pattern)
                found[f"{namespace}{pattern.name}" if pattern.name else f"(unnamed) {full}"] = full

    walk(get_resolver().url_patterns, "/", "")
    return found


class Visit(NamedTuple):
    method: str
    name: str
    which: str  # whose object, or which of the URL's samples; empty if it has one
    url: str
    data: dict[str, object]
    expected: int | str


def visits(world: World, persona: str) -> Iterator[Visit]:
    """Every GET first, then every POST, since some POSTs change what a GET would find."""
    for method in ("GET", "POST"):
        for name, entry in SAMPLES.items():
            for sample in (entry,) if isinstance(entry, Sample) else entry:
                expected = sample.get if method == "GET" else sample.post
                sides = [("our agency's", world.ours, expected)]
                if sample.each_agency:
                    other = seen_from_the_other_agency(expected)
                    sides.append(("the other agency's", world.theirs, other))
                for whose, side, rule in sides:
                    url = reverse(name, kwargs=sample.kwargs(world, side))
                    which = ", ".join(
                        filter(None, [whose if sample.each_agency else "", sample.label])
                    )
                    data = sample.data(world, side)
                    yield Visit(method, name, which, url, data, rule[persona])


def what_went_wrong(response: HttpResponse, expected: int | str) -> str:
    """Empty if the response is as expected; otherwise what came back instead."""
    location = response.get("Location", "")
    to_sign_in = response.status_code == 302 and location.startswith(f"{reverse('login')}?next=")
    if expected == LOGIN:
        right = to_sign_in
    elif expected == OK:
        right = response.status_code in (200, 302, 400) and not to_sign_in
    else:
        right = response.status_code == expected
    if right:
        return ""
    got = str(response.status_code)
    if location:
        got += f" to {location}"
    if getattr(response, "exc_info", None):
        got += f" ({response.exc_info[1]!r})"
    return got


def test_every_url_pattern_has_a_sample():
    patterns = url_patterns()
    missing = sorted(name for name in patterns if name not in SAMPLES)
    stale = sorted(name for name in SAMPLES if name not in patterns)
    assert not missing, f"URL patterns with no entry in SAMPLES: {missing}"
    assert not stale, f"SAMPLES entries for URL patterns that no longer exist: {stale}"


@pytest.mark.parametrize("persona", EVERYONE)
def test_every_url_answers_each_persona_as_the_rules_say(
    world: World, as_persona: Callable[[str], Client], request: pytest.FixtureRequest, persona: str
):
    client = as_persona(persona)
    # A 500 is an answer to report, with the others, rather than an exception to stop at.
    client.raise_request_exception = False
    failures = []
    for visit in visits(world, persona):
        if visit.method == "GET":
            response = client.get(visit.url)
        else:
            response = client.post(visit.url, visit.data)
        if response.streaming:
            # Reading a download to the end closes its file, as a server would.
            b"".join(response.streaming_content)
        assert resolve(visit.url).view_name == visit.name, f"{visit.url} is not {visit.name}"
        got = what_went_wrong(response, visit.expected)
        if got:
            which = f" ({visit.which})" if visit.which else ""
            failures.append(
                f"{visit.method} {visit.name}{which} {visit.url} as {persona}: "
                f"expected {visit.expected}, got {got}"
            )
        if persona != "anonymous" and "_auth_user_id" not in client.session:
            client.force_login(request.getfixturevalue(persona))  # after signing out
    assert not failures, "\n".join(failures)


def test_the_admin_sends_every_persona_to_its_own_sign_in(as_persona):
    """The admin keeps its own staff check: no persona is staff."""
    for persona in PERSONAS:
        response = as_persona(persona).get("/admin/")
        assert response.status_code == 302, persona
        assert response["Location"] == f"{reverse('admin:login')}?next=/admin/", persona
