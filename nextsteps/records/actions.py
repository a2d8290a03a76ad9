"""Every write to a record goes through these functions: atomic, with the acting user, and audited.

Views, commands and the API call them; nothing else saves records. `acting_user` is None only for the
system itself (the demo loader, a scheduled job), and the audit trail says so.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import F, Lookup, Model, ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from nextsteps.audit.log import WRITES, acting_organisation_of, bump_data_version, log, organisation_of
from nextsteps.audit.models import AuditEntry
from nextsteps.privacy.fields import EncryptedMixin
from nextsteps.records import versions
from nextsteps.records.models import (
    Case,
    ExternalOrganisation,
    Household,
    OutreachVisit,
    Person,
    ServiceDelivery,
    VisitPerson,
    Volunteer,
    VolunteerHours,
)

M = TypeVar("M", bound=Model)


@transaction.atomic
def create_record(model: type[M], *, acting_user: Any, validate: bool = True, **fields: Any) -> M:
    """Create one record of any kind, validated like a form would, and audit it."""
    m2m = {name: fields.pop(name) for name in list(fields) if _is_m2m(model, name)}
    return save_new(model(**fields), acting_user=acting_user, m2m=m2m, validate=validate)


@transaction.atomic
def save_new(instance: M, *, acting_user: Any, m2m: dict[str, Any] | None = None, validate: bool = True) -> M:
    """Save a record built elsewhere (e.g. by a form), with its many-to-many values, and audit it."""
    if validate:
        instance.full_clean()
    instance.save()
    for name, value in (m2m or {}).items():
        getattr(instance, name).set(value)
    fields = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    log(AuditEntry.Action.CREATE, instance, user=acting_user, fields=[*fields, *(m2m or {})])
    return instance


@transaction.atomic
def save_changes(
    instance: M,
    *,
    acting_user: Any,
    changed: list[str],
    m2m: dict[str, Any] | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> M:
    """Save an edited record whose attributes are already set (e.g. by a form); audit the changed fields,
    with the reason the user gave for the correction, if any.

    A versioned record saves only over `expected_version`, the version its editor started from, or raises
    versions.StaleEdit with nothing saved (None: no check, for API clients that send no version)."""
    changed = [name for name in changed if name != "version"]
    _claim(instance, expected_version, changes=bool(changed))
    instance.full_clean()
    if changed and not (reason or "").strip():
        require_correction_reason(instance)
    instance.save()
    for name, value in (m2m or {}).items():
        getattr(instance, name).set(value)
    if changed:
        log(AuditEntry.Action.CHANGE, instance, user=acting_user, fields=changed, reason=reason)
    return instance


CORRECTION_REASON_FIELD = "correction_reason"


def require_correction_reason(instance: Model) -> None:
    """The rule of every path (pages, API): a record dated in a period whose report already left the app, as
    stored or as changed, is corrected only with a reason, kept in the audit trail."""
    from nextsteps.records.kinds import kind_of
    from nextsteps.reports.reported import periods_touching

    kind = kind_of(instance)
    if kind is None or instance.pk is None:
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if periods_touching(kind, instance) or (stored is not None and periods_touching(kind, stored)):
        raise ValidationError(
            {
                CORRECTION_REASON_FIELD: _(
                    "This record is dated in a period whose report was already sent: say why it is corrected."
                )
            },
            code="reason",
        )


@transaction.atomic
def update_record(instance: M, *, acting_user: Any, expected_version: int | None = None, **changes: Any) -> M:
    """Change some fields of a record; `expected_version` as for save_changes."""
    m2m = {name: changes.pop(name) for name in list(changes) if _is_m2m(type(instance), name)}
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name, value in changes.items():
        setattr(instance, name, value)
    _claim(instance, expected_version, changes=bool(changed or m2m))
    instance.full_clean()
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
        changed.append(name)
    if changed:
        log(AuditEntry.Action.CHANGE, instance, user=acting_user, fields=changed)
    return instance


def _claim(instance: Model, expected_version: int | None, *, changes: bool) -> None:
    if isinstance(instance, versions.Versioned):
        versions.claim(instance, expected_version, changes=changes)


class RecordKept(ValidationError):
    """A delete refused by the rule below; the message (already translated) says which records keep it."""


def _kind_models() -> set[type[Model]]:
    from nextsteps.records.kinds import KINDS

    return {kind.model for kind in KINDS.values()}


def _kept(instance: Model, blockers: Iterable[type[Model]]) -> RecordKept:
    names = sorted({str(model._meta.verbose_name_plural) for model in blockers})
    return RecordKept(
        _(
            "“%(record)s” cannot be deleted while other records refer to it (%(records)s): delete or "
            "change those first."
        )
        % {"record": instance, "records": ", ".join(names)},
        code="kept",
    )


def _collect(instance: Model) -> Collector:
    """What deleting the record would take with it, or RecordKept. The rule, for every path (pages, API,
    commands): a record is deleted alone. Another record that points at it (a person's cases, which PROTECT
    her) or would go with it (a case's services and outcomes, which CASCADE) keeps it, so that no click or
    API call erases someone's history; only the links and shares that belong to it go along."""
    collector = Collector(using=router.db_for_write(type(instance)))
    try:
        collector.collect([instance])
    except ProtectedError as error:
        raise _kept(instance, {type(obj) for obj in error.protected_objects}) from None
    except RestrictedError as error:
        raise _kept(instance, {type(obj) for obj in error.restricted_objects}) from None
    kinds = _kind_models()
    taken = {
        model for model, objs in collector.data.items() if model in kinds and model is not type(instance)
    }
    taken |= {qs.model for qs in collector.fast_deletes if qs.model in kinds and qs.exists()}
    if taken:
        raise _kept(instance, taken)
    return collector


def deletion_refusal(instance: Model) -> str | None:
    """Why the record cannot be deleted (translated), or None: for a page to say so before anyone asks."""
    try:
        _collect(instance)
    except RecordKept as kept:
        return " ".join(kept.messages)
    return None


class _DryRun(Exception):
    """Raised to roll back a deletion that was only tried (see without)."""


T = TypeVar("T")


def without(instance: Model, compute: Callable[[], T]) -> T:
    """What `compute` returns once the record is deleted, with everything its deletion takes along, without
    deleting it: the deletion runs in a transaction (or savepoint) that is always rolled back, and writes no
    audit entry. Raises RecordKept like delete_record. For the warnings a removal shows beforehand."""
    # A copy: a deletion clears the primary keys of the instances it deletes, and the caller's must stay.
    copy = type(instance)._default_manager.get(pk=instance.pk)
    result: list[T] = []
    try:
        with transaction.atomic(using=router.db_for_write(type(instance))):
            _collect(copy).delete()
            result.append(compute())
            raise _DryRun
    except _DryRun:
        pass
    return result[0]


@transaction.atomic
def delete_record(instance: Model, *, acting_user: Any, reason: str | None = None) -> None:
    """Delete one record, or raise RecordKept (see _collect). The record's own entry keeps the reason the
    user gave (pages and the API ask for one: removal.RemovalForm; a merge, whose entries say why, gives
    none). Each row that goes with it (a link to a
    person reached on a visit, a share of a case) gets its own entry; a record that loses a link to it (a
    household losing a member) gets a change entry; a record whose reference is cleared (a volunteer's
    campaign) too."""
    model = type(instance)
    # On PostgreSQL this row lock makes a concurrent insert of a service into this case wait, so that what
    # was checked is what is deleted; SQLite's write lock (IMMEDIATE transactions) does the same.
    list(model._default_manager.select_for_update().filter(pk=instance.pk).values_list("pk"))
    collector = _collect(instance)
    organisation = organisation_of(instance)
    # Log first: the entries must name the records while they still have their keys.
    log(AuditEntry.Action.DELETE, instance, user=acting_user, organisation=organisation, reason=reason)
    removed: list[Model] = [obj for objs in collector.data.values() for obj in objs if obj is not instance]
    for qs in collector.fast_deletes:
        removed.extend(qs)
    for obj in removed:
        through_of = obj._meta.auto_created
        if not through_of:
            log(AuditEntry.Action.DELETE, obj, user=acting_user, organisation=organisation)
        elif through_of is not model:
            # A link row of another record's many-to-many field: that record changes.
            _log_link_change(obj, through_of, acting_user)
    for (f, _value), batches in collector.field_updates.items():
        for batch in batches:
            for obj in cast(Iterable[Model], batch):
                log(AuditEntry.Action.CHANGE, obj, user=acting_user, fields=[f.name])
    collector.delete()


def _log_link_change(link: Model, owner_model: Any, acting_user: Any) -> None:
    for m2m in owner_model._meta.many_to_many:
        if m2m.remote_field.through is type(link):
            owner = getattr(link, m2m.m2m_field_name())
            log(AuditEntry.Action.CHANGE, owner, user=acting_user, fields=[m2m.name])


def _is_m2m(model: type[Model], name: str) -> bool:
    try:
        return bool(model._meta.get_field(name).many_to_many)
    except FieldDoesNotExist:
        return False


@transaction.atomic
def record_outreach_round(
    *,
    acting_user: Any,
    programme: Any,
    organisation: Any,
    date: dt.date,
    locality: str,
    site_type: Any,
    household: Household | None = None,
    persons: Iterable[Person] = (),
) -> OutreachVisit:
    """One visit with everyone reached on it: the most frequent thing outreach workers record."""
    visit = create_record(
        OutreachVisit,
        acting_user=acting_user,
        programme=programme,
        organisation=organisation,
        date=date,
        locality=locality,
        site_type=site_type,
        household=household,
    )
    people = list(persons)
    VisitPerson.objects.bulk_create([VisitPerson(visit=visit, person=p) for p in people])
    if people:
        log(AuditEntry.Action.CHANGE, visit, user=acting_user, fields=["persons"])
    return visit


@dataclass
class RoundSaved:
    visits: list[int]
    households: int
    people: int


@transaction.atomic
def record_round(
    *,
    acting_user: Any,
    programme: Any,
    organisation: Any,
    date: dt.date,
    locality: str,
    site_type: Any,
    households: Sequence[tuple[Household, Sequence[int]]],
    persons: Sequence[Person] = (),
) -> RoundSaved:
    """A whole outreach round: one visit per household with the persons present (primary keys of its
    members), and one visit for the other people reached. However many households, a fixed number of
    queries: the visits, their links and their audit entries are each written in one statement.

    The visit's rules run as for a single visit: every field rule once (they are the same for every visit of
    the round), the household's locality per visit; the database refuses a second visit of a household on
    one day (IntegrityError, nothing saved)."""
    common = {
        "programme": programme,
        "organisation": organisation,
        "date": date,
        "locality": locality,
        "site_type": site_type,
    }
    OutreachVisit(**common).full_clean()
    for household, _present in households:
        elsewhere = OutreachVisit(**common, household=household).household_elsewhere()
        if elsewhere is not None:
            raise ValidationError({"household": [elsewhere]})
    ids = {
        "programme_id": programme.pk,
        "organisation_id": organisation.pk,
        "date": date,
        "locality": locality,
        "site_type_id": site_type.pk,
    }
    insert_rows(OutreachVisit, [{**ids, "household_id": household.pk} for household, _p in households])
    visit_of: dict[int, int] = {}
    if households:
        visit_of = dict(
            OutreachVisit.objects.filter(
                AnyOf(F("household_id"), [household.pk for household, _p in households]),
                organisation=organisation,
                date=date,
            )
            .order_by()
            .values_list("household_id", "pk")
        )
    insert_rows(
        VisitPerson,
        [
            {"visit_id": visit_of[household.pk], "person_id": person}
            for household, present in households
            for person in present
        ],
    )
    fields = (*(f.name for f in OutreachVisit._meta.concrete_fields if not f.primary_key), "persons")
    created = [visit_of[household.pk] for household, _p in households]
    insert_audit_entries(
        OutreachVisit, [(AuditEntry.Action.CREATE, pk, fields) for pk in created], acting_user, organisation
    )
    people = sum(len(present) for _household, present in households)
    if persons:
        others = record_outreach_round(acting_user=acting_user, persons=persons, **common)
        created.append(others.pk)
        people += len(persons)
    return RoundSaved(visits=created, households=len(households), people=people)


@transaction.atomic
def external_organisation_named(
    name: str, *, kind: str, acting_user: Any, organisation: Any
) -> ExternalOrganisation:
    """The external organisation of this name (whatever its case), created if it is new. Its creation is
    audited under the organisation that recorded the contact with it."""
    existing = ExternalOrganisation.objects.filter(name__iexact=name.strip()).first()
    if existing is not None:
        return existing
    created = ExternalOrganisation(name=name.strip(), kind=kind)
    created.full_clean()
    created.save()
    log(
        AuditEntry.Action.CREATE,
        created,
        user=acting_user,
        organisation=organisation,
        fields=["name", "kind"],
    )
    return created


@transaction.atomic
def record_service(
    *, acting_user: Any, case: Case, service_type: Any, date: dt.date, note: str = ""
) -> ServiceDelivery:
    if date > dt.date.today():
        raise ValidationError({"date": _("A service cannot be delivered in the future.")})
    return create_record(
        ServiceDelivery, acting_user=acting_user, case=case, service_type=service_type, date=date, note=note
    )


@transaction.atomic
def record_volunteer_hours(
    volunteer: Volunteer, *, acting_user: Any, month: dt.date, hours: int
) -> VolunteerHours:
    """The hours a volunteer gave in a month (any day of it: the first is stored), replacing what was recorded
    for that month before. Audited under the volunteer's organisation."""
    entry = VolunteerHours.objects.filter(volunteer=volunteer, month=month.replace(day=1)).first()
    action = AuditEntry.Action.CHANGE
    if entry is None:
        entry, action = VolunteerHours(volunteer=volunteer, month=month), AuditEntry.Action.CREATE
    elif entry.hours == hours:
        return entry
    entry.hours = hours
    entry.full_clean()
    entry.save()
    log(action, entry, user=acting_user, organisation=volunteer.organisation, fields=["month", "hours"])
    return entry


# Bulk writes (imports) -------------------------------------------------------------------------------


@dataclass
class BulkResult:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    # The primary key of every row's record, by the row's key value (external id, slug or name).
    keys: dict[Any, int] = field(default_factory=dict)

    def add(self, other: BulkResult) -> None:
        self.created += other.created
        self.changed += other.changed
        self.unchanged += other.unchanged


def organisation_path(model: type[Model]) -> str | None:
    """How a record reaches the organisation that recorded it, for models whose external ids it scopes."""
    names = {f.name for f in model._meta.get_fields()}
    for path in ("organisation", "case__organisation", "visit__organisation", "goal__case__organisation"):
        if path.split("__")[0] in names:
            return path
    return None


def _audit_user(acting_user: Any) -> Any:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _prepare(instance: Model) -> None:
    derive = getattr(instance, "set_derived_fields", None)
    if derive is not None:
        derive()
    try:
        instance.clean()
    except ValidationError as error:
        # A record the import opens itself (a person's case) has neither key nor id yet: its name says which.
        key = getattr(instance, "external_id", "") or getattr(instance, "slug", "") or instance.pk or instance
        raise ValidationError(
            _("%(record)s: %(reason)s") % {"record": key, "reason": " ".join(error.messages)}
        ) from None


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`column IN (values)` with the values as one parameter: a batch of 2,000 keys would otherwise cost
    Django 2,000 placeholders to prepare and the database 2,000 parameters to parse."""

    lookup_name = "any_of"

    def get_prep_lookup(self) -> Any:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, self.rhs]
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.rhs)]
        placeholders = ", ".join(["%s"] * len(self.rhs)) or "NULL"
        return f"{lhs} IN ({placeholders})", [*params, *self.rhs]


def records_by_key(model: type[M], match: Mapping[str, Any], key: str, values: Iterable[Any]) -> QuerySet[M]:
    """Records by key values (text). Excluding empty keys lets the database use the partial unique index on
    (organisation, external_id), rather than read every record of the organisation; no ordering is needed."""
    return model._default_manager.filter(AnyOf(F(key), list(values)), **match).exclude(**{key: ""}).order_by()


def records_by_key_or_code(
    model: type[M], match: Mapping[str, Any], keys: Iterable[str], codes: Iterable[str], fields: Sequence[str]
) -> QuerySet[Any]:
    """The `fields` and the lower-case code (`lower_code`, last) of the records whose external id is one of
    `keys` or whose code, whatever its case, is one of `codes` (lower-case). Two lookups joined by UNION, each
    through its own unique index in the organisation: joined by OR, the choice of index was left to
    statistics, which a first import does not have yet (SQLite read every record of the organisation)."""
    keys, codes = sorted(keys), sorted(codes)
    parts = [
        lookup.annotate(lower_code=Lower("code")).order_by().values_list(*fields, "lower_code")
        for lookup in (
            records_by_key(model, match, "external_id", keys) if keys else None,
            model._default_manager.filter(AnyOf(Lower("code"), codes), **match) if codes else None,
        )
        if lookup is not None
    ]
    if not parts:
        return model._default_manager.none()
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


@functools.cache
def _field_name(model: type[Model], name: str) -> str:
    try:
        return model._meta.get_field(name).name
    except FieldDoesNotExist:
        return name


def _needs_instance(model: type[Model]) -> bool:
    """Whether rows must become model instances before they are written: to derive fields or run clean()."""
    return hasattr(model, "set_derived_fields") or model.clean is not Model.clean


def _cases_of(model: type[Model], case_ids: Iterable[Any]) -> dict[Any, Case]:
    """The cases the rows of a batch belong to, read in one query: a case's record is checked against the
    case's open period (its clean()), which would otherwise read the case once per row."""
    if not any(f.name == "case" and f.related_model is Case for f in model._meta.concrete_fields):
        return {}
    ids = sorted({pk for pk in case_ids if pk is not None})
    if not ids:
        return {}
    return {c.pk: c for c in Case.objects.filter(AnyOf(F("pk"), ids)).only("pk", "opened", "closed")}


def _batch_consents(model: type[Model], person_ids: Iterable[Any]) -> dict[Any, list[Any]] | None:
    """The stored consents of a batch's persons, read in one query, by person: a case opens only with one
    for services (Case.clean) and a consent is not recorded twice (Consent.clean), which would otherwise
    read them once per row. None for other records."""
    from nextsteps.privacy.models import Consent

    if model is not Case and model is not Consent:
        return None
    ids = sorted({pk for pk in person_ids if pk is not None})
    found: dict[Any, list[Any]] = {pk: [] for pk in ids}
    if ids:
        stored = Consent.objects.filter(AnyOf(F("person_id"), ids))
        if model is Case:
            stored = stored.filter(purpose=Consent.Purpose.SERVICES)
        for consent in stored.only(*Consent.SAME_CONSENT, "pk"):
            found[consent.person_id].append(consent)
    return found


def _needs_consent(values: Mapping[str, Any]) -> Any:
    """The person whose consent a case's row may need: none when the row says why it was not asked, so
    that a batch of such rows costs no query."""
    return None if values.get("consent_not_asked_reason") else values.get("person_id")


def _with_case(
    instance: Model, cases: Mapping[Any, Case], consents: Mapping[Any, list[Any]] | None = None
) -> Model:
    case = cases.get(getattr(instance, "case_id", None))
    if case is not None:
        instance.case = case  # type: ignore[attr-defined]
    if consents is not None:
        instance._batch_consents = consents  # type: ignore[attr-defined]
    return instance


def _as_values(
    model: type[Model],
    values: dict[str, Any],
    cases: Mapping[Any, Case] | None = None,
    consents: Mapping[Any, list[Any]] | None = None,
) -> dict[str, Any]:
    """Run the model's own rules and derivations on one row, returning the values to store."""
    instance = _with_case(model(**values), cases or {}, consents)
    _prepare(instance)
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields if not f.primary_key}


