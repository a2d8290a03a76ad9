from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nextsteps.accounts"

    def ready(self) -> None:
        # The forms' drop-downs (accounts' templatetags lay them out) read their choices in one statement.
        from django import forms

        from nextsteps.rendering import ChoiceIterator

        forms.ModelChoiceField.iterator = ChoiceIterator
