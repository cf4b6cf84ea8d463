"""Bad input, in every form of the portal: never a 500, always a clear message, and
what people type is never turned into markup that runs.

The forms are found, not listed. For every URL that tests/test_every_url.py's
SAMPLES says some persona may POST to, the fuzzer signs in as that persona,
opens every page the persona may open, reads the forms whose action is that
URL (hidden fields and the CSRF token included, with CSRF checks on) and posts
hypothesis-generated values into them: very long text, control characters,
every kind of Unicode, HTML and script, and numbers, dates and choices out of
range. A new page or form is fuzzed as soon as its URL has its sample.

Each example runs in a savepoint that is rolled back, so examples do not build
on one another and a run is the same every time (derandomised, no example
database).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from audits.evidence import MAX_EVIDENCE_BYTES
from audits.models import Criterion, Organisation, Return, User

from .factories import open_cycle
from .pages import BUTTON_TYPES, TEXT_TYPES, Field, Form, forms_on, live_markup
from .test_every_url import World, world
from .walk import Browsers, post_targets, search_forms, users

pytestmark = pytest.mark.django_db

__all__ = ["users", "world"]  # fixtures shared with test_every_url and walk

# A dozen examples a form keeps the whole run near a minute. No shrinking: a failure
# is reported as found, so that a run with several failing forms stays short too.
FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)

# --- What a hostile or careless person types -------------------------------------

MARK = "csapfuzz"
PAYLOADS = (
    f"<script>{MARK}(1)</script>",
    f'<img src="x" onerror="{MARK}(2)">',
    f'"><svg onload={MARK}(3)>',
    f"javascript:{MARK}(4)",
    f"</textarea><script>{MARK}(5)</script>",
    f"'><a href='javascript:{MARK}(6)'>details</a>",
    f'<link rel="stylesheet" href="http://127.0.0.1:9/{MARK}.css">',
    "{{ request }}{% debug %}",
    '=HYPERLINK("http://attacker.example/","Click")',
    "<i onclick=x>",  # short enough for a code
)
ODD_CHARACTERS = (
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\r", "\n", "\r\n",
    "\t", "\u2028", "\u2029", "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\u2060",
    "\ufeff", "\ufffd", "\uffff", "e\u0301\u0302\u0303", "Z\u0336\u0337",
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",
    "\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001d54f", "\U0010fffd", "\ufdfa", "\u0130", "\u216b",
    "\u0663", "\u00b9", "  ",
)  # fmt: skip
# Every character the test client can send: it encodes UTF-8, which has no surrogates.
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
LONG_TEXT = st.sampled_from(["x", "\u00e9", "\U0001f600", "\x00", *PAYLOADS]).map(
    lambda unit: unit * (100_001 // len(unit) + 1)
)
TEXT = st.one_of(
    st.sampled_from(PAYLOADS),
    st.lists(
        st.one_of(
            st.sampled_from(PAYLOADS),
            st.sampled_from(ODD_CHARACTERS),
            st.text(ANY_CHARACTER, max_size=20),
        ),
        min_size=1,
        max_size=6,
    ).map("".join),
    st.text(ANY_CHARACTER, max_size=300),
    LONG_TEXT,
    st.sampled_from(["", " ", "\r\n"]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(
        [
            "-1",
            "0",
            "2147483648",
            "9223372036854775808",
            "1e309",
            "NaN",
            "-0",
            "1.5",
            "0x10",
            "\u0663",
            "9" * 5000,
        ]
    ),
    TEXT,
)
DATES = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "2023-02-29",
            "2024-02-30",
            "2024-13-01",
            "10000-01-01",
            "-2024-01-01",
            "31/12/9999",
            "00/00/0000",
            "today",
        ]
    ),
    TEXT,
)
OUT_OF_RANGE = st.one_of(
    st.sampled_from(["", "0", "-1", "999999999", "9" * 30, "1.0", "None", "null", "[]"]), TEXT
)
FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "minutes.pdf",
            "policy.docx",
            "run.exe",
            ".pdf",
            "a" * 300 + ".pdf",
            "../../etc/passwd",
            'say "hi".pdf',
            "new\r\nline.pdf",
        ]
    ),
    st.text(ANY_CHARACTER, min_size=1, max_size=40),
)
FILE_CONTENTS = st.one_of(
    st.sampled_from([b"%PDF-1.7\n", b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]),
    st.binary(max_size=2000),
    st.sampled_from(PAYLOADS).map(str.encode),
)


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


FILES = st.builds(_upload, FILE_NAMES, FILE_CONTENTS)


def plausible_values(item: Field) -> st.SearchStrategy[object]:
    """Something the form would accept, so that examples also get as far as being saved.
    Typed text is plain or markup: markup must be stored as typed and shown escaped."""
    if item.kind == "email":
        return st.just("new.person@test.csap.example")
    if item.kind == "password":
        return st.just("quiet-harbour-lantern-7")
    if item.kind in TEXT_TYPES or item.kind == "textarea":
        room = item.max_length or 100_000
        plain = item.value or "Reviewed by the board in March."[:room]
        return st.one_of(st.just(plain), st.sampled_from([p for p in PAYLOADS if len(p) <= room]))
    if item.kind == "date":
        return st.just((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    if item.kind == "file":
        return st.just(None) | st.builds(_upload, st.just("minutes.pdf"), st.just(b"%PDF-1.7\n"))
    chosen = [o for o in item.options if o]
    if item.kind in ("select", "radio", "checkbox") and chosen:
        if item.multiple:
            return st.lists(st.sampled_from(chosen), min_size=1, max_size=3, unique=True)
        return st.sampled_from(chosen)
    return st.just(item.value)


def hostile_values(item: Field) -> st.SearchStrategy[object]:
    """Something no form offers: hostile or careless text, and values out of range."""
    if item.kind in TEXT_TYPES or item.kind == "textarea":
        return TEXT
    if item.kind == "number":
        return NUMBERS
    if item.kind == "date":
        return DATES
    if item.kind == "file":
        return FILES
    if item.multiple:
        return st.lists(OUT_OF_RANGE, min_size=1, max_size=4)
    if item.kind in ("select", "radio", "checkbox"):
        return OUT_OF_RANGE
    # Hidden fields: revisions, ids, the page to go back to.
    return st.one_of(NUMBERS, OUT_OF_RANGE)


def field_values(item: Field) -> st.SearchStrategy[object]:
    if item.name == "csrfmiddlewaretoken" or item.kind in BUTTON_TYPES:
        return st.just(item.value)
    return st.one_of(plausible_values(item), hostile_values(item))


def form_values(form: Form) -> st.SearchStrategy[dict[str, object]]:
    return st.fixed_dictionaries({name: field_values(f) for name, f in form.fields.items()})


# --- Sending and judging -------------------------------------------------------------


def send(client: Client, form: Form, values: dict[str, object]) -> HttpResponse:
    """Post as a browser would: multipart when the form says so, else URL-encoded."""
    data = {k: v for k, v in values.items() if v is not None}
    if form.method == "get":
        return client.get(form.action, data)
    if form.enctype == "multipart/form-data":
        return client.post(form.action, data)
    body = urlencode(data, doseq=True)
    return client.post(form.action, body, content_type="application/x-www-form-urlencoded")


# Pages that are themselves the message: the error pages and the sign-in lockout.
ERROR_PAGES = {403, 404, 413, 429}


def shows_a_message(html: str) -> bool:
    return any(
        sign in html
        for sign in ("data-error-summary", "invalid-feedback", "alert-danger", 'role="alert"')
    )


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def lost_text(form: Form, values: dict[str, object], html: str, url: str) -> list[str]:
    """Typed text the page sent back without, where it shows the same form again."""
    again = [f for f in forms_on(html, url) if f.action == form.action]
    if not again:
        return []
    # Of several such forms (one per answer), the one for the same thing: its hidden fields.
    hidden = {n: v for n, v in values.items() if form.fields[n].kind == "hidden"}
    hidden.pop("csrfmiddlewaretoken", None)
    same = [
        f for f in again if all(n in f.fields and f.fields[n].value == v for n, v in hidden.items())
    ]
    shown = (same or again)[0]
    lost = []
    for name, value in values.items():
        item = form.fields[name]
        returned = shown.fields.get(name)
        typed = item.kind in TEXT_TYPES - {"password"} or item.kind == "textarea"
        # Whitespace alone is nothing typed (crispy collapses it between tags).
        if (
            typed
            and isinstance(value, str)
            and value.strip()
            and returned is not None
            and _normal(returned.value) != _normal(value)
        ):
            lost.append(f"{name}: sent {value[:80]!r}, shown {returned.value[:80]!r}")
    return lost


def what_went_wrong(
    form: Form, values: dict[str, object], response: HttpResponse, *, shown: bool = True
) -> list[str]:
    """Empty if the answer is right; ``shown`` is False for a form no page offers, whose
    refusal has no form to be shown beside."""
    status = response.status_code
    if status >= 500:
        return [f"answered {status}"]
    content_type = response.get("Content-Type", "")
    if response.streaming or "html" not in content_type or status in (301, 302, 303):
        return []
    html = response.content.decode()
    problems = [f"live markup: {found}" for found in live_markup(html)]
    if shown and form.method == "post" and status not in ERROR_PAGES and not shows_a_message(html):
        problems.append(f"answered {status} with a page that shows no message")
    if form.method == "post" and status in (200, 400, 409):
        problems += [
            f"lost what was typed: {x}" for x in lost_text(form, values, html, form.action)
        ]
    return problems


def fuzz(client: Client, form: Form, failures: list[str], what: str, *, shown: bool = True) -> None:
    """Send generated values into one form, each example in a savepoint rolled back after.
    A form's failure is added to ``failures`` so that one run reports every form's."""

    @FUZZ
    @given(values=form_values(form))
    def one_example(values: dict[str, object]) -> None:
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                response = send(client, form, values)
                problems = what_went_wrong(form, values, response, shown=shown)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies  # a sign-out or sign-in in the example is undone too
        assert not problems, "\n".join(problems)

    try:
        one_example()
    except Exception as error:
        notes = "\n".join(getattr(error, "__notes__", []))[:3000]
        failures.append(f"{what}: {type(error).__name__}: {error}\n{notes}")


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_every_form_answers_anything_typed_into_it_with_a_page_not_an_error(
    world: World, users: dict[str, User]
):
    started = time.monotonic()
    browsers = Browsers(world, users)
    targets = list(post_targets(world, browsers))
    failures: list[str] = []
    for target in targets:
        client = browsers[target.persona].client
        fuzz(client, target.form, failures, str(target), shown=bool(target.found_on))
    searches = list(search_forms(browsers))
    for page, persona, form in searches:
        fuzz(persona.client, form, failures, f"search form on {page} as {persona.name}")
    # Run with -s to see it: the brief for this suite is well under two minutes.
    took = time.monotonic() - started
    print(f"fuzzed {len(targets)} forms and {len(searches)} search forms in {took:.0f}s")
    assert not failures, "\n\n".join(failures)


def test_every_file_input_checks_the_size_of_a_file_as_soon_as_it_is_chosen(
    world: World, users: dict[str, User]
):
    """static/js/file-size.js reads the limit from data-max-bytes on each file input."""
    browsers = Browsers(world, users)
    file_inputs = [
        (page, name, item)
        for target in post_targets(world, browsers)
        for page, form in browsers[target.persona].forms
        for name, item in form.fields.items()
        if item.kind == "file"
    ]
    assert file_inputs, "no page showed a file input"
    for page, name, item in file_inputs:
        assert item.attrs.get("data-max-bytes") == str(MAX_EVIDENCE_BYTES), (page, name)


# --- Stored text is shown as text ------------------------------------------------------

PLANTED = (
    '<script>csapplanted()</script><img src="x" onerror="csapplanted()">'
    '<a href="javascript:csapplanted()">details</a>'
)
SHORT_PLANTED = "<i onclick=x>"  # for a field too short for the whole payload
SHOWN_ESCAPED = escape("<script>csapplanted()</script>")


def planted_values(form: Form) -> dict[str, object]:
    """The form filled in to be accepted, with the payload in every field a person types."""
    values: dict[str, object] = dict(form.defaults())
    for name, item in form.fields.items():
        if item.kind == "email":
            values[name] = "planted.person@test.csap.example"
        elif item.kind == "password":
            values[name] = "quiet-harbour-lantern-7"
        elif item.kind in TEXT_TYPES or item.kind == "textarea":
            fits = len(PLANTED) <= (item.max_length or len(PLANTED))
            values[name] = PLANTED if fits else SHORT_PLANTED
        elif item.kind == "date":
            values[name] = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        elif item.kind == "file":
            values[name] = _upload(f"{SHORT_PLANTED}minutes.pdf", b"%PDF-1.7\n")
        elif item.kind in ("select", "radio", "checkbox") and not values.get(name):
            chosen = [o for o in item.options if o]
            if chosen:
                values[name] = chosen[:1] if item.multiple else chosen[0]
    return values


# The pages that show what people wrote, and what of it each shows.
SHOWS_STORED_TEXT = [
    "section11:return_overview",  # the agency's name
    "section11:return_area",  # narratives and actions
    "section11:return_review",  # narratives, comments, moderation notes
    "audits:return_detail",
    "audits:return_history",
    "section11:challenge_detail",  # summary, findings, panel, recommendations
    "section11:cycle_dashboard",  # agency names
    "section11:cycle_tracker",
    "audits:action_list",
    "audits:action_detail",  # progress notes
    "reports:report_detail",  # the report's title, themes and recommendations
]


def test_markup_stored_through_every_form_is_shown_as_text_on_every_page(
    world: World, users: dict[str, User]
):
    typed_in = Browsers(world, users)
    for target in post_targets(world, typed_in):
        typed = [f for f in target.form.fields.values() if f.kind in TEXT_TYPES | {"textarea"}]
        if target.found_on and typed:
            send(typed_in[target.persona].client, target.form, planted_values(target.form))
    # Names come from the admin and the schools' register: stored text all the same.
    world.ours.draft.organisation.name = PLANTED
    world.ours.draft.organisation.save()
    users["agency_lead"].full_name = PLANTED
    users["agency_lead"].save()

    read = Browsers(world, users)
    shown_on: set[str] = set()
    problems = []
    for persona in ("agency_lead", "business_unit", "executive", "scrutineer"):
        for page, html in read[persona].pages.items():
            problems += [f"{page} as {persona}: {found}" for found in live_markup(html)]
            if SHOWN_ESCAPED in html:
                shown_on.add(resolve(page).view_name)
    assert not problems, "\n".join(problems)
    assert set(SHOWS_STORED_TEXT) <= shown_on, set(SHOWS_STORED_TEXT) - shown_on


# Django sends this one as the plain-text body of the reset email, not as HTML.
PLAIN_TEXT_TEMPLATES = {"registration/password_reset_email.html"}
# The one piece of markup the portal makes itself: the QR code segno draws for an
# authenticator app, only paths and rectangles, from the device's own key.
MARKS_ITS_OWN_MARKUP = {"accounts/views.py"}
UNESCAPED = re.compile(r"\|\s*safe(seq)?\b|autoescape\s+off|mark_safe|SafeString")


def project_code(root: Path) -> list[Path]:
    """The Python files of every app of the project's own (not installed packages)."""
    folders = {Path(config.path) for config in django_apps.get_app_configs()}
    folders.add(root / "csap_portal")
    return [
        path
        for folder in folders
        # A virtual environment inside the checkout holds installed packages too.
        if folder.is_relative_to(root) and "site-packages" not in folder.parts
        for path in folder.rglob("*.py")
    ]


