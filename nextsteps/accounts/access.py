"""The one place that decides who may see and do what. Every view, export and API call asks it.

Rules:
- A user acts through memberships: (organisation, role). Records are visible only inside the organisation
  that recorded them, and inside it only to roles that need them.
- Whatever a user may not see does not exist for them: the answer is 404, never 403, so that the existence
  of a record (a survivor's case, say) is not disclosed.
- Aggregated figures (dashboard, reports) are programme-wide for every role that may read reports; viewers
  (donors, board) only ever get the external version of a report.
- A case shared with another organisation (with the person's consent to share with exactly that one) may be
  read there, with its services, outcomes and person, by the roles that read cases; never changed.
- A case's file (assessments, plan, follow-ups, notes) is read by the roles that read cases and written by
  those that change them, in the case's own organisation only: a share takes none of it along.
- A case note is corrected only by its author or by a coordinator of the case's organisation (who may
  delete its cases): a note says what its author saw, and colleagues add their own rather than rewrite it.
- A case's identification (how the person was trafficked) is read by the roles that read cases and written by
  those that change them, in the case's own organisation only: a share does not carry it.
- A referral is seen by the roles that read cases in the sending organisation, and in the receiving one
  while it is sent, accepted or completed (never once declined or withdrawn); it is sent and withdrawn by
  those who may change the case, answered and completed by those who may change cases in the receiving
  organisation. Accepting shares the case (above), so a declined or withdrawn referral opens nothing.
- A person's data-protection requests (export, erasure) are for the data-protection officer of the person's
  own organisation only: not administrators, not the officer of an organisation a case was shared with.
- Correcting and removing records (may_remove): a coordinator of the record's organisation corrects and removes
  every record of it; every role that writes a kind corrects its records, and removes a record of that kind
  that they entered themselves (its creation's audit entry names them) within the last
  NEXTSTEPS_OWN_ENTRY_DAYS days (14 by default): a caseworker their own service entered twice, an outreach
  worker a visit entered by mistake. Older entries, and other people's, are for the coordinator, so that a
  removal of something others rely on is decided by whoever answers for the organisation's figures. Pages,
  the API and commands all ask may_remove (through removable_or_404); anyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, router
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nextsteps.accounts.models import Membership, Role
from nextsteps.audit.log import log, organisation_of
from nextsteps.audit.models import AuditEntry
from nextsteps.kept_queries import KeptQuery
from nextsteps.privacy.consents import active_shares
from nextsteps.programmes.models import Programme
from nextsteps.records.kinds import KINDS, RecordKind, follow

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = frozenset({VIEW, ADD, CHANGE, DELETE})
WRITE = frozenset({VIEW, ADD, CHANGE})

# Record rights per role, by record kind (see nextsteps/records/kinds.py).
RECORD_RIGHTS: dict[str, dict[str, frozenset[str]]] = {
    Role.COORDINATOR: {kind: ALL for kind in KINDS},
    Role.CASEWORKER: {
        "person": WRITE,
        "case": WRITE,
        "service": WRITE,
        "outcome": WRITE,
        "story": WRITE,
        "household": frozenset({VIEW}),
        "visit": frozenset({VIEW}),
    },
    Role.OUTREACH_WORKER: {"person": WRITE, "household": WRITE, "visit": WRITE},
    Role.VOLUNTEER_COORDINATOR: {"volunteer": ALL, "campaign": ALL, "distribution": ALL},
    Role.PREVENTION_OFFICER: {"activity": ALL, "milestone": WRITE},
    # Sees people only to answer a person's data-protection request (export, erasure).
    Role.DATA_PROTECTION_OFFICER: {"person": frozenset({VIEW}), "case": frozenset({VIEW})},
    Role.VIEWER: {},
    Role.ADMINISTRATOR: {"partner_contact": ALL, "milestone": ALL},
}

# Capabilities that are not about one kind of record.
REPORTS, AUDIT, USERS, INTERNAL_REPORTS = "reports", "audit", "users", "internal_reports"
# Exporting everything held about a person and erasing it: least privilege, the DPO alone.
PERSON_RIGHTS = "person_rights"
# What a coordinator writes for the programmes of their organisations: the introduction of each reporting
# period, targets and baselines, and the figures no record can count.
PLANNING = "planning"
CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset({REPORTS, INTERNAL_REPORTS, PLANNING}),
    Role.CASEWORKER: frozenset({REPORTS, INTERNAL_REPORTS}),
    Role.OUTREACH_WORKER: frozenset({REPORTS, INTERNAL_REPORTS}),
    Role.VOLUNTEER_COORDINATOR: frozenset({REPORTS, INTERNAL_REPORTS}),
    Role.PREVENTION_OFFICER: frozenset({REPORTS, INTERNAL_REPORTS}),
    Role.DATA_PROTECTION_OFFICER: frozenset({REPORTS, INTERNAL_REPORTS, AUDIT, PERSON_RIGHTS}),
    Role.VIEWER: frozenset({REPORTS}),
    Role.ADMINISTRATOR: frozenset({REPORTS, INTERNAL_REPORTS, AUDIT, USERS}),
}


MEMBERSHIPS_OF_USER = KeptQuery(
    Membership, lambda key: Membership.objects.filter(user_id=key).select_related("organisation")
)


T = TypeVar("T")

# What a request reads of its user's rights once and keeps on the user object (each request has its own).
KEPT_ON_USER = "_nextsteps_kept"


def kept_on_user(user: Any, name: str, read: Callable[[], T]) -> T:
    """`read()`, the first time a request asks for `name`; what it returned, every later time."""
    kept = getattr(user, KEPT_ON_USER, None)
    if kept is None:
        kept = {}
        setattr(user, KEPT_ON_USER, kept)
    if name not in kept:
        kept[name] = read()
    return kept[name]  # type: ignore[no-any-return]


def forget_kept(user: Any) -> None:
    """After a write that changes the user's rights (a membership added or taken away): everything kept
    on the user is read again, since all of it follows from the memberships."""
    if hasattr(user, KEPT_ON_USER):
        delattr(user, KEPT_ON_USER)


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, read once per request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    # By key: filtering by the user object itself, which on a request is a lazy proxy, cost each request
    # about 2% of its CPU in attribute lookups through the proxy. Compiled once (nextsteps/kept_queries.py).
    return kept_on_user(user, "memberships", lambda: MEMBERSHIPS_OF_USER.fetch(user.pk))


def organisations_for(user: Any, kind: str, action: str = VIEW) -> list[int]:
    """Ids of the organisations in which the user may do `action` on records of `kind`."""
    return sorted(
        {
            m.organisation_id
            for m in memberships(user)
            if action in RECORD_RIGHTS.get(m.role, {}).get(kind, ())
        }
    )


def can(user: Any, kind: str, action: str = VIEW, organisation_id: int | None = None) -> bool:
    orgs = organisations_for(user, kind, action)
    return bool(orgs) if organisation_id is None else organisation_id in orgs


def has(user: Any, capability: str) -> bool:
    return any(capability in CAPABILITIES.get(m.role, ()) for m in memberships(user))


def capability_organisations(user: Any, capability: str) -> list[int]:
    """Ids of the organisations in which the user holds a role with this capability (e.g. the audit trail)."""
    return sorted(
        {m.organisation_id for m in memberships(user) if capability in CAPABILITIES.get(m.role, ())}
    )


def kinds_for(user: Any, action: str = VIEW) -> list[RecordKind]:
    return [kind for kind in KINDS.values() if can(user, kind.key, action)]


# Kinds that come along when a case is shared: (field of the record, value of the share it matches).
SHARED_WITH_CASE = {
    "case": ("pk", "case_id"),
    "service": ("case_id", "case_id"),
    "outcome": ("case_id", "case_id"),
    "person": ("pk", "case__person_id"),
}


def _scope(user: Any, kind: str, action: str) -> tuple[Q, Q | None]:
    """The records of the user's own organisations, and (for a kind that comes along with a shared case,
    when the user reads cases) those shared with them."""
    spec = KINDS[kind]
    own = Q(**{f"{spec.organisation_path}__in": organisations_for(user, kind, action)})
    if action == VIEW and kind in SHARED_WITH_CASE:
        receiving = organisations_for(user, "case", VIEW)
        if receiving:
            field, value = SHARED_WITH_CASE[kind]
            return own, Q(**{f"{field}__in": active_shares(receiving).values(value)})
    return own, None


def scoped(user: Any, kind: str, action: str = VIEW) -> QuerySet[Any]:
    """Records of `kind` the user may act on; empty (not an error) when they may act on none."""
    return _kept_scope(user, kind, action)[0].all()


def scoped_in_parts(user: Any, kind: str) -> tuple[QuerySet[Any], list[QuerySet[Any]]]:
    """`scoped(user, kind)`, and the same records in parts that exclude each other (none when there is one
    part): those of the user's own organisations, and those shared with them. A list counts each part on its
    own (pagination.CappedPaginator): counting their `OR` made PostgreSQL read the persons' rows one by one
    (24 ms at a million persons), where each part alone is counted from an index."""
    whole, parts = _kept_scope(user, kind, VIEW)
    return whole.all(), [part.all() for part in parts]


def scoped_own(user: Any, kind: str) -> QuerySet[Any]:
    """Records of `kind` of the user's own organisations that the user may read, without those shared with
    them: what a form of their own organisation may link to."""
    whole, parts = _kept_scope(user, kind, VIEW)
    return (parts[0] if parts else whole).all()


def _kept_scope(user: Any, kind: str, action: str) -> tuple[QuerySet[Any], list[QuerySet[Any]]]:
    """The scope's query and its parts, built once a day for each set of organisations and copied by the
    caller (`.all()`), never read themselves. Building them (the shares' subquery with its consent
    condition, the `OR`, its negation) cost every list and record page about a tenth of its CPU; copying
    them costs almost nothing. The key holds everything the query depends on: the organisations whose
    records are the user's own, those receiving shares, and the day the shares' consents must hold on."""
    own_ids = tuple(organisations_for(user, kind, action))
    receiving = (
        tuple(organisations_for(user, "case", VIEW)) if action == VIEW and kind in SHARED_WITH_CASE else ()
    )
    key = (kind, own_ids, receiving, dt.date.today())
    if key not in KEPT_SCOPES:
        if any(kept[-1] != key[-1] for kept in KEPT_SCOPES) or len(KEPT_SCOPES) >= KEPT_SCOPES_LIMIT:
            KEPT_SCOPES.clear()
        own, shared = _scope(user, kind, action)
        manager = KINDS[kind].model._default_manager
        KEPT_SCOPES[key] = (
            (manager.filter(own), [])
            if shared is None
            else (manager.filter(own | shared), [manager.filter(own), manager.filter(shared & ~own)])
        )
    return KEPT_SCOPES[key]


KEPT_SCOPES: dict[tuple[Any, ...], tuple[QuerySet[Any], list[QuerySet[Any]]]] = {}
# Sets of (kind, organisations) kept in one worker; a few per user who signed in today, far fewer in practice.
KEPT_SCOPES_LIMIT = 4096


# The case file (assessments, plan, follow-ups, notes) of a case: for the roles that read or write cases in
# the case's own organisation. A case shared with another organisation takes none of it along.


def casework_organisations(user: Any, action: str = VIEW) -> list[int]:
    """Organisations whose case files the user may read (VIEW) or write (CHANGE); DELETE is coordinators'."""
    return organisations_for(user, "case", action)


