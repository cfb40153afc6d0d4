"""A made-up GIAS extract: plausible schools in the GIAS file format, the same file for the same seed.

The demo data and the import benchmark both go through the real importer with it. London schools are spread over the
33 authorities in proportion to `sample_schools` in `data/borough_geography.csv`, placed around each borough's
centroid within its extent, with postcodes in its districts. With `all_regions` the file also has schools in made-up
authorities across England (LA codes 330-938), like the ~51,000-row national extract.
"""

import csv
import datetime
import random
import re
from dataclasses import dataclass
from pathlib import Path

from .gias import ENCODING
from .reference_data import read_csv

LONDON_SCHOOLS = 1_000
ENGLAND_SCHOOLS = 51_000
LONDON_SHARE_OF_ENGLAND = 0.13
ENGLAND_AUTHORITIES = 120

# The GIAS columns in the order of the national extract: the 27 of the real London sample, the three more the
# importer reads (type group, open and close dates) and others it must ignore, codes next to names as GIAS has them.
HEADERS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentNumber",
    "EstablishmentName",
    "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)",
    "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (name)",
    "OpenDate",
    "ReasonEstablishmentClosed (name)",
    "CloseDate",
    "PhaseOfEducation (code)",
    "PhaseOfEducation (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "Boarders (name)",
    "OfficialSixthForm (name)",
    "Gender (name)",
    "ReligiousCharacter (name)",
    "Diocese (name)",
    "SchoolCapacity",
    "CensusDate",
    "NumberOfPupils",
    "NumberOfBoys",
    "NumberOfGirls",
    "PercentageFSM",
    "Trusts (name)",
    "UKPRN",
    "LastChangedDate",
    "Street",
    "Locality",
    "Address3",
    "Town",
    "County (name)",
    "Postcode",
    "SchoolWebsite",
    "TelephoneNum",
    "HeadTitle (name)",
    "HeadFirstName",
    "HeadLastName",
    "GOR (code)",
    "GOR (name)",
    "UrbanRural (name)",
    "GSSLACode (name)",
    "Easting",
    "Northing",
    "UPRN",
]

TYPE_CODES = {
    "Community school": 1,
    "Voluntary aided school": 2,
    "Voluntary controlled school": 3,
    "Foundation school": 5,
    "Community special school": 7,
    "Non-maintained special school": 8,
    "Other independent special school": 10,
    "Other independent school": 11,
    "Foundation special school": 12,
    "Pupil referral unit": 14,
    "Local authority nursery school": 15,
    "Further education": 18,
    "Academy sponsor led": 28,
    "Academy special converter": 33,
    "Academy converter": 34,
    "Free schools": 35,
    "Free schools special": 36,
    "Free schools alternative provision": 37,
    "Academy alternative provision converter": 42,
    "Free schools 16 to 19": 40,
    "Academy 16-19 converter": 46,
}
GROUPS = {  # type -> (group code, group name)
    "Community school": (4, "Local authority maintained schools"),
    "Voluntary aided school": (4, "Local authority maintained schools"),
    "Voluntary controlled school": (4, "Local authority maintained schools"),
    "Foundation school": (4, "Local authority maintained schools"),
    "Local authority nursery school": (4, "Local authority maintained schools"),
    "Pupil referral unit": (4, "Local authority maintained schools"),
    "Community special school": (5, "Special schools"),
    "Foundation special school": (5, "Special schools"),
    "Non-maintained special school": (5, "Special schools"),
    "Other independent school": (3, "Independent schools"),
    "Other independent special school": (3, "Independent schools"),
    "Further education": (1, "Colleges"),
    "Free schools": (11, "Free Schools"),
    "Free schools special": (11, "Free Schools"),
    "Free schools alternative provision": (11, "Free Schools"),
    "Free schools 16 to 19": (11, "Free Schools"),
}
ACADEMY_GROUP = (10, "Academies")
PHASE_CODES = {"Not applicable": 0, "Nursery": 1, "Primary": 2, "Secondary": 4, "16 plus": 6, "All-through": 7}
STATUS_CODES = {"Open": 1, "Closed": 2, "Proposed to open": 3, "Open, but proposed to close": 4}

