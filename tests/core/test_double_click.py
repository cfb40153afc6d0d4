"""Every button that sends a form by POST is protected from a double click (GOV.UK Frontend's
`data-prevent-double-click`): a second click within a second is ignored, so a slow connection never sends a decision,
an invitation's acceptance or an upload twice. The services answer a repeat anyway; this keeps people from seeing it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
BUTTON = re.compile(r"<button\b[^>]*>", re.I)
# Buttons kept in includes, inside a POST form of the page that includes them.
INCLUDED_BUTTONS = ["stepping_stones/templates/stepping_stones/includes/question_buttons.html"]


def _templates():
    for path in ROOT.rglob("*.html"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "node_modules", "staticfiles", "tests", "bench"}:
            continue
        yield path


def _post_buttons(text: str):
    for attributes, body in FORM.findall(text):
        if re.search(r'method="post"', attributes, re.I):
            yield from (b for b in BUTTON.findall(body) if 'type="submit"' in b)


def test_every_post_button_prevents_a_double_click():
    unprotected = [
        f"{path.relative_to(ROOT)}: {button}"
        for path in _templates()
        for button in _post_buttons(path.read_text())
        if 'data-prevent-double-click="true"' not in button or 'data-module="govuk-button"' not in button
    ]
    for name in INCLUDED_BUTTONS:
        unprotected += [
            f"{name}: {b}" for b in BUTTON.findall((ROOT / name).read_text()) if "data-prevent-double-click" not in b
        ]
    assert not unprotected, "\n".join(unprotected)


def test_the_check_finds_post_forms():
    assert len([b for p in _templates() for b in _post_buttons(p.read_text())]) > 100
