"""Challenge events: the Business Unit shortlists agencies, a panel tests each
return area by area, and the Board reads the collated results."""

from __future__ import annotations

import datetime
import re
from itertools import zip_longest

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from audits import services
from audits.models import (
    AuditCycle,
    Criterion,
    Framework,
    FrameworkKind,
    Organisation,
    Rating,
    Return,
    Sector,
    Standard,
    User,
    weakest_rating,
)
from section11.challenges import (
    challenge_collation,
    challenge_event_create,
    challenge_event_update,
    challenge_events_for_cycle,
    challenge_finding_record,
    challenge_panel_add,
    challenge_panel_remove,
    challenge_recommendation_add,
    challenge_shortlist,
    get_challenge_event_for_user,
)
from section11.models import (
    AreaOutcome,
    ChallengeAreaFinding,
    ChallengeEvent,
    ChallengePanelMember,
    ChallengeRecommendation,
    PanelRole,
)

from ..factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db

GREEN, AMBER, RED, NA = Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE
TODAY = timezone.localdate()


# Building returns -------------------------------------------------------------


def criteria_of(framework: Framework) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=framework).order_by(
            "standard__position", "position"
        )
    )


def areas_of(framework: Framework) -> list[Standard]:
    return list(framework.standards.order_by("position"))


def complete(return_obj: Return, ratings=(), *, actor: User, submit: bool = True) -> Return:
    """Answer the criteria in framework order (Green beyond ``ratings``), plan an
    action for each Amber and Red, and submit."""
    for criterion, rating in zip_longest(criteria_of(return_obj.cycle.framework), ratings):
        if criterion is None:
            break
        rating = rating or GREEN
        services.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative="What we do.",
            not_applicable_reason="We do not provide this service." if rating == NA else "",
            revision=0,
            actor=actor,
        )
        if rating in (AMBER, RED):
            services.action_create(
                organisation=return_obj.organisation,
                description="Close the gap.",
                owner="Safeguarding lead",
                due_date=TODAY + datetime.timedelta(days=90),
                source_return=return_obj,
                criterion=criterion,
                actor=actor,
            )
    if submit:
        services.return_submit(return_obj=return_obj, actor=actor)
    return_obj.refresh_from_db()
    return return_obj


def past_cycle(framework: Framework, years_ago: int, *organisations: Organisation) -> AuditCycle:
    opens = TODAY - datetime.timedelta(days=365 * years_ago)
    return services.cycle_create(
        framework=framework,
        name=f"Section 11 audit {opens.year}",
        opens_on=opens,
        closes_on=opens + datetime.timedelta(days=60),
        organisations=organisations,
        actor=None,
    )


def challenged_in_the_past(
    framework: Framework, years_ago: int, agency: Organisation, actor: User
) -> ChallengeEvent:
    earlier = complete(past_cycle(framework, years_ago, agency).returns.get(), actor=actor)
    held_on = earlier.cycle.closes_on + datetime.timedelta(days=30)
    return challenge_event_create(return_obj=earlier, held_on=held_on, actor=actor)


@pytest.fixture
def framework() -> Framework:
    return framework_with_criteria(standards=3, criteria_per_standard=2)


@pytest.fixture
def cycle(framework, agency, other_agency) -> AuditCycle:
    return open_cycle(agency, other_agency, framework=framework)


@pytest.fixture
def agency_return(cycle, agency, agency_lead) -> Return:
    # Area 1: Amber and Green, so Amber; area 2: Red and N/A, so Red; area 3 Green.
    return complete(
        cycle.returns.get(organisation=agency), [AMBER, GREEN, RED, NA], actor=agency_lead
    )


@pytest.fixture
def other_return(cycle, other_agency, other_agency_lead) -> Return:
    return complete(cycle.returns.get(organisation=other_agency), [AMBER], actor=other_agency_lead)


@pytest.fixture
def event(agency_return, business_unit) -> ChallengeEvent:
    return challenge_event_create(
        return_obj=agency_return, held_on=TODAY + datetime.timedelta(days=14), actor=business_unit
    )


@pytest.fixture
def peer(db) -> User:
    """An outside peer: a portal account with no role of its own."""
    return UserFactory(full_name="Pat Peer", email="pat.peer@peers.example")