SAINTS = [
    "Mary's", "John's", "Joseph's", "Paul's", "Peter's", "Anne's", "Michael's", "Luke's", "Mark's", "Matthew's",
    "Stephen's", "George's", "Margaret's", "Andrew's", "Thomas'", "James's", "Saviour's", "Aidan's", "Alban's",
    "Augustine's", "Bede's", "Catherine's", "Dominic's", "Francis'", "Gabriel's", "Jude's", "Patrick's", "Teresa's",
    "Vincent's", "Barnabas'", "Elizabeth's", "Edmund's", "Winifred's", "Agnes'", "Cuthbert's", "Helen's",
]  # fmt: skip
DEDICATIONS = [
    "Holy Trinity", "Christ Church", "All Saints", "Our Lady of Lourdes", "Our Lady of the Rosary", "Holy Family",
    "Sacred Heart", "English Martyrs", "St Mary Magdalene", "Holy Cross", "Good Shepherd", "Emmanuel",
    "St Mary and St Pancras",
]  # fmt: skip
PLACES = [
    "Oakfield", "Elmhurst", "Beechwood", "Ashburton", "Brookfield", "Highfield", "Fairlawn", "Greenvale", "Hillside",
    "Meadowbank", "Riverside", "Woodlands", "Larkhall", "Ravenscroft", "Hazelwood", "The Cedars", "Maple Grove",
    "Willow Bank", "Kingsmead", "Queensbridge", "Rosemead", "Thornhill", "Millfield", "Springfield", "Westbrook",
    "Northview", "Southfields", "Eastbury", "Ashmount", "Heathfield", "Fernhill", "Parkside", "Lyndhurst", "Harewood",
    "Chestnut Grove", "Gladstone", "Albion", "Grafton", "Beaumont", "Lansdowne", "Hollydale", "Sandringham",
    "Marlborough", "Wellington", "Claremont", "Priory", "Orchard", "Kingfisher", "Rushmore", "Brampton", "Coleridge",
    "Shelley",
    "Darwin", "Tennyson", "Rokeby", "Stanhope", "Belmont", "Lanfranc", "Haydon", "Langdon", "Alexandra", "Grove Park",
    "Cranbrook", "Woodside", "Bishopsgate", "Redbourne", "Cherry Tree", "Foxfield", "Goldbeaters", "Holbrook",
    "Ivydale", "Jubilee", "Kestrel", "Lime Tree", "Mayflower", "Nightingale", "Oak Lodge", "Penwortham", "Ridgeway",
    "Stonebridge",
]  # fmt: skip
STREET_STEMS = [
    "Church", "Station", "High", "Park", "Victoria", "Albert", "Mill", "Green", "Manor", "Kings", "Queens", "Grange",
    "Elm", "Oak", "Cedar", "Beech", "York", "Clarence", "Windsor", "Cromwell", "Gordon", "Howard", "Wood", "Chapel",
    "Priory", "Abbey", "Cambridge", "Oxford", "Warwick", "Denmark", "Hamilton", "Tudor", "Burnt Ash", "Brownhill",
]  # fmt: skip
STREET_KINDS = [
    "Road",
    "Street",
    "Lane",
    "Avenue",
    "Grove",
    "Gardens",
    "Way",
    "Place",
    "Terrace",
    "Close",
    "Hill",
    "Rise",
]
LOCALITIES = [
    "", "", "", "", "Upper Holloway", "West End", "Old Town", "Northside", "Southend", "Cross Roads", "Park Village",
    "Kingsland", "Riverside", "Hilltop", "New Town", "Church End",
]  # fmt: skip
FIRST_NAMES = [
    "Sarah", "James", "Amina", "David", "Priya", "Michael", "Grace", "Daniel", "Fatima", "Peter", "Chloe", "Samuel",
    "Helen", "Kwame", "Joanne", "Tomasz", "Aisha", "Richard", "Siobhan", "Oluwaseun", "Rachel", "Mark", "Nadia", "Paul",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Patel", "Jones", "Okafor", "Williams", "Khan", "Brown", "Murphy", "Taylor", "Ahmed", "Wilson", "Nowak",
    "Evans", "Mensah", "Thomas", "Begum", "Roberts", "O'Brien", "Walker", "Singh", "Green", "Hughes", "Adeyemi",
    "Clarke",]  # fmt: skip
