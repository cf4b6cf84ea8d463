"""Report documents rendered to PDF: for now the Section 11 summary for the Board.

Rendering only reads. ``section11_summary_context`` gathers the figures from
the Section 11 selectors (the same ones behind the dashboard, so the report
and the screen never disagree) and shapes them for the template;
``html_to_pdf`` turns the HTML into a tagged PDF/UA-1 file with WeasyPrint.

Nothing is fetched over the network: fonts come from the machine (DejaVu or
Liberation), styles are inline and charts are inline SVG. The URL fetcher takes
``data:`` URIs and the portal's own static files and refuses everything else.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from audits.models import AuditCycle, Rating, Return
from section11.challenges import AreaResult, Collation, challenge_collation
from section11.dashboard import (
    RAG_RATINGS,
    RATING_WORDS,
    AreaFigures,
    CycleDashboard,
    HeatCell,
    HeatMap,
    RatingShares,
    cycle_dashboard,
    heat_map,
    year_on_year,
)
from section11.models import ChallengeRecommendation

PARTNERSHIP_NAME = (
    "Blackburn with Darwen, Blackpool and Lancashire Children's Safeguarding Assurance Partnership"
)
PARTNERSHIP_SHORT_NAME = "CSAP"
# WeasyPrint's accessible variant: tagged structure, document language and
# title, and the pdfuaid identification in the XMP metadata.
PDF_VARIANT = "pdf/ua-1"
LOCAL_SCHEMES = frozenset({"file", "data"})

SECTION11_SECTIONS = (
    ("returns", "Returns received"),
    ("compliance", "Compliance by area"),
    ("heat-map", "Heat map of agencies by area"),
    ("year-on-year", "Change since the last cycle"),
    ("challenge-events", "Challenge events"),
    ("themes", "Themes and recommendations"),
    ("appendix", "Appendix: returns by agency"),
)


def static_roots() -> list[Path]:
    """The folders of the portal's own static files, as shipped and as collected."""
    folders = [settings.STATIC_ROOT]
    for entry in settings.STATICFILES_DIRS:
        folders.append(entry[1] if isinstance(entry, tuple) else entry)
    return [Path(folder).resolve() for folder in folders]