def _column_preparers(model: type[Model], connection: Any) -> list[tuple[Any, Callable[[Any], Any]]]:
    """For each column, how a Python value becomes a query parameter; decided once per call, not per value.

    Django's bulk_create compiles every value through several layers, which costs far more than the database
    does; plain values (text, numbers, keys) need no conversion, and the others take the field's own path.
    """
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    found: list[tuple[Any, Callable[[Any], Any]]] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if isinstance(f, EncryptedMixin):
            # Identifying text is stored as the ORM stores it: a fresh token per value (never a shared one).
            found.append((f, functools.partial(_db_value, f, connection)))
        elif isinstance(f, plain) and getattr(f, "multiple", False):
            # Several values in one column (countries): the field joins them.
            found.append((f, functools.partial(_db_value, f, connection)))
        elif isinstance(f, plain) or (f.is_relation and isinstance(f.target_field, models.AutoField)):  # type: ignore[attr-defined]
            found.append((f, _same))
        elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            found.append((f, connection.ops.adapt_datefield_value))
        elif isinstance(f, models.JSONField):
            found.append((f, _memo_json(f, connection)))
        else:
            found.append((f, functools.partial(_db_value, f, connection)))
    return found


def _memo_json(f: Any, connection: Any) -> Callable[[Any], Any]:
    """JSON as text, which both SQLite and PostgreSQL's COPY take. Audit entries of one batch repeat a few
    lists of field names, so each list is encoded once."""
    cache: dict[tuple[Any, ...], str] = {}

    def prep(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, list):
            return json.dumps(value, cls=f.encoder)
        key = tuple(value)
        if key not in cache:
            cache[key] = json.dumps(value, cls=f.encoder)
        return cache[key]

    return prep


