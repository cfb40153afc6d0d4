"""Every GET form (a filter or a search) has autocomplete="off". A page from such a form shows what its URL asked for;
on Back, Chromium put into the boxes what the person had typed on that page before submitting again, so a page said
"Submitted to must be a real date" above a real date (found walking the wand queue; the browser journey in
tests/browser/test_fit_for_people_journey.py shows it). With autocomplete="off" the browser leaves them as served."""

import re

from .test_no_inline_styles import ROOT, page_templates

GET_FORM = re.compile(r"<form\b[^>]*\bmethod=\"get\"[^>]*>", re.I)


def test_every_get_form_is_left_as_served_on_back():
    forms = [(path, tag) for path in page_templates() for tag in GET_FORM.findall(path.read_text())]
    assert len(forms) >= 10
    missing = [f"{path.relative_to(ROOT)}: {tag}" for path, tag in forms if 'autocomplete="off"' not in tag]
    assert not missing, "\n".join(missing)
