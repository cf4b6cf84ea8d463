"""The Section 11 summary report as the Board receives it: a tagged, accessible PDF
whose figures are the dashboard's, with the Business Unit's words printed as
written and never interpreted as markup."""

from __future__ import annotations

import datetime
import http.server
import io
import logging
import re
import threading
from collections.abc import Iterator, Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader
from pypdf.generic import BooleanObject, Destination, DictionaryObject, IndirectObject

from audits import services
from audits.models import AuditCycle, Criterion, Framework, Organisation, Rating, Return, Role, User
from reports.rendering import (
    html_to_pdf,
    paragraphs,
    recommendation_lines,
    render_section11_summary,
    section11_summary_context,
)
from section11 import challenges
from section11 import services as section11_services
from section11.models import AreaOutcome, EquivalentForm, PanelRole

from ..factories import AgencyFactory, UserFactory, framework_with_criteria

pytestmark = pytest.mark.django_db

G, A, R, NA = Rating.GREEN, Rating.AMBER, Rating.RED, Rating.NOT_APPLICABLE
TITLE = "Section 11 summary report"
GENERATED_ON = datetime.date(2026, 11, 20)
OPENED = datetime.date(2025, 3, 3)
THEMES = """Training is where agencies most want to improve.

Supervision records were strong
in every agency challenged."""
RECOMMENDATIONS = """- Share training plans with the Business Unit by March.

2. Repeat the challenge events next year."""

# Three areas of two criteria: 1.1, 1.2 | 2.1, 2.2 | 3.1, 3.2.
# Last year every agency rated areas 2 and 3 Green; area 1 was 4 Green of 8 (50%).
LAST_YEAR = {
    "Ash Police": [G, G, G, G, G, G],
    "Birch Council": [A, A, G, G, G, G],
    "Cedar Health Trust": [G, A, G, G, G, G],
    "Damson Youth Service": [G, A, G, G, G, G],
}
# This year Damson has not submitted. Of the three received:
# area 1 is 5 Green and 1 Amber (83%), area 2 is 4 Green, 1 Amber, 1 Red (67%),
# area 3 is 5 Green and 1 N/A (100%). Overall 14 of 17 (82%).
THIS_YEAR = {
    "Ash Police": [G, G, G, A, G, G],
    "Birch Council": [G, G, R, G, NA, G],
    "Cedar Health Trust": [G, A, G, G, G, G],
}


# --- Building a cycle ---------------------------------------------------------


@pytest.fixture
def private_media(settings, tmp_path) -> None:
    # S-CAT documents and demo evidence are saved as files; keep them out of var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def author(db: None) -> User:
    return UserFactory(full_name="Drew Author", roles=[Role.AGENCY_LEAD])


def criteria_of(cycle: AuditCycle) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard__framework=cycle.framework).order_by(
            "standard__position", "position"
        )
    )


def complete(
    return_obj: Return, ratings: Sequence[str], actor: User, *, submit: bool = True
) -> None:
    """Rate criteria in framework order, plan an action for each Amber or Red, submit."""
    for criterion, rating in zip(criteria_of(return_obj.cycle), ratings, strict=False):
        services.response_save(
            return_obj=return_obj,
            criterion=criterion,
            rating=rating,
            narrative="We do this.",
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
                due_date=GENERATED_ON + datetime.timedelta(days=90),
                actor=actor,
            )
    if submit:
        services.return_submit(return_obj=return_obj, actor=actor)


def cycle_for(
    framework: Framework, agencies: Sequence[Organisation], name: str, opens_on: datetime.date
) -> AuditCycle:
    return services.cycle_create(
        framework=framework,
        name=name,
        opens_on=opens_on,
        closes_on=opens_on + datetime.timedelta(days=60),
        organisations=agencies,
        actor=None,
    )


@pytest.fixture
def agencies(db: None) -> dict[str, Organisation]:
    return {name: AgencyFactory(name=name) for name in LAST_YEAR}


@pytest.fixture
def last_year(agencies, author) -> AuditCycle:
    framework = framework_with_criteria(standards=3, criteria_per_standard=2)
    cycle = cycle_for(framework, list(agencies.values()), "Section 11 audit 2025", opens_on=OPENED)
    for name, ratings in LAST_YEAR.items():
        complete(cycle.returns.get(organisation=agencies[name]), ratings, author)
    return cycle