# The area self-rating ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([GREEN, AMBER, GREEN], AMBER),
        ([GREEN, RED, AMBER], RED),
        ([GREEN, GREEN], GREEN),
        ([NA, GREEN], GREEN),
        ([NA, "", AMBER], AMBER),
        ([NA, NA], ""),
        ([], ""),
    ],
)
def test_an_areas_self_rating_is_its_weakest_rated_criterion(ratings, expected):
    assert weakest_rating(ratings) == expected


# The shortlist ------------------------------------------------------------------


def test_the_shortlist_puts_most_red_and_amber_first_then_longest_since_challenged(
    framework, business_unit
):
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
    agencies = {name: AgencyFactory(name=f"{name} Service") for name in names}
    bravo_last = challenged_in_the_past(framework, 2, agencies["Bravo"], business_unit)
    challenged_in_the_past(framework, 3, agencies["Delta"], business_unit)
    delta_last = challenged_in_the_past(framework, 1, agencies["Delta"], business_unit)
    cycle = open_cycle(*agencies.values(), framework=framework)

    def answer(name, ratings, **options):
        return complete(
            cycle.returns.get(organisation=agencies[name]), ratings, actor=business_unit, **options
        )

    answer("Alpha", [RED, RED])  # score 4
    answer("Bravo", [RED, AMBER])  # score 3, challenged two years ago
    answer("Charlie", [AMBER, AMBER, AMBER])  # score 3, never challenged
    answer("Delta", [AMBER, RED])  # score 3, challenged last year
    answer("Echo", [])  # all Green
    answer("Foxtrot", [RED, RED, RED], submit=False)  # still a draft
    golf = answer("Golf", [RED, RED, RED, RED])  # already has an event this cycle
    challenge_event_create(return_obj=golf, held_on=TODAY, actor=business_unit)
    hotel = answer("Hotel", [AMBER])
    services.return_accept(return_obj=hotel, actor=business_unit)

    shortlist = challenge_shortlist(cycle)

    assert [row.organisation.name for row in shortlist] == [
        "Alpha Service",
        "Charlie Service",
        "Bravo Service",
        "Delta Service",
        "Hotel Service",
        "Echo Service",
    ]
    bravo = shortlist[2]
    assert (bravo.red, bravo.amber, bravo.green) == (1, 1, 4)
    assert bravo.last_challenged_on == bravo_last.held_on
    assert shortlist[3].last_challenged_on == delta_last.held_on
    assert shortlist[1].last_challenged_on is None
    assert [row.organisation.name for row in challenge_shortlist(cycle, limit=2)] == [
        "Alpha Service",
        "Charlie Service",
    ]


def test_the_shortlist_page_shows_the_counts_and_never_for_an_agency_never_challenged(
    as_persona, cycle, agency_return, other_return
):
    html = as_persona("business_unit").get(reverse("section11:challenge_list", args=[cycle.pk]))
    page = html.content.decode()
    assert "Suggested shortlist" in page
    assert page.index(agency_return.organisation.name) < page.index(other_return.organisation.name)
    assert "Never" in page
    assert "Plan event" in page


# Planning and updating an event -------------------------------------------------


def test_an_event_is_planned_for_a_submitted_return_and_attributed(agency_return, business_unit):
    event = challenge_event_create(return_obj=agency_return, held_on=TODAY, actor=business_unit)
    assert event.created_by == business_unit
    assert event.history.latest().history_user == business_unit


def test_an_accepted_return_can_be_challenged(agency_return, business_unit):
    services.return_accept(return_obj=agency_return, actor=business_unit)
    assert challenge_event_create(return_obj=agency_return, held_on=TODAY, actor=business_unit)


@pytest.mark.parametrize("submit", [False, True])
def test_a_draft_or_returned_return_cannot_be_challenged(cycle, agency, business_unit, submit):
    return_obj = complete(
        cycle.returns.get(organisation=agency), actor=business_unit, submit=submit
    )
    if submit:
        services.return_send_back(
            return_obj=return_obj, reason="Add evidence.", actor=business_unit
        )
    with pytest.raises(ValidationError, match="only a submitted or accepted return"):
        challenge_event_create(return_obj=return_obj, held_on=TODAY, actor=business_unit)
    assert not ChallengeEvent.objects.exists()


def test_only_one_event_per_return(event, business_unit):
    with pytest.raises(ValidationError, match="already has a challenge event"):
        challenge_event_create(return_obj=event.return_obj, held_on=TODAY, actor=business_unit)


