"""Referrals in the import: the sending organisation's referrals template, and the `referral` column with
which the receiving organisation's cases template names the referral a case was opened on.

The sender imports its referrals first; the receiver's case then names one as "<sender's slug>/<referral's
external id>" (`referral_key`). A referral needs the person's consent to share with exactly the receiving
organisation, as the send action does; an accepted or completed one shares the case with the receiver
through the same action as accepting does (privacy.actions.share_case).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps.privacy.consents import sharing_refusal
from nextsteps.privacy.models import Consent
from nextsteps.records import actions
from nextsteps.records.models import Case
from nextsteps.referrals.models import Referral

if TYPE_CHECKING:
    from nextsteps.imports.importer import Importer, Writer

RuleErrors = Iterator[tuple[str | None, Any, str | Promise, dict[str, Any]]]
# What the first pass found, kept with the row for the second pass (not a column: "__" never is one).
TO_ORGANISATION = "__to_organisation__"
RECEIVING = "__referral__"
ANSWERED = (Referral.State.ACCEPTED, Referral.State.COMPLETED)
# The model's rules name the fields the template's columns are named after; the rest go on the row.
COLUMNS = {"to_organisation", "sent_on", "answered_on", "decline_reason", "completed_on", "withdrawn_on"}


def referral_key(sender_slug: str, external_id: str) -> str:
    return f"{sender_slug}/{external_id}"


def _organisations(importer: Importer) -> dict[str, int]:
    """The programme's organisations by slug and by name, lower case: how a row may name one."""
    found = getattr(importer, "_referral_organisations", None)
    if found is None:
        found = {}
        for pk, slug, name in importer.programme.organisations.values_list("pk", "slug", "name"):
            found[name.strip().lower()] = pk
            found[slug.lower()] = pk
        importer._referral_organisations = found  # type: ignore[attr-defined]
    return found


def consent_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    """A consent: the organisation it names, and the model's rules (the person's own organisation is the
    importing one, which a consent to share cannot name)."""
    name = values.get("shared_with")
    shared_with = _organisations(importer).get(name.strip().lower()) if name else None
    if name and shared_with is None:
        yield "shared_with", name, _("no organisation of this programme has this short name or name"), {}
        return
    values[TO_ORGANISATION] = shared_with
    given: dict[str, Any] = {
        "purpose": values.get("purpose"),
        "shared_with_id": shared_with,
        "given_on": values.get("given_on"),
        "expires_on": values.get("expires_on"),
        "withdrawn_on": values.get("withdrawn_on"),
    }
    consent = Consent(**given)
    errors: dict[str, list[str]] = {}
    try:
        consent.clean()
    except ValidationError as error:
        errors = error.message_dict
    if shared_with is not None and shared_with == importer.organisation.pk:
        errors.setdefault("shared_with", []).append(
            str(_("Choose another organisation than the person's own."))
        )
    for field, messages in errors.items():
        for message in messages:
            yield field if field in present else None, "", message, {}


def consent_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    fields["shared_with_id"] = row.get(TO_ORGANISATION)
    if "given_by" in present and not row.get("given_by"):
        fields["given_by"] = Consent.GivenBy.PERSON


def referral_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    name = values.get("to_organisation")
    to_organisation = _organisations(importer).get(name.strip().lower()) if name else None
    if name and to_organisation is None:
        yield (
            "to_organisation",
            name,
            _("no organisation of this programme has this short name or name"),
            {},
        )
        return
    if to_organisation is not None:
        values[TO_ORGANISATION] = to_organisation
    # The model's own rules, on the row's values (the case's opening date is checked when it is written).
    given: dict[str, Any] = {
        "from_organisation_id": importer.organisation.pk,
        "to_organisation_id": to_organisation,
        "state": values.get("state") or Referral.State.SENT,
        "sent_on": values.get("sent_on"),
        "answered_on": values.get("answered_on"),
        "completed_on": values.get("completed_on"),
        "withdrawn_on": values.get("withdrawn_on"),
        "decline_reason": values.get("decline_reason") or "",
    }
    referral = Referral(**given)
    try:
        referral.clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            column = field if field in COLUMNS else None
            for message in messages:
                yield column, "", message, {}
        return
    refusal = _consent_refusal(importer, values, to_organisation)
    if refusal:
        yield "to_organisation", values.get("to_organisation"), refusal, {}
    # Two open referrals of a case to one organisation in the same import: the constraint would refuse
    # the second one only when it is written.
    if referral.state in Referral.OPEN and values.get("case") and to_organisation:
        opened = getattr(importer, "_open_referrals", None)
        if opened is None:
            opened = importer._open_referrals = set()  # type: ignore[attr-defined]
        pair = (values["case"], to_organisation)
        if pair in opened:
            yield "case", values["case"], _("this case already has an open referral to this organisation"), {}
        opened.add(pair)


def _consent_refusal(importer: Importer, values: dict[str, Any], to_organisation: int | None) -> str | None:
    """The missing consent of a referral whose case is stored, when the import brings no consents: found
    now, a row's error; otherwise the writer checks it, once the import's cases and consents are written."""
    if to_organisation is None or not values.get("case") or not values.get("sent_on"):
        return None
    if any(t.key == "consents" for t in importer._types.values()):
        return None
    case = (
        Case.objects.filter(
            organisation=importer.organisation, programme=importer.programme, external_id=values["case"]
        )
        .select_related("person")
        .first()
    )
    if case is None:
        return None
    organisation = importer.programme.organisations.get(pk=to_organisation)
    return sharing_refusal(case.person, organisation, values["sent_on"])


