import datetime
import hashlib
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import BaseCommand

import reports.build
from reports.management.commands import demo_reports, report
from reports.params import ReportError
from reports.xlsx import Sheet
from tests.reports.helpers import load
from transfers.models import Transfer


@pytest.fixture
def run_report(monkeypatch, capsys):
    """Run ``manage.py report ...`` as the shell does: exit status, stdout,
    stderr (argparse writes its own errors straight to sys.stderr)."""
    # The test database must outlive the command's closing of connections.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: 0)

    def run(argv: list[str]) -> tuple[int, str, str]:
        capsys.readouterr()
        status, out, err = invoke(argv)
        return status, out, err + capsys.readouterr().err

    return run


def invoke(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    command: BaseCommand = report.Command(stdout=out, stderr=err)
    try:
        command.run_from_argv(["manage.py", "report", *argv])
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


def test_report_writes_the_workbook_and_prints_path_and_sha256(
    demo, tmp_path, run_report
):
    path = tmp_path / "sub" / "ropa.xlsx"
    status, out, err = run_report(["ropa-controller", "--out", str(path)])
    assert (status, err) == (0, "")
    data = path.read_bytes()
    assert out.split() == [str(path), hashlib.sha256(data).hexdigest()]
    assert load(data).sheetnames[1] == "Controller record"


def test_report_passes_as_of_and_transfer_to_the_builder(demo, tmp_path, run_report):
    cortex = Transfer.objects.get(name="KonnectBot to Cortex AI (US)")
    path = tmp_path / "tia.xlsx"
    now = datetime.datetime.now(datetime.UTC).isoformat()
    argv = ["tia", "--out", str(path), "--as-of", now, "--transfer", str(cortex.pk)]
    status, _, _ = run_report(argv)
    assert status == 0
    manifest = dict(load(path.read_bytes())["Manifest"].iter_rows(values_only=True))
    assert json.loads(manifest["Parameters"]) == {
        "transfer": {"id": cortex.pk, "name": "KonnectBot to Cortex AI (US)"}
    }
    asked = datetime.datetime.fromisoformat(now)
    # Exactly as asked, to the microsecond, in UTC.
    assert manifest["As of (UTC)"] == f"{asked:%Y-%m-%d %H:%M:%S.%f} UTC"


def test_a_bare_date_is_shown_as_that_day(db, tmp_path, run_report):
    with time_machine.travel("2026-01-05T10:00Z"):
        call_command("load_demo", stdout=io.StringIO())
    path = tmp_path / "r.xlsx"
    argv = ["ropa-controller", "--out", str(path), "--as-of", "2026-03-31"]
    status, _, err = run_report(argv)
    assert (status, err) == (0, "")
    manifest = dict(load(path.read_bytes())["Manifest"].iter_rows(values_only=True))
    assert manifest["As of (UTC)"] == "2026-03-31 end of day (UTC)"


def test_as_of_before_the_first_record_is_exit_2_one_line(demo, tmp_path, run_report):
    path = tmp_path / "r.xlsx"
    status, out, err = run_report(
        ["ropa-controller", "--out", str(path), "--as-of", "2001-01-01"]
    )
    assert status == 2
    assert "before the inventory's first recorded change" in err
    assert len(err.strip().splitlines()) == 1
    assert not path.exists()


def test_manifest_shows_names_unescaped(demo, tmp_path, run_report):
    path = tmp_path / "a.xlsx"
    argv = ["dpa-annex", "--out", str(path), "--customer", "Maison Lumière SAS"]
    status, _, _ = run_report(argv)
    assert status == 0
    for ws in load(path.read_bytes()).worksheets:  # the page header, by name
        assert ws.oddHeader.center.text == "Customer: Maison Lumière SAS"


def test_same_command_twice_gives_the_same_sha256(demo, tmp_path, run_report):
    argv = ["ropa-processor", "--out", str(tmp_path / "p.xlsx")]
    first = run_report(argv)[1].split()[1]
    assert run_report(argv)[1].split()[1] == first


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope", "--out", "x.xlsx"], "unknown report kind 'nope'"),
        (["tia", "--out", "x.xlsx", "--as-of", "2026-13-01"], "--as-of '2026-13-01'"),
        (["tia", "--out", "x.xlsx", "--as-of", "yesterday"], "not an ISO 8601"),
        (["tia", "--out", "x.xlsx", "--as-of", "2999-01-01"], "in the future"),
        (["changes", "--out", "x.xlsx", "--since", "31/03/2026"], "--since"),
        (
            ["changes", "--out", "x", "--since", "2026-05-01", "--as-of", "2026-04-01"],
            "is after --as-of",
        ),
        (["tia", "--out", "x.xlsx", "--transfer", "abc"], "not a transfer id"),
        (["tia", "--out", "x.xlsx", "--transfer", "99999"], "unknown transfer 99999"),
        (["tia"], "the following arguments are required: --out"),
        (["tia", "--out", "x.xlsx", "--colour", "red"], "unrecognized arguments"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    demo, tmp_path, monkeypatch, run_report, argv, message
):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_report(argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert message in err
    assert not (tmp_path / "x.xlsx").exists()


def test_unknown_customer_exits_2_before_building(
    demo, tmp_path, monkeypatch, run_report
):
    """The request rule resolves --customer before any builder runs; an
    unknown one exits with status 2 and one line."""
    seen = {}

    def annex(snap, params):
        seen.update(params)
        raise ReportError(f"unknown customer {params['customer']!r}")

    kinds = {**reports.build.registry(), "dpa-annex": annex}
    monkeypatch.setattr(reports.build, "registry", lambda: kinds)
    argv = ["dpa-annex", "--out", str(tmp_path / "a.xlsx"), "--customer", "Nobody"]
    status, _, err = run_report(argv)
    assert status == 2
    assert err.strip() == "CommandError: unknown customer 'Nobody'"
    assert seen == {}


def test_since_is_passed_normalised(demo, tmp_path, monkeypatch, run_report):
    seen = {}

    def changes(snap, params):
        seen.update(params)
        return [Sheet("Changes", ["When"], [])]

    kinds = {**reports.build.registry(), "changes": changes}
    monkeypatch.setattr(reports.build, "registry", lambda: kinds)
    argv = ["changes", "--out", str(tmp_path / "c.xlsx"), "--since", "2026-01-31"]
    assert run_report(argv)[0] == 0
    assert seen == {"since": "2026-01-31T23:59:59.999999+00:00"}


# -- demo_reports ------------------------------------------------------------


@pytest.fixture
def fake_annex_and_changes(monkeypatch):
    """Stand-ins for the dpa-annex and changes builders (written elsewhere),
    recording the parameters they are called with."""
    calls: list[tuple[str, dict]] = []

    def recorder(kind):
        def sheets(snap, params):
            calls.append((kind, dict(params)))
            return [Sheet("Data", ["Parameters"], [[json.dumps(params)]])]

        return sheets

    kinds = {
        **reports.build.registry(),
        "dpa-annex": recorder("dpa-annex"),
        "changes": recorder("changes"),
    }
    monkeypatch.setattr(reports.build, "registry", lambda: kinds)
    return calls


def test_demo_reports_writes_every_kind_with_its_sha256(
    demo, tmp_path, fake_annex_and_changes
):
    out = io.StringIO()
    call_command("demo_reports", "--out", str(tmp_path), stdout=out)
    expected = [
        "ropa-controller.xlsx",
        "ropa-processor.xlsx",
        "tia.xlsx",
        "changes.xlsx",
        "retention.xlsx",
        "dsr-log.xlsx",
        "dpa-annex-bayview-telehealth-inc.xlsx",
        "dpa-annex-maison-lumiere-sas.xlsx",
        "dpa-annex-thistle-pine-ltd.xlsx",
    ]
    lines = out.getvalue().splitlines()
    assert lines[-1] == f"Wrote 9 workbooks to {tmp_path}."
    printed = dict(line.split() for line in lines[:-1])
    assert list(printed) == [str(tmp_path / name) for name in expected]
    for path, sha in printed.items():
        with open(path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == sha
    assert load((tmp_path / "tia.xlsx").read_bytes()).sheetnames[0] == "Transfers"


def test_demo_reports_asks_for_each_customer_and_all_changes(
    demo, tmp_path, fake_annex_and_changes
):
    call_command("demo_reports", "--out", str(tmp_path), stdout=io.StringIO())
    customers = [p["customer"] for k, p in fake_annex_and_changes if k == "dpa-annex"]
    assert customers == [
        "Bayview Telehealth Inc.",
        "Maison Lumière SAS",
        "Thistle & Pine Ltd",
    ]
    ((_, changes),) = [(k, p) for k, p in fake_annex_and_changes if k == "changes"]
    since = datetime.datetime.fromisoformat(changes["since"])
    assert since <= demo_reports.first_change()
    assert since.time() == datetime.time(0, 0)


def test_an_option_of_another_kind_exits_2(demo, tmp_path, monkeypatch, run_report):
    """One request rule: the command refuses what the admin and API refuse."""
    monkeypatch.chdir(tmp_path)
    transfer = Transfer.objects.first()
    argv = ["ropa-controller", "--out", "x.xlsx", "--transfer", str(transfer.pk)]
    status, out, err = run_report(argv)
    assert status == 2
    assert "Only the tia report takes a transfer" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_customer_by_id_or_todays_name_gives_the_same_annex(demo, tmp_path, run_report):
    from inventory.models import Customer

    customer = Customer.objects.get(name="Maison Lumière SAS")
    by_name = ["dpa-annex", "--out", str(tmp_path / "a.xlsx")]
    by_id = ["dpa-annex", "--out", str(tmp_path / "b.xlsx")]
    first = run_report([*by_name, "--customer", "Maison Lumière SAS"])
    second = run_report([*by_id, "--customer", str(customer.pk)])
    assert first[0] == second[0] == 0
    assert first[1].split()[1] == second[1].split()[1]
    manifest = dict(
        load((tmp_path / "b.xlsx").read_bytes())["Manifest"].iter_rows(values_only=True)
    )
    assert json.loads(manifest["Parameters"]) == {
        "customer": {"id": customer.pk, "name": "Maison Lumière SAS"}
    }