def _same(value: Any) -> Any:
    return value


def _db_value(f: Any, connection: Any, value: Any) -> Any:
    return f.get_db_prep_save(value, connection)


def insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (values by attribute name) in a few statements per call; missing fields take their defaults
    and timestamps are set as save() would. Nothing is validated: callers have done that. A row the database
    refuses raises, leaving the rows before it: call it within a transaction (the actions are atomic)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    columns = []
    # Column by column: list comprehensions over the rows cost far less than a loop over rows and fields.
    values: list[list[Any]] = []
    for f, prep in _column_preparers(model, connection):
        columns.append(connection.ops.quote_name(f.column))
        name = f.attname
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values.append([prep(now)] * len(rows))
            continue
        if f.has_default() and callable(f.default):
            raw = [row[name] if name in row else f.get_default() for row in rows]
        else:
            # As for a model instance: the field's default, else "" for text that may not be NULL, else NULL.
            default = f.get_default()
            raw = [row.get(name, default) for row in rows]
        values.append(raw if prep is _same else [prep(v) for v in raw])
    _execute_insert(model, connection, columns, values)


def insert_columns(model: type[Model], count: int, given: Mapping[str, Sequence[Any]]) -> None:
    """Like insert_rows, for values already gathered column by column (attribute name → one value per row)."""
    if not count:
        return
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    columns = []
    values: list[Sequence[Any]] = []
    for f, prep in _column_preparers(model, connection):
        columns.append(connection.ops.quote_name(f.column))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values.append([prep(now)] * count)
            continue
        if f.attname in given:
            raw: Sequence[Any] = given[f.attname]
        elif f.has_default() and callable(f.default):
            raw = [f.get_default() for _ in range(count)]
        else:
            raw = [f.get_default()] * count
        values.append(raw if prep is _same else [prep(v) for v in raw])
    _execute_insert(model, connection, columns, values)


