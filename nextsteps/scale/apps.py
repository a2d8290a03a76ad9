from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "nextsteps.scale"
