"""Reading the portal's pages as a browser would: their forms, and any live markup.

``forms_on`` lists the forms of a page with every field a browser would send
(hidden fields and the CSRF token included), so that tests can fill them in as
a person would. ``live_markup`` lists what on a page could run script, which
the portal never writes itself: inline scripts, event-handler attributes,
``javascript:`` links and the like. Text a person typed that shows up there
was not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# Input types whose value is typed rather than chosen.
TEXT_TYPES = frozenset({"text", "search", "email", "url", "tel", "password", ""})
CHOSEN_TYPES = frozenset({"radio", "checkbox"})
BUTTON_TYPES = frozenset({"submit", "image"})
IGNORED_TYPES = frozenset({"button", "reset"})


@dataclass
class Field:
    """One name a form sends: a typed value, or a choice among options."""

    name: str
    kind: str  # the input type, or "textarea" or "select"
    value: str = ""  # what the page fills in (or the first checked option)
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    multiple: bool = False
    max_length: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)  # of its (first) element


@dataclass
class Form:
    method: str
    action: str  # a path, resolved against the page's own
    enctype: str
    fields: dict[str, Field] = field(default_factory=dict)

    def defaults(self) -> dict[str, str | list[str]]:
        """What the form sends if the person changes nothing and presses its first button."""
        data: dict[str, str | list[str]] = {}
        pressed = False
        for item in self.fields.values():
            if item.kind in BUTTON_TYPES:
                if not pressed:
                    data[item.name] = item.value
                    pressed = True
            elif item.kind == "checkbox":
                if item.checked:
                    data[item.name] = list(item.checked)
            elif item.kind == "radio":
                if item.checked:
                    data[item.name] = item.checked[0]
            elif item.kind == "select":
                if item.multiple:
                    data[item.name] = list(item.checked)
                else:
                    data[item.name] = item.checked[0] if item.checked else item.value
            elif item.kind != "file":
                data[item.name] = item.value
        return data


class _FormReader(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._text: list[str] = []

    def _add(self, item: Field) -> None:
        assert self._form is not None
        existing = self._form.fields.get(item.name)
        if existing is None:
            self._form.fields[item.name] = item
        elif item.kind in CHOSEN_TYPES:
            existing.options.extend(item.options)
            existing.checked.extend(item.checked)
            existing.multiple = existing.multiple or item.kind == "checkbox"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=urlsplit(action)._replace(scheme="", netloc="", fragment="").geturl(),
                enctype=a.get("enctype", "application/x-www-form-urlencoded"),
            )
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in a or "disabled" in a:
            if tag == "option" and self._select is not None:
                self._option = (a.get("value"), "selected" in a)
                self._text = []
            return
        name = a["name"]
        max_length = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in IGNORED_TYPES:
                return
            if kind in CHOSEN_TYPES:
                value = a.get("value", "on")
                checked = [value] if "checked" in a else []
                self._add(Field(name, kind, value, [value], checked, kind == "checkbox", attrs=a))
            else:
                self._add(Field(name, kind, a.get("value", ""), max_length=max_length, attrs=a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._add(Field(name, "submit", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", max_length=max_length, attrs=a)
            self._text = []
        elif tag == "select":
            self._select = Field(name, "select", multiple="multiple" in a, attrs=a)
            self._add(self._select)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows the opening tag.
            text = "".join(self._text)
            self._textarea.value = text[1:] if text.startswith("\n") else text
            self._add(self._textarea)
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            value = "".join(self._text).strip() if value is None else value
            self._select.options.append(value)
            if selected:
                self._select.checked.append(value)
            self._option = None
        elif tag == "select":
            if self._select is not None and not self._select.checked and self._select.options:
                self._select.value = self._select.options[0]
            self._select = None


def forms_on(html: str, page_url: str) -> list[Form]:
    """Every form of the page, with the fields a browser would send from it."""
    reader = _FormReader(page_url)
    reader.feed(html)
    reader.close()
    return reader.forms


# --- Live markup ----------------------------------------------------------------

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster"})
RUNNABLE_ELEMENTS = frozenset({"iframe", "frame", "object", "embed", "base", "applet", "style"})
# Browsers ignore control characters and spaces before a URL's scheme.
_SCHEME = re.compile(r"^[\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript"})


class _MarkupReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append(f"an inline <script> ({self.getpos()})")
        if tag in RUNNABLE_ELEMENTS:
            self.found.append(f"a <{tag}> element ({self.getpos()})")
        if tag == "meta" and "http-equiv" in names:
            self.found.append(f"a <meta http-equiv> ({self.getpos()})")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}> ({self.getpos()})")
            elif name == "style":
                self.found.append(f"<{tag} style={value!r}> ({self.getpos()})")
            elif name in URL_ATTRIBUTES and value:
                scheme = _SCHEME.match(value)
                if scheme and scheme.group(1).lower() in _DANGEROUS_SCHEMES:
                    self.found.append(f"<{tag} {name}={value!r}> ({self.getpos()})")
                if tag == "script" and name == "src" and not value.startswith("/static/"):
                    self.found.append(f"a <script> from {value!r} ({self.getpos()})")


def live_markup(html: str) -> list[str]:
    """Whatever on the page could run script or change how it loads. The portal writes
    none of it (its Content Security Policy would block it), so anything listed came
    from stored or submitted text that was not escaped."""
    reader = _MarkupReader()
    reader.feed(html)
    reader.close()
    return reader.found