def _execute_insert(
    model: type[Model], connection: Any, columns: list[str], values: Sequence[Sequence[Any]]
) -> None:
    params = list(zip(*values, strict=True))
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY is PostgreSQL's bulk path: many times faster than row-by-row statements from the client.
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in params:
                copy.write_row(row)
        return
    # Many rows a statement: a statement's own work (SQLite's AUTOINCREMENT bookkeeping among it) is done
    # once for them all, a third less of SQLite's time for a visit and its audit entry than a statement a
    # row. OR FAIL: a refused row ends the statement and leaves the rows before it, as a statement a row
    # did; with ABORT, SQLite would first copy every page the statement changes into a statement journal.
    # Callers are atomic: a failure takes back all.
    per = max(1, min(ROWS_PER_INSERT, _variable_limit(connection) // max(len(columns), 1)))
    marks = f"({', '.join(['?'] * len(columns))})"
    head = f"INSERT OR FAIL INTO {table} ({', '.join(columns)}) VALUES "
    # Straight to SQLite, as COPY goes straight to PostgreSQL: Django's cursor would rewrite each statement's
    # thousands of placeholders with a regular expression (6% of a large import's time).
    # Django's cursor would also refuse to write in a transaction already marked for rollback: so does this.
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        for start in range(0, len(params), per):
            part = params[start : start + per]
            connection.connection.execute(
                head + ", ".join([marks] * len(part)), [value for row in part for value in row]
            )


# Rows an INSERT statement writes on SQLite: beyond a few hundred, more a statement saves nothing measurable.
ROWS_PER_INSERT = 500


def _variable_limit(connection: Any) -> int:
    """How many parameters one SQLite statement may take: 32,766 by default, set when SQLite is built."""
    connection.ensure_connection()
    return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def update_rows(
    model: type[Model],
    rows: Sequence[Mapping[str, Any]],
    attnames: Sequence[str],
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Write the fields `attnames` of each row's record (`row["pk"]`), and the same `constants` (such as
    updated_at) to all of them, with one UPDATE statement run for all rows. Django's bulk_update builds one
    CASE per field with a branch per row: it grows with the square of the batch."""
    constants = constants or {}
    if not rows or not (attnames or constants):
        return
    connection = connections[router.db_for_write(model)]
    preparers = {f.attname: (f, prep) for f, prep in _column_preparers(model, connection)}
    quote = connection.ops.quote_name
    names = [*attnames, *constants]
    assignments = ", ".join(f"{quote(preparers[a][0].column)} = %s" for a in names)
    primary_key: Any = model._meta.pk
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(primary_key.column)} = %s"
    fixed = tuple(preparers[a][1](v) for a, v in constants.items())
    columns = [[preparers[a][1](row[a]) for row in rows] for a in attnames]
    values = list(zip(*columns, strict=True)) if columns else [()] * len(rows)
    if connection.vendor == "postgresql":
        _update_from_copy(model, connection, rows, attnames, values, constants)
        return
    params = [(*changed, *fixed, row["pk"]) for changed, row in zip(values, rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _update_from_copy(
    model: type[Model],
    connection: Any,
    rows: Sequence[Mapping[str, Any]],
    attnames: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    constants: Mapping[str, Any],
) -> None:
    """PostgreSQL: the new values go by COPY into a temporary table, and one UPDATE joins it; statements run
    row by row would each cost a round trip and the client's formatting of the query."""
    quote = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    primary_key: Any = model._meta.pk
    table = quote(model._meta.db_table)
    scratch = quote(f"import_update_{model._meta.db_table}")
    definitions = ", ".join(
        [f"{quote(primary_key.column)} {primary_key.rel_db_type(connection)}"]
        + [f"{quote(fields[a].column)} {fields[a].db_type(connection)}" for a in attnames]
    )
    assignments = [f"{quote(fields[a].column)} = s.{quote(fields[a].column)}" for a in attnames]
    assignments += [f"{quote(fields[a].column)} = %s" for a in constants]
    preparers = {f.attname: prep for f, prep in _column_preparers(model, connection)}
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ({definitions}) ON COMMIT DROP")
        copied = ", ".join([quote(primary_key.column)] + [quote(fields[a].column) for a in attnames])
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {scratch} ({copied}) FROM STDIN") as copy,
        ):
            for changed, row in zip(values, rows, strict=True):
                copy.write_row((row["pk"], *changed))
        cursor.execute(
            f"UPDATE {table} AS t SET {', '.join(assignments)} "
            f"FROM {scratch} AS s WHERE t.{quote(primary_key.column)} = s.{quote(primary_key.column)}",
            [preparers[a](v) for a, v in constants.items()],
        )
        cursor.execute(f"DROP TABLE {scratch}")


def insert_audit_entries(
    model: type[Model], entries: Sequence[tuple[str, Any, Iterable[str]]], acting_user: Any, organisation: Any
) -> None:
    """One audit entry per (action, primary key, field names), as `audit.log.log` writes them one at a time:
    field names only, never values."""
    user = _audit_user(acting_user)
    count = len(entries)
    acting = acting_organisation_of(user, organisation)
    if any(action in WRITES for action, _pk, _fields in entries):
        # Once per batch, in its transaction: live caches of figures (the dashboard's) are recomputed.
        bump_data_version()
    # The same few lists of field names recur in a batch: sort each once, share the list.
    names: dict[tuple[str, ...], list[str]] = {}
    fields_column = []
    for _action, _pk, fields in entries:
        key = fields if isinstance(fields, tuple) else tuple(fields)
        if key not in names:
            names[key] = sorted(set(key))
        fields_column.append(names[key])
    insert_columns(
        AuditEntry,
        count,
        {
            "action": [action for action, _pk, _fields in entries],
            "model": [model._meta.label] * count,
            "object_pk": [str(pk) for _action, pk, _fields in entries],
            "user_id": [user.pk if user else None] * count,
            "organisation_id": [organisation.pk if organisation is not None else None] * count,
            "acting_organisation_id": [acting.pk if acting is not None else None] * count,
            "fields": fields_column,
        },
    )


def bulk_upsert_records(
    model: type[M],
    rows: Iterable[Mapping[str, Any]],
    *,
    acting_user: Any,
    organisation: Any,
    key: str = "external_id",
    match: Mapping[str, Any] | None = None,
    create_defaults: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    update: bool = True,
    fixed: Sequence[str] = ("programme_id",),
    known: Mapping[Any, int] | None = None,
    savepoint: bool = True,
) -> BulkResult:
    """Create or update many records of one kind in a constant number of queries, auditing each record
    that was created or changed (one entry each, with field names only, as for single writes).

    Rows hold field values by attribute name (`person_id`, not `person`) and many-to-many fields as lists of
    primary keys. A row whose `key` value matches a record selected by `match` (by default: the
    organisation's own records) updates it, changing only the fields the row gives; other rows create
    records, with `create_defaults(row)` filling fields the row leaves out. `update=False` leaves matched
    records alone. A row may not move a record to another value of a `fixed` field (its programme).
    `known` (key → primary key) spares the lookup by key when the caller has just made it, as the importer
    does while checking a file; rows whose key it lacks are created.

    Values must already have the right types (the importer checks each cell); the model's own rules
    (clean()) are checked here, and a ValidationError leaves nothing of the call behind.

    `savepoint=False` is for a caller whose own transaction is what a failure takes back (the importer's
    batches). Inside one, SQLite copies every page a savepoint's writes change into a statement journal
    first, a large part of a big import's time; without it, a failure rolls back the caller's transaction.
    """
    with transaction.atomic(savepoint=savepoint):
        return _upsert_records(
            model,
            rows,
            acting_user=acting_user,
            organisation=organisation,
            key=key,
            match=match,
            create_defaults=create_defaults,
            update=update,
            fixed=fixed,
            known=known,
        )


def _upsert_records(
    model: type[M],
    rows: Iterable[Mapping[str, Any]],
    *,
    acting_user: Any,
    organisation: Any,
    key: str,
    match: Mapping[str, Any] | None,
    create_defaults: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None,
    update: bool,
    fixed: Sequence[str],
    known: Mapping[Any, int] | None,
) -> BulkResult:
    """bulk_upsert_records within its transaction or savepoint."""
    rows = list(rows)
    result = BulkResult()
    if not rows:
        return result
    if match is None:
        path = organisation_path(model)
        match = {path: organisation} if path else {}
    m2m_fields = {f.name: f for f in model._meta.many_to_many}
    given: set[str] = set().union(*rows)
    compared = sorted(given - set(m2m_fields) | set(fixed) - {key})
    compared = [n for n in compared if any(f.attname == n for f in model._meta.concrete_fields)]

    keys = [row[key] for row in rows if row.get(key)]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate {key} values in one call")
    # What is stored now, as plain values: comparing them needs no model instances.
    existing: dict[Any, dict[str, Any]] = {}
    if known is not None:
        # By primary key alone: the caller found these keys within `match`, and a plan on the primary key
        # index does not depend on how fresh the database's statistics are.
        stored_rows = model._default_manager.filter(AnyOf(F("pk"), list(known.values()))).order_by()
    else:
        stored_rows = records_by_key(model, match, key, keys)
    if keys and (known is None or known):
        for stored in stored_rows.values("pk", key, *compared):
            if stored[key] in existing:
                raise ValidationError(
                    _("More than one %(model)s has the external id %(key)s.")
                    % {"model": model._meta.verbose_name, "key": stored[key]}
                )
            existing[stored[key]] = stored
    current_links: dict[str, dict[int, set[int]]] = {}
    if existing and update:
        for name in given & set(m2m_fields):
            current_links[name] = _links(m2m_fields[name], [v["pk"] for v in existing.values()])

    to_create: list[tuple[dict[str, Any], dict[str, list[int]], tuple[str, ...]]] = []
    to_change: dict[int, tuple[Mapping[str, Any], list[str], dict[str, Any]]] = {}
    audits: list[tuple[str, Any, Iterable[str]]] = []
    link_changes: dict[str, list[tuple[int, list[int]]]] = {}
    with_links = not given.isdisjoint(m2m_fields)
    no_links: dict[str, list[int]] = {}
    # Rows of a batch name the same few sets of fields: each set is turned into audit field names once.
    audit_names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for row in rows:
        if with_links:
            plain: Mapping[str, Any] = {n: v for n, v in row.items() if n not in m2m_fields}
            links = {n: list(v) for n, v in row.items() if n in m2m_fields}
        else:
            plain, links = row, no_links
        found = existing.get(row[key]) if row.get(key) else None
        if found is None:
            values = dict(create_defaults(row)) if create_defaults else {}
            values.update(plain)
            names = (*values, *links)
            if names not in audit_names:
                audit_names[names] = tuple(sorted({_field_name(model, n) for n in names}))
            to_create.append((values, links, audit_names[names]))
            continue
        stored = found
        pk = stored["pk"]
        result.keys[row[key]] = pk
        if not update:
            result.unchanged += 1
            continue
        for name in fixed:
            if name in plain and stored.get(name) != plain[name]:
                raise ValidationError(
                    _("The record with external id %(key)s belongs to another programme.") % {"key": row[key]}
                )
        changed = [n for n, v in plain.items() if n != key and stored.get(n) != v]
        changed_links = []
        for name, wanted in links.items():
            if set(wanted) != current_links[name].get(pk, set()):
                changed_links.append(name)
                link_changes.setdefault(name, []).append((pk, wanted))
        if changed:
            to_change[pk] = (plain, changed + changed_links, stored)
        elif changed_links:
            audits.append((AuditEntry.Action.CHANGE, pk, changed_links))
        if changed or changed_links:
            result.changed += 1
        else:
            result.unchanged += 1

    if to_change:
        now = timezone.now()
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key and f.name != "created_at"]
        stamp = {"updated_at": now} if any(f.name == "updated_at" for f in concrete) else {}
        if _needs_instance(model):
            # Records with rules or derived fields become instances: the rules run on the merged values.
            update_fields: set[str] = set()
            changed_rows = []
            objs = list(model._default_manager.filter(AnyOf(F("pk"), list(to_change))))
            befores = {obj.pk: [getattr(obj, f.attname) for f in concrete] for obj in objs}
            for obj in objs:
                for name, value in to_change[obj.pk][0].items():
                    setattr(obj, name, value)
            cases = _cases_of(model, [getattr(obj, "case_id", None) for obj in objs])
            consents = _batch_consents(model, [_needs_consent(obj.__dict__) for obj in objs])
            for obj in objs:
                plain, changed_names, _stored = to_change[obj.pk]
                before = befores[obj.pk]
                _with_case(obj, cases, consents)
                _prepare(obj)
                fields = [
                    f for f, old in zip(concrete, before, strict=True) if getattr(obj, f.attname) != old
                ]
                # A row may differ from the stored record only in a field the record derives again (an
                # empty year of birth beside a date of birth): compared after deriving, nothing changed.
                moved_fields = {f.attname for f in fields}
                kept = [n for n in changed_names if n in moved_fields or n in m2m_fields]
                if not fields:
                    del to_change[obj.pk]
                    if kept:
                        audits.append((AuditEntry.Action.CHANGE, obj.pk, kept))
                    else:
                        result.changed -= 1
                        result.unchanged += 1
                    continue
                update_fields.update(moved_fields)
                changed_rows.append(obj)
                audits.append(
                    (
                        AuditEntry.Action.CHANGE,
                        obj.pk,
                        [_field_name(model, n) for n in kept] + [f.name for f in fields],
                    )
                )
            attnames = sorted(update_fields - {"updated_at"})
            update_rows(
                model,
                [{"pk": o.pk, **{a: getattr(o, a) for a in attnames}} for o in changed_rows],
                attnames,
                stamp,
            )
        else:
            # Without rules to run, a changed row's new values are the row's own: no instances needed.
            columns = {f.attname for f in concrete} - {"updated_at"}
            attnames = sorted({n for _p, names, _s in to_change.values() for n in names if n in columns})
            update_rows(
                model,
                [
                    {"pk": pk, **{a: plain[a] if a in plain else stored[a] for a in attnames}}
                    for pk, (plain, _names, stored) in to_change.items()
                ],
                attnames,
                stamp,
            )
            for pk, (_plain, changed_names, _stored) in to_change.items():
                key_names = tuple(changed_names)
                if key_names not in audit_names:
                    audit_names[key_names] = tuple(sorted({_field_name(model, n) for n in key_names}))
                audits.append((AuditEntry.Action.CHANGE, pk, audit_names[key_names]))

    if to_create:
        cases = _cases_of(model, [values.get("case_id") for values, _links, _names in to_create])
        consents = _batch_consents(model, [_needs_consent(values) for values, _links, _names in to_create])
        prepared = (
            [_as_values(model, values, cases, consents) for values, _links, _names in to_create]
            if _needs_instance(model)
            else [values for values, _links, _names in to_create]
        )
        keyed = [v for v in prepared if v.get(key)]
        unkeyed = [v for v in prepared if not v.get(key)]
        insert_rows(model, keyed)
        new_pks: dict[Any, int] = {}
        if keyed:
            new_pks = dict(records_by_key(model, match, key, [v[key] for v in keyed]).values_list(key, "pk"))
        # Rows without a key cannot be found again by it: Django's bulk_create returns their keys.
        made = model._default_manager.bulk_create([model(**v) for v in unkeyed]) if unkeyed else []
        made_iter = iter(made)
        for (_values, links, names), stored_values in zip(to_create, prepared, strict=True):
            pk = new_pks[stored_values[key]] if stored_values.get(key) else next(made_iter).pk
            if stored_values.get(key):
                result.keys[stored_values[key]] = pk
            for name, wanted in links.items():
                link_changes.setdefault(name, []).append((pk, wanted))
            audits.append((AuditEntry.Action.CREATE, pk, names))
        result.created = len(to_create)

    for name, changes in link_changes.items():
        _set_links(m2m_fields[name], changes)
    moved = ({*to_change} | {pk for changes in link_changes.values() for pk, _wanted in changes}) & {
        stored["pk"] for stored in existing.values()
    }
    if versions.is_versioned(model) and moved:
        # An import changes records like an editor does: whoever had one open must not save over it.
        model._default_manager.filter(AnyOf(F("pk"), sorted(moved))).update(version=F("version") + 1)
    insert_audit_entries(model, audits, acting_user, organisation)
    return result