FRENCH_SCHOOLS = [
    "École Française Jacques Prévert",
    "Lycée Molière",
    "École Saint-Exupéry",
    "Collège Français Bilingue",
]
TOWNS_BY_POSTCODE_AREA = {
    "BR": "Bromley", "CR": "Croydon", "DA": "Bexleyheath", "EN": "Enfield", "HA": "Harrow", "IG": "Ilford",
    "KT": "Kingston upon Thames", "RM": "Romford", "SM": "Sutton", "TW": "Twickenham", "UB": "Uxbridge",
    "TN": "Westerham",
}  # fmt: skip
ENGLAND_POSTCODE_AREAS = [
    "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BS", "CA", "CB", "CH", "CM", "CO", "CT", "CV", "CW", "DE", "DH",
    "DL", "DN", "DT", "DY", "EX", "FY", "GL", "GU", "HD", "HG", "HP", "HR", "HU", "HX", "IP", "L", "LA", "LE", "LN",
    "LS", "LU", "M", "ME", "MK", "NE", "NG", "NN", "NR", "OL", "OX", "PE", "PL", "PO", "PR", "RG", "S", "SG", "SK",
    "SL", "SN", "SO", "SP", "SR", "SS", "ST", "TA", "TF", "TQ", "TR", "TS", "WA", "WF", "WN", "WR", "WS", "WV", "YO",
]  # fmt: skip
NAME_STARTS = [
    "Ash", "Brad", "Carl", "Dun", "Elm", "Fal", "Glen", "Hart", "Ire", "Kings", "Lang", "Mar", "Nor", "Oak", "Pen",
    "Quen", "Ros", "Stan", "Thorn", "Ul", "Wal", "Whit", "Ald", "Bram", "Cran", "Dal", "Eas", "Fern", "Gret", "Hal",
]  # fmt: skip
NAME_ENDS = ["ford", "ley", "ton", "wick", "bury", "field", "ham", "worth", "mouth", "chester", "by", "stead", "dale"]
NAME_FORMS = ["{}", "{}", "{}", "{}shire", "North {}", "South {}", "East {}", "West {}", "City of {}"]
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
REGIONS = [
    ("A", "North East"), ("B", "North West"), ("D", "Yorkshire and the Humber"), ("E", "East Midlands"),
    ("F", "West Midlands"), ("G", "East of England"), ("J", "South East"), ("K", "South West"),
]  # fmt: skip


@dataclass(frozen=True)
class Authority:
    code: int
    name: str
    gss_code: str
    weight: float
    centre: tuple[int, int]
    extent: tuple[int, int, int, int]  # min easting, max easting, min northing, max northing
    districts: tuple[str, ...]
    phone_prefix: str
    london: bool

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z]", "", self.name.lower())[:12]


def london_authorities() -> list[Authority]:
    gss = {row["la_code"]: row["gss_code"] for row in read_csv("london_authorities.csv")}
    authorities = []
    for row in read_csv("borough_geography.csv"):
        code = int(row["la_code"])
        authorities.append(
            Authority(
                code=code,
                name=row["name"],
                gss_code=gss[row["la_code"]],
                weight=float(row["sample_schools"]),
                centre=(int(row["centroid_easting"]), int(row["centroid_northing"])),
                extent=(
                    int(row["min_easting"]),
                    int(row["max_easting"]),
                    int(row["min_northing"]),
                    int(row["max_northing"]),
                ),
                districts=tuple(row["postcode_districts"].split()),
                phone_prefix="0207" if code < 300 else "0208",
                london=True,
            )
        )
    return authorities