def test_only_section_11_returns_are_challenged(agency, business_unit):
    framework = framework_with_criteria(kind=FrameworkKind.SECTION_175)
    return_obj = complete(
        open_cycle(agency, framework=framework).returns.get(), actor=business_unit
    )
    with pytest.raises(ValidationError, match="Section 11 returns only"):
        challenge_event_create(return_obj=return_obj, held_on=TODAY, actor=business_unit)


def test_the_date_and_summary_can_be_changed_and_the_change_is_attributed(
    event, business_unit, executive
):
    new_date = TODAY + datetime.timedelta(days=30)
    challenge_event_update(
        event=event, held_on=new_date, summary="Strong leadership.", actor=business_unit
    )
    event.refresh_from_db()
    assert (event.held_on, event.summary) == (new_date, "Strong leadership.")
    assert event.history.latest().history_user == business_unit


# The panel and the peer's grant --------------------------------------------------


def test_a_peer_on_the_panel_sees_that_one_return_and_nothing_else(
    event, other_return, peer, business_unit, client
):
    member = challenge_panel_add(
        event=event, role=PanelRole.PEER, name="", user=peer, actor=business_unit
    )
    assert member.name == "Pat Peer"
    assert member.history.latest().history_user == business_unit

    client.force_login(peer)
    own = reverse("audits:return_detail", args=[event.return_obj.pk])
    assert client.get(own).status_code == 200
    assert client.get(reverse("audits:return_detail", args=[other_return.pk])).status_code == 404
    cycle_pk = event.return_obj.cycle_id
    for url in [
        reverse("section11:challenge_detail", args=[event.pk]),
        reverse("section11:challenge_list", args=[cycle_pk]),
        reverse("section11:challenge_collation", args=[cycle_pk]),
    ]:
        assert client.get(url).status_code == 404

    challenge_panel_remove(member=member, actor=business_unit)
    assert client.get(own).status_code == 404
    assert not ChallengePanelMember.objects.exists()
    assert ChallengePanelMember.history.latest().history_user == business_unit


def test_a_grant_stays_while_the_same_person_still_sits_on_the_panel(event, peer, business_unit):
    first = challenge_panel_add(
        event=event, role=PanelRole.PEER, name="", user=peer, actor=business_unit
    )
    challenge_panel_add(event=event, role=PanelRole.CHAIR, name="", user=peer, actor=business_unit)
    challenge_panel_remove(member=first, actor=business_unit)
    assert peer.has_perm("audits.view_return", event.return_obj)


def test_a_panel_member_without_an_account_needs_a_name_and_gets_no_grant(event, business_unit):
    with pytest.raises(ValidationError) as refused:
        challenge_panel_add(event=event, role=PanelRole.PEER, name="  ", actor=business_unit)
    assert "name" in refused.value.error_dict

    member = challenge_panel_add(
        event=event,
        role=PanelRole.PEER,
        name="Jo Peer",
        organisation_name="Eastside Police",
        actor=business_unit,
    )
    assert (member.user, member.organisation_name) == (None, "Eastside Police")
    challenge_panel_remove(member=member, actor=business_unit)


def test_a_peer_who_acts_for_one_agency_is_recorded_as_from_it(
    event, other_agency_lead, business_unit
):
    member = challenge_panel_add(
        event=event, role=PanelRole.PEER, name="", user=other_agency_lead, actor=business_unit
    )
    assert member.organisation_name == "Hillside Health Trust"
    assert other_agency_lead.has_perm("audits.view_return", event.return_obj)


def test_a_disabled_account_cannot_join_a_panel(event, peer, business_unit):
    peer.is_active = False
    peer.save()
    with pytest.raises(ValidationError) as refused:
        challenge_panel_add(
            event=event, role=PanelRole.PEER, name="", user=peer, actor=business_unit
        )
    assert "user" in refused.value.error_dict


def test_a_panel_role_must_be_one_of_the_two(event, business_unit):
    with pytest.raises(ValidationError) as refused:
        challenge_panel_add(event=event, role="observer", name="Kim", actor=business_unit)
    assert "role" in refused.value.error_dict


# Findings area by area ------------------------------------------------------------


def test_a_confirmed_area_takes_the_self_rating_from_the_return(event, business_unit):
    area_2 = areas_of(event.return_obj.cycle.framework)[1]  # Red and N/A
    finding = challenge_finding_record(
        event=event,
        standard=area_2,
        outcome=AreaOutcome.CONFIRMED,
        findings="Evidence matched.",
        actor=business_unit,
    )
    assert (finding.self_rating, finding.moderated_rating) == (RED, "")
    assert finding.history.latest().history_user == business_unit


