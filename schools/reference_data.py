"""The London reference tables the project ships as data (schools/data/*.csv): 33 authorities, 12 Met BCUs."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(*, bcu_model, authority_model) -> None:
    """Create or update the 12 BCUs and 33 London authorities; idempotent."""
    bcus = {}
    for row in read_csv("met_bcus.csv"):
        bcus[row["bcu_name"]], _ = bcu_model.objects.update_or_create(
            slug=row["bcu_slug"], defaults={"name": row["bcu_name"]}
        )
    geography = {row["la_code"]: row for row in read_csv("borough_geography.csv")}
    for row in read_csv("london_authorities.csv"):
        geo = geography.get(row["la_code"], {})
        authority_model.objects.update_or_create(
            code=int(row["la_code"]),
            defaults={
                "name": row["name"],
                "gss_code": row["gss_code"],
                "area": row["inner_or_outer"],
                "bcu": bcus.get(row["met_bcu"]) if row["met_bcu"] else None,
                "centroid_latitude": float(geo["centroid_lat"]) if geo else None,
                "centroid_longitude": float(geo["centroid_lon"]) if geo else None,
            },
        )