def england_authorities(rng: random.Random, count: int = ENGLAND_AUTHORITIES) -> list[Authority]:
    """Made-up authorities outside London, with codes in the English range and places spread over England."""
    codes = sorted(rng.sample(range(330, 939), count))
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(NAME_FORMS).format(rng.choice(NAME_STARTS) + rng.choice(NAME_ENDS))
        if name not in names:
            names.append(name)
    authorities = []
    for number, (code, name) in enumerate(zip(codes, names, strict=True)):
        easting, northing = rng.randint(200_000, 620_000), rng.randint(80_000, 600_000)
        area = rng.choice(ENGLAND_POSTCODE_AREAS)
        first = rng.randint(1, 20)
        authorities.append(
            Authority(
                code=code,
                name=name,
                gss_code=f"E06{number:06d}",
                weight=rng.uniform(0.5, 2.0),
                centre=(easting, northing),
                extent=(easting - 12_000, easting + 12_000, northing - 12_000, northing + 12_000),
                districts=tuple(f"{area}{district}" for district in range(first, first + rng.randint(3, 8))),
                phone_prefix=f"01{rng.randint(100, 999)}",
                london=False,
            )
        )
    return authorities


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), at least one each while there are enough."""
    floor = 1 if total >= len(weights) else 0
    spare = total - floor * len(weights)
    shares = [spare * weight / sum(weights) for weight in weights]
    counts = [floor + int(share) for share in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True)
class Kind:
    """One kind of establishment: how common, its GIAS types, phase, ages, pupil numbers and name patterns."""

    label: str
    share: float
    types: tuple[tuple[str, float], ...]
    phase: str
    ages: tuple[tuple[int, int], ...]
    pupils: tuple[int, int]


KINDS = (
    Kind(
        "primary",
        0.55,
        (
            ("Community school", 0.35),
            ("Voluntary aided school", 0.18),
            ("Voluntary controlled school", 0.05),
            ("Foundation school", 0.04),
            ("Academy converter", 0.22),
            ("Academy sponsor led", 0.10),
            ("Free schools", 0.06),
        ),
        "Primary",
        ((3, 11), (3, 11), (4, 11), (4, 11), (5, 11), (3, 7), (7, 11)),
        (150, 700),
    ),
    Kind(
        "secondary",
        0.20,
        (
            ("Community school", 0.15),
            ("Voluntary aided school", 0.12),
            ("Foundation school", 0.05),
            ("Academy converter", 0.38),
            ("Academy sponsor led", 0.20),
            ("Free schools", 0.10),
        ),
        "Secondary",
        ((11, 16), (11, 18), (11, 18), (11, 18), (11, 19)),
        (550, 1800),
    ),
    Kind("nursery", 0.03, (("Local authority nursery school", 1.0),), "Nursery", ((2, 5), (3, 5)), (40, 150)),
    Kind(
        "special",
        0.05,
        (
            ("Community special school", 0.5),
            ("Academy special converter", 0.25),
            ("Foundation special school", 0.1),
            ("Non-maintained special school", 0.05),
            ("Free schools special", 0.1),
        ),
        "Not applicable",
        ((2, 19), (3, 19), (5, 19), (11, 19), (4, 11)),
        (40, 250),
    ),
    Kind(
        "pupil referral unit",
        0.02,
        (
            ("Pupil referral unit", 0.6),
            ("Academy alternative provision converter", 0.25),
            ("Free schools alternative provision", 0.15),
        ),
        "Not applicable",
        ((11, 16), (5, 16), (14, 16)),
        (10, 90),
    ),
    Kind(
        "independent",
        0.11,
        (("Other independent school", 0.85), ("Other independent special school", 0.15)),
        "Not applicable",
        ((3, 11), (4, 18), (11, 18), (2, 7), (7, 13), (3, 18)),
        (30, 1300),
    ),
    Kind(
        "all-through",
        0.025,
        (("Academy sponsor led", 0.4), ("Academy converter", 0.3), ("Free schools", 0.3)),
        "All-through",
        ((3, 18), (4, 19), (4, 18)),
        (1100, 2200),
    ),
    Kind(
        "16 plus",
        0.015,
        (("Free schools 16 to 19", 0.5), ("Academy 16-19 converter", 0.3), ("Further education", 0.2)),
        "16 plus",
        ((16, 19),),
        (150, 900),
    ),
)


def _weighted(rng: random.Random, options):
    return rng.choices([option for option, _ in options], weights=[weight for _, weight in options])[0]


def _saint(rng: random.Random) -> str:
    return f"St {rng.choice(SAINTS)}"


def _school_name(rng: random.Random, kind: Kind, type_name: str, ages: tuple[int, int], authority: Authority):
    """A name and a religious character that go together."""
    place = rng.choice(PLACES)
    if type_name in ("Voluntary aided school", "Voluntary controlled school") or (
        kind.label in ("primary", "secondary") and rng.random() < 0.08
    ):
        catholic = type_name == "Voluntary aided school" and rng.random() < 0.45
        patron = _saint(rng) if rng.random() < 0.7 else rng.choice(DEDICATIONS)
        if kind.label == "secondary":
            pattern = rng.choice(
                ["{p} Catholic College", "{p} Catholic School", "{p} Catholic High School"]
                if catholic
                else ["{p} Church of England Academy", "{p} Church of England School", "{p} CofE High School"]
            )
        else:
            pattern = rng.choice(
                ["{p} Catholic Primary School", "{p} RC Primary School"]
                if catholic
                else ["{p} Church of England Primary School", "{p} CofE Primary School", "{p} C of E Primary School"]
            )
        return pattern.format(p=patron), "Roman Catholic" if catholic else "Church of England"
    academy = "Academy" in type_name or "Free schools" in type_name
    if kind.label == "primary":
        level = {(3, 7): "Infant School", (7, 11): "Junior School"}.get(ages, "Primary School")
        if academy and level == "Primary School" and rng.random() < 0.5:
            level = "Primary Academy"
        elif rng.random() < 0.1:
            level = "Community " + level
        return f"{place} {level}", "Does not apply"
    if kind.label == "secondary":
        return rng.choice(
            [
                f"{place} Academy",
                f"{authority.name} Academy",
                f"{place} School",
                f"{place} High School",
                f"{place} Girls' School",
                f"{place} Boys' School",
                f"{place} Community College",
                f"{authority.name} {place} Academy",
            ]
        ), "Does not apply"
    if kind.label == "nursery":
        suffix = rng.choice(["Nursery School", "Nursery School", "Children's Centre", "Early Years Centre"])
        return f"{place} {suffix}", "Does not apply"
    if kind.label == "special":
        return rng.choice([f"{place} School", f"{place} Special School", f"{place} Academy", f"The {place} Centre"]), (
            "Does not apply"
        )
    if kind.label == "pupil referral unit":
        return rng.choice(
            [
                f"{authority.name} Pupil Referral Unit",
                f"{place} Tuition Centre",
                f"{place} Alternative Provision Academy",
                f"{authority.name} Secondary PRU",
            ]
        ), "Does not apply"
    if kind.label == "independent":
        if rng.random() < 0.08:
            return rng.choice(FRENCH_SCHOOLS), "None"
        religious = _weighted(rng, (("None", 0.75), ("Church of England", 0.1), ("Jewish", 0.08), ("Muslim", 0.07)))
        return rng.choice(
            [
                f"{place} House School",
                f"{place} Preparatory School",
                f"{place} Hall",
                f"The {place} School",
                f"{place} College",
                f"{place} Montessori School",
            ]
        ), religious
    if kind.label == "all-through":
        return rng.choice([f"{place} Academy", f"{place} All-through School", f"{authority.name} {place} School"]), (
            "Does not apply"
        )
    return rng.choice(
        [f"{place} Sixth Form College", f"{authority.name} Sixth Form", f"{place} Sixth Form Centre"]
    ), "Does not apply"


def _curly(name: str, rng: random.Random) -> str:
    """Some GIAS names use the typographic apostrophe (cp1252 byte 0x92) rather than the ASCII one."""
    return name.replace("'", "\u2019") if "'" in name and rng.random() < 0.12 else name


def _telephone(rng: random.Random, authority: Authority) -> str:
    """Eleven digits without spaces, as GIAS writes them: the area code, then the local number."""
    digits = 11 - len(authority.phone_prefix)
    return f"{authority.phone_prefix}{rng.randrange(10**digits):0{digits}d}"


def _gias_date(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


def _random_date(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1)
    return start + datetime.timedelta(days=rng.randrange((datetime.date(last_year, 12, 31) - start).days))


def _position(rng: random.Random, authority: Authority) -> tuple[int, int]:
    min_e, max_e, min_n, max_n = authority.extent
    centre_e, centre_n = authority.centre
    easting = rng.gauss(centre_e, max((max_e - min_e) / 4, 50))
    northing = rng.gauss(centre_n, max((max_n - min_n) / 4, 50))
    return round(min(max(easting, min_e), max_e)), round(min(max(northing, min_n), max_n))


def _postcode(rng: random.Random, authority: Authority) -> str:
    district = rng.choice(authority.districts)
    return f"{district} {rng.randint(1, 9)}{rng.choice(POSTCODE_UNIT_LETTERS)}{rng.choice(POSTCODE_UNIT_LETTERS)}"


def _town(authority: Authority, postcode: str) -> str:
    if not authority.london:
        return re.sub(r"^(North|South|East|West|City of) ", "", authority.name).removesuffix("shire")
    area = re.match(r"[A-Z]+", postcode).group()
    return TOWNS_BY_POSTCODE_AREA.get(area, "London")


def _website(rng: random.Random, name: str, type_name: str, authority: Authority) -> str:
    if rng.random() < 0.08:
        return ""
    words = [w for w in re.sub(r"[^a-z ]", "", name.lower()).split() if w not in {"school", "the", "of", "and"}]
    slug = "".join(words)[:22] or "school"
    if "independent" in type_name:
        return f"https://www.{slug}.co.uk"
    if GROUPS.get(type_name, (0, ""))[1] == "Local authority maintained schools" and rng.random() < 0.6:
        return f"http://www.{slug}.{authority.slug}.sch.uk/"
    return f"https://www.{slug}.org.uk"


class _EstablishmentNumbers:
    """Four-digit numbers unique within an authority, in the DfE's ranges by type."""

    PREFIX = {"Voluntary aided school": 3, "Voluntary controlled school": 3, "Foundation school": 5}

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.next: dict[tuple[int, int], int] = {}

    def allocate(self, authority: Authority, type_name: str) -> str:
        if "independent" in type_name:
            prefix = 6
        elif "special" in type_name:
            prefix = 7
        elif type_name in ("Pupil referral unit", "Local authority nursery school"):
            prefix = 1
        elif "16" in type_name or type_name == "Further education":
            prefix = 8
        else:
            prefix = self.PREFIX.get(type_name, 2 if "Academy" not in type_name else 4)
        key = (authority.code, prefix)
        number = self.next.setdefault(key, self.rng.randint(0, 300))
        self.next[key] = number + 1
        return f"{prefix}{number % 1000:03d}"


