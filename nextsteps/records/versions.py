"""No lost updates: every record two people can edit carries a version, and an edit saves only over the
version its editor started from.

How a model takes part (records, casework, planning rows alike):

- inherit `Versioned` (an abstract model: a `version` field that starts at 1) and make a migration;
- write changes through an action that calls `claim(instance, expected)` inside its transaction before
  `instance.save()`: `records.actions.save_changes` and `update_record` do, with `expected_version`;
- put `VersionField` on the edit form (`RecordForm` does it for every versioned model) and pass its value
  as `expected_version`; show a `StaleEdit` as the form's error (`StaleEdit.page_message`).

`claim` is one conditional UPDATE (… SET version = version + 1 WHERE id = … AND version = expected): no
other writer can slip in between the check and the write. Writes that do not claim (erasure, a model's
own save() elsewhere) still move the version on, so an editor who started before them is refused too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

# How many of the latest changes a refusal names at most: enough for any real editing session.
MAX_CHANGES_NAMED = 20


class Versioned(models.Model):
    # A default in the database too: bulk loaders that write rows in SQL (nextsteps/scale) leave it out.
    version = models.PositiveIntegerField(gettext_lazy("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        claimed = getattr(self, "_version_claimed", False)
        self._version_claimed = False
        if self._state.adding or claimed or kwargs.get("force_insert"):
            super().save(*args, **kwargs)
            return
        # A write that did not claim a version (erasure, a job) still tells editors the record moved on.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        self.version = F("version") + 1  # type: ignore[assignment]
        super().save(*args, **kwargs)
        self.version = type(self)._default_manager.filter(pk=self.pk).values_list("version", flat=True).get()


class StaleEdit(ValidationError):
    """An edit refused because someone else saved the record after the editor's version.

    A ValidationError, so that a caller that does not know it still shows its message rather than fail;
    the pages and the API show it their own way (the form again with the current values; 409).
    """

    def __init__(self, instance: models.Model, expected: int, current: Any, changes: list[Any]) -> None:
        self.instance, self.expected, self.current = instance, expected, current
        self.fields = _field_names(type(instance), changes)
        self.people = _people(changes)
        super().__init__(self.what_changed(), code="stale")

    @property
    def deleted(self) -> bool:
        return self.current is None

    def what_changed(self) -> str:
        people = get_text_list(self.people, _("and")) if self.people else _("Someone else")
        count = max(1, len(self.people))
        if self.deleted:
            return ngettext(
                "%(people)s deleted this record while you were editing.",
                "%(people)s deleted this record while you were editing.",
                count,
            ) % {"people": people}
        labels = [label(type(self.instance), name) for name in self.fields]
        if not labels:
            return ngettext(
                "%(people)s changed this record while you were editing.",
                "%(people)s changed this record while you were editing.",
                count,
            ) % {"people": people}
        return ngettext(
            "%(people)s changed %(fields)s while you were editing.",
            "%(people)s changed %(fields)s while you were editing.",
            count,
        ) % {"people": people, "fields": get_text_list(labels, _("and"))}

    def page_message(self) -> str:
        if self.deleted:
            return " ".join([self.what_changed(), _("Your changes were not saved.")])
        return " ".join(
            [
                self.what_changed(),
                _("Your changes were not saved; they are shown below so you can apply them again."),
            ]
        )

    def api_message(self) -> str:
        if self.deleted:
            return " ".join([self.what_changed(), _("Nothing was saved.")])
        return " ".join(
            [
                self.what_changed(),
                _("Nothing was saved: read the record again and send your changes with version %(version)s.")
                % {"version": self.current_version},
            ]
        )

    @property
    def current_version(self) -> int:
        return 0 if self.current is None else int(self.current.version)


def claim(instance: Versioned, expected: int | None, *, changes: bool = True) -> None:
    """Move the record to its next version if it is still at `expected`, or raise StaleEdit. Call inside the
    transaction that then saves `instance`. `expected` None (an API client that sends no version) saves
    over whatever is stored, as before versions existed. A save that `changes` nothing keeps the version
    (after the same check): someone who opens a form and saves it as it was refuses nobody else's edit."""
    model = type(instance)
    if expected is None:
        # Unchecked; the save moves the version on when it changes something.
        instance._version_claimed = not changes
        return
    current = model._default_manager.filter(pk=instance.pk, version=expected)
    if changes:
        found = current.update(version=F("version") + 1)
    else:
        # The row lock (PostgreSQL; SQLite's write lock is taken when the transaction begins) keeps the
        # version where it was checked until the save.
        found = len(current.select_for_update().values_list("pk"))
    if not found:
        raise stale_edit(instance, expected)
    instance.version = expected + 1 if changes else expected
    instance._version_claimed = True