@pytest.fixture
def this_year(agencies, author, business_unit, last_year) -> AuditCycle:
    """Three of four returns in, one rating moderated, and one challenge event held."""
    framework = services.framework_new_version(framework=last_year.framework, actor=None)
    cycle = cycle_for(
        framework,
        list(agencies.values()),
        "Section 11 audit 2026",
        opens_on=OPENED + datetime.timedelta(days=365),
    )
    returns = {r.organisation.name: r for r in cycle.returns.select_related("organisation")}
    for name, ratings in THIS_YEAR.items():
        complete(returns[name], ratings, author)
    # Damson has begun, with two Reds, but has not submitted: none of it may count.
    complete(returns["Damson Youth Service"], [R, R], author, submit=False)
    services.return_accept(return_obj=Return.objects.get(pk=returns["Ash Police"].pk), actor=author)
    # The Business Unit finds Ash's first Green only partly evidenced.
    services.response_moderate(
        response=returns["Ash Police"].responses.get(criterion__code="1.1"),
        moderated_rating=A,
        note="Policy not yet approved.",
        actor=business_unit,
    )
    hold_challenge_event(returns["Birch Council"], business_unit)
    return cycle


def hold_challenge_event(return_obj: Return, officer: User) -> None:
    """Birch's panel confirms area 1, moderates area 2 from Red up to Amber, and
    has not yet recorded area 3."""
    event = challenges.challenge_event_create(
        return_obj=return_obj, held_on=datetime.date(2026, 6, 9), actor=officer
    )
    challenges.challenge_panel_add(
        event=event,
        role=PanelRole.CHAIR,
        name="Pat Chair",
        organisation_name="CSAP Joint Business Unit",
        actor=officer,
    )
    area_1, area_2, _ = return_obj.cycle.framework.standards.order_by("position")
    challenges.challenge_finding_record(
        event=event,
        standard=area_1,
        outcome=AreaOutcome.CONFIRMED,
        findings="Minutes of the safeguarding board seen.",
        actor=officer,
    )
    challenges.challenge_finding_record(
        event=event,
        standard=area_2,
        outcome=AreaOutcome.MODERATED,
        moderated_rating=A,
        findings="Training records seen for two teams of three.",
        actor=officer,
    )
    challenges.challenge_recommendation_add(
        event=event,
        text="Train the third team before the summer.",
        owner="Head of Safeguarding",
        due_date=datetime.date(2026, 8, 31),
        standard=area_2,
        actor=officer,
    )
    challenges.challenge_event_update(
        event=event,
        held_on=datetime.date(2026, 6, 9),
        summary="Strong leadership; training is catching up.",
        actor=officer,
    )


def context_for(cycle: AuditCycle, **overrides: object) -> dict:
    arguments: dict = {
        "cycle": cycle,
        "title": TITLE,
        "version_number": 2,
        "themes": THEMES,
        "recommendations": RECOMMENDATIONS,
        "generated_on": GENERATED_ON,
    }
    return section11_summary_context(**{**arguments, **overrides})


def render(cycle: AuditCycle, **overrides: object) -> bytes:
    arguments: dict = {
        "cycle": cycle,
        "title": TITLE,
        "version_number": 2,
        "themes": THEMES,
        "recommendations": RECOMMENDATIONS,
        "generated_on": GENERATED_ON,
    }
    return render_section11_summary(**{**arguments, **overrides})


# --- Reading a PDF -------------------------------------------------------------


def words(text: str) -> str:
    """Text as one line: wrapping in the PDF must not decide whether a phrase is found."""
    return " ".join(text.split())


def page_texts(reader: PdfReader) -> list[str]:
    return [words(page.extract_text()) for page in reader.pages]