def _status(rng: random.Random, closed_share: float) -> str:
    return _weighted(
        rng,
        (
            ("Open", 1 - closed_share - 0.04),
            ("Open, but proposed to close", 0.03),
            ("Proposed to open", 0.01),
            ("Closed", closed_share),
        ),
    )


def _row(rng: random.Random, *, kind: Kind, authority: Authority, numbers: _EstablishmentNumbers, closed_share: float):
    type_name = _weighted(rng, kind.types)
    ages = rng.choice(kind.ages)
    name, religious = _school_name(rng, kind, type_name, ages, authority)
    name = _curly(name, rng)
    status = _status(rng, closed_share)
    group_code, group_name = ACADEMY_GROUP if "Academy" in type_name else GROUPS[type_name]
    low, high = kind.pupils
    if "independent special" in type_name:
        low, high = 10, 120
    pupils = rng.randint(low, high)
    if "Girls" in name:
        gender = "Girls"
    elif "Boys" in name:
        gender = "Boys"
    elif kind.label in ("secondary", "independent") and rng.random() < 0.08:
        gender = rng.choice(["Girls", "Boys"])
    else:
        gender = "Mixed"
    opened = ""
    opened_reason = "Not applicable"
    if status == "Proposed to open":
        opened, opened_reason = _gias_date(_random_date(rng, 2027, 2027)), "New provision"
    elif "Academy" in type_name or "Free schools" in type_name:
        opened = _gias_date(_random_date(rng, 2010, 2025))
        opened_reason = "Academy converter" if "converter" in type_name else "New provision"
    closed, closed_reason = "", "Not applicable"
    if status == "Closed":
        closed = _gias_date(_random_date(rng, 2015, 2025))
        closed_reason = rng.choice(["Closure", "Academy converter", "Merged - change in age range", "Other"])
    elif status == "Open, but proposed to close":
        closed, closed_reason = _gias_date(_random_date(rng, 2026, 2027)), "Closure"
    has_pupils = status in ("Open", "Open, but proposed to close")
    boys = pupils if gender == "Boys" else 0 if gender == "Girls" else round(pupils * rng.uniform(0.45, 0.55))
    postcode = _postcode(rng, authority)
    easting, northing = _position(rng, authority)
    street = f"{rng.choice(STREET_STEMS)} {rng.choice(STREET_KINDS)}"
    if rng.random() < 0.25:
        street = f"{rng.randint(1, 240)} {street}"
    catholic = religious == "Roman Catholic"
    return {
        "LA (code)": str(authority.code),
        "LA (name)": authority.name,
        "EstablishmentNumber": numbers.allocate(authority, type_name),
        "EstablishmentName": name,
        "TypeOfEstablishment (code)": str(TYPE_CODES[type_name]),
        "TypeOfEstablishment (name)": type_name,
        "EstablishmentTypeGroup (code)": str(group_code),
        "EstablishmentTypeGroup (name)": group_name,
        "EstablishmentStatus (code)": str(STATUS_CODES[status]),
        "EstablishmentStatus (name)": status,
        "ReasonEstablishmentOpened (name)": opened_reason,
        "OpenDate": opened,
        "ReasonEstablishmentClosed (name)": closed_reason,
        "CloseDate": closed,
        "PhaseOfEducation (code)": str(PHASE_CODES[kind.phase]),
        "PhaseOfEducation (name)": kind.phase,
        "StatutoryLowAge": str(ages[0]),
        "StatutoryHighAge": str(ages[1]),
        "Boarders (name)": "Boarding school" if kind.label == "independent" and rng.random() < 0.05 else "No boarders",
        "OfficialSixthForm (name)": "Has a sixth form"
        if ages[1] >= 18 and kind.phase != "16 plus"
        else "Does not have a sixth form",
        "Gender (name)": gender,
        "ReligiousCharacter (name)": religious,
        "Diocese (name)": ("Diocese of Westminster" if catholic else "Diocese of London")
        if religious in ("Roman Catholic", "Church of England")
        else "Not applicable",
        "SchoolCapacity": str(round(pupils * rng.uniform(1.0, 1.2))),
        "CensusDate": "16-01-2025" if has_pupils else "",
        "NumberOfPupils": str(pupils) if has_pupils else "",
        "NumberOfBoys": str(boys) if has_pupils else "",
        "NumberOfGirls": str(pupils - boys) if has_pupils else "",
        "PercentageFSM": f"{rng.uniform(3, 55):.1f}" if has_pupils and "independent" not in type_name else "",
        "Trusts (name)": f"{rng.choice(PLACES)} Learning Trust" if "Academy" in type_name else "",
        "UKPRN": str(10_000_000 + rng.randint(0, 99_999)) if rng.random() < 0.7 else "",
        "LastChangedDate": _gias_date(_random_date(rng, 2024, 2025)),
        "Street": street,
        "Locality": rng.choice(LOCALITIES),
        "Address3": "",
        "Town": _town(authority, postcode),
        "County (name)": "" if authority.london else "Not recorded",
        "Postcode": postcode,
        "SchoolWebsite": _website(rng, name, type_name, authority),
        "TelephoneNum": _telephone(rng, authority),
        "HeadTitle (name)": rng.choice(["Mrs", "Mr", "Ms", "Dr", "Miss"]),
        "HeadFirstName": rng.choice(FIRST_NAMES),
        "HeadLastName": rng.choice(LAST_NAMES),
        "GOR (code)": "H" if authority.london else REGIONS[authority.code % len(REGIONS)][0],
        "GOR (name)": "London" if authority.london else REGIONS[authority.code % len(REGIONS)][1],
        "UrbanRural (name)": "(A1) Urban major conurbation"
        if authority.london
        else rng.choice(["(C1) Urban city and town", "(D1) Rural town and fringe", "(E1) Rural village"]),
        "GSSLACode (name)": authority.gss_code,
        "Easting": str(easting),
        "Northing": str(northing),
        "UPRN": str(rng.randint(10_000_000, 99_999_999_999)),
    }