def stale_edit(instance: Versioned, expected: int) -> StaleEdit:
    from nextsteps.audit.models import AuditEntry

    model = type(instance)
    current = model._default_manager.filter(pk=instance.pk).first()
    entries = AuditEntry.objects.filter(model=model._meta.label, object_pk=str(instance.pk))
    if current is None:
        deletion = list(entries.filter(action=AuditEntry.Action.DELETE).select_related("user")[:1])
        return StaleEdit(instance, expected, None, deletion)
    # Each change since `expected` left one entry in the audit trail, naming who and which fields.
    since = max(0, min(current.version - expected, MAX_CHANGES_NAMED))
    changes = list(
        entries.filter(action=AuditEntry.Action.CHANGE).select_related("user").order_by("-at", "-pk")[:since]
    )
    return StaleEdit(instance, expected, current, changes)


def label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _field_names(model: type[models.Model], changes: list[Any]) -> list[str]:
    known = {f.name for f in model._meta.get_fields()}
    names: list[str] = []
    for entry in reversed(changes):
        for name in entry.fields or []:
            if name in known and name not in names and name not in {"version", "updated_at"}:
                names.append(name)
    return names


def _people(changes: list[Any]) -> list[str]:
    people: list[str] = []
    for entry in reversed(changes):
        user = entry.user
        if user is None:
            who = _("the system")
        else:
            name = user.get_full_name().strip()
            who = f"{name} ({user.get_username()})" if name else user.get_username()
        if who not in people:
            people.append(who)
    return people


def is_versioned(model: Any) -> bool:
    return isinstance(model, type) and issubclass(model, Versioned)


def moved_on(model: type[models.Model]) -> dict[str, Any]:
    """For a queryset update() of records outside the actions (erasure): the versions move on, so that an
    editor's form opened before cannot write the erased text back."""
    return {"version": F("version") + 1} if is_versioned(model) else {}


class VersionField(forms.IntegerField):
    """The version an edit form was opened at, sent back hidden with the edit."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("label", gettext_lazy("version"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("The version of the record your changes start from."),
        )
        super().__init__(**kwargs)


def add_version_field(form: forms.ModelForm[Any]) -> None:
    """Give an edit form of a versioned record its hidden version, at the record's current one."""
    if not is_versioned(form._meta.model) or form.instance.pk is None:
        form.fields.pop("version", None)
        return
    form.fields["version"] = VersionField(initial=form.instance.version)


def expected_version(form: forms.BaseForm) -> int | None:
    value = form.cleaned_data.get("version") if "version" in form.fields else None
    return int(value) if value is not None else None


def changed_fields(form: forms.BaseForm) -> list[str]:
    return [name for name in form.changed_data if name != "version"]


def show_stale(form: forms.BaseForm, stale: StaleEdit) -> None:
    """The form again with the editor's own input and the refusal; the next save starts from the current
    version, so the editor can apply their changes over what the other person saved."""
    form.add_error(None, stale.page_message())
    if stale.deleted:
        return
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix("version")] = str(stale.current_version)
    form.data = data
    form.stale_values = current_values(stale)  # type: ignore[attr-defined]


def current_values(stale: StaleEdit) -> list[tuple[str, Any]]:
    """The changed fields as they are stored now, labelled, for the page to show beside the form."""
    current = stale.current
    shown = []
    for name in stale.fields:
        field = current._meta.get_field(name)
        value: Any = getattr(current, name)
        if field.many_to_many:
            value = ", ".join(str(item) for item in value.all())
        elif isinstance(value, (list, tuple)):
            # A field of several values (countries): their names, not the codes.
            value = ", ".join(str(getattr(item, "name", item)) for item in value)
        elif getattr(field, "flatchoices", None):
            value = getattr(current, f"get_{name}_display")()
        shown.append((label(type(current), name), value))
    return shown
