"""A data subject request walked through the admin in a real Chromium: from
the list ordered by due date, verified, its checklist drawn from the
inventory and ticked, to closed."""

import pytest

from dsr.models import DataSubjectRequest
from inventory.roles import DPO
from tests.browser.test_dpo_path import NO_BROWSER, in_browser, log_in
from tests.factories import (
    make_activity,
    make_request,
    make_subject_category,
    make_system,
    make_user,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(NO_BROWSER, reason="needs Debian's chromium (apt-get install)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LIST = "/admin/dsr/datasubjectrequest/"


def run_action(page, reference: str, action: str) -> None:
    row = page.locator("#result_list tr", has_text=reference)
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_dpo_takes_a_request_from_the_list_to_closed(live_server):
    make_user(DPO, username="dana")
    users = make_subject_category(name="Account users")
    activity = make_activity(ref="PA-B9", name="Accounts")
    activity.data_subject_categories.add(users)
    activity.systems.add(make_system(name="Accounts DB"))
    request = make_request(subject_category=users, requester_name="Ada Lovelace")
    other = make_request(requester_name="Bob")

    def steps(browser):
        page = log_in(browser, live_server.url, "dana")
        page.goto(f"{live_server.url}{LIST}")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 2
        assert request.reference in page.locator("#result_list").inner_text()

        run_action(page, request.reference, "verify_identity")
        assert "1 request(s) verified" in page.locator("ul.messagelist").inner_text()
        run_action(page, request.reference, "plan_tasks")
        assert "1 request(s) planned" in page.locator("ul.messagelist").inner_text()

        page.click(f"#result_list a:text('{request.reference}')")
        tasks = page.locator("#tasks-group")
        assert "Accounts DB" in tasks.inner_text()
        export = tasks.locator("tr.form-row", has_text="Accounts DB")
        export.locator("textarea[name$=-result]").fill("1 account, 12 logins")
        export.locator("input[name$=-done]").check()
        page.click("input[name=_save]")
        page.wait_for_selector("ul.messagelist li.success")

        run_action(page, request.reference, "close_requests")
        page.select_option("#id_outcome", "fulfilled")
        page.click("#dsr-action-form input[type=submit]")
        assert "1 request(s) closed" in page.locator("ul.messagelist").inner_text()
        row = page.locator("#result_list tr", has_text=request.reference)
        assert "closed" in row.inner_text()

    in_browser(steps)
    request = DataSubjectRequest.objects.get(pk=request.pk)
    assert (request.status, request.outcome, request.verification) == (
        "closed",
        "fulfilled",
        "verified",
    )
    done = request.tasks.get(target="Accounts DB")
    assert done.done_by.username == "dana" and done.result == "1 account, 12 logins"
    assert {h.history_user.username for h in request.history.all()[:3]} == {"dana"}
    assert DataSubjectRequest.objects.get(pk=other.pk).status == "received"
