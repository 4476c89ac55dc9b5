from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    """Cursor pages: stable while rows are added, and cheap at any depth (no OFFSET)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"
    cursor_query_description = "翻页游标（取自上一页的 next / previous）"
    page_size_query_description = "每页条数（最多 100）"

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:  # a cursor that was not ours is bad input, not a missing record
            raise ValidationError({"cursor": ["无效的翻页游标"]}) from exc
