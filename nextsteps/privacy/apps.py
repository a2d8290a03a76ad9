from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "nextsteps.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        # Registers the key checks that every command and the server run before they start.
        # And the deploy checks (`nextsteps check --deploy`) of settings that must differ on a server.
        from nextsteps.privacy import checks, deploychecks  # noqa: F401
