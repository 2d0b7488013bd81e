import pytest
from django.contrib.auth.models import User
from django.test import Client

from inventory.roles import AUDITOR, DPO, SALES
from tests import demo_rows
from tests.factories import make_user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """SQLite tests use a file, not memory: threads (the concurrency tests)
    then open their own connections to the same database, as in production.
    Each pytest-xdist worker keeps its own test database (the suffix)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo inventory is set up right after the autouse fixtures (a clock
    set, a cache cleared), before the test's other fixtures (users, clients):
    load_demo then starts from the migrated database in every test, whose
    rows tests/demo_rows.py can copy in instead of running it again."""
    for item in items:
        names = getattr(item, "fixturenames", [])
        if "demo" not in names:
            continue
        autouse = set(item.session._fixturemanager._getautousenames(item))
        names.remove("demo")
        last = max((i for i, name in enumerate(names) if name in autouse), default=-1)
        names.insert(last + 1, "demo")


@pytest.fixture
def dpo(db: None) -> User:
    return make_user(DPO, username="dpo")


@pytest.fixture
def auditor(db: None) -> User:
    return make_user(AUDITOR, username="auditor")


@pytest.fixture
def sales(db: None) -> User:
    return make_user(SALES, username="sales")


@pytest.fixture
def dpo_client(dpo: User) -> Client:
    client = Client()
    client.force_login(dpo)
    return client


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    client = Client()
    client.force_login(auditor)
    return client


@pytest.fixture
def demo(db: None) -> None:
    """The KonnectBot demo inventory, as `load_demo` writes it (copied in after
    the first load in each test process: see tests/demo_rows.py)."""
    demo_rows.load()


from tests.mailserver import dead_mail_server, mail_server  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counts requests in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