class PortalURLFetcher(URLFetcher):
    """Fetches ``data:`` URIs and the portal's own static files, and nothing else.

    Stored text is escaped, so it cannot add an image or a stylesheet to a report;
    this is the second wall. Were markup ever to get through, it still could not
    make the renderer read a file of the server (a key, /etc/passwd) or contact
    an address on its network.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=LOCAL_SCHEMES, allow_redirects=False)
        self.roots = static_roots()

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url[:5].lower() == "file:" and not self.is_static_file(url):
            raise ValueError(f"refused {url}: not one of the portal's static files")
        return super().fetch(url, headers)

    def is_static_file(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return False  # a file on another machine
        path = Path(url2pathname(parts.path)).resolve()  # no "..", no symbolic link out
        return path.is_file() and any(path.is_relative_to(root) for root in self.roots)


def html_to_pdf(html: str) -> bytes:
    """A tagged PDF/UA-1 document from HTML whose styles and images are all local."""
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=PortalURLFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_section11_summary(
    *,
    cycle: AuditCycle,
    title: str,
    version_number: int,
    themes: str,
    recommendations: str,
    generated_on: datetime.date,
) -> bytes:
    """The Section 11 summary report as a tagged, accessible PDF (PDF/UA-1)."""
    context = section11_summary_context(
        cycle=cycle,
        title=title,
        version_number=version_number,
        themes=themes,
        recommendations=recommendations,
        generated_on=generated_on,
    )
    return html_to_pdf(render_to_string("reports/pdf/section11_summary.html", context))


# --- The Business Unit's text ----------------------------------------------

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# "- ", "* ", "• " or "3. " typed in front of a recommendation: the PDF numbers them itself.
_LIST_MARKER = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")


def paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines; single line breaks are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [part.strip() for part in _BLANK_LINE.split(text) if part.strip()]


def recommendation_lines(text: str) -> list[str]:
    """One recommendation per non-blank line, without any list marker typed before it."""
    lines = (line.strip() for line in text.splitlines())
    return [_LIST_MARKER.sub("", line) for line in lines if line]


# --- Compliance by area ------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    """One area of the framework, numbered as the heat map and appendix columns are."""

    number: int
    code: str
    title: str
    self_ratings: RatingShares
    moderated: RatingShares


def _total(shares: list[RatingShares]) -> RatingShares:
    return RatingShares(
        green=sum(s.green for s in shares),
        amber=sum(s.amber for s in shares),
        red=sum(s.red for s in shares),
        not_applicable=sum(s.not_applicable for s in shares),
    )


def _area_rows(areas: list[AreaFigures]) -> list[AreaRow]:
    return [
        AreaRow(number, area.code, area.title, area.self_ratings, area.moderated)
        for number, area in enumerate(areas, start=1)
    ]


# Bar fills, each paired with a label colour that meets 4.5:1 on it.
BAR_COLOURS = {
    Rating.GREEN: ("#00703c", "#ffffff"),
    Rating.AMBER: ("#ffbf47", "#0b0c0c"),
    Rating.RED: ("#b10e1e", "#ffffff"),
    Rating.NOT_APPLICABLE: ("#505a5f", "#ffffff"),
}

# The chart's geometry, in SVG user units; the SVG is drawn 170 mm wide, so
# one unit is a quarter of a millimetre and text of 11 units prints at 7.8 pt.
CHART_WIDTH = 680
CHART_WIDTH_MM = 170
BAR_X = 80
BAR_WIDTH = 420
BAR_HEIGHT = 16
BAR_GAP = 3
AREA_TITLE_HEIGHT = 16
AREA_GAP = 12
LEGEND_HEIGHT = 30
# A generous width per character of 11-unit DejaVu Sans, and the padding a
# label needs inside its segment: a label that would not fit is left out.
CHARACTER_WIDTH = 7
LABEL_PADDING = 8


def _units(value: Decimal | int) -> str:
    # Formatted here so that the template's localisation cannot write "12,5".
    return f"{Decimal(value):.1f}"


@dataclass(frozen=True)
class ChartSegment:
    word: str
    count: int
    x: str
    width: str
    fill: str
    label: str
    label_x: str
    label_fill: str


@dataclass(frozen=True)
class ChartBar:
    label: str
    y: str
    text_y: str
    segments: list[ChartSegment]
    figure: str


@dataclass(frozen=True)
class ChartArea:
    title: str
    title_y: str
    bars: list[ChartBar]


@dataclass(frozen=True)
class LegendKey:
    word: str
    x: str
    text_x: str
    fill: str


@dataclass(frozen=True)
class ComplianceChart:
    """A horizontal stacked bar per area and view, laid out for inline SVG."""

    width: int
    height: int
    height_mm: str
    areas: list[ChartArea]
    legend: list[LegendKey]
    legend_y: str
    legend_text_y: str
    description: str
    bar_x: str
    bar_width: str
    bar_height: str
    text_x: str


def _fully_compliant_text(shares: RatingShares) -> str:
    if not shares.rated:
        return "No rated answers"
    if shares.fully_compliant is None:
        return "No Green, Amber or Red ratings"
    return f"{shares.fully_compliant}% fully compliant"


def _segment_label(word: str, count: int, width: Decimal) -> str:
    """The segment's label: its word and count if they fit inside it, else the count, else none."""
    for label in (f"{word} {count}", str(count)):
        if len(label) * CHARACTER_WIDTH + LABEL_PADDING <= width:
            return label
    return ""


def _chart_segments(shares: RatingShares) -> list[ChartSegment]:
    segments = []
    x = Decimal(BAR_X)
    for share in shares.breakdown:
        if not share.count:
            continue
        width = Decimal(share.count * BAR_WIDTH) / Decimal(shares.rated)
        fill, label_fill = BAR_COLOURS[Rating(share.rating)]
        label = _segment_label(share.word, share.count, width)
        segments.append(
            ChartSegment(
                word=share.word,
                count=share.count,
                x=_units(x),
                width=_units(width),
                fill=fill,
                label=label,
                label_x=_units(x + 4),
                label_fill=label_fill,
            )
        )
        x += width
    return segments