def resolve(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def xobject_subtypes(resources: object) -> Iterator[str]:
    """The subtype of every XObject a page draws, looking inside form XObjects too."""
    resources = resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    xobjects = resolve(resources.get("/XObject"))
    if not isinstance(xobjects, DictionaryObject):
        return
    for xobject in map(resolve, xobjects.values()):
        assert isinstance(xobject, DictionaryObject)  # a stream is a dictionary with data
        yield str(xobject.get("/Subtype"))
        yield from xobject_subtypes(xobject.get("/Resources"))


def bookmarks(outline: list) -> Iterator[Destination]:
    """Every entry of the PDF's outline (made from the headings), nested ones included."""
    for item in outline:
        if isinstance(item, list):
            yield from bookmarks(item)
        else:
            yield item


def structure_elements(node: object) -> Iterator[DictionaryObject]:
    node = resolve(node)
    if isinstance(node, DictionaryObject):
        if node.get("/Type") == "/StructElem":
            yield node
        kids = resolve(node.get("/K"))
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(resolve(kid), DictionaryObject):
                yield from structure_elements(kid)


# --- The figures ---------------------------------------------------------------


def test_returns_received_counts_only_submitted_and_accepted_returns(this_year):
    figures = context_for(this_year)["figures"]

    assert (figures.received, figures.total, figures.equivalents) == (3, 4, 0)
    assert {s.label: s.count for s in figures.by_status} == {
        "Not started": 0,
        "In progress": 1,
        "Submitted": 2,
        "Returned for changes": 0,
        "Accepted": 1,
    }


def test_compliance_by_area_gives_self_and_moderated_fully_compliant(this_year):
    context = context_for(this_year)

    assert [
        (a.number, a.title, a.self_ratings.fully_compliant, a.moderated.fully_compliant)
        for a in context["areas"]
    ] == [(1, "Area 1", 83, 67), (2, "Area 2", 67, 67), (3, "Area 3", 100, 100)]
    area_2 = context["areas"][1].self_ratings
    assert (area_2.green, area_2.amber, area_2.red, area_2.not_applicable) == (4, 1, 1, 0)
    assert context["overall"]["self_ratings"].fully_compliant == 82  # 14 of 17
    assert context["overall"]["moderated"].fully_compliant == 76  # 13 of 17


def test_the_chart_draws_every_rating_and_says_in_words_what_it_shows(this_year):
    chart = context_for(this_year)["chart"]

    area_1 = chart.areas[0]
    assert area_1.title == "1. Area 1"
    assert [bar.label for bar in area_1.bars] == ["Self", "Moderated"]
    assert [bar.figure for bar in area_1.bars] == ["83% fully compliant", "67% fully compliant"]
    assert [(s.word, s.count) for s in area_1.bars[1].segments] == [("Green", 4), ("Amber", 2)]
    # The segments fill the bar exactly: 4 and 2 of 6 answers across 420 units.
    assert [(s.x, s.width) for s in area_1.bars[1].segments] == [
        ("80.0", "280.0"),
        ("360.0", "140.0"),
    ]
    assert "1. Area 1: self-rated 83% fully compliant, moderated 67% fully compliant." in (
        chart.description
    )


def test_heat_map_shows_each_received_agencys_lowest_moderated_rating_by_area(this_year):
    rows = context_for(this_year)["heat_map_rows"]

    assert [(row.agency, [cell.word for cell in row.cells]) for row in rows] == [
        ("Ash Police", ["Amber", "Amber", "Green"]),  # 1.1 moderated from Green to Amber
        ("Birch Council", ["Green", "Red", "Green"]),  # N/A is left out of area 3
        ("Cedar Health Trust", ["Amber", "Green", "Green"]),
    ]


def test_appendix_lists_every_agency_with_status_self_ratings_and_open_actions(this_year):
    rows = context_for(this_year)["appendix"]

    assert [
        (r.agency, r.status, r.note, [c.word for c in r.cells], r.open_actions) for r in rows
    ] == [
        ("Ash Police", "Accepted", "", ["Green", "Amber", "Green"], 1),
        ("Birch Council", "Submitted", "", ["Green", "Red", "Green"], 1),
        ("Cedar Health Trust", "Submitted", "", ["Amber", "Green", "Green"], 1),
        ("Damson Youth Service", "In progress", "Not received: no ratings", [], 2),
    ]


def test_year_on_year_compares_with_the_earlier_cycle_on_the_previous_framework(
    last_year, this_year
):
    context = context_for(this_year)

    assert context["previous_cycle"] == last_year
    assert [
        (
            row.number,
            row.self_then,
            row.self_now,
            row.self_change,
            row.moderated_then,
            row.moderated_now,
            row.moderated_change,
        )
        for row in context["year_on_year"]
    ] == [
        (1, 50, 83, "Up 33 points", 50, 67, "Up 17 points"),
        (2, 100, 67, "Down 33 points", 100, 67, "Down 33 points"),
        (3, 100, 100, "No change", 100, 100, "No change"),
    ]


def test_challenge_event_findings_are_reported_area_by_area(this_year):
    context = context_for(this_year)

    (event,) = context["challenge_events"]
    assert event.agency == "Birch Council"
    assert event.held_on == datetime.date(2026, 6, 9)
    assert event.summary == "Strong leadership; training is catching up."
    assert event.panel == ["Pat Chair, CSAP Joint Business Unit, Board or Business Unit member"]
    assert [
        (a.number, a.self_rating, a.outcome, a.rating_after, a.findings) for a in event.areas
    ] == [
        (1, "Green", "Self-rating confirmed", "Green", "Minutes of the safeguarding board seen."),
        (2, "Red", "Moderated up", "Amber", "Training records seen for two teams of three."),
        (3, "Green", "Not yet recorded", "", ""),
    ]
    assert [r.text for r in event.recommendations] == ["Train the third team before the summer."]
    summaries = dict(context["challenge_areas"])
    assert (summaries[2].moderated, summaries[2].moderated_up, summaries[3].not_recorded) == (
        1,
        1,
        1,
    )


def test_a_first_cycle_says_there_is_nothing_to_compare_and_no_event_was_held(last_year):
    context = context_for(last_year, themes="", recommendations="  \n")

    assert context["previous_cycle"] is None
    assert context["challenge_events"] == []
    html = words(render_to_string("reports/pdf/section11_summary.html", context))
    assert "There is no earlier Section 11 cycle to compare with." in html
    assert "No challenge event was held in this cycle." in html
    assert "No themes were written for this version." in html
    assert "No recommendations were written for this version." in html


def test_an_equivalent_return_is_received_without_ratings(author, business_unit, private_media):
    health = AgencyFactory(name="Elm Hospitals Trust", sector="health_provider")
    cycle = cycle_for(framework_with_criteria(), [health], "Section 11 audit 2026", OPENED)
    equivalent = section11_services.equivalent_return_submit(
        return_obj=cycle.returns.get(),
        form=EquivalentForm.SCAT,
        upload=SimpleUploadedFile("s-cat.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
        actor=author,
    )
    section11_services.equivalent_return_decide(
        equivalent=equivalent, accept=True, reason="", actor=business_unit
    )

    context = context_for(cycle)

    assert (context["figures"].received, context["figures"].equivalents) == (1, 1)
    assert [(r.agency, r.note, r.cells) for r in context["heat_map_rows"]] == [
        ("Elm Hospitals Trust", "S-CAT equivalent accepted: no ratings", [])
    ]
    assert context["appendix"][0].note == "S-CAT equivalent accepted: no ratings"


def test_business_unit_text_is_split_into_paragraphs_and_recommendations():
    assert paragraphs(THEMES) == [
        "Training is where agencies most want to improve.",
        "Supervision records were strong\nin every agency challenged.",
    ]
    assert paragraphs("  \r\n \r\n") == []
    assert recommendation_lines(RECOMMENDATIONS) == [
        "Share training plans with the Business Unit by March.",
        "Repeat the challenge events next year.",
    ]


def test_gathering_the_figures_only_reads(this_year):
    with CaptureQueriesContext(connection) as queries:
        context_for(this_year)

    statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
    assert statements
    assert set(statements) == {"SELECT"}


# --- The PDF --------------------------------------------------------------------


def test_the_pdf_carries_the_headline_figures_as_selectable_text(this_year):
    pdf = render(this_year)

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page_texts(reader))
    assert "3 of 4 returns received" in text
    assert "1. Area 1: 83% fully compliant by self-rating; 67% fully compliant after" in text
    assert "Damson Youth Service" in text  # in the appendix only: it has not submitted
    assert "Birch Council, 9 June 2026" in text
    assert "Training records seen for two teams of three." in text
    assert "Up 33 points" in text
    assert "Share training plans with the Business Unit by March." in text


def test_every_page_names_the_partnership_cycle_version_and_page(this_year):
    reader = PdfReader(io.BytesIO(render(this_year)))

    texts = page_texts(reader)
    assert len(texts) > 6
    for number, text in enumerate(texts, start=1):
        assert "CSAP" in text
        assert "Section 11 audit 2026" in text
        assert "Version 2" in text
        assert f"Page {number} of {len(texts)}" in text
    assert "Page 1 of" in texts[0]
    cover = texts[0]
    assert (
        "Blackburn with Darwen, Blackpool and Lancashire Children's Safeguarding Assurance "
        "Partnership" in cover
    )
    assert "Open from 3 March 2026 to 2 May 2026" in cover
    assert "Generated on 20 November 2026" in cover


def test_contents_gives_the_page_each_section_starts_on(this_year):
    reader = PdfReader(io.BytesIO(render(this_year)))

    listed = dict(re.findall(r"(\d\. [A-Z][A-Za-z :-]+?) \.+ ?(\d+)", page_texts(reader)[1]))
    starts = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in bookmarks(reader.outline)
        if re.match(r"\d\. ", item.title)
    }
    assert len(listed) == 7
    assert {title: int(page) for title, page in listed.items()} == starts
    # The heat map and the appendix are nine areas wide: they are printed landscape.
    landscape = [
        text for page, text in zip(reader.pages, page_texts(reader), strict=True)
        if page.mediabox.width > page.mediabox.height
    ]  # fmt: skip
    assert any("3. Heat map of agencies by area" in text for text in landscape)
    assert any("7. Appendix: returns by agency" in text for text in landscape)


