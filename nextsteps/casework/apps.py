from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "nextsteps.casework"