def _through_columns(m2m: Any) -> tuple[type[Model], str, str]:
    return m2m.remote_field.through, f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"


def _links(m2m: Any, owners: Sequence[int]) -> dict[int, set[int]]:
    through, owner, target = _through_columns(m2m)
    found: dict[int, set[int]] = {}
    for owner_pk, target_pk in (
        through._default_manager.filter(**{f"{owner}__in": owners}).order_by().values_list(owner, target)
    ):
        found.setdefault(owner_pk, set()).add(target_pk)
    return found


def _set_links(m2m: Any, changes: Sequence[tuple[int, Sequence[int]]]) -> None:
    """Replace the links of each owner with the wanted ones: one delete and one insert for all owners."""
    through, owner, target = _through_columns(m2m)
    through._default_manager.filter(**{f"{owner}__in": [pk for pk, _wanted in changes]}).delete()
    insert_rows(through, [{owner: pk, target: other} for pk, wanted in changes for other in wanted])


def bulk_link_records(
    through: type[Model],
    pairs: Iterable[tuple[int, int]],
    *,
    owner: str,
    target: str,
    owner_model: type[Model],
    audit_field: str,
    acting_user: Any,
    organisation: Any,
    savepoint: bool = True,
) -> int:
    """Add the links (visit → person reached, household → member) that do not exist yet, in three queries,
    with one change entry in the audit trail per owner that gained links. Returns how many were added.

    `savepoint` as for bulk_upsert_records.
    """
    with transaction.atomic(savepoint=savepoint):
        wanted = set(pairs)
        if not wanted:
            return 0
        owners = {owner_pk for owner_pk, _target_pk in wanted}
        present = set(
            through._default_manager.filter(**{f"{owner}__in": owners}).order_by().values_list(owner, target)
        )
        new = sorted(wanted - present)
        insert_rows(through, [{owner: a, target: b} for a, b in new])
        insert_audit_entries(
            owner_model,
            [(AuditEntry.Action.CHANGE, pk, (audit_field,)) for pk in sorted({a for a, _b in new})],
            acting_user,
            organisation,
        )
        return len(new)