def test_a_moderated_area_keeps_both_ratings_and_confirming_later_clears_the_moderation(
    event, business_unit
):
    area_1 = areas_of(event.return_obj.cycle.framework)[0]
    moderated = challenge_finding_record(
        event=event,
        standard=area_1,
        outcome=AreaOutcome.MODERATED,
        moderated_rating=RED,
        findings="No training records.",
        actor=business_unit,
    )
    assert (moderated.self_rating, moderated.moderated_rating) == (AMBER, RED)

    confirmed = challenge_finding_record(
        event=event,
        standard=area_1,
        outcome=AreaOutcome.CONFIRMED,
        moderated_rating=RED,
        actor=business_unit,
    )
    assert confirmed.pk == moderated.pk
    assert ChallengeAreaFinding.objects.count() == 1
    assert (confirmed.outcome, confirmed.moderated_rating) == (AreaOutcome.CONFIRMED, "")
    assert [h.outcome for h in confirmed.history.order_by("history_date")] == [
        AreaOutcome.MODERATED,
        AreaOutcome.CONFIRMED,
    ]


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        ("", "Choose the rating the panel gives this area."),
        (Rating.OUTSTANDING, "Choose one of the ratings offered."),
        (NA, "Choose one of the ratings offered."),
        (AMBER, "That is the agency's own rating."),
    ],
)
def test_a_moderation_needs_a_new_rating_from_the_scale(event, business_unit, rating, message):
    area_1 = areas_of(event.return_obj.cycle.framework)[0]  # self-rated Amber
    with pytest.raises(ValidationError) as refused:
        challenge_finding_record(
            event=event,
            standard=area_1,
            outcome=AreaOutcome.MODERATED,
            moderated_rating=rating,
            actor=business_unit,
        )
    assert message in refused.value.message_dict["moderated_rating"][0]
    assert not ChallengeAreaFinding.objects.exists()


def test_an_area_from_another_framework_is_refused(event, business_unit):
    stranger = areas_of(framework_with_criteria())[0]
    with pytest.raises(ValidationError, match="not part of this return's framework"):
        challenge_finding_record(
            event=event, standard=stranger, outcome=AreaOutcome.CONFIRMED, actor=business_unit
        )


def test_an_outcome_must_be_confirmed_or_moderated(event, business_unit):
    area_1 = areas_of(event.return_obj.cycle.framework)[0]
    with pytest.raises(ValidationError) as refused:
        challenge_finding_record(
            event=event, standard=area_1, outcome="waived", actor=business_unit
        )
    assert "outcome" in refused.value.error_dict


# Recommendations -------------------------------------------------------------------


def test_a_recommendation_has_an_owner_and_may_name_an_area(event, business_unit):
    area_3 = areas_of(event.return_obj.cycle.framework)[2]
    recommendation = challenge_recommendation_add(
        event=event,
        text="Audit supervision records quarterly.",
        owner="Head of safeguarding",
        due_date=event.held_on + datetime.timedelta(days=90),
        standard=area_3,
        actor=business_unit,
    )
    assert recommendation.standard == area_3
    assert recommendation.history.latest().history_user == business_unit


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": " "}, "text"),
        ({"owner": ""}, "owner"),
        ({"due_date": TODAY - datetime.timedelta(days=400)}, "due_date"),
    ],
)
def test_a_recommendation_needs_text_an_owner_and_a_sensible_date(
    event, business_unit, overrides, field
):
    values = {"text": "Train the board.", "owner": "Chief executive", **overrides}
    with pytest.raises(ValidationError) as refused:
        challenge_recommendation_add(event=event, actor=business_unit, **values)
    assert field in refused.value.error_dict
    assert not ChallengeRecommendation.objects.exists()


def test_a_recommendation_for_an_area_of_another_framework_is_refused(event, business_unit):
    stranger = areas_of(framework_with_criteria())[0]
    with pytest.raises(ValidationError) as refused:
        challenge_recommendation_add(
            event=event, text="x", owner="y", standard=stranger, actor=business_unit
        )
    assert "standard" in refused.value.error_dict


# The collation ----------------------------------------------------------------------


