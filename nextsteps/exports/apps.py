from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "nextsteps.exports"