def referral_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    fields["from_organisation_id"] = importer.organisation.pk
    fields["to_organisation_id"] = row[TO_ORGANISATION]
    if "state" in present and not row.get("state"):
        fields["state"] = Referral.State.SENT
    if "urgency" in present and not row.get("urgency"):
        fields["urgency"] = Referral.Urgency.NORMAL


def referral_writer(base: Writer) -> Writer:
    """Referrals: the consent and the one-open-referral rule checked first, then written, then each accepted
    or completed one shares its case with the receiver, as accepting does."""

    def write(
        importer: Importer, batch: list[dict[str, Any]], present: set[str], known: dict[str, int]
    ) -> actions.BulkResult:
        case_ids = importer.resolve("cases", [row["case"] for row in batch])
        cases = Case.objects.select_related("person").in_bulk(case_ids.values())
        organisations = importer.programme.organisations.in_bulk([row[TO_ORGANISATION] for row in batch])
        # The open referrals of the batch's cases, each but the row's own one (importing it again updates it).
        open_referrals: dict[tuple[int, int], set[tuple[int, str]]] = {}
        for case_id, to_id, from_id, external_id in Referral.objects.filter(
            case__in=case_ids.values(), state__in=Referral.OPEN
        ).values_list("case_id", "to_organisation_id", "from_organisation_id", "external_id"):
            open_referrals.setdefault((case_id, to_id), set()).add((from_id, external_id))
        for row in batch:
            case, to_organisation = cases[case_ids[row["case"]]], organisations[row[TO_ORGANISATION]]
            refusal = sharing_refusal(case.person, to_organisation, row["sent_on"])
            if refusal:
                raise ValidationError(
                    str(_("Referral %(referral)s: %(reason)s"))
                    % {"referral": row["external_id"], "reason": refusal}
                )
            state = row.get("state") or Referral.State.SENT
            others = open_referrals.get((case.pk, to_organisation.pk), set()) - {
                (importer.organisation.pk, row["external_id"])
            }
            if state in Referral.OPEN and others:
                raise ValidationError(
                    str(_("Referral %(referral)s: %(reason)s"))
                    % {
                        "referral": row["external_id"],
                        "reason": _("This case already has an open referral to this organisation."),
                    }
                )
        # Imported here: privacy.actions reaches the importer through erasure's places.
        from nextsteps.privacy.actions import share_case

        done = base(importer, batch, present, known)
        for row in batch:
            if row.get("state") in ANSWERED:
                share_case(
                    acting_user=importer.acting_user,
                    case=cases[case_ids[row["case"]]],
                    organisation=organisations[row[TO_ORGANISATION]],
                    on=row["answered_on"],
                )
        return done

    return write


# The receiving organisation's cases --------------------------------------------------------------------


def receiving_case_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    """A case that names the referral it was opened on: the referral must be addressed to the importing
    organisation and accepted or completed; the case's person is the referral's."""
    key, person = values.get("referral"), values.get("person")
    if key and person:
        yield "person", person, _("fill in either the person or the referral, not both"), {}
        return
    if not key:
        if not person and "__invalid__" not in values:
            yield "person", "", _("fill in the person, or the referral the case was opened on"), {}
        return
    sender, _slash, external_id = key.partition("/")
    referral = (
        # Only what the receiver may see of referrals: those addressed to it, not declined or withdrawn.
        Referral.objects.filter(
            from_organisation__slug=sender.strip(),
            external_id=external_id.strip(),
            case__programme=importer.programme,
            to_organisation=importer.organisation,
            state__in=Referral.VISIBLE_TO_RECEIVER,
        )
        .select_related("case", "to_organisation", "receiving_case")
        .first()
        if external_id
        else None
    )
    first = _("Import the sending organisation's referrals first, then this case.")
    if referral is None:
        yield (
            "referral",
            key,
            _("no referral of this name addressed to %(organisation)s. %(first)s"),
            {"organisation": str(importer.organisation), "first": first},
        )
    elif referral.state not in ANSWERED:
        yield (
            "referral",
            key,
            _("this referral is %(state)s; only an accepted or completed referral opens a case. %(first)s"),
            {"state": referral.get_state_display(), "first": first},
        )
    elif referral.receiving_case is not None and referral.receiving_case.external_id != values.get(
        "external_id"
    ):
        yield (
            "referral",
            key,
            _("this referral already has a case here, with the external id %(case)s"),
            {"case": referral.receiving_case.external_id},
        )
    else:
        values[RECEIVING] = (referral.pk, referral.case.person_id)


def receiving_case_extra(fields: dict[str, Any], row: Mapping[str, Any]) -> None:
    if row.get(RECEIVING):
        fields["person_id"] = row[RECEIVING][1]


def with_receiving_cases(base: Writer) -> Writer:
    """Cases: written, then each one opened on a referral becomes that referral's receiving case."""

    def write(
        importer: Importer, batch: list[dict[str, Any]], present: set[str], known: dict[str, int]
    ) -> actions.BulkResult:
        done = base(importer, batch, present, known)
        wanted = {row[RECEIVING][0]: row["external_id"] for row in batch if row.get(RECEIVING)}
        if wanted:
            pks = importer.resolve("cases", list(wanted.values()))
            cases = Case.objects.in_bulk(pks.values())
            for referral in Referral.objects.filter(pk__in=wanted):
                case = cases[pks[wanted[referral.pk]]]
                if referral.receiving_case_id != case.pk:
                    actions.update_record(referral, acting_user=importer.acting_user, receiving_case=case)
        return done

    return write
