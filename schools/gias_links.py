"""Reading the GIAS links file (`links_edubasealldataYYYYMMDD.csv`): which URN succeeded which.

No database here. The file is cp1252 like the establishment extract; columns are found by header name. A bad row is
skipped and reported, never fatal; a file without the link columns is refused before anything is written.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from core.csv_import import Column, CsvRejected, CsvRow, read_csv

from .gias import MAX_BYTES, GiasFileRefused, RowProblem, _calendar_date, parse_urn

URN = "URN"
LINK_URN = "LinkURN"
LINK_NAME = "LinkName"
LINK_TYPE = "LinkType"
LINK_DATE = "LinkEstablishedDate"
REQUIRED_HEADERS = (URN, LINK_URN, LINK_TYPE)

# From URN's side: the linked URN took over from it (URN is the old school).
SUCCESSOR_TYPES = frozenset({"Successor", "Successor - amalgamated", "Successor - merged"})
# From URN's side: the linked URN is the old school. A split's "successor" is one of several: never acted on.
PREDECESSOR_TYPES = frozenset({"Predecessor", "Predecessor - amalgamated", "Predecessor - merged"})
OTHER_KNOWN_TYPES = frozenset(
    {
        "Predecessor - Split School",
        "Successor - Split School",
        "Merged - expansion of school capacity",
        "Merged - change in age range",
        "Sixth Form Centre Link",
        "Sixth Form Centre School",
        "Other",
    }
)
KNOWN_TYPES = SUCCESSOR_TYPES | PREDECESSOR_TYPES | OTHER_KNOWN_TYPES


@dataclass(frozen=True)
class Link:
    urn: int
    link_urn: int
    link_name: str
    link_type: str
    established_on: datetime.date | None

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.urn, self.link_urn, self.link_type)

    @property
    def succession(self) -> tuple[int, int] | None:
        """(old URN, new URN) when this link says one school succeeded another."""
        if self.link_type in SUCCESSOR_TYPES:
            return (self.urn, self.link_urn)
        if self.link_type in PREDECESSOR_TYPES:
            return (self.link_urn, self.urn)
        return None


@dataclass
class LinksFile:
    file_name: str
    rows_read: int = 0
    links: dict[tuple[int, int, str], Link] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)


def read_csv_rows(data: bytes, *, file_name: str) -> list[CsvRow]:
    """The links file's rows through the one CSV reader in its GIAS mode (cp1252, columns by header name, a row with
    the wrong number of fields skipped and reported); GiasFileRefused if the file is not one we can read."""
    columns = [Column(name) for name in REQUIRED_HEADERS] + [
        Column(LINK_NAME, required=False),
        Column(LINK_DATE, required=False),
    ]
    try:
        table = read_csv(data, columns=columns, encoding="cp1252", max_bytes=MAX_BYTES, bad_rows="skip",
                         exact_width=True, allow_no_rows=True)  # fmt: skip
    except CsvRejected as refused:
        raise GiasFileRefused(
            f"{file_name} is not a GIAS links file we can read. {refused.message}", problems=refused.problems
        ) from None
    return table.rows + table.skipped


def parse_links(data: bytes, *, file_name: str) -> LinksFile:
    """Every readable link of the file; rows with a bad URN, type or date are skipped and listed in `problems`."""
    rows = sorted(read_csv_rows(data, file_name=file_name), key=lambda row: row.line)
    result = LinksFile(file_name=file_name, rows_read=len(rows))
    for row in rows:
        line, raw_urn = row.line, str(row.get(URN) or "")
        if row.problems:
            result.problems.append({"line": line, "urn": raw_urn.strip(), "reason": "; ".join(row.problems)})
            continue
        try:
            urn = parse_urn(raw_urn)
            link_urn = parse_urn(row[LINK_URN])
            link_type = row[LINK_TYPE].strip()
            if not link_type:
                raise RowProblem("LinkType is empty")
            if len(link_type) > 80:
                raise RowProblem("LinkType is longer than 80 characters")
            established = None
            if row.get(LINK_DATE, "").strip():
                try:
                    established = _calendar_date(row[LINK_DATE].strip())
                except ValueError:
                    raise RowProblem(f"LinkEstablishedDate {row[LINK_DATE].strip()!r} is not a date") from None
        except RowProblem as problem:
            result.problems.append({"line": line, "urn": raw_urn.strip(), "reason": str(problem)})
            continue
        if urn == link_urn:
            result.problems.append({"line": line, "urn": raw_urn.strip(), "reason": "the school links to itself"})
            continue
        if link_type not in KNOWN_TYPES:
            result.unknown_types[link_type] = result.unknown_types.get(link_type, 0) + 1
        link = Link(
            urn=urn,
            link_urn=link_urn,
            link_name=(row.get(LINK_NAME) or "").strip()[:255],
            link_type=link_type,
            established_on=established,
        )
        result.links.setdefault(link.key, link)
    return result


def read_links_file(path: str | Path) -> LinksFile:
    """Read and check a GIAS links file; GiasFileRefused (before anything is written) if it is not one."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GiasFileRefused(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if not data.strip():
        raise GiasFileRefused(f"{path.name} is empty: it is not a GIAS links file.")
    return parse_links(data, file_name=path.name)


def successions_without_cycles(pairs: set[tuple[int, int]]) -> tuple[set[tuple[int, int]], list[list[int]]]:
    """The (old, new) pairs that are not part of a cycle (A succeeds B succeeds A), and each cycle found."""
    graph: dict[int, set[int]] = {}
    for old, new in pairs:
        graph.setdefault(old, set()).add(new)
    # Tarjan's strongly connected components, iteratively: a component of more than one URN is a cycle.
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    cycles: list[list[int]] = []
    counter = 0
    for start in sorted(graph):
        if start in index_of:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index_of[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index_of:
                    index_of[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index_of[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    in_cycle = {urn for cycle in cycles for urn in cycle}
    kept = {(old, new) for old, new in pairs if old not in in_cycle and new not in in_cycle}
    return kept, cycles
