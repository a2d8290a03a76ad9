"""The Django admin is for operators and set-up only (programmes, organisations, indicators, managed lists…).

Every ModelAdmin derives from AuditedAdmin, which writes each change to the app's audit trail, and a system
check (`setup_only_admin`) refuses to start when a registered admin is not audited or shows person-level
data: a model that is a person-level kind, has an encrypted field, refers to a person-level record, or is a
membership (roles change only through the Team page and `nextsteps user`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.core import checks
from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from nextsteps.audit.log import log
from nextsteps.audit.models import AuditEntry


class AuditedAdmin(admin.ModelAdmin):
    """Set-up changed in the Django admin is written to the audit trail like changes made through the app:
    who, when, which fields, never values. Inline rows (a programme's pillars, an indicator's targets) and
    rows that a deletion takes along get entries of their own; so does each row of a bulk delete.

    The entries name the organisation the operator acted for (none: operators work for no organisation).
    An entry about an organisation does not name it as the record's organisation: audit entries protect the
    organisations they name from deletion, and a wrongly added organisation must stay removable.

    A deletion that would take along anything that is not set-up (people's records, say) is refused, and
    the refusal counts those records by kind without showing them."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE
        log(action, obj, user=request.user, fields=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            # Before deleting: the entries need the primary keys, which deletion clears.
            _log_deletion(request, [obj])
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            _log_deletion(request, list(queryset))
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseFormSet, change: bool) -> None:
        deleted = [f.instance for f in getattr(formset, "deleted_forms", []) if f.instance.pk is not None]
        _log_deletion(request, deleted)
        super().save_formset(request, form, formset, change)
        for obj in getattr(formset, "new_objects", []):
            log(AuditEntry.Action.CREATE, obj, user=request.user)
        for obj, fields in getattr(formset, "changed_objects", []):
            log(AuditEntry.Action.CHANGE, obj, user=request.user, fields=fields)

    def get_deleted_objects(self, objs: Iterable[Any], request: HttpRequest) -> Any:
        objs = list(objs)
        result = super().get_deleted_objects(objs, request)
        setup = setup_models(self.admin_site)
        reached, protected = _reach(objs)
        hidden = {
            model: count
            for model, count in reached.items()
            if count and model not in setup and not model._meta.auto_created
        }
        if not hidden:
            return result
        _to_delete, model_count, perms_needed, _protected = result
        # Refused, and nothing that is not set-up is listed by name, not even on the confirmation page.
        shown = [str(obj) for obj in protected if type(obj) in setup]
        counts = [
            _("%(kind)s: %(count)s") % {"kind": capfirst(model._meta.verbose_name_plural), "count": count}
            for model, count in sorted(hidden.items(), key=lambda item: item[0]._meta.label)
        ]
        return [str(obj) for obj in objs], model_count, perms_needed, shown + counts


def _reach(objs: list[Any]) -> tuple[dict[type[Model], int], list[Any]]:
    """What deleting `objs` would delete, change (a reference set to empty) or be stopped by, counted by
    model; and the objects that stop it."""
    if not objs:
        return {}, []
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    counts: dict[type[Model], int] = {}
    for model, instances in collector.data.items():
        counts[model] = counts.get(model, 0) + len(instances)
    updates: dict[tuple[Any, Any], list[Any]] = collector.field_updates  # type: ignore[assignment]
    for (field, _value), batches in updates.items():
        counts[field.model] = counts.get(field.model, 0) + sum(len(batch) for batch in batches)
    for obj in collector.protected:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    return counts, list(collector.protected)


def _log_deletion(request: HttpRequest, objs: list[Any]) -> None:
    """An entry for each object and for each row its deletion takes along (an indicator's targets…)."""
    if not objs:
        return
    collector = NestedObjects(using=router.db_for_write(type(objs[0])))
    collector.collect(objs)
    for model, instances in collector.data.items():
        if model._meta.auto_created:  # the rows linking two records: the records' entries say it
            continue
        for instance in sorted(instances, key=lambda o: o.pk):
            log(AuditEntry.Action.DELETE, instance, user=request.user)


class ReadOnlyAdmin(AuditedAdmin):
    """Shown to operators, changed only through the app's audited actions (or never)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# The trail is evidence: nobody edits or deletes it through the app.
@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "acting_organisation", "organisation", "action", "model", "object_pk"]
    list_filter = ["action", "model", "organisation"]
    date_hierarchy = "at"


# The set-up the admin is for ---------------------------------------------------------------------------


def setup_models(site: admin.AdminSite) -> set[type[Model]]:
    """The models an admin site edits: those registered, and those of their inlines."""
    models: set[type[Model]] = set()
    for model, model_admin in site._registry.items():
        models.add(model)
        models.update(inline.model for inline in model_admin.inlines)
    return models


def person_level_reason(model: type[Model]) -> str | None:
    """Why a model must not be in the admin, or None when it may be."""
    from nextsteps.accounts.models import Membership
    from nextsteps.privacy.fields import EncryptedMixin
    from nextsteps.records.kinds import KINDS

    person_level = {kind.model for kind in KINDS.values() if kind.person_level}
    if model in person_level:
        return "is a person-level kind of record"
    if model is Membership:
        return "holds roles, which change only through the Team page and `nextsteps user`"
    for field in model._meta.get_fields():
        if isinstance(field, EncryptedMixin):
            return f"has an encrypted field ({field.name})"
        if field.is_relation and field.concrete and field.related_model in person_level:
            return f"refers to person-level records ({field.name})"
    return None


def setup_only_problems(site: admin.AdminSite) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    for model, model_admin in site._registry.items():
        if not isinstance(model_admin, AuditedAdmin):
            problems.append(
                checks.Error(
                    f"The admin of {model._meta.label} does not derive from AuditedAdmin: its changes "
                    "would not be audited.",
                    obj=type(model_admin),
                    id="audit.E101",
                )
            )
        for shown in [model, *(inline.model for inline in model_admin.inlines)]:
            reason = person_level_reason(shown)
            if reason is not None:
                problems.append(
                    checks.Error(
                        f"{shown._meta.label} is in the Django admin but {reason}: the admin is for set-up.",
                        obj=type(model_admin),
                        id="audit.E102",
                    )
                )
    return problems


@checks.register(checks.Tags.admin)
def setup_only_admin(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return setup_only_problems(admin.site)
