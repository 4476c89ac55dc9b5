from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = "实施登记"

    def ready(self) -> None:
        from pmis.documents import access

        from .models import Registration
        from .selectors import registration_can_attach, registration_can_view
        from .services import presales_solution_attached

        access.register(
            Registration,
            can_view=registration_can_view,
            can_attach=registration_can_attach,
            after_attach=presales_solution_attached,
        )