def assign_missing_external_ids(
    queryset: QuerySet[Any], *, acting_user: Any, organisation: Any, prefix: str, chunk: int = 2000
) -> int:
    """Give every record of `queryset` that has no external id one (`prefix` + primary key), so that a file
    exported from these records can be imported again to update them. Audited as a change. Each chunk is
    its own transaction (ids and their entries together), so that a first export of a large programme
    does not hold the write lock or grow SQLite's write-ahead log for all of it at once."""
    model = queryset.model
    scope = organisation_path(model)
    assigned = 0
    pks = list(queryset.filter(external_id="").order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), chunk):
        with transaction.atomic(using=router.db_for_write(model)):
            assigned += _assign_chunk(
                model, scope, pks[start : start + chunk], acting_user, organisation, prefix
            )
    return assigned


def _assign_chunk(
    model: Any, scope: str | None, part: list[Any], acting_user: Any, organisation: Any, prefix: str
) -> int:
    wanted = {pk: f"{prefix}{pk}" for pk in part}
    taken = set(
        records_by_key(
            model, {scope: organisation} if scope else {}, "external_id", wanted.values()
        ).values_list("external_id", flat=True)
    )
    objs = list(model._default_manager.filter(AnyOf(F("pk"), part)))
    now = timezone.now()
    for obj in objs:
        candidate, n = wanted[obj.pk], 1
        while candidate in taken:
            n += 1
            candidate = f"{wanted[obj.pk]}-{n}"
        taken.add(candidate)
        obj.external_id = candidate
        obj.updated_at = now
    update_rows(
        model,
        [{"pk": o.pk, "external_id": o.external_id} for o in objs],
        ["external_id"],
        {"updated_at": now},
    )
    insert_audit_entries(
        model,
        [(AuditEntry.Action.CHANGE, obj.pk, ("external_id",)) for obj in objs],
        acting_user,
        organisation,
    )
    return len(objs)