def generate_rows(*, schools: int = LONDON_SCHOOLS, all_regions: bool = False, seed: int = 1) -> list[dict[str, str]]:
    """The rows of a made-up GIAS extract, sorted by URN like the real one; the same arguments give the same rows."""
    rng = random.Random(seed)
    london = london_authorities()
    if all_regions:
        london_rows = round(schools * LONDON_SHARE_OF_ENGLAND)
        others = england_authorities(rng)
        authorities = london + others
        counts = allocate(london_rows, [a.weight for a in london]) + allocate(
            schools - london_rows, [a.weight for a in others]
        )
        closed_share = 0.35  # the national extract keeps closed establishments: about a third of its rows
    else:
        authorities = london
        counts = allocate(schools, [a.weight for a in london])
        closed_share = 0.03
    numbers = _EstablishmentNumbers(rng)
    kind_weights = [kind.share for kind in KINDS]
    rows = []
    for authority, count in zip(authorities, counts, strict=True):
        kinds = (
            [KINDS[i] for i, n in enumerate(allocate(count, kind_weights)) for _ in range(n)]
            if count >= 40
            else (rng.choices(KINDS, weights=kind_weights, k=count))
        )
        used_names: set[str] = set()
        for kind in kinds:
            for _attempt in range(8):
                row = _row(rng, kind=kind, authority=authority, numbers=numbers, closed_share=closed_share)
                if row["EstablishmentName"] not in used_names:
                    break
            used_names.add(row["EstablishmentName"])
            rows.append(row)
    urn_pool = range(100_000, min(999_999, 100_000 + max(50_000, 3 * schools)) + 1)
    for row, urn in zip(rows, rng.sample(urn_pool, len(rows)), strict=True):
        row["URN"] = str(urn)
    rows.sort(key=lambda row: int(row["URN"]))
    return rows


def write_gias_file(
    path: str | Path, *, schools: int = LONDON_SCHOOLS, all_regions: bool = False, seed: int = 1
) -> int:
    """Write the extract as GIAS publishes it (Windows-1252, CRLF, quoted only where needed); return the row count."""
    rows = generate_rows(schools=schools, all_regions=all_regions, seed=seed)
    with Path(path).open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