def test_the_collation_sets_each_agencys_areas_beside_the_panels_view_and_sums_them(
    event, other_return, business_unit, as_persona
):
    area_1, area_2, area_3 = areas_of(event.return_obj.cycle.framework)
    other = challenge_event_create(
        return_obj=other_return, held_on=TODAY + datetime.timedelta(days=3), actor=business_unit
    )
    # The first agency: Amber moderated down to Red, Red moderated up to Amber, Green confirmed.
    challenge_finding_record(
        event=event,
        standard=area_1,
        outcome=AreaOutcome.MODERATED,
        moderated_rating=RED,
        actor=business_unit,
    )
    challenge_finding_record(
        event=event,
        standard=area_2,
        outcome=AreaOutcome.MODERATED,
        moderated_rating=AMBER,
        actor=business_unit,
    )
    challenge_finding_record(
        event=event, standard=area_3, outcome=AreaOutcome.CONFIRMED, actor=business_unit
    )
    # The second: Amber confirmed; the rest not recorded yet.
    challenge_finding_record(
        event=other, standard=area_1, outcome=AreaOutcome.CONFIRMED, actor=business_unit
    )
    challenge_recommendation_add(
        event=other, text="Refresh the training plan.", owner="Training lead", actor=business_unit
    )

    collation = challenge_collation(event.return_obj.cycle)

    assert [r.event for r in collation.events] == [other, event]
    summary = {s.standard: s for s in collation.areas}
    assert (summary[area_1].confirmed, summary[area_1].moderated) == (1, 1)
    assert (summary[area_1].moderated_up, summary[area_1].moderated_down) == (0, 1)
    assert (summary[area_2].moderated_up, summary[area_2].not_recorded) == (1, 1)
    assert (summary[area_3].confirmed, summary[area_3].not_recorded) == (1, 1)
    second = collation.events[0]
    assert [a.self_rating for a in second.areas] == [AMBER, GREEN, GREEN]
    assert second.areas[1].finding is None
    assert [r.text for r in second.recommendations] == ["Refresh the training plan."]

    page = as_persona("executive").get(
        reverse("section11:challenge_collation", args=[event.return_obj.cycle_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Moderated down" in html
    assert "Moderated up" in html
    assert "Refresh the training plan." in html
    assert "Training lead" in html


def test_events_for_a_cycle_count_what_each_has_recorded(event, business_unit):
    area_1 = areas_of(event.return_obj.cycle.framework)[0]
    challenge_finding_record(
        event=event, standard=area_1, outcome=AreaOutcome.CONFIRMED, actor=business_unit
    )
    for text in ["One", "Two"]:
        challenge_recommendation_add(event=event, text=text, owner="Lead", actor=business_unit)
    [listed] = challenge_events_for_cycle(event.return_obj.cycle)
    assert (listed.areas_recorded, listed.recommendation_count) == (1, 2)


# Who may use which page --------------------------------------------------------------

READ = {
    "business_unit": 200,
    "executive": 200,
    "scrutineer": 200,
    "agency_lead": 404,
    "contributor": 404,
    "other_agency_lead": 404,
    "school_lead": 404,
    "auditor": 404,
    "peer": 404,
}
WRITE = {**READ, "business_unit": 302, "executive": 403, "scrutineer": 403}


@pytest.fixture
def as_someone(as_persona, client, request):
    """Like ``as_persona``, with the outside peer as one more persona."""

    def sign_in(name: str):
        if name == "peer":
            client.force_login(request.getfixturevalue("peer"))
            return client
        return as_persona(name)

    return sign_in


@pytest.fixture
def pages(event, other_return, peer, business_unit):
    """Every page and action, with a valid post for each action."""
    cycle_pk = event.return_obj.cycle_id
    area_1 = areas_of(event.return_obj.cycle.framework)[0]
    member = challenge_panel_add(
        event=event, role=PanelRole.CHAIR, name="Riley Officer", actor=business_unit
    )
    # The peer under test holds a grant to this return, as a panel peer would.
    assign_perm("audits.view_return", peer, event.return_obj)
    reads = {
        "list": reverse("section11:challenge_list", args=[cycle_pk]),
        "collation": reverse("section11:challenge_collation", args=[cycle_pk]),
        "detail": reverse("section11:challenge_detail", args=[event.pk]),
    }
    writes = {
        "create": (
            reverse("section11:challenge_create", args=[cycle_pk]),
            {"return_obj": other_return.pk, "held_on": "2030-03-14"},
        ),
        "update": (
            reverse("section11:challenge_update", args=[event.pk]),
            {"held_on": "2030-03-15", "summary": "Changed"},
        ),
        "panel_add": (
            reverse("section11:challenge_panel_add", args=[event.pk]),
            {"role": PanelRole.PEER, "name": "Jo Peer", "organisation_name": "Eastside"},
        ),
        "panel_remove": (
            reverse("section11:challenge_panel_remove", args=[event.pk, member.pk]),
            {},
        ),
        "finding": (
            reverse("section11:challenge_finding_record", args=[event.pk, area_1.pk]),
            {f"area-{area_1.pk}-outcome": AreaOutcome.CONFIRMED},
        ),
        "recommendation": (
            reverse("section11:challenge_recommendation_add", args=[event.pk]),
            {"text": "Train the board.", "owner": "Chair"},
        ),
    }
    return reads, writes


def snapshot() -> tuple:
    return (
        list(ChallengeEvent.objects.values_list("pk", "held_on", "summary")),
        list(ChallengePanelMember.objects.values_list("pk", flat=True)),
        ChallengeAreaFinding.objects.count(),
        ChallengeRecommendation.objects.count(),
    )


@pytest.mark.parametrize(("persona", "expected"), READ.items())
@pytest.mark.parametrize("page", ["list", "collation", "detail"])
def test_who_can_read_the_challenge_pages(as_someone, pages, persona, expected, page):
    reads, _ = pages
    response = as_someone(persona).get(reads[page])
    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), WRITE.items())
@pytest.mark.parametrize(
    "action", ["create", "update", "panel_add", "panel_remove", "finding", "recommendation"]
)
def test_only_the_business_unit_changes_challenge_events(
    as_someone, pages, persona, expected, action
):
    _, writes = pages
    url, data = writes[action]
    before = snapshot()
    response = as_someone(persona).post(url, data)
    assert response.status_code == expected
    assert (snapshot() != before) == (expected == 302)


@pytest.mark.parametrize("page", ["list", "collation", "detail"])
def test_anonymous_visitors_are_sent_to_sign_in_from_the_pages(client, pages, page):
    reads, _ = pages
    response = client.get(reads[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "action", ["create", "update", "panel_add", "panel_remove", "finding", "recommendation"]
)
def test_anonymous_visitors_are_sent_to_sign_in_from_the_actions(client, pages, action):
    _, writes = pages
    url, data = writes[action]
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("business_unit", None),
        ("executive", PermissionDenied),
        ("scrutineer", PermissionDenied),
        ("agency_lead", Http404),
        ("auditor", Http404),
        ("peer", Http404),
    ],
)
def test_the_event_access_helper_follows_the_same_rule(request, event, persona, error):
    user = request.getfixturevalue(persona)
    if persona == "peer":
        assign_perm("audits.view_return", user, event.return_obj)
    if error is None:
        assert get_challenge_event_for_user(user, event.pk, manage=True) == event
    else:
        with pytest.raises(error):
            get_challenge_event_for_user(user, event.pk, manage=True)