def test_no_page_or_report_template_turns_escaping_off():
    """Every page and PDF is escaped by Django's templates; nothing is marked safe."""
    root = Path(django_settings.BASE_DIR)
    templates = [
        path
        for path in (root / "templates").rglob("*.html")
        if path.relative_to(root / "templates").as_posix() not in PLAIN_TEXT_TEMPLATES
    ]
    code = [
        path
        for path in project_code(root)
        if path.relative_to(root).as_posix() not in MARKS_ITS_OWN_MARKUP
    ]
    assert {"accounts", "audits", "section11", "reports"} <= {
        path.relative_to(root).parts[0] for path in code
    }
    assert len(templates) > 50
    offenders = [
        path.relative_to(root).as_posix()
        for path in [*templates, *code]
        if "migrations" not in path.parts and UNESCAPED.search(path.read_text())
    ]
    assert offenders == []


# --- The autosave endpoint, sent what no browser would --------------------------------

AUTOSAVE_HEADERS = {"X-Autosave": "1", "Accept": "application/json"}


@dataclass
class Answer:
    url: str
    prefix: str
    return_obj: Return
    criterion: Criterion


@pytest.fixture
def answer(agency: Organisation, agency_lead: User) -> Answer:
    cycle = open_cycle(agency)
    criterion = Criterion.objects.filter(standard__framework=cycle.framework).first()
    return_obj = cycle.returns.get()
    url = reverse("section11:response_save", args=[return_obj.pk, criterion.pk])
    return Answer(url, f"c{criterion.pk}", return_obj, criterion)


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: object) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def form_body(prefix: str, **fields: object) -> bytes:
    return urlencode({f"{prefix}-{k}": v for k, v in fields.items()}, doseq=True).encode()