def test_the_pdf_is_tagged_and_declares_pdf_ua(this_year, caplog):
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render(this_year)

    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    assert reader.metadata.title == TITLE
    assert reader.metadata.author.startswith("Blackburn with Darwen")
    # Tables keep their structure, and the chart has a text alternative.
    elements = list(structure_elements(catalog["/StructTreeRoot"]))
    tags = {str(element["/S"]) for element in elements}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= tags
    (figure,) = [element for element in elements if element["/S"] == "/Figure"]
    assert "1. Area 1: self-rated 83% fully compliant" in figure["/Alt"]
    # WeasyPrint logs an error for a missing language, title or alternative text.
    assert [record.getMessage() for record in caplog.records] == []


def test_the_chart_is_vector_not_a_picture(this_year):
    reader = PdfReader(io.BytesIO(render(this_year)))

    subtypes = {s for page in reader.pages for s in xobject_subtypes(page.get("/Resources"))}
    assert "/Image" not in subtypes
    (chart_page,) = [text for text in page_texts(reader) if "Share of ratings in each area" in text]
    # The bars' figures are text on the page, not pixels.
    assert "Self Green 5 Amber 1 83% fully compliant" in chart_page
    assert "83% fully compliant" in chart_page


def test_business_unit_text_is_printed_as_written_never_as_markup(this_year):
    script = "<script>alert(1)</script>"
    themes = f"{script}\n\n<b>Bold claim</b> & <img src=x onerror=alert(2)>"

    html = render_to_string(
        "reports/pdf/section11_summary.html", context_for(this_year, themes=themes)
    )
    text = " ".join(
        page_texts(PdfReader(io.BytesIO(render(this_year, themes=themes, recommendations=script))))
    )

    assert script not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert text.count(script) == 2  # a theme and a recommendation
    assert "<b>Bold claim</b> & <img src=x onerror=alert(2)>" in text


