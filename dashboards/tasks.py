from celery import shared_task

from .cache import recount, refresh_due


@shared_task(name="dashboards.card_recount")
def card_recount(code: str, scope: str, user_id: int) -> bool:
    return recount(code, scope, user_id)


@shared_task(name="dashboards.cards_refresh")
def cards_refresh() -> int:
    return refresh_due()