@transaction.atomic
def bulk_record_volunteer_hours(
    entries: Iterable[tuple[int, dt.date, int]], *, acting_user: Any, organisation: Any
) -> BulkResult:
    """The hours of many volunteers and months at once (an import), each as `record_volunteer_hours` records
    it: a month recorded before gets the new figure, the same figure leaves it alone. Entries are (volunteer
    primary key, any day of the month, hours); the volunteers must be the organisation's (the caller checked).
    Each record created or changed is audited; the number of queries does not grow with the entries."""
    wanted: dict[tuple[int, dt.date], int] = {}
    for volunteer, month, hours in entries:
        key = (volunteer, month.replace(day=1))
        if key in wanted:
            raise ValueError("the same volunteer and month twice in one call")
        wanted[key] = hours
    result = BulkResult()
    if not wanted:
        return result
    stored = {
        (volunteer, month): (pk, hours)
        for pk, volunteer, month, hours in VolunteerHours.objects.filter(
            AnyOf(F("volunteer_id"), sorted({v for v, _m in wanted})),
            month__in=sorted({m for _v, m in wanted}),
        )
        .order_by()
        .values_list("pk", "volunteer_id", "month", "hours")
    }
    new: list[VolunteerHours] = []
    changed: list[dict[str, Any]] = []
    for (volunteer, month), hours in wanted.items():
        entry = VolunteerHours(volunteer_id=volunteer, month=month, hours=hours)
        # The model's rules on the month and the hours (the volunteer was checked by the caller).
        entry.clean_fields(exclude=["volunteer"])
        found = stored.get((volunteer, month))
        if found is None:
            new.append(entry)
        elif found[1] != hours:
            changed.append({"pk": found[0], "hours": hours})
        else:
            result.unchanged += 1
    made = VolunteerHours.objects.bulk_create(new)
    update_rows(VolunteerHours, changed, ["hours"], {"updated_at": timezone.now()})
    fields = ("month", "hours")
    audits: list[tuple[str, Any, Iterable[str]]] = [(AuditEntry.Action.CREATE, e.pk, fields) for e in made]
    audits += [(AuditEntry.Action.CHANGE, row["pk"], fields) for row in changed]
    if audits:
        insert_audit_entries(VolunteerHours, audits, acting_user, organisation)
    result.created, result.changed = len(made), len(changed)
    return result
