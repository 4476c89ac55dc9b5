from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = "移交与售后"

    def ready(self) -> None:
        from pmis.documents import access

        from .models import Ticket, TicketComment
        from .services import comment_can_view, ticket_can_view

        # Files of a ticket and of its replies leave only through the permission-checked download;
        # an internal note's files only to those who may read the note.
        access.register(Ticket, can_view=ticket_can_view, can_attach=ticket_can_view)
        access.register(TicketComment, can_view=comment_can_view, can_attach=comment_can_view)

        from approvals.actions import register_decision
        from approvals.chains import chain_record

        from .models import Handover
        from .services.handover import handover_context, handover_cs_head_decide

        chain_record(Handover, chain="handover", context=handover_context)

        register_decision(
            "handover.cs_head",
            approve=lambda h, actor, comment: handover_cs_head_decide(
                handover=h, actor=actor, approve=True, comment=comment
            ),
            send_back=lambda h, actor, comment: handover_cs_head_decide(
                handover=h, actor=actor, approve=False, comment=comment
            ),
        )
