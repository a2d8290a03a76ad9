from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "nextsteps.records"
