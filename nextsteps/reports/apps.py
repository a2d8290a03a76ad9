from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "nextsteps.reports"

    def ready(self) -> None:
        from nextsteps.reports.livecache import connect_signals

        connect_signals()
