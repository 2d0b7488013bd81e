import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inventory.roles import AUDITOR, DPO, SALES
from tests.factories import make_user

ROLES = {"dpo": DPO, "auditor": AUDITOR, "sales": SALES}


def token_client(user: User | None) -> APIClient:
    """A client as a script would be: token authentication, JSON bodies."""
    client = APIClient()
    if user is not None:
        token = Token.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(dpo: User) -> APIClient:
    return token_client(dpo)


@pytest.fixture
def auditor_api(auditor: User) -> APIClient:
    return token_client(auditor)


@pytest.fixture
def sales_api(sales: User) -> APIClient:
    return token_client(sales)


@pytest.fixture
def role_client(db: None):
    """role name ('dpo', 'auditor', 'sales', 'anonymous') -> client."""

    def client_for(role: str) -> APIClient:
        if role == "anonymous":
            return token_client(None)
        return token_client(make_user(ROLES[role], username=f"{role}-matrix"))

    return client_for
