from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running Next Steps on a server: encrypted backups and restores, and the health check."""

    name = "nextsteps.operations"
