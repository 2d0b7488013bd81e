from tests.api.conftest import api, auditor_api, sales_api

__all__ = ["api", "auditor_api", "sales_api"]