BAD_BODIES = {
    "malformed JSON": (lambda p: b'{"narrative": "half', "application/json", 400),
    "JSON, not a form": (
        lambda p: json.dumps({f"{p}-rating": "green", f"{p}-revision": 0}).encode(),
        "application/json",
        400,
    ),
    "wrong types": (
        lambda p: form_body(p, rating="purple", revision="abc", narrative="x"),
        "application/x-www-form-urlencoded",
        400,
    ),
    "a negative revision": (
        lambda p: form_body(p, rating="green", revision="-1"),
        "application/x-www-form-urlencoded",
        400,
    ),
    "a revision of 5,000 digits": (
        lambda p: form_body(p, rating="green", revision="9" * 5000),
        "application/x-www-form-urlencoded",
        400,
    ),
    "a revision from the future": (
        lambda p: form_body(p, rating="green", revision=str(10**30)),
        "application/x-www-form-urlencoded",
        409,
    ),
    "a NUL in the narrative": (
        lambda p: form_body(p, rating="green", revision="0", narrative="In\x00place"),
        "application/x-www-form-urlencoded",
        400,
    ),
    "bytes that are not UTF-8": (
        lambda p: f"{p}-narrative=".encode() + b"\xff\xfe\xfd",
        "application/x-www-form-urlencoded",
        400,
    ),
    "multipart with no boundary": (lambda p: b"--x\r\nbroken", "multipart/form-data", 400),
    "broken multipart": (
        lambda p: b"--x\r\nContent-Disposition: form-data; name=\r\n\r\n",
        "multipart/form-data; boundary=x",
        400,
    ),
    "more text than the portal accepts": (
        lambda p: form_body(p, rating="green", revision="0", narrative="x" * 3_000_000),
        "application/x-www-form-urlencoded",
        413,
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_the_autosave_endpoint_answers_bad_bodies_with_a_message_it_can_show(
    as_persona, answer, case
):
    body, content_type, status = BAD_BODIES[case]
    response = as_persona("agency_lead").generic(
        "POST", answer.url, body(answer.prefix), content_type=content_type, headers=AUTOSAVE_HEADERS
    )

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    reply = response.json()
    if status == 409:
        assert "saved a different answer to" in reply["message"]
    else:
        assert reply["status"] == "invalid"
        messages = [m for errors in reply["errors"].values() for m in errors]
        assert messages
        assert all(isinstance(m, str) and m for m in messages)
    assert not answer.return_obj.responses.exclude(revision=0).exists()


def test_the_autosave_endpoint_refuses_a_huge_body_before_reading_it(as_persona, answer):
    response = as_persona("agency_lead").generic(
        "POST",
        answer.url,
        content_type="application/x-www-form-urlencoded",
        headers=AUTOSAVE_HEADERS,
        CONTENT_LENGTH=str(200 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "documents of up to 20 MB" in response.json()["errors"]["__all__"][0]
