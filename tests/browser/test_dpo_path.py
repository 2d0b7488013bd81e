"""The DPO's path through the admin in a real headless Chromium.

Debian's ``chromium`` package driven by Playwright for Python (no browser
download: ``executable_path`` points at the system binary). Skipped where
chromium is missing, except in CI (CI=true), where ``.ci/run`` installs it and
a missing browser is a failure.
"""

import io
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright import sync_api

from inventory.models import ProcessingActivity
from inventory.roles import AUDITOR, DPO
from tests.factories import make_activity, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

NO_BROWSER = not shutil.which(CHROMIUM) and os.environ.get("CI") != "true"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(NO_BROWSER, reason="needs Debian's chromium (apt-get install)"),
    # Serialized rollback restores the groups and countries seeded by migrations,
    # which the live server's transactional test would otherwise flush away.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def in_browser(steps: Callable[[sync_api.Browser], Any]) -> Any:
    """Run browser steps in a thread of their own: Playwright's sync API runs an
    event loop that the test's ORM calls must not share (Django refuses them
    there, and connections opened there are never closed)."""

    def run() -> Any:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                return steps(browser)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


# Every Content-Security-Policy violation a page reports, as the browser sees it.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def csp_violations(page: sync_api.Page) -> list[str]:
    """The violations since the last call (console messages included)."""
    found = page.evaluate("window.cspViolations || []") + page.console_csp
    page.console_csp.clear()
    return found


def log_in(browser, url: str, username: str) -> sync_api.Page:
    page = browser.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(WATCH_CSP)
    page.console_csp = []
    page.on(
        "console",
        lambda m: (
            page.console_csp.append(m.text)
            if "Content Security Policy" in m.text
            else None
        ),
    )
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


def test_dpo_fixes_a_finding_and_sees_it_gone_and_in_the_history(live_server):
    make_user(DPO, username="dana")
    activity = make_activity(ref="PA-B1", name="Webinar sign-ups", lawful_basis=None)

    def steps(browser):
        page = log_in(browser, live_server.url, "dana")
        page.click("text=What the inventory says is missing, stale or due")
        row = page.locator("tr[data-code=ACT_NO_LAWFUL_BASIS]")
        assert "PA-B1 Webinar sign-ups" in row.inner_text()
        row.locator("a").click()

        finding = page.locator("#findings li[data-code=ACT_NO_LAWFUL_BASIS]")
        assert "Art. 6(1)" in finding.inner_text()
        page.select_option("#id_lawful_basis", "consent")
        page.fill("#id_consent_record_reference", "Webinar tool consent log")
        page.click("input[name=_continue]")

        page.wait_for_selector("ul.messagelist li.success")
        assert "No findings for this record." in page.locator("#findings").inner_text()

        page.click("a.historylink")
        latest = page.locator("#change-history tbody tr").first.inner_text()
        assert "Changed" in latest and "dana" in latest
        assert "Lawful basis" in latest and "consent" in latest.lower()

        page.goto(f"{live_server.url}/admin/findings/")
        assert page.locator("tr[data-code=ACT_NO_LAWFUL_BASIS]").count() == 0

    in_browser(steps)
    activity.refresh_from_db()
    assert activity.lawful_basis == ProcessingActivity.LawfulBasis.CONSENT
    assert activity.history.first().history_user.username == "dana"


def test_auditor_sees_no_save_button(live_server):
    make_user(AUDITOR, username="audrey")
    activity = make_activity(ref="PA-B2", lawful_basis=None)
    url = f"{live_server.url}/admin/inventory/processingactivity/{activity.pk}/change/"

    def steps(browser):
        page = log_in(browser, live_server.url, "audrey")
        page.goto(url)
        assert page.locator("#findings li[data-code=ACT_NO_LAWFUL_BASIS]").count() == 1
        assert page.locator("input[name=_save]").count() == 0
        assert page.locator("input[name=_continue]").count() == 0

    in_browser(steps)


def test_dpo_requests_and_downloads_a_ropa_controller_report(
    live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_user(DPO, username="dana")
    make_activity(ref="PA-B3", name="Trade fairs", lawful_basis=None)

    def steps(browser):
        page = log_in(browser, live_server.url, "dana")
        page.goto(f"{live_server.url}/admin/reports/reportrun/")
        page.click("text=Request a report")
        page.select_option("#id_kind", "ropa-controller")
        page.click("input[name=_save]")
        page.wait_for_selector("ul.messagelist li.success")
        with page.expect_download() as download:
            page.click("#result_list a:text('Download')")
        return Path(download.value.path()).read_bytes()

    workbook = load_workbook(io.BytesIO(in_browser(steps)))
    assert workbook.sheetnames == [
        "Organisation",
        "Controller record",
        "Findings",
        "Manifest",
    ]
    findings = [row[1] for row in workbook["Findings"].iter_rows(values_only=True)]
    assert "ACT_NO_LAWFUL_BASIS" in findings


def test_admin_and_api_docs_run_under_the_content_security_policy(live_server):
    make_user(DPO, username="dana")
    activity = make_activity(ref="PA-B4", name="Payroll", lawful_basis=None)
    activity.purposes = "Pay staff"
    activity.save()
    admin = f"{live_server.url}/admin"
    pages = [
        f"{admin}/",
        f"{admin}/inventory/processingactivity/",
        f"{admin}/inventory/processingactivity/{activity.pk}/change/",
        f"{admin}/inventory/processingactivity/{activity.pk}/history/",
        f"{admin}/findings/",
        f"{admin}/reports/reportrun/add/",
        f"{admin}/import-ropa/",
    ]

    def steps(browser):
        page = log_in(browser, live_server.url, "dana")
        seen = {}
        for url in pages:
            response = page.goto(url)
            assert "default-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            seen[url] = csp_violations(page)
        # The autocomplete widget (select2) fetches and draws its choices.
        page.goto(pages[2])
        page.click("#id_data_categories + .select2")
        page.wait_for_selector(".select2-results")
        seen["autocomplete"] = csp_violations(page)
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".swagger-ui .info .title")
        page.wait_for_load_state("networkidle")
        seen["api docs"] = csp_violations(page)
        return seen

    seen = in_browser(steps)
    violations = {url: v for url, v in seen.items() if v}
    assert not violations, "\n".join(f"{u}: {v}" for u, v in violations.items())
