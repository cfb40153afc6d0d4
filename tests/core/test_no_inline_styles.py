"""No inline styles or scripts in any page template: the Content Security Policy blocks them (style-src 'self';
script-src 'self' plus the nonce). Email templates are not pages (mail clients need inline styles)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*nonce=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"""\son(click|load|change|submit|input|error)\s*=\s*["']""", re.I)


def page_templates():
    for path in ROOT.glob("*/templates/**/*.html"):
        if "emails" in path.relative_to(ROOT).parts or ".venv" in path.parts or "node_modules" in path.parts:
            continue
        yield path


def test_page_templates_have_no_inline_styles_or_scripts():
    found = []
    for path in page_templates():
        text = path.read_text()
        for pattern, what in (
            (STYLE_ATTRIBUTE, "style attribute"),
            (STYLE_ELEMENT, "style element"),
            (INLINE_SCRIPT, "script without src or nonce"),
            (EVENT_HANDLER, "inline event handler"),
        ):
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert len(list(page_templates())) > 100
    assert not found, "\n".join(found)