def test_an_action_on_another_events_member_or_area_is_not_found(
    as_persona, event, other_return, business_unit
):
    other = challenge_event_create(return_obj=other_return, held_on=TODAY, actor=business_unit)
    stranger = challenge_panel_add(
        event=other, role=PanelRole.PEER, name="Jo Peer", actor=business_unit
    )
    foreign_area = areas_of(framework_with_criteria())[0]
    client = as_persona("business_unit")
    remove = reverse("section11:challenge_panel_remove", args=[event.pk, stranger.pk])
    assert client.post(remove).status_code == 404
    record = reverse("section11:challenge_finding_record", args=[event.pk, foreign_area.pk])
    assert client.post(record, {f"area-{foreign_area.pk}-outcome": "confirmed"}).status_code == 404
    assert ChallengePanelMember.objects.filter(pk=stranger.pk).exists()
    assert not ChallengeAreaFinding.objects.exists()


def test_the_actions_only_accept_posts(as_persona, pages):
    _, writes = pages
    client = as_persona("business_unit")
    for url, _data in writes.values():
        assert client.get(url).status_code == 405


def test_a_section_175_cycle_has_no_challenge_pages(as_persona, school):
    cycle = open_cycle(school, framework=framework_with_criteria(kind=FrameworkKind.SECTION_175))
    response = as_persona("business_unit").get(reverse("section11:challenge_list", args=[cycle.pk]))
    assert response.status_code == 404


def test_readers_see_the_event_without_forms(as_persona, event, business_unit):
    challenge_panel_add(
        event=event, role=PanelRole.CHAIR, name="Riley Officer", actor=business_unit
    )
    html = (
        as_persona("scrutineer")
        .get(reverse("section11:challenge_detail", args=[event.pk]))
        .content.decode()
    )
    assert "Riley Officer" in html
    assert "Not yet recorded" in html
    assert "Add to the panel" not in html
    assert "Add recommendation" not in html
    assert reverse("section11:challenge_update", args=[event.pk]) not in html


