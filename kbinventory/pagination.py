from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF page-number pages; clients may ask for up to 500 rows (docs/api.md)."""

    page_size_query_param = "page_size"
    max_page_size = 500
