"""What a page shows, normalised for comparing renderings: the visible text, the links, the forms' fields and the
tables' cells of an HTML page, as plain text (tests/bench/test_same_rendering.py).

Whitespace and markup are not compared (a template may change how it writes a page, not what the page says), and
neither are the values that change on every request: the CSRF token (as `<csrf token>`). Script and style contents
are skipped; CSP nonces, classes and other attributes are not part of the extraction.
"""

from html.parser import HTMLParser

BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "label",
    "legend", "li", "main", "nav", "ol", "option", "p", "pre", "section", "select", "summary", "table", "tbody",
    "td", "textarea", "tfoot", "th", "thead", "title", "tr", "ul",
}  # fmt: skip
SKIPPED = {"script", "style", "template", "noscript"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CSRF_FIELDS = {"csrfmiddlewaretoken"}


def _squash(text: str) -> str:
    return " ".join(text.split())


class _Extractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.text: list[str] = []
        self.line: list[str] = []
        self.links: list[str] = []
        self.link: dict | None = None
        self.forms: list[str] = []
        self.select: dict | None = None
        self.option: dict | None = None
        self.textarea: dict | None = None
        self.button: dict | None = None
        self.tables: list[list[str]] = []
        self.table_depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.caption: list[str] | None = None

    # --- text -----------------------------------------------------------------------------------------------------

    def _break(self) -> None:
        line = _squash("".join(self.line))
        if line:
            self.text.append(line)
        self.line = []

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.line.append(data)
        for capture in (self.link, self.option, self.textarea, self.button):
            if capture is not None:
                capture["text"].append(data)
        if self.cell is not None:
            self.cell.append(data)
        if self.caption is not None:
            self.caption.append(data)

    # --- tags -----------------------------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        attrs = {name: ("" if value is None else value) for name, value in attrs}
        if tag in BLOCKS:
            self._break()
        if tag == "a" and "href" in attrs:
            self.link = {"href": attrs["href"], "text": []}
        elif tag == "form":
            self.forms.append(f"form {attrs.get('method', 'get').upper()} {attrs.get('action', '')}".rstrip())
        elif tag == "input":
            self._input(attrs)
        elif tag == "select":
            self.select = attrs
            self.forms.append(f"  select {attrs.get('name', '')}")
        elif tag == "option":
            self.option = {"attrs": attrs, "text": []}
        elif tag == "textarea":
            self.textarea = {"attrs": attrs, "text": []}
        elif tag == "button":
            self.button = {"attrs": attrs, "text": []}
        elif tag == "table":
            self.table_depth += 1
            self.tables.append([])
        elif tag == "caption" and self.table_depth:
            self.caption = []
        elif tag == "tr" and self.table_depth:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if tag in BLOCKS:
            self._break()
        if tag == "a" and self.link is not None:
            self.links.append(f"{self.link['href']} | {_squash(''.join(self.link['text']))}")
            self.link = None
        elif tag == "select":
            self.select = None
        elif tag == "option" and self.option is not None:
            attrs = self.option["attrs"]
            label = _squash("".join(self.option["text"]))
            value = attrs.get("value", label)
            mark = " (selected)" if "selected" in attrs else ""
            self.forms.append(f"    option {value!r}{mark} | {label}")
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            attrs = self.textarea["attrs"]
            self.forms.append(f"  textarea {attrs.get('name', '')} = {''.join(self.textarea['text']).strip()!r}")
            self.textarea = None
        elif tag == "button" and self.button is not None:
            attrs = self.button["attrs"]
            name = f" {attrs['name']}={attrs.get('value', '')!r}" if attrs.get("name") else ""
            extra = f" formaction={attrs['formaction']}" if "formaction" in attrs else ""
            self.forms.append(f"  button{name}{extra} | {_squash(''.join(self.button['text']))}")
            self.button = None
        elif tag == "caption" and self.caption is not None:
            self.tables[-1].append(f"caption: {_squash(''.join(self.caption))}")
            self.caption = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_squash("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.tables:
                self.tables[-1].append(" | ".join(self.row))
            self.row = None
        elif tag == "table" and self.table_depth:
            self.table_depth -= 1

    def _input(self, attrs: dict) -> None:
        kind = attrs.get("type", "text")
        name = attrs.get("name", "")
        value = attrs.get("value", "")
        if name in CSRF_FIELDS:
            value = "<csrf token>"
        marks = "".join(f" ({flag})" for flag in ("checked", "disabled", "required") if flag in attrs)
        self.forms.append(f"  input {kind} {name} = {value!r}{marks}")

    def close(self) -> None:
        super().close()
        self._break()


def normalise(html: str) -> str:
    """The page as sections of plain text: text, links, forms, tables (each line one item)."""
    extractor = _Extractor()
    extractor.feed(html)
    extractor.close()
    tables = []
    for table in extractor.tables:
        tables.append("table")
        tables.extend(f"  {row}" for row in table)
    sections = {
        "text": extractor.text,
        "links": extractor.links,
        "forms": extractor.forms,
        "tables": tables,
    }
    return "\n".join(f"## {name}\n" + "\n".join(lines) for name, lines in sections.items()) + "\n"
