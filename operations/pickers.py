"""The people operations forms choose (engineer, inspector, person on duty), for the search-as-you-type picker."""

from pmis.org.models import User
from pmis.search import pickers


def _operations_people(user, context):
    from pmis.org.selectors import user_role_codes

    from .forms import ENGINEER_ROLES
    from .services.common import OPERATIONS_ROLES

    if not user.is_authenticated or not (
        user.is_superuser or user_role_codes(user) & (OPERATIONS_ROLES | {"regional_pm", "implementer"})
    ):
        return User.objects.none()
    return User.objects.filter(groups__name__in=ENGINEER_ROLES, is_active=True).distinct()


def register_pickers() -> None:
    pickers.SOURCES.setdefault("operations_engineer", pickers._people(_operations_people))
