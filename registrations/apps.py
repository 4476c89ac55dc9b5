from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "实施登记"

    def ready(self) -> None:
        from pmis.documents import access

        from .models import Registration, State
        from .selectors import registration_can_attach, registration_can_view
        from .services import presales_solution_attached

        access.register(
            Registration,
            can_view=registration_can_view,
            can_attach=registration_can_attach,
            after_attach=presales_solution_attached,
        )

        from approvals.actions import register_decision
        from approvals.chains import chain_record

        from .services import registration_context

        chain_record(Registration, chain="registration", context=registration_context)

        from .services import STEPS, registration_decide, registration_return_to

        for state in (State.PENDING_SALES_MANAGER, State.PENDING_SPECIAL, State.PENDING_BUSINESS):
            register_decision(
                STEPS[state].code,
                approve=lambda r, actor, comment: registration_decide(
                    registration=r, actor=actor, decision="approve", comment=comment
                ),
                send_back=lambda r, actor, comment: registration_decide(
                    registration=r, actor=actor, decision="return", comment=comment
                ),
                return_to=lambda r, actor, code, comment: registration_return_to(
                    registration=r, actor=actor, step_code=code, comment=comment
                ),
            )
