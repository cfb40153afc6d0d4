"""The API filters are the page's filters: one FilterSet, so `/api/v1/schools/` and Find a school always agree."""

from schools.filters import SchoolFilter

__all__ = ["SchoolFilter"]
