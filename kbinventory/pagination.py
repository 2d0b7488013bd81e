from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF page-number pages; clients may ask for up to 500 rows (CONTRACT.md 4)."""

    page_size_query_param = "page_size"
    max_page_size = 500
