"""The data map page in a real headless Chromium: the Sankey is drawn from
the plotly.js served by the app (no network), coloured by status, and a
click on a flow opens its record. The screenshot is kept as a test artefact
(``TEST_ARTEFACTS``, default ``out/test-artefacts/``)."""

import os
from pathlib import Path

from django.core.management import call_command

from inventory.roles import AUDITOR
from tests.browser.test_dpo_path import in_browser, log_in, pytestmark  # noqa: F401
from tests.factories import make_user

ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", "out/test-artefacts"))


def test_auditor_sees_the_data_map_and_opens_a_flows_transfer(live_server):
    call_command("load_demo", stdout=open(os.devnull, "w"))
    make_user(AUDITOR, username="audrey")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / "data-map.png"

    def steps(browser):
        page = log_in(browser, live_server.url, "audrey")
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.click("text=Where personal data goes, and under which safeguard")
        page.select_option("#scope", "all")
        page.click("#data-map-form input[type=submit]")
        page.wait_for_selector("#data-map-chart .sankey-link")
        links = page.locator("#data-map-chart .sankey-link")
        count = links.count()
        colours = {
            links.nth(i).evaluate("e => getComputedStyle(e).fill") for i in range(count)
        }
        page.screenshot(path=str(shot), full_page=True)
        missing = page.locator("tr[data-status=missing]").count()
        page.locator("tr[data-status=covered] a", has_text="transfer").first.click()
        page.wait_for_selector("#transfer_form")
        outside = [u for u in requests if not u.startswith(live_server.url)]
        return count, colours, missing, outside

    count, colours, missing, outside = in_browser(steps)

    assert count >= 10
    assert len(colours) == 3  # adequate / safeguard recorded / missing
    assert missing >= 2
    assert outside == []
    assert shot.stat().st_size > 20_000
