"""Invented demo data for the partnership: agencies, schools and one login per role.

Every name here is made up. Nothing identifies a child, and no person named is
real. The data is generated from a fixed seed, so every run produces the same
organisations, and loading it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from . import services
from .models import (
    District,
    EstablishmentType,
    LocalAuthority,
    Locality,
    Organisation,
    OrganisationKind,
    Phase,
    Role,
    Sector,
    StatutoryPartner,
    User,
)

# Published demo logins: seed_demo refuses to run in production.
DEMO_PASSWORD = "csap-demo-password"  # noqa: S105  # nosec B105

# (name, sector, localities served, local authority or None for county-wide)
AGENCIES: list[tuple[str, str, tuple[str, ...], str | None]] = [
    (
        "Blackburn with Darwen Children's Services",
        Sector.CHILDRENS_SOCIAL_CARE,
        ("East",),
        "Blackburn with Darwen",
    ),
    ("Blackpool Children's Services", Sector.CHILDRENS_SOCIAL_CARE, ("North",), "Blackpool"),
    (
        "Lancashire Children's Social Care",
        Sector.CHILDRENS_SOCIAL_CARE,
        ("North", "Central", "East"),
        "Lancashire",
    ),
    (
        "Lancashire Early Help Service",
        Sector.EARLY_HELP,
        ("North", "Central", "East"),
        "Lancashire",
    ),
    ("Blackpool Early Help Hub", Sector.EARLY_HELP, ("North",), "Blackpool"),
    ("Lancashire SEND Service", Sector.SEND, ("North", "Central", "East"), "Lancashire"),
    (
        "Lancashire Education Safeguarding Team",
        Sector.EDUCATION,
        ("North", "Central", "East"),
        "Lancashire",
    ),
    ("Red Rose Constabulary", Sector.POLICE, ("North", "Central", "East"), None),
    ("County Integrated Care Board", Sector.ICB, ("North", "Central", "East"), None),
    ("Fylde Coast Hospitals Trust", Sector.HEALTH_PROVIDER, ("North",), None),
    ("Pennine Hospitals Trust", Sector.HEALTH_PROVIDER, ("East",), None),
    ("Ribble Teaching Hospitals Trust", Sector.HEALTH_PROVIDER, ("Central",), None),
    ("Morecambe Bay Health Partnership", Sector.HEALTH_PROVIDER, ("North",), None),
    (
        "County Community and Mental Health Trust",
        Sector.HEALTH_PROVIDER,
        ("North", "Central", "East"),
        None,
    ),
    (
        "North West Patient Transport and Ambulance Trust",
        Sector.HEALTH_PROVIDER,
        ("North", "Central", "East"),
        None,
    ),
    (
        "Regional Probation Service, Lancashire division",
        Sector.PROBATION,
        ("North", "Central", "East"),
        None,
    ),
    (
        "Lancashire Youth Justice Service",
        Sector.YOUTH_JUSTICE,
        ("North", "Central", "East"),
        "Lancashire",
    ),
    ("Blackpool Youth Justice Service", Sector.YOUTH_JUSTICE, ("North",), "Blackpool"),
    ("County Fire and Rescue Service", Sector.FIRE_AND_RESCUE, ("North", "Central", "East"), None),
    ("Burnley Borough Council", Sector.DISTRICT_COUNCIL, ("East",), "Lancashire"),
    ("Preston City Council", Sector.DISTRICT_COUNCIL, ("Central",), "Lancashire"),
    ("Lancaster City Council", Sector.DISTRICT_COUNCIL, ("North",), "Lancashire"),
    ("Hyndburn Borough Council", Sector.DISTRICT_COUNCIL, ("East",), "Lancashire"),
    ("Wyre Council", Sector.DISTRICT_COUNCIL, ("North",), "Lancashire"),
    ("Coastal Homes Housing Association", Sector.HOUSING, ("North",), None),
    ("Pennine Housing Partnership", Sector.HOUSING, ("East",), None),
    ("Safe Harbour Children's Charity", Sector.VCFS, ("North", "Central"), None),
    ("Lantern Family Support Trust", Sector.VCFS, ("East",), None),
    (
        "County Faith Communities Safeguarding Network",
        Sector.VCFS,
        ("North", "Central", "East"),
        None,
    ),
    ("Bright Futures Youth Clubs", Sector.VCFS, ("Central", "East"), None),
    (
        "Lancashire Sports and Activities Partnership",
        Sector.VCFS,
        ("North", "Central", "East"),
        None,
    ),
]

# How many schools each district gets: about 650 across Blackpool and Lancashire.
# Blackburn with Darwen runs its own Section 175 audit, so it has none here.
SCHOOLS_PER_DISTRICT = {
    "Blackpool": 52,
    "Fylde": 32,
    "Lancaster": 76,
    "Wyre": 48,
    "Chorley": 56,
    "Preston": 72,
    "South Ribble": 48,
    "West Lancashire": 52,
    "Burnley": 52,
    "Hyndburn": 40,
    "Pendle": 50,
    "Ribble Valley": 38,
    "Rossendale": 36,
}

SCHOOL_NAME_STEMS = [
    "Oakfield",
    "Brookside",
    "Highfield",
    "Moorside",
    "Larkhill",
    "Greenbank",
    "Hollinwood",
    "Beechwood",
    "Fernlea",
    "Willowbank",
    "Ashgrove",
    "Rowan Lea",
    "Meadowside",
    "Kingsfold",
    "Heatherbrook",
    "Riverside",
    "Thornleigh",
    "Castlegate",
    "Elmridge",
    "Foxhill",
    "Bramble Hey",
    "Sandy Lane",
    "Hawthorn",
    "Millbrook",
    "Orchard Vale",
    "Cherry Tree",
    "Hillcrest",
    "Redmoss",
    "Westwood",
    "Northgate",
    "Eastfield",
    "Southlands",
    "Bridgefield",
    "Copperfield",
    "Stonecross",
    "Lyncroft",
    "Whinfield",
    "Broadoak",
    "Hazelmere",
    "Linden",
    "Kestrel",
    "Skylark",
    "Harewood",
    "Birchfield",
    "Mossgate",
    "Cedar Park",
    "Primrose Hill",
    "Bluebell",
    "Applegarth",
    "Fieldhouse",
]
SAINTS = [
    "St Aidan's",
    "St Bede's",
    "St Cuthbert's",
    "St Hilda's",
    "St Wilfrid's",
    "St Oswald's",
    "St Chad's",
    "St Anne's",
    "St Mary's",
    "St Joseph's",
    "Holy Trinity",
    "St Peter's",
    "St Paul's",
    "Christ Church",
    "St Michael's",
    "St John's",
    "Our Lady's",
    "St Thomas'",
]
TRUSTS = [
    "Fylde Coast Learning Trust",
    "Pennine Learning Partnership",
    "Ribble Valley Schools Trust",
    "Red Rose Academies",
    "Lune Education Trust",
    "Coastal Catholic Academy Trust",
    "Moorland Learning Alliance",
    "Central Lancashire Academy Trust",
]

# (establishment type, phase, DfE number range start, relative weight)
SCHOOL_PROFILES: list[tuple[str, str, int, int]] = [
    (EstablishmentType.COMMUNITY, Phase.PRIMARY, 2000, 150),
    (EstablishmentType.VOLUNTARY_AIDED, Phase.PRIMARY, 3300, 90),
    (EstablishmentType.VOLUNTARY_CONTROLLED, Phase.PRIMARY, 3000, 60),
    (EstablishmentType.FOUNDATION, Phase.PRIMARY, 5200, 15),
    (EstablishmentType.ACADEMY_CONVERTER, Phase.PRIMARY, 2500, 80),
    (EstablishmentType.ACADEMY_SPONSOR_LED, Phase.PRIMARY, 2700, 25),
    (EstablishmentType.COMMUNITY, Phase.SECONDARY, 4000, 18),
    (EstablishmentType.VOLUNTARY_AIDED, Phase.SECONDARY, 4600, 12),
    (EstablishmentType.FOUNDATION, Phase.SECONDARY, 5400, 6),
    (EstablishmentType.ACADEMY_CONVERTER, Phase.SECONDARY, 4100, 30),
    (EstablishmentType.ACADEMY_SPONSOR_LED, Phase.SECONDARY, 4200, 10),
    (EstablishmentType.FREE_SCHOOL, Phase.SECONDARY, 4300, 4),
    (EstablishmentType.FREE_SCHOOL, Phase.PRIMARY, 2800, 4),
    (EstablishmentType.COMMUNITY_SPECIAL, Phase.NOT_APPLICABLE, 7000, 18),
    (EstablishmentType.ACADEMY_SPECIAL, Phase.NOT_APPLICABLE, 7100, 4),
    (EstablishmentType.NON_MAINTAINED_SPECIAL, Phase.NOT_APPLICABLE, 7200, 2),
    (EstablishmentType.LA_NURSERY, Phase.NURSERY, 1000, 20),
    (EstablishmentType.PUPIL_REFERRAL_UNIT, Phase.NOT_APPLICABLE, 1100, 8),
    (EstablishmentType.ACADEMY_ALTERNATIVE_PROVISION, Phase.NOT_APPLICABLE, 1150, 3),
    (EstablishmentType.INDEPENDENT, Phase.ALL_THROUGH, 6000, 18),
    (EstablishmentType.INDEPENDENT_SPECIAL, Phase.NOT_APPLICABLE, 6300, 6),
    (EstablishmentType.FURTHER_EDUCATION, Phase.SIXTEEN_PLUS, 8000, 4),
    (EstablishmentType.SIXTH_FORM_CENTRE, Phase.SIXTEEN_PLUS, 8600, 2),
    (EstablishmentType.UNIVERSITY_TECHNICAL_COLLEGE, Phase.SECONDARY, 4400, 1),
]

PHASE_SUFFIX = {
    Phase.PRIMARY: "Primary School",
    Phase.SECONDARY: "High School",
    Phase.NURSERY: "Nursery School",
    Phase.ALL_THROUGH: "School",
    Phase.SIXTEEN_PLUS: "College",
}
TYPE_SUFFIX = {
    EstablishmentType.COMMUNITY_SPECIAL: "Special School",
    EstablishmentType.ACADEMY_SPECIAL: "Academy",
    EstablishmentType.NON_MAINTAINED_SPECIAL: "School for Communication",
    EstablishmentType.PUPIL_REFERRAL_UNIT: "Short Stay School",
    EstablishmentType.ACADEMY_ALTERNATIVE_PROVISION: "Alternative Provision Academy",
    EstablishmentType.INDEPENDENT_SPECIAL: "Independent Specialist School",
    EstablishmentType.UNIVERSITY_TECHNICAL_COLLEGE: "University Technical College",
    EstablishmentType.SIXTH_FORM_CENTRE: "Sixth Form College",
}
ACADEMY_TYPES = {
    EstablishmentType.ACADEMY_CONVERTER,
    EstablishmentType.ACADEMY_SPONSOR_LED,
    EstablishmentType.ACADEMY_SPECIAL,
    EstablishmentType.ACADEMY_ALTERNATIVE_PROVISION,
    EstablishmentType.FREE_SCHOOL,
    EstablishmentType.UNIVERSITY_TECHNICAL_COLLEGE,
}


@dataclass(frozen=True)
class DemoSchool:
    name: str
    urn: int
    establishment_number: int
    establishment_type: str
    phase: str
    district: str
    trust_name: str


def demo_schools() -> list[DemoSchool]:
    """The same list of invented schools every time."""
    # Demo data, not security: a fixed seed gives the same schools every run.
    rng = random.Random(175)  # nosec B311
    weights = [profile[3] for profile in SCHOOL_PROFILES]
    next_number: dict[tuple[str, int], int] = {}
    used_names: set[str] = set()
    schools: list[DemoSchool] = []
    urn = 990001  # Invented URNs, well away from any real school's.
    for district, count in SCHOOLS_PER_DISTRICT.items():
        authority = "Blackpool" if district == "Blackpool" else "Lancashire"
        for _ in range(count):
            establishment_type, phase, base, _weight = rng.choices(SCHOOL_PROFILES, weights)[0]
            key = (authority, base)
            number = next_number.get(key, base)
            next_number[key] = number + 1
            religious = establishment_type in {
                EstablishmentType.VOLUNTARY_AIDED,
                EstablishmentType.VOLUNTARY_CONTROLLED,
            }
            stem = rng.choice(SAINTS if religious else SCHOOL_NAME_STEMS)
            suffix = TYPE_SUFFIX.get(establishment_type) or PHASE_SUFFIX.get(phase, "School")
            if religious:
                suffix = ("Catholic " if rng.random() < 0.5 else "Church of England ") + suffix
            name = f"{stem} {suffix}"
            if name in used_names:
                name = f"{stem} {suffix}, {district}"
            if name in used_names:
                name = f"{stem} {suffix}, {district} ({number})"
            used_names.add(name)
            trust = rng.choice(TRUSTS) if establishment_type in ACADEMY_TYPES else ""
            schools.append(
                DemoSchool(name, urn, number, establishment_type, phase, district, trust)
            )
            urn += 1
    return schools


# (email, full name, roles, organisation name or None, job title)
DEMO_PEOPLE: list[tuple[str, str, tuple[Role, ...], str | None, str]] = [
    (
        "agency.lead@demo.csap.example",
        "Morgan Ellis",
        (Role.AGENCY_LEAD,),
        "Red Rose Constabulary",
        "Head of Public Protection",
    ),
    (
        "contributor@demo.csap.example",
        "Sam Whitaker",
        (Role.AGENCY_CONTRIBUTOR,),
        "Red Rose Constabulary",
        "Safeguarding Policy Officer",
    ),
    (
        "other.lead@demo.csap.example",
        "Jordan Hale",
        (Role.AGENCY_LEAD,),
        "Fylde Coast Hospitals Trust",
        "Named Nurse for Safeguarding",
    ),
    (
        "school.lead@demo.csap.example",
        "Alex Fairbairn",
        (Role.SCHOOL_LEAD,),
        None,
        "Designated Safeguarding Lead",
    ),
    (
        "business.unit@demo.csap.example",
        "Riley Thornton",
        (Role.BUSINESS_UNIT,),
        None,
        "Quality Assurance Officer",
    ),
    (
        "auditor@demo.csap.example",
        "Casey Lund",
        (Role.AUDITOR,),
        "Lancashire Children's Social Care",
        "Practice Manager",
    ),
    (
        "executive.la@demo.csap.example",
        "Avery Holt",
        (Role.EXECUTIVE,),
        None,
        "Director of Children's Services (local authority)",
    ),
    (
        "executive.police@demo.csap.example",
        "Drew Marsden",
        (Role.EXECUTIVE,),
        None,
        "Detective Chief Superintendent (police)",
    ),
    (
        "executive.health@demo.csap.example",
        "Quinn Ashworth",
        (Role.EXECUTIVE,),
        None,
        "Director of Nursing (health)",
    ),
    (
        "scrutineer@demo.csap.example",
        "Rowan Pilling",
        (Role.SCRUTINEER,),
        None,
        "Independent Scrutineer",
    ),
]


FIRST_NAMES = [
    "Ali",
    "Bev",
    "Cal",
    "Dee",
    "Eli",
    "Fran",
    "Gus",
    "Hana",
    "Ivo",
    "Jas",
    "Kai",
    "Lou",
    "Mo",
    "Nia",
    "Oli",
    "Pip",
    "Rae",
    "Sol",
    "Tam",
    "Uma",
    "Vic",
    "Wyn",
    "Yas",
    "Zac",
]
LAST_NAMES = [
    "Ashby",
    "Brindle",
    "Carrow",
    "Dunmore",
    "Eskdale",
    "Farrant",
    "Gisburn",
    "Haworth",
    "Ingleby",
    "Jessop",
    "Kettlewell",
    "Lathom",
    "Mawdsley",
    "Nuttall",
    "Ormerod",
    "Pilling",
]


def _agency_leads() -> None:
    """Give every agency without a lead an invented one, so that returns have authors
    and reminders have someone to go to. Only the persona logins are printed."""
    # Demo data, not security: a fixed seed gives the same names every run.
    rng = random.Random(11)  # nosec B311
    agencies = Organisation.objects.filter(kind=OrganisationKind.AGENCY).exclude(
        memberships__user__groups__name=Role.AGENCY_LEAD.value
    )
    for agency in agencies.order_by("name"):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"lead.{agency.pk}@demo.csap.example"
        if not User.objects.filter(email=email).exists():
            services.user_create(
                email=email,
                full_name=f"{first} {last}",
                roles=[Role.AGENCY_LEAD],
                organisation=agency,
                password=DEMO_PASSWORD,
                job_title="Named safeguarding lead",
            )


# Each Executive member signs off reports for one statutory partner.
EXECUTIVE_PARTNERS = {
    "executive.la@demo.csap.example": StatutoryPartner.LOCAL_AUTHORITY,
    "executive.police@demo.csap.example": StatutoryPartner.POLICE,
    "executive.health@demo.csap.example": StatutoryPartner.HEALTH,
}


def _first_school() -> Organisation:
    return Organisation.objects.filter(kind=OrganisationKind.SCHOOL).order_by("urn").first()


@transaction.atomic
def seed_demo() -> list[tuple[str, str, str]]:
    """Load the demo organisations and people. Returns (role, email, organisation) per login."""
    authorities = {la.name: la for la in LocalAuthority.objects.all()}
    localities = {loc.name: loc for loc in Locality.objects.all()}
    districts = {d.name: d for d in District.objects.select_related("local_authority")}

    existing_agencies = set(
        Organisation.objects.filter(kind=OrganisationKind.AGENCY).values_list("name", flat=True)
    )
    for name, sector, served, authority in AGENCIES:
        if name not in existing_agencies:
            services.agency_create(
                name=name,
                sector=sector,
                localities=[localities[n] for n in served],
                local_authority=authorities[authority] if authority else None,
            )

    existing_urns = set(Organisation.objects.exclude(urn=None).values_list("urn", flat=True))
    for school in demo_schools():
        if school.urn not in existing_urns:
            services.school_create(
                name=school.name,
                urn=school.urn,
                establishment_number=school.establishment_number,
                establishment_type=school.establishment_type,
                phase=school.phase,
                district=districts[school.district],
                trust_name=school.trust_name,
            )

    logins = []
    for email, full_name, roles, organisation_name, job_title in DEMO_PEOPLE:
        if Role.SCHOOL_LEAD in roles:
            organisation = _first_school()
        elif organisation_name:
            organisation = Organisation.objects.get(
                name=organisation_name, kind=OrganisationKind.AGENCY
            )
        else:
            organisation = None
        if not User.objects.filter(email=email).exists():
            services.user_create(
                email=email,
                full_name=full_name,
                roles=roles,
                organisation=organisation,
                password=DEMO_PASSWORD,
                job_title=job_title,
                statutory_partner=EXECUTIVE_PARTNERS.get(email, ""),
            )
        partner = EXECUTIVE_PARTNERS.get(email)
        if partner:
            # Demo databases made before partners were recorded get them now.
            User.objects.filter(email=email, statutory_partner="").update(statutory_partner=partner)
        label = f"{roles[0].label} ({partner.label.split(' (')[0]})" if partner else roles[0].label
        logins.append((label, email, organisation.name if organisation else ""))
    _agency_leads()
    if not User.objects.filter(email="admin@demo.csap.example").exists():
        User.objects.create_superuser(
            "admin@demo.csap.example", DEMO_PASSWORD, full_name="Portal Administrator"
        )
    logins.append(("Administrator (Django admin)", "admin@demo.csap.example", ""))
    return logins
