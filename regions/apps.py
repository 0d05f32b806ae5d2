from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regionen und Kommunen")

    def ready(self) -> None:
        # The account rules: only a superuser makes a superuser, nobody changes their own
        # roles, every change of roles is recorded (regions.RoleChange).
        from regions import user_guard  # noqa: F401