def test_html_to_pdf_never_fetches_over_the_network(caplog):
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>Fetch test</title>'
        '<link rel="stylesheet" href="https://example.com/print.css"></head>'
        '<body><p>Text</p><img src="http://example.com/logo.png" alt="Logo"></body></html>'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)

    assert pdf.startswith(b"%PDF-")
    refused = [r.getMessage() for r in caplog.records if "disallowed protocol" in r.getMessage()]
    assert len(refused) == 2


class Listener:
    """A real HTTP server on the loopback that records every request made of it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                listener.paths.append(self.path)
                body = b'body::before { content: "FETCHED-FROM-THE-NETWORK" }'
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    listening.thread.start()
    yield listening
    listening.server.shutdown()
    listening.server.server_close()


def hostile_text(listener: Listener) -> list[str]:
    return [
        '<img src="file:///etc/passwd" alt="x">',
        f'<link rel="stylesheet" href="{listener.url("/theme.css")}">',
        "<script>document.title = 'Altered'</script>",
    ]


def test_markup_in_stored_text_is_printed_literally_and_fetches_nothing(this_year, listener):
    image, stylesheet, script = hostile_text(listener)
    birch = Organisation.objects.get(name="Birch Council")
    birch.name = f"Birch Council {stylesheet}"
    birch.save()
    event = birch.returns.get(cycle=this_year).challenge
    event.summary = f"Strong leadership. {image}"
    event.save()
    finding = event.findings.exclude(findings="").first()
    finding.findings = script
    finding.save()

    pdf = render(
        this_year,
        title=f"Section 11 summary {script}",
        themes=f"{image}\n\n{stylesheet}",
        recommendations=f"{script}\n{stylesheet}",
    )

    text = " ".join(page_texts(PdfReader(io.BytesIO(pdf))))
    assert listener.paths == []
    assert "root:" not in text  # nothing of /etc/passwd
    assert "FETCHED-FROM-THE-NETWORK" not in text
    assert text.count(image) >= 2  # a theme and the event's summary
    assert text.count(stylesheet) >= 3  # a theme, a recommendation and the agency's name
    assert text.count(script) >= 3  # the title, a recommendation and a finding


def test_the_renderer_reads_only_the_portals_static_files_and_data_uris(
    settings, tmp_path, listener, caplog
):
    static = tmp_path / "static"
    static.mkdir()
    (static / "print.css").write_text('body::before { content: "STATIC-STYLESHEET" }')
    (tmp_path / "secret.css").write_text('body::after { content: "SECRET-FILE" }')
    (static / "escape.css").symlink_to(tmp_path / "secret.css")
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = tmp_path / "collected"
    links = [
        (static / "print.css").as_uri(),
        "data:text/css,body%7Bcolor%3A%23111%7Dp%3A%3Aafter%7Bcontent%3A%22DATA-URI%22%7D",
        (tmp_path / "secret.css").as_uri(),
        f"file://{static}/../secret.css",
        (static / "escape.css").as_uri(),
        "file:///etc/passwd",
        listener.url("/print.css"),
    ]
    html = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>Fetch test</title>'
        + "".join(f'<link rel="stylesheet" href="{link}">' for link in links)
        + '</head><body><p>Text</p><img src="file:///etc/hostname" alt="Host"></body></html>'
    )

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        text = " ".join(page_texts(PdfReader(io.BytesIO(html_to_pdf(html)))))

    assert "STATIC-STYLESHEET" in text
    assert "DATA-URI" in text
    assert "SECRET-FILE" not in text
    assert listener.paths == []
    refused = " ".join(r.getMessage() for r in caplog.records)
    for link in [*links[2:6], "file:///etc/hostname"]:
        assert f"refused {link}: not one of the portal's static files" in refused, link
    assert "disallowed protocol" in refused


# --- The demo partnership ---------------------------------------------------------


def test_the_demo_2022_cycle_renders_with_every_return_and_both_challenge_events(
    settings, private_media
):
    """Slow: loads the whole demo partnership. The only such test in this module."""
    from audits.demo import seed_demo as seed_core
    from section11.demo import CLOSED_CYCLE
    from section11.demo import seed_demo as seed_section11
    from section11.models import ChallengeEvent

    settings.DEBUG = True  # the demo loaders are for development databases only
    seed_core()
    seed_section11()
    cycle = AuditCycle.objects.get(name=CLOSED_CYCLE)

    text = " ".join(page_texts(PdfReader(io.BytesIO(render(cycle, version_number=1)))))

    assert "31 of 31 returns received" in text
    assert "There is no earlier Section 11 cycle to compare with." in text
    challenged = ChallengeEvent.objects.filter(return_obj__cycle=cycle).values_list(
        "return_obj__organisation__name", flat=True
    )
    assert len(challenged) == 2
    for agency in challenged:
        assert f"{agency}, " in text
    assert "9. Information sharing" in text