def test_readers_see_the_shortlist_without_planning_forms(as_persona, cycle, agency_return):
    html = (
        as_persona("executive")
        .get(reverse("section11:challenge_list", args=[cycle.pk]))
        .content.decode()
    )
    assert agency_return.organisation.name in html
    assert reverse("section11:challenge_create", args=[cycle.pk]) not in html


# The journey through the pages ------------------------------------------------------


def test_the_business_unit_runs_a_challenge_event_from_the_shortlist(
    as_persona, cycle, agency_return, peer, business_unit
):
    client = as_persona("business_unit")
    planned = client.post(
        reverse("section11:challenge_create", args=[cycle.pk]),
        {"return_obj": agency_return.pk, "held_on": "2030-03-14"},
    )
    event = ChallengeEvent.objects.get()
    assert planned["Location"] == reverse("section11:challenge_detail", args=[event.pk])
    assert event.held_on == datetime.date(2030, 3, 14)
    assert event.history.latest().history_user == business_unit

    client.post(
        reverse("section11:challenge_panel_add", args=[event.pk]),
        {"role": PanelRole.PEER, "user": peer.pk, "name": "", "organisation_name": "Westside"},
    )
    member = ChallengePanelMember.objects.get()
    assert (member.name, member.user) == ("Pat Peer", peer)
    assert peer.has_perm("audits.view_return", agency_return)

    area_2 = areas_of(cycle.framework)[1]
    prefix = f"area-{area_2.pk}"
    client.post(
        reverse("section11:challenge_finding_record", args=[event.pk, area_2.pk]),
        {
            f"{prefix}-outcome": AreaOutcome.MODERATED,
            f"{prefix}-moderated_rating": AMBER,
            f"{prefix}-findings": "Better than the agency thought.",
        },
    )
    finding = ChallengeAreaFinding.objects.get()
    assert (finding.self_rating, finding.moderated_rating) == (RED, AMBER)

    client.post(
        reverse("section11:challenge_recommendation_add", args=[event.pk]),
        {"text": "Share the audit.", "owner": "Named nurse", "standard": area_2.pk},
    )
    client.post(
        reverse("section11:challenge_update", args=[event.pk]),
        {"held_on": "2030-03-14", "summary": "Assured overall."},
    )
    page = client.get(reverse("section11:challenge_detail", args=[event.pk])).content.decode()
    assert "Pat Peer" in page
    assert "Better than the agency thought." in page
    assert "Share the audit." in page
    assert "Assured overall." in page

    listing = client.get(reverse("section11:challenge_list", args=[cycle.pk])).content.decode()
    assert "1 of 3" in listing

    client.post(reverse("section11:challenge_panel_remove", args=[event.pk, member.pk]))
    assert not peer.has_perm("audits.view_return", agency_return)
    assert ChallengePanelMember.history.latest().history_user == business_unit


# What the user typed survives a mistake --------------------------------------------


