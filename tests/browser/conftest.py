import pytest
from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_no_axe_violations(page):
    """Run axe-core on the current page and fail with a readable list of violations."""
    results = _axe.run(page)
    violations = results.response.get("violations", [])
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
    ]
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(summary)


@pytest.fixture
def axe_check():
    return assert_no_axe_violations


@pytest.fixture(autouse=True)
def _browser_marker(request):
    if "browser" not in request.keywords:
        pytest.fail("Tests under tests/browser must carry @pytest.mark.browser")