def casework_case_or_404(user: Any, pk: Any, action: str = VIEW) -> Any:
    """A case of the user's own organisations whose file they may read or write, or 404. Reading it is
    audited like reading the case."""
    try:
        case = (
            KINDS["case"]
            .model._default_manager.select_related("person", "organisation", "programme", "caseworker")
            .get(pk=pk, organisation__in=casework_organisations(user, action))
        )
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == VIEW:
        audit_view(user, case)
    return case


def case_file_item_or_404(
    user: Any, model: type[M], pk: Any, action: str = VIEW, *, case_path: str = "case"
) -> M:
    """One item of a case file (an assessment, goal, planned action, follow-up or note, whose case is at
    `case_path`) of a case the user may read (VIEW) or write (CHANGE) the file of, or 404."""
    orgs = casework_organisations(user, action)
    return first_or_404(
        model._default_manager.filter(pk=pk, **{f"{case_path}__organisation__in": orgs}).select_related(
            f"{case_path}__person", f"{case_path}__organisation"
        )
    )


def may_edit_note(user: Any, note: Any) -> bool:
    """Whether the user may correct this case note: its author, or a coordinator of the case's organisation,
    among those who write that organisation's case files."""
    organisation_id = note.case.organisation_id
    if not can(user, "case", CHANGE, organisation_id):
        return False
    return (note.author_id is not None and note.author_id == user.pk) or can(
        user, "case", DELETE, organisation_id
    )


