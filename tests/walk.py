"""Every page each persona may open, and the forms on them, found from SAMPLES.

tests/test_every_url.py holds one sample per URL pattern of the project (its
test fails when a pattern has none) and says what each persona gets from it.
This module opens, as a persona, every page that persona may read, with a
browser that enforces CSRF as a real one meets it, and reads the forms there:
so a test built on it covers every form, including those added later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import resolve, reverse

from audits.models import User

from .conftest import PERSONAS, PortalClient
from .pages import Field, Form, forms_on
from .test_every_url import OK, SAMPLES, Sample, World

# Public forms are tried as the public sends them; the rest as the first persona allowed.
WHO_FIRST = ["anonymous", *PERSONAS]


def entries(entry: Sample | tuple[Sample, ...]) -> tuple[Sample, ...]:
    return (entry,) if isinstance(entry, Sample) else entry


@dataclass
class Persona:
    """A browser signed in as one persona, and what it found on every page it may open."""

    name: str
    client: PortalClient
    pages: dict[str, str]  # path: html
    forms: list[tuple[str, Form]]  # (the page it is on, the form)


def browse(world: World, name: str, users: dict[str, User]) -> Persona:
    # Signed in as the portal's own test client does, two-factor sign-in included.
    client = PortalClient(enforce_csrf_checks=True)
    if name != "anonymous":
        client.force_login(users[name])
    pages: dict[str, str] = {}
    for view, entry in SAMPLES.items():
        for sample in entries(entry):
            if sample.get[name] != OK:
                continue
            url = reverse(view, kwargs=sample.kwargs(world, world.ours))
            response = client.get(url, follow=True)
            if response.streaming:
                b"".join(response.streaming_content)  # closes the file, as a server would
                continue
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                pages[response.request["PATH_INFO"]] = response.content.decode()
    forms = [(url, form) for url, html in pages.items() for form in forms_on(html, url)]
    return Persona(name, client, pages, forms)


class Browsers:
    """One browser per persona, opened the first time it is needed."""

    def __init__(self, world: World, users: dict[str, User]) -> None:
        self.world, self.users = world, users
        self.opened: dict[str, Persona] = {}

    def __getitem__(self, name: str) -> Persona:
        if name not in self.opened:
            self.opened[name] = browse(self.world, name, self.users)
        return self.opened[name]


@dataclass(frozen=True)
class Target:
    """A URL that takes a POST, the persona who sends it and the form it comes from."""

    view: str
    label: str
    persona: str
    form: Form
    found_on: str  # the page the form is on; empty when no page shows it in this world

    def __str__(self) -> str:
        which = f" ({self.label})" if self.label else ""
        where = f"from {self.found_on}" if self.found_on else "with no page showing it"
        return f"{self.view}{which} as {self.persona}, {where}"


def post_targets(world: World, browsers: Browsers) -> Iterator[Target]:
    """Every URL some persona may POST to, with the form that posts to it.

    The form is read from a page when one shows it (preferring the form for the
    sample's own object); a URL no page offers in this world (a retry button for
    a report that did not fail) gets a form made of its sample's data.
    """
    for view, entry in SAMPLES.items():
        for sample in entries(entry):
            allowed = [p for p in WHO_FIRST if sample.post[p] == OK]
            if not allowed:
                continue
            url = reverse(view, kwargs=sample.kwargs(world, world.ours))
            for persona in allowed:
                found = [
                    (page, form)
                    for page, form in browsers[persona].forms
                    if form.method == "post" and resolve(form.action).view_name == view
                ]
                if found:
                    page, form = next(((p, f) for p, f in found if f.action == url), found[0])
                    yield Target(view, sample.label, persona, form, page)
                    break
            else:
                form = Form("post", url, "multipart/form-data")
                for key, value in sample.data(world, world.ours).items():
                    form.fields[key] = Field(key, "hidden", str(value))
                csrf = browsers[allowed[0]].client.cookies.get("csrftoken")
                if csrf is not None:
                    form.fields["csrfmiddlewaretoken"] = Field(
                        "csrfmiddlewaretoken", "hidden", csrf.value
                    )
                yield Target(view, sample.label, allowed[0], form, "")


def search_forms(browsers: Browsers) -> Iterator[tuple[str, Persona, Form]]:
    """The forms that GET (filters, searches) on every page of every browser opened."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for persona in list(browsers.opened.values()):
        for page, form in persona.forms:
            key = (resolve(form.action).view_name, tuple(sorted(form.fields)))
            if form.method == "get" and key not in seen:
                seen.add(key)
                yield page, persona, form


@pytest.fixture
def users(
    agency_lead: User,
    contributor: User,
    other_agency_lead: User,
    school_lead: User,
    business_unit: User,
    auditor: User,
    executive: User,
    scrutineer: User,
) -> dict[str, User]:
    """The personas by name, the same people the world was built with."""
    people = [agency_lead, contributor, other_agency_lead, school_lead, business_unit, auditor,
              executive, scrutineer]  # fmt: skip
    return dict(zip(PERSONAS, people, strict=True))