def test_a_date_that_is_not_a_date_is_explained_next_to_the_field(as_persona, cycle, agency_return):
    response = as_persona("business_unit").post(
        reverse("section11:challenge_create", args=[cycle.pk]),
        {"return_obj": agency_return.pk, "held_on": "next Tuesday"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_plan_{agency_return.pk}_held_on"' in html
    assert f'id="error_1_id_plan_{agency_return.pk}_held_on"' in html
    assert "Enter a real date, for example 14/03/2025." in html
    assert 'value="next Tuesday"' in html
    assert not ChallengeEvent.objects.exists()


def test_planning_for_a_return_not_yet_submitted_is_explained(as_persona, cycle, agency):
    draft = cycle.returns.get(organisation=agency)
    response = as_persona("business_unit").post(
        reverse("section11:challenge_create", args=[cycle.pk]),
        {"return_obj": draft.pk, "held_on": "2030-03-14"},
    )
    assert response.status_code == 200
    assert "has not submitted its return yet" in response.content.decode()
    assert not ChallengeEvent.objects.exists()


def test_a_moderation_without_a_rating_keeps_the_findings_typed(as_persona, event):
    area_1 = areas_of(event.return_obj.cycle.framework)[0]
    prefix = f"area-{area_1.pk}"
    response = as_persona("business_unit").post(
        reverse("section11:challenge_finding_record", args=[event.pk, area_1.pk]),
        {
            f"{prefix}-outcome": AreaOutcome.MODERATED,
            f"{prefix}-moderated_rating": "",
            f"{prefix}-findings": "Policies out of date.",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'id="error_1_id_{prefix}-moderated_rating"' in html
    assert "Choose the rating the panel gives this area." in html
    assert "Policies out of date.</textarea>" in html
    assert re.search(r'value="moderated"[^>]*checked', html)
    assert not ChallengeAreaFinding.objects.exists()


def test_a_panel_member_without_a_name_or_account_is_explained(as_persona, event):
    response = as_persona("business_unit").post(
        reverse("section11:challenge_panel_add", args=[event.pk]),
        {"role": PanelRole.PEER, "name": "", "organisation_name": "Eastside Police"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_name"' in html
    assert "Give the panel member&#x27;s name, or choose a portal user." in html
    assert 'value="Eastside Police"' in html


def test_a_recommendation_without_an_owner_keeps_the_text_typed(as_persona, event):
    response = as_persona("business_unit").post(
        reverse("section11:challenge_recommendation_add", args=[event.pk]),
        {"text": "Refresh the policy.", "owner": "", "due_date": "31/02/2030"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_owner"' in html
    assert 'id="error_1_id_due_date"' in html
    assert "Refresh the policy.</textarea>" in html
    assert 'value="31/02/2030"' in html


def test_an_event_date_that_is_not_a_date_keeps_the_summary_typed(as_persona, event):
    response = as_persona("business_unit").post(
        reverse("section11:challenge_update", args=[event.pk]),
        {"held_on": "soon", "summary": "Draft summary."},
    )
    html = response.content.decode()
    assert 'id="error_1_id_held_on"' in html
    assert "Draft summary.</textarea>" in html
    event.refresh_from_db()
    assert event.summary == ""


# Bounded queries ---------------------------------------------------------------------


@pytest.fixture(params=[12, 40], ids=["12 agencies", "40 agencies"])
def busy_cycle(request, business_unit) -> tuple[AuditCycle, ChallengeEvent]:
    """A cycle of many submitted agencies, a quarter of them challenged in full."""
    framework = framework_with_criteria(standards=3, criteria_per_standard=1)
    agencies = [
        AgencyFactory(name=f"Agency {n:02d}", sector=Sector.HEALTH_PROVIDER)
        for n in range(request.param)
    ]
    cycle = open_cycle(*agencies, framework=framework)
    ratings = [(RED, AMBER), (AMBER,), (), (GREEN, RED, NA)]
    event = None
    for n, return_obj in enumerate(cycle.returns.order_by("organisation__name")):
        complete(return_obj, ratings[n % 4], actor=business_unit)
        if n % 4:
            continue
        event = challenge_event_create(return_obj=return_obj, held_on=TODAY, actor=business_unit)
        for role, name in [(PanelRole.CHAIR, "Riley Officer"), (PanelRole.PEER, "Jo Peer")]:
            challenge_panel_add(event=event, role=role, name=name, actor=business_unit)
        for area in areas_of(framework):
            challenge_finding_record(
                event=event, standard=area, outcome=AreaOutcome.CONFIRMED, actor=business_unit
            )
        challenge_recommendation_add(event=event, text="Act.", owner="Lead", actor=business_unit)
    assert event is not None
    return cycle, event


def test_the_challenge_pages_run_a_bounded_number_of_queries(
    as_persona, busy_cycle, django_assert_max_num_queries, django_assert_num_queries
):
    cycle, event = busy_cycle
    with django_assert_num_queries(1):
        shortlist = challenge_shortlist(cycle, limit=None)
    assert len(shortlist) == Return.objects.filter(cycle=cycle, challenge__isnull=True).count()
    with django_assert_num_queries(6):
        collation = challenge_collation(cycle)
    assert all(len(record.panel) == 2 for record in collation.events)

    urls = [
        reverse("section11:challenge_list", args=[cycle.pk]),
        reverse("section11:challenge_list", args=[cycle.pk]) + "?all=1",
        reverse("section11:challenge_detail", args=[event.pk]),
        reverse("section11:challenge_collation", args=[cycle.pk]),
    ]
    for persona in ["business_unit", "executive"]:
        client = as_persona(persona)
        for url in urls:
            # The same bound for 12 agencies as for 40, with room for the base template.
            with django_assert_max_num_queries(14):
                assert client.get(url).status_code == 200