def case_writers(organisation_id: int) -> QuerySet[Any]:
    """Users who may be responsible for a case of this organisation: those with a role that writes cases."""
    from nextsteps.accounts.models import User

    writing = [role for role, rights in RECORD_RIGHTS.items() if CHANGE in rights.get("case", ())]
    return User.objects.filter(
        is_active=True, memberships__organisation_id=organisation_id, memberships__role__in=writing
    ).distinct()


def referrals(user: Any) -> QuerySet[Any]:
    """Referrals the user may see: those of their organisations' cases, and those addressed to their
    organisations unless declined or withdrawn."""
    from nextsteps.referrals.models import Referral

    orgs = organisations_for(user, "case", VIEW)
    return Referral.objects.filter(
        Q(from_organisation__in=orgs) | Q(to_organisation__in=orgs, state__in=Referral.VISIBLE_TO_RECEIVER)
    )


def referral_or_404(user: Any, pk: Any, *, audited: bool = True) -> Any:
    """One referral the user may see, or 404; reading one is audited like reading a case (by the caller,
    once it has checked the step the page is for, when `audited` is False)."""
    referral = first_or_404(
        referrals(user).filter(pk=pk).select_related("case__person", "from_organisation", "to_organisation")
    )
    if audited:
        audit_view(user, referral)
    return referral