def compliance_chart(areas: list[AreaRow]) -> ComplianceChart:
    """Self and moderated rating shares of every area as bars, with their figures as text."""
    legend = []
    x = BAR_X
    for rating in RAG_RATINGS:
        legend.append(LegendKey(RATING_WORDS[rating], str(x), str(x + 16), BAR_COLOURS[rating][0]))
        x += 90
    y = LEGEND_HEIGHT
    chart_areas = []
    for area in areas:
        title_y = y + AREA_TITLE_HEIGHT - 4
        y += AREA_TITLE_HEIGHT
        bars = []
        for label, shares in (("Self", area.self_ratings), ("Moderated", area.moderated)):
            bars.append(
                ChartBar(
                    label=label,
                    y=str(y),
                    text_y=str(y + BAR_HEIGHT - 4),
                    segments=_chart_segments(shares),
                    figure=_fully_compliant_text(shares),
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        chart_areas.append(ChartArea(f"{area.number}. {area.title}", str(title_y), bars))
        y += AREA_GAP
    description = "Share of Green, Amber, Red and N/A ratings by area. " + " ".join(
        f"{area.number}. {area.title}: self-rated {_fully_compliant_text(area.self_ratings)}, "
        f"moderated {_fully_compliant_text(area.moderated)}."
        for area in areas
    )
    return ComplianceChart(
        width=CHART_WIDTH,
        height=y,
        height_mm=_units(Decimal(y * CHART_WIDTH_MM) / CHART_WIDTH),
        areas=chart_areas,
        legend=legend,
        legend_y="4",
        legend_text_y="15",
        description=description,
        bar_x=str(BAR_X),
        bar_width=str(BAR_WIDTH),
        bar_height=str(BAR_HEIGHT),
        text_x=str(BAR_X + BAR_WIDTH + 8),
    )


# --- Year on year ------------------------------------------------------------


@dataclass(frozen=True)
class YearOnYearRow:
    number: int
    title: str
    self_then: int | None
    self_now: int | None
    self_change: str
    moderated_then: int | None
    moderated_now: int | None
    moderated_change: str


def _year_on_year_rows(cycle: AuditCycle) -> tuple[AuditCycle | None, list[YearOnYearRow]]:
    own, moderated = year_on_year(cycle), year_on_year(cycle, moderated=True)
    if own is None or moderated is None:
        return None, []
    rows = [
        YearOnYearRow(
            number=number,
            title=s.title,
            self_then=s.then,
            self_now=s.now,
            self_change=s.change_text,
            moderated_then=m.then,
            moderated_now=m.now,
            moderated_change=m.change_text,
        )
        for number, (s, m) in enumerate(zip(own.areas, moderated.areas, strict=True), start=1)
    ]
    return own.previous, rows


# --- Challenge events --------------------------------------------------------


def rating_word(rating: str) -> str:
    """One word for a rating ("Green"), or "None" when the area has no rating."""
    if not rating:
        return "None"
    value = Rating(rating)
    return RATING_WORDS.get(value, str(value.label))


@dataclass(frozen=True)
class ChallengeAreaRow:
    number: int
    title: str
    self_rating: str
    outcome: str
    rating_after: str
    findings: str


def _challenge_area_row(number: int, area: AreaResult) -> ChallengeAreaRow:
    finding = area.finding
    if finding is None:
        outcome, after, findings = "Not yet recorded", "", ""
    else:
        outcome = str(finding.get_outcome_display())
        if area.direction:
            outcome = f"{outcome} {area.direction}"
        after, findings = rating_word(area.rating_after), finding.findings
    return ChallengeAreaRow(
        number=number,
        title=area.standard.title,
        self_rating=rating_word(area.self_rating),
        outcome=outcome,
        rating_after=after,
        findings=findings,
    )


@dataclass(frozen=True)
class ChallengeEventSummary:
    agency: str
    held_on: datetime.date
    summary: str
    panel: list[str]
    areas: list[ChallengeAreaRow]
    recommendations: list[ChallengeRecommendation]


def _challenge_events(collation: Collation, numbers: dict[str, int]) -> list[ChallengeEventSummary]:
    events = []
    for record in collation.events:
        panel = [
            ", ".join(
                part
                for part in (member.name, member.organisation_name, member.get_role_display())
                if part
            )
            for member in record.panel
        ]
        areas = sorted(
            (_challenge_area_row(numbers.get(a.standard.code, 0), a) for a in record.areas),
            key=lambda row: row.number,
        )
        events.append(
            ChallengeEventSummary(
                agency=record.event.return_obj.organisation.name,
                held_on=record.event.held_on,
                summary=record.event.summary,
                panel=panel,
                areas=areas,
                recommendations=record.recommendations,
            )
        )
    return events


# --- Heat map and appendix ---------------------------------------------------


@dataclass(frozen=True)
class HeatRow:
    agency: str
    note: str  # Why a row has no ratings: an S-CAT/SAF equivalent, or not received.
    cells: list[HeatCell]


@dataclass(frozen=True)
class AppendixRow(HeatRow):
    status: str
    open_actions: int
    overdue_actions: int


def _heat_rows(heat: HeatMap) -> list[HeatRow]:
    return [
        HeatRow(row.agency, f"{row.equivalent}: no ratings" if row.equivalent else "", row.cells)
        for row in heat.rows
    ]


def _appendix_rows(cycle: AuditCycle, own: HeatMap, figures: CycleDashboard) -> list[AppendixRow]:
    """Every return of the cycle, received or not, with its self-ratings and open actions."""
    received = {row.agency: row for row in own.rows}
    actions = {item.agency: item for item in figures.actions_by_agency}
    rows = []
    returns = Return.objects.filter(cycle=cycle).select_related("organisation")
    for return_obj in returns.order_by("organisation__name"):
        name = return_obj.organisation.name
        heat_row = received.get(name)
        cells: list[HeatCell] = []
        if heat_row is None:
            note = "Not received: no ratings"
        elif heat_row.equivalent:
            note = f"{heat_row.equivalent}: no ratings"
        else:
            note, cells = "", heat_row.cells
        agency_actions = actions.get(name)
        rows.append(
            AppendixRow(
                agency=name,
                note=note,
                cells=cells,
                status=str(return_obj.get_status_display()),
                open_actions=agency_actions.open if agency_actions else 0,
                overdue_actions=agency_actions.overdue if agency_actions else 0,
            )
        )
    return rows


# --- The whole report --------------------------------------------------------


def section11_summary_context(
    *,
    cycle: AuditCycle,
    title: str,
    version_number: int,
    themes: str,
    recommendations: str,
    generated_on: datetime.date,
) -> dict[str, Any]:
    """Everything the Section 11 summary template shows, worked out from the database.

    Only reads. Actions are counted as overdue on ``generated_on``, so a version
    renders the same figures whenever it is rendered again.
    """
    figures = cycle_dashboard(cycle, today=generated_on)
    areas = _area_rows(figures.areas)
    numbers = {area.code: area.number for area in areas}
    # The heat map shows the ratings as moderated by the Business Unit; the
    # appendix gives each agency's own ratings, so the Board sees both.
    moderated_heat = heat_map(cycle, moderated=True)
    own_heat = heat_map(cycle)
    previous, change_rows = _year_on_year_rows(cycle)
    collation = challenge_collation(cycle)
    return {
        "partnership_name": PARTNERSHIP_NAME,
        "partnership_short_name": PARTNERSHIP_SHORT_NAME,
        "title": title,
        "version_number": version_number,
        "generated_on": generated_on,
        "cycle": cycle,
        "framework": cycle.framework,
        "sections": SECTION11_SECTIONS,
        "figures": figures,
        "areas": areas,
        "overall": {
            "self_ratings": _total([a.self_ratings for a in areas]),
            "moderated": _total([a.moderated for a in areas]),
        },
        "chart": compliance_chart(areas),
        "heat_map_rows": _heat_rows(moderated_heat),
        "previous_cycle": previous,
        "year_on_year": change_rows,
        "challenge_events": _challenge_events(collation, numbers),
        "challenge_areas": [
            (numbers.get(summary.standard.code, 0), summary)
            for summary in sorted(collation.areas, key=lambda s: numbers.get(s.standard.code, 0))
        ],
        "themes": paragraphs(themes),
        "recommendations": recommendation_lines(recommendations),
        "appendix": _appendix_rows(cycle, own_heat, figures),
    }