def may_refer(user: Any, case: Any) -> bool:
    return can(user, "case", CHANGE, case.organisation_id)


def may_answer_referral(user: Any, referral: Any) -> bool:
    """Accepting, declining, completing and recording on a referral: the receiving organisation's case staff."""
    return can(user, "case", CHANGE, referral.to_organisation_id)


def referral_inbox_count(user: Any) -> int:
    """Referrals waiting for an answer from the user's organisations (one query; none without the role)."""
    from nextsteps.referrals.models import Referral

    orgs = organisations_for(user, "case", CHANGE)
    if not orgs:
        return 0
    # The menu shows it on every page of case staff. Written out, the count skips the ORM's aggregation,
    # which cost each page about 6% of its CPU for this one integer; the names come from the model.
    connection = connections[router.db_for_read(Referral)]
    meta, quote = Referral._meta, connection.ops.quote_name
    sql = (
        f"SELECT COUNT(*) FROM {quote(meta.db_table)} "
        f"WHERE {quote(meta.get_field('state').column)} = %s "
        f"AND {quote(meta.get_field('to_organisation').column)} IN ({', '.join(['%s'] * len(orgs))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Referral.State.SENT.value, *orgs])
        return int(cursor.fetchone()[0])


def rights_persons(user: Any) -> QuerySet[Any]:
    """Persons whose data-protection requests the user may handle: those of their own organisations."""
    orgs = capability_organisations(user, PERSON_RIGHTS)
    return KINDS["person"].model._default_manager.filter(organisation__in=orgs)


def rights_person_or_404(user: Any, pk: Any) -> Any:
    try:
        return rights_persons(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def rights_volunteers(user: Any) -> QuerySet[Any]:
    """Volunteers whose data-protection requests the user may handle: those of their own organisations."""
    orgs = capability_organisations(user, PERSON_RIGHTS)
    return KINDS["volunteer"].model._default_manager.filter(organisation__in=orgs)


def rights_volunteer_or_404(user: Any, pk: Any) -> Any:
    try:
        return rights_volunteers(user).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_or_404(user: Any, kind: str, pk: Any, action: str = VIEW) -> Any:
    """One record the user may act on, or 404; a person-level read is written to the audit trail."""
    try:
        obj = scoped(user, kind, action).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == VIEW and KINDS[kind].person_level:
        audit_view(user, obj)
    return obj


def record_organisation_id(kind: str, obj: Any) -> Any:
    """The id of the organisation a record of `kind` belongs to."""
    # The last step's key is read off the record before it: no query for the organisation itself.
    path, _sep, last = KINDS[kind].organisation_path.rpartition("__")
    return getattr(follow(obj, path) if path else obj, f"{last}_id")


def entered_recently_by(user: Any, obj: Model) -> bool:
    """Whether the user entered this record (its creation's audit entry names them) within the last
    NEXTSTEPS_OWN_ENTRY_DAYS days: one query on the audit trail's index of records."""
    if not getattr(user, "is_authenticated", False):
        return False
    since = timezone.now() - dt.timedelta(days=settings.NEXTSTEPS_OWN_ENTRY_DAYS)
    return AuditEntry.objects.filter(
        model=obj._meta.label,
        object_pk=str(obj.pk),
        action=AuditEntry.Action.CREATE,
        user=user,
        at__gte=since,
    ).exists()


def may_remove(user: Any, kind: str, obj: Any) -> bool:
    """Whether the user may remove this record (see the module's rules): a coordinator (DELETE on the kind)
    any record of their organisation; whoever writes the kind there, what they entered recently."""
    organisation_id = record_organisation_id(kind, obj)
    if can(user, kind, DELETE, organisation_id):
        return True
    return can(user, kind, CHANGE, organisation_id) and entered_recently_by(user, obj)


def removable_or_404(user: Any, kind: str, pk: Any) -> Any:
    """A record the user may remove, or 404 (never 403), whatever the path: page, API or command."""
    try:
        # Every role that may remove a kind also writes it: the record must be one they may change.
        obj = scoped(user, kind, CHANGE).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(may_remove(user, kind, obj))
    return obj


def identification_case_or_404(user: Any, pk: Any, action: str = VIEW) -> Any:
    """A case whose identification (nextsteps/identification) the user may read or, with CHANGE, write: the
    roles that read (write) cases, in the case's own organisation only. A share does not carry it: how the
    person was exploited and by whom is for the organisation that follows her, not for every partner."""
    from nextsteps.records.models import Case

    orgs = organisations_for(user, "case", action)
    return first_or_404(
        Case.objects.filter(pk=pk, organisation__in=orgs).select_related(
            "person", "organisation", "programme"
        )
    )


def audit_view(user: Any, obj: Model) -> None:
    log(AuditEntry.Action.VIEW, obj, user=user, acting_organisation=_reading_organisation(user, obj))


def _reading_organisation(user: Any, obj: Model) -> Any:
    """For a user of several organisations reading another one's record: the one it was shared with."""
    record_organisation = organisation_of(obj)
    own = {m.organisation_id: m.organisation for m in memberships(user)}
    if len(own) < 2 or record_organisation is None or record_organisation.pk in own:
        return None  # log() tells these apart from the memberships alone
    kind = next((k for k in SHARED_WITH_CASE if KINDS[k].model is type(obj)), None)
    if kind is None:
        return None
    field, value = SHARED_WITH_CASE[kind]
    share = (
        active_shares(organisations_for(user, "case", VIEW))
        .filter(**{value: getattr(obj, field)})
        .order_by("organisation_id")
        .first()
    )
    return own.get(share.organisation_id) if share is not None else None


M = TypeVar("M", bound=Model)


def require(condition: bool) -> None:
    """Refuse with 404 rather than 403: a refusal must not confirm that something exists."""
    if not condition:
        raise Http404


def first_or_404(queryset: QuerySet[M]) -> M:
    """The first record of an already scoped queryset, or 404 (never 403) when it holds none."""
    obj = queryset.first()
    require(obj is not None)
    assert obj is not None
    return obj


def programmes_for(user: Any) -> QuerySet[Programme]:
    orgs = {m.organisation_id for m in memberships(user)}
    return Programme.objects.filter(organisations__in=orgs).distinct().order_by("name")


def programme_or_404(user: Any, slug: str | None, among: list[Programme] | None = None) -> Programme:
    """The programme named by slug (or the user's first), or 404. A page that also lists the user's
    programmes passes them as `among`, so that they are read once."""
    if among is not None:
        programme = next((p for p in among if p.slug == slug), None) if slug else next(iter(among), None)
    else:
        programmes = programmes_for(user)
        programme = programmes.filter(slug=slug).first() if slug else programmes.first()
    if programme is None:
        raise Http404
    return programme


def planning_programmes(user: Any) -> QuerySet[Programme]:
    """Programmes whose narratives, targets and hand-entered figures the user writes."""
    orgs = capability_organisations(user, PLANNING)
    return Programme.objects.filter(organisations__in=orgs).distinct().order_by("name")


def planning_programme_list(user: Any) -> list[Programme]:
    """`planning_programmes(user)`, read once per request: the menu and the planning page being shown both
    need it."""
    return kept_on_user(user, "planning_programmes", lambda: list(planning_programmes(user)))


def planning_programme_or_404(user: Any, slug: str) -> Programme:
    programme = planning_programmes(user).filter(slug=slug).first()
    require(programme is not None)
    assert programme is not None
    return programme


def planning_organisation(user: Any, programme: Programme) -> Any:
    """The organisation through which the user plans this programme, for the audit trail; None if none."""
    orgs = capability_organisations(user, PLANNING)
    return programme.organisations.filter(pk__in=orgs).order_by("pk").first()


def report_audiences(user: Any) -> list[str]:
    """Viewers (donors, board) only ever get the external report, with small numbers suppressed."""
    return ["internal", "external"] if has(user, INTERNAL_REPORTS) else ["external"]


def roles(user: Any) -> Iterable[str]:
    return sorted({m.role for m in memberships(user)})


def casework_home(user: Any) -> bool:
    """Whether My cases is the user's home page: their roles are all casework (caseworkers). Anyone with
    another role too (a coordinator, who also works on cases) keeps the dashboard."""
    held = set(roles(user))
    return bool(held) and held <= {Role.CASEWORKER}


def import_jobs(user: Any) -> QuerySet[Any]:
    """Import jobs the user may see: its file names and error list can tell what the files held, so a job is
    its author's and, in its organisation, that of whoever may read every kind of record its files hold.
    Those kinds are recorded when the files are read; until then (or when a file could not be read) a job
    is its author's alone."""
    from nextsteps.imports.models import ImportJob

    organisations = sorted({m.organisation_id for m in memberships(user)})
    if not organisations:
        return ImportJob.objects.none()
    condition = Q(user=user, organisation_id__in=organisations)
    for organisation in organisations:
        readers = Q(organisation_id=organisation) & ~Q(record_kinds="")
        for kind in KINDS:
            if not can(user, kind, VIEW, organisation):
                readers &= ~Q(record_kinds__contains=f",{kind},")
        condition |= readers
    return ImportJob.objects.filter(condition)


def import_job_or_404(user: Any, pk: Any) -> Any:
    return first_or_404(import_jobs(user).filter(pk=pk).select_related("organisation", "programme", "user"))


# Attachments (nextsteps/attachments): identity documents and signed forms are read inside the case's own
# organisation only, by the roles that read its cases there; a share of the case does not carry them. Those
# who may change its cases (caseworkers, coordinators) upload and delete them.


def attachment_cases(user: Any, action: str = VIEW) -> QuerySet[Any]:
    return KINDS["case"].model._default_manager.filter(
        organisation__in=organisations_for(user, "case", action)
    )


def attachment_case_or_404(user: Any, pk: Any, action: str = VIEW) -> Any:
    """The case whose attachments the user may see (or change), or 404; reading them is reading the case."""
    case = first_or_404(attachment_cases(user, action).filter(pk=pk).select_related("person"))
    audit_view(user, case)
    return case


def attachment_or_404(user: Any, pk: Any, action: str = VIEW) -> Any:
    from nextsteps.attachments.models import Attachment

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return first_or_404(
        Attachment.objects.filter(pk=pk, case__in=attachment_cases(user, action)).select_related("case")
    )


# Possible duplicate persons and their merge (nextsteps/records/duplicates.py, merging.py): for who may change
# both persons and cases in the organisation (coordinators, caseworkers), since a merge moves cases.


def merge_organisations(user: Any) -> list[int]:
    """Ids of the organisations whose likely duplicate persons the user may list and merge."""
    return sorted(
        set(organisations_for(user, "person", CHANGE)) & set(organisations_for(user, "case", CHANGE))
    )


def merge_pair_or_404(user: Any, keep: Any, other: Any) -> tuple[Any, Any]:
    """Two different persons of one organisation whose duplicates the user may merge, or 404."""
    from nextsteps.records.models import Person

    try:
        keys = [int(keep), int(other)]
    except (TypeError, ValueError):
        raise Http404 from None
    found = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in=keys, organisation__in=merge_organisations(user)
        ).select_related("organisation")
    }
    require(len(found) == 2 and found[keys[0]].organisation_id == found[keys[1]].organisation_id)
    return found[keys[0]], found[keys[1]]
