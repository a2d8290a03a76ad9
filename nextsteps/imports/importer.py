"""Importing template files: every row is checked before anything is written, then everything is written in
batches, each in its own short transaction, through the actions layer.

Two passes over each file, streaming:

1. Validate. Each cell is read by its column's rules; each row by its record type's rules; references to
   other records are checked against the rows of this import and, a batch at a time, against the database.
   What references need, the keys (external ids) read so far, goes to a scratch SQLite file (keystore.py),
   so memory stays flat. While no error has been found, the rows are kept, already read, in a temporary
   file, a batch at a time, with the stored records each batch's keys matched.
2. Write, if the first pass found no error: the batches are read back and written with
   `bulk_upsert_records` / `bulk_link_records`, so the number of queries grows with the number of batches,
   not rows. A transaction takes batches until it holds `batch_size` rows or has held the database for
   writing.MAX_HOLD seconds: SQLite has one writer at a time, and an import that held the write lock from
   its first batch to its last would keep every other save waiting (and failing) for minutes. A failure
   rolls back its own transaction; the ones before it stay, and the result says how many rows they held. Importing the same files again completes the import: rows are matched by external id,
   so the rows already written are found and left unchanged, not added twice.

The first pass runs outside any transaction: with SQLite's IMMEDIATE transactions (settings.py) a
transaction takes the write lock when it begins, even one that only reads.

Files are handled in the order of `columns.RECORD_TYPES`, so a row only ever refers to records that are
already in the database or were written earlier in the same import.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import gc
import pickle
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Model
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nextsteps import busy
from nextsteps.accounts import access
from nextsteps.imports import (
    case_file_rows,
    referral_rows,
    rights,
    vocabularies,
    volunteer_hours_rows,
    writing,
)
from nextsteps.imports import columns as c
from nextsteps.imports.keystore import KeyStore
from nextsteps.imports.readers import Table, TableError
from nextsteps.imports.templates import is_example
from nextsteps.imports.uniqueness import (
    CODE_TAKEN,
    CodedRow,
    VisitRow,
    check_codes,
    check_visits,
    coded_row,
    stored_keys_and_codes,
    visit_row,
)
from nextsteps.imports.values import (
    DateFormat,
    Invalid,
    Vocabulary,
    as_text,
    is_blank,
    parse_countries,
    parse_country,
    parse_date,
    parse_integer,
    parse_month,
    parse_text,
    split_names,
)
from nextsteps.indicators import counted
from nextsteps.programmes.models import Organisation, Programme
from nextsteps.records import actions
from nextsteps.records.actions import records_by_key
from nextsteps.records.models import (
    Campaign,
    Case,
    ExternalOrganisation,
    Household,
    OutreachVisit,
    Person,
    VisitPerson,
    Volunteer,
)
from nextsteps.records.rules import EARLIEST_DATE, count_problem, date_problem

# Rows written per transaction, at most: fewer when the rows are slow to write (writing.MAX_HOLD).
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_MAX_ERRORS = 1000
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# Errors -------------------------------------------------------------------------------------------


@dataclass
class RowError:
    """One problem, with where it is; the reason is translated when the error is shown."""

    file: str
    row: int | None
    column: str | None
    value: str
    reason: str | Promise
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self) -> str:
        return str(self.reason) % dict(self.params) if self.params else str(self.reason)

    def line(self) -> str:
        where: dict[str, Any] = {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
        }
        message = self.message()
        if not self.file or (self.row is None and message.startswith(self.file)):
            return message  # A file that cannot be read: its message names it.
        if self.row is None:
            text = self.file
        elif self.column is None:
            text = str(_("%(file)s, row %(row)s")) % where
        elif self.value:
            text = str(_("%(file)s, row %(row)s, column “%(column)s”, value “%(value)s”")) % where
        else:
            text = str(_("%(file)s, row %(row)s, column “%(column)s”")) % where
        return f"{text}: {message}"


class ImportFailed(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{result.error_count} errors")
        self.result = result


@dataclass
class Progress:
    """What the importer reports as it goes: for a terminal bar or an upload page."""

    phase: str  # "validate" or "write"
    file: str
    rows: int  # rows done in this phase so far
    fraction: float  # of the whole import, both phases, 0 to 1


@dataclass
class Source:
    """One table to import: a file, or rows made from a Kobo export. `open` is called once."""

    record_type: c.RecordType
    name: str
    open: Callable[[], Table]
    date_format: DateFormat | None = None
    weight: float = 1.0


@dataclass
class ImportResult:
    counts: dict[str, actions.BulkResult] = field(default_factory=dict)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    written: bool = False
    # Rows of the files whose batch was committed; when the write stops part-way, the batches before stay.
    written_rows: int = 0
    new_cases: int = 0
    # The persons the import wrote, whose likely duplicates its summary warns about.
    person_ids: list[int] = field(default_factory=list)
    # Counts above the programme's `unusual_count`: written, but listed in the summary to be checked.
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0


# Headers ------------------------------------------------------------------------------------------

_DECLARED = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]\s*$")


def header_name(cell: Any) -> tuple[str, str | None]:
    """A header cell as a column name and the date format declared with it, e.g. "Opened (DD/MM/YYYY)"."""
    text = as_text(cell) if not is_blank(cell) else ""
    declared = None
    found = _DECLARED.match(text)
    if found:
        text, declared = found.group(1), found.group(2)
    return re.sub(r"[\s\-]+", "_", text.strip().lower()), declared


def infer_type(header: Sequence[Any], file_name: str = "") -> list[c.RecordType]:
    """The record types whose template this header fits: every column known, every required one present."""
    names = {header_name(cell)[0] for cell in header if not is_blank(cell)}
    fits = [t for t in c.RECORD_TYPES if names <= set(t.names) and set(t.required) <= names]
    if len(fits) > 1:
        stem = re.sub(r"[\s\-]+", "_", file_name.rsplit(".", 1)[0].lower())
        named = [t for t in fits if stem == t.key or stem.endswith(t.key)]
        if len(named) == 1:
            return named
    return fits


@dataclass
class Binding:
    index: int
    column: c.Column
    parse: Callable[[Any], Any]


@dataclass(frozen=True)
class _RowPlan:
    """What the first pass checks on each row of a record type, worked out once per file."""

    type_key: str
    key_column: str | None
    references: tuple[tuple[str, str], ...]
    names: tuple[str, ...]
    rule: Callable[[Importer, dict[str, Any], set[str]], RuleErrors] | None

    @classmethod
    def of(cls, rtype: c.RecordType) -> _RowPlan:
        return cls(
            rtype.key,
            rtype.key_column,
            tuple((col.name, col.references) for col in rtype.columns if col.references),
            tuple(col.name for col in rtype.columns if col.kind == c.NAMES),
            ROW_RULES.get(rtype.key),
        )


# The importer -------------------------------------------------------------------------------------


@dataclass
class Lookup:
    """Where the records a key refers to live: which model, scoped how, and whether to programmes."""

    model: type[Model]
    key: str
    scope: dict[str, Any]
    programme: str | None = None


@contextlib.contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Leave the objects the process already holds out of Python's garbage collections while an import runs.

    A full collection scans every object the process tracks (Django's own: hundreds of thousands), and one
    runs each time the import's rows have outlived a quarter as many: 35 of them, 3 s of a million-row
    import. Frozen, those objects are skipped; they are put back when the import ends (objects of other
    requests alive at its start too: a cycle among them is then freed a little later).

    A process that froze its objects itself is left as it is: a web worker whose app was frozen before it
    forked (deploy/gunicorn.conf.py) skips them already, and unfreezing would put them back for good."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Importer:
    def __init__(
        self,
        *,
        programme: Programme,
        organisation: Organisation,
        acting_user: Any = None,
        date_format: DateFormat | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_errors: int = DEFAULT_MAX_ERRORS,
        progress: Callable[[Progress], None] | None = None,
        dry_run: bool = False,
        today: dt.date | None = None,
    ) -> None:
        self.programme = programme
        self.organisation = organisation
        self.acting_user = acting_user
        self.date_format = date_format
        self.batch_size = batch_size
        # Rows checked together in the first pass, and written together by one call of a writer.
        self.spool_size = min(batch_size, writing.SPOOL_ROWS)
        self.max_errors = max_errors
        self.progress = progress
        self.dry_run = dry_run
        self.today = today or dt.date.today()
        self.vocabularies: dict[str, Vocabulary] = vocabularies.load(programme)
        self.result = ImportResult()
        # Keys of the rows of this import, per record type (and the names of external organisations), the
        # cases of this import by person, and persons who need a case: on disk while the import runs.
        self.store: KeyStore | None = None
        self._remembered: list[tuple[str, str]] = []
        self._remembered_values: list[tuple[str, str, str]] = []
        self._case_pairs: list[tuple[str, str]] = []
        # Record types whose file could not be read: references to them are not checked, to avoid noise.
        self.broken: set[str] = set()
        self.pending_refs: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
        self.pending_cases: list[tuple[str, int, str, str, dt.date]] = []
        self.lookups = self._lookups()
        self.current: tuple[str, int] = ("", 0)
        self._spools: list[IO[bytes]] = []
        self._validated: dict[str, tuple[IO[bytes], set[str], int]] = {}
        self._types: dict[str, c.RecordType] = {}
        self._case_writers: dict[str, int] | None = None
        # Cases given an identification by this import: one each (the identifications are few).
        self.identified: set[str] = set()
        self.pending_identifications: list[tuple[str, int, str, str, str]] = []
        # Dates of the case file's rows, to check against their stored case's open period.
        self.pending_periods: list[tuple[str, int, str, str, dt.date, bool]] = []
        # Files whose first row is the template's example row, which is skipped.
        self._examples: set[str] = set()
        # The organisation's volunteers, for the rows of volunteer hours (volunteer_hours_rows.py).
        self.known_volunteers: volunteer_hours_rows.KnownVolunteers | None = None

    def _lookups(self) -> dict[str, Lookup]:
        org, prog = self.organisation, self.programme
        own = {"organisation": org}
        found = {
            "persons": Lookup(Person, "external_id", own),
            "households": Lookup(Household, "external_id", own),
            "cases": Lookup(Case, "external_id", own, "programme_id"),
            "campaigns": Lookup(Campaign, "slug", {"programme": prog}),
            "outreach_visits": Lookup(OutreachVisit, "external_id", own, "programme_id"),
            "external_organisations": Lookup(ExternalOrganisation, "name", {}),
        }
        for key in ("partner_contacts", "activities", "volunteers", "distributions"):
            found[key] = Lookup(c.TYPES[key].model, "external_id", own, "programme_id")
        for key in ("services", "outcomes", *CASE_FILE):
            found[key] = Lookup(
                c.TYPES[key].model, "external_id", {"case__organisation": org}, "case__programme_id"
            )
        found["planned_actions"] = Lookup(
            c.TYPES["planned_actions"].model,
            "external_id",
            {"goal__case__organisation": org},
            "goal__case__programme_id",
        )
        found["consents"] = Lookup(c.TYPES["consents"].model, "external_id", own)
        found["referrals"] = Lookup(
            c.TYPES["referrals"].model, "external_id", {"from_organisation": org}, "case__programme_id"
        )
        return found

    # errors -------------------------------------------------------------------------------------

    def error(
        self,
        file: str,
        row: int | None,
        column: str | None,
        value: Any,
        reason: str | Promise,
        /,
        **params: Any,
    ) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < self.max_errors:
            # Error lists go to the page, the job stored for other users, a terminal and CSV files: a cell
            # that identifies someone is named by its row and column, never quoted.
            quoted = not is_blank(value) and (not file or c.quotable(self._types.get(file), column))
            text = as_text(value) if quoted else ""
            self.result.errors.append(RowError(file, row, column, text[:120], reason, params))

    def unusual(self, file: str, row: int, column: str, value: int) -> None:
        self.result.warning_count += 1
        if len(self.result.warnings) < self.max_errors:
            limit = self.programme.unusual_count
            reason = _("unusually high for this programme (more than %(limit)s): check it")
            self.result.warnings.append(RowError(file, row, column, str(value), reason, {"limit": limit}))

    # running ------------------------------------------------------------------------------------

    def run(self, sources: Sequence[Source]) -> ImportResult:
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError("sources need distinct names")
        self._types = {s.name: s.record_type for s in sources}
        self.store = KeyStore()
        try:
            with _long_lived_objects_frozen():
                return self._run(sources)
        finally:
            for spool in self._spools:
                spool.close()
            self._spools.clear()
            self.store.close()

    def _run(self, sources: Sequence[Source]) -> ImportResult:
        ordered = sorted(sources, key=lambda s: c.ORDER[s.record_type.key])
        self._total_weight = sum(s.weight for s in ordered) or 1.0
        self._weight_done = 0.0
        self._phase = 0
        for source in ordered:
            self._validate(source)
        self._flush_all()
        order = {s.name: i for i, s in enumerate(ordered)}
        self.result.errors.sort(key=lambda e: (order.get(e.file, -1), e.row or 0))
        if not self.result.ok:
            raise ImportFailed(self.result)
        if self.dry_run:
            return self.result
        self._phase, self._weight_done = 1, 0.0
        try:
            with writing.write_settings():
                for source in ordered:
                    self._write(source)
        except ValidationError as error:
            self._stopped(" ".join(error.messages), _("Nothing was written: %(reason)s"))
        except IntegrityError:
            # Only possible when someone else wrote the same records between the check and the write.
            self._stopped(
                _("the records changed while the files were being imported."),
                _(
                    "Nothing was written: the records changed while the files were being imported. Import them again."
                ),
            )
        except OperationalError as error:
            if not busy.is_busy(error):
                raise
            # Another writer held the database for longer than the busy timeout.
            self._stopped(_("the database stayed busy for too long."), _("Nothing was written: %(reason)s"))
        self.result.written = True
        # The counted rows of what was written, now rather than in the next report (whole rules after a big
        # first import, which is faster than key by key).
        with writing.write_settings():
            counted.refresh_quietly()
        writing.keep_statistics()
        return self.result

    def _stopped(self, reason: str | Promise, nothing_written: str | Promise) -> NoReturn:
        """End a write pass that failed: say how many rows its committed batches wrote, if any."""
        if self.result.written_rows or self.result.new_cases:
            self.error(
                "",
                None,
                None,
                "",
                _(
                    "The import stopped after writing %(written)s of %(rows)s rows: %(reason)s Import the "
                    "same files again to complete it; the rows already written are not added twice."
                ),
                written=f"{self.result.written_rows:,}",
                rows=f"{self.result.rows:,}",
                reason=reason,
            )
        else:
            self.error("", None, None, "", nothing_written, reason=reason)
        raise ImportFailed(self.result) from None

    def _report(
        self, source: Source, table: Table | None, rows: int, final: bool = False, part: float | None = None
    ) -> None:
        if self.progress is None:
            return
        if part is None:
            part = 1.0 if final or table is None else table.fraction()
        done = (self._weight_done + part * source.weight) / self._total_weight
        phase = ("validate", "write")[self._phase]
        self.progress(Progress(phase, source.name, rows, (self._phase + min(done, 1.0)) / 2))

    # pass 1 -------------------------------------------------------------------------------------

    def _bind(self, source: Source, header: Sequence[Any]) -> list[Binding] | None:
        rtype = source.record_type
        bindings: list[Binding] = []
        seen: set[str] = set()
        ok = True
        for index, cell in enumerate(header):
            if is_blank(cell):
                continue
            name, declared = header_name(cell)
            if name not in rtype.names:
                # Named by its letter: a file without its header row has names where the header should be.
                close = difflib.get_close_matches(name, rtype.names, n=1, cutoff=0.75)
                if close:
                    reason = _(
                        "unknown column; did you mean “%(column)s”? The %(type)s template has the columns "
                        "%(columns)s"
                    )
                else:
                    reason = _("unknown column; the %(type)s template has the columns %(columns)s")
                self.error(
                    source.name,
                    1,
                    c.letter(index),
                    "",
                    reason,
                    type=rtype.label,
                    columns=", ".join(rtype.names),
                    column=close[0] if close else "",
                )
                ok = False
                continue
            if name in seen:
                self.error(source.name, 1, name, "", _("this column appears more than once"))
                ok = False
                continue
            seen.add(name)
            column = rtype.column(name)
            date_format = source.date_format or self.date_format
            if declared:
                if column.kind not in (c.DATE, c.MONTH):
                    self.error(source.name, 1, name, declared, _("only date columns can declare a format"))
                    ok = False
                    continue
                try:
                    date_format = DateFormat.parse(declared)
                except ValueError:
                    self.error(
                        source.name,
                        1,
                        name,
                        declared,
                        _("not a date format; write for example DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD"),
                    )
                    ok = False
                    continue
            bindings.append(Binding(index, column, self._parser(rtype, column, date_format)))
        for name in rtype.required:
            if name not in seen:
                self.error(source.name, 1, name, "", _("this required column is missing"))
                ok = False
        return bindings if ok else None

    def _parser(
        self, rtype: c.RecordType, column: c.Column, date_format: DateFormat | None
    ) -> Callable[[Any], Any]:
        kind = column.kind
        length = c.max_length(rtype, column)
        if kind == c.USER:
            return lambda value: parse_text(value, 150)
        if kind in (c.ID, c.TEXT, c.REFERENCE):
            if column.references == "campaigns" or (kind == c.ID and column.name == "slug"):
                return _slug
            return lambda value: parse_text(value, length)
        # The model's own rules for its dates and counts (nextsteps/records/rules.py), checked per cell so
        # that the import names the row, instead of failing the whole file when the record is written.
        model_dates = getattr(rtype.model, "record_dates", {})
        if kind == c.INTEGER and column.field in getattr(rtype.model, "record_counts", ()):
            return lambda value: _counted(parse_integer(value, column.minimum, column.maximum))
        if kind == c.MONTH:
            # A month is stored as its first day: a month that has begun is not in the future.
            future = model_dates.get(column.field or "", "")
            return lambda value: _dated(parse_month(value, date_format), future)
        if kind == c.DATE and column.field in model_dates:
            future = model_dates[column.field]
            # Dates up to the day the import started are neither in the future nor too old: most are, and
            # they are let through without asking the clock for each row.
            latest = dt.date.today()

            def dated(value: Any) -> dt.date:
                found = parse_date(value, date_format)
                return found if EARLIEST_DATE <= found <= latest else _dated(found, future)

            return dated
        if kind == c.INTEGER:
            return lambda value: parse_integer(value, column.minimum, column.maximum)
        if kind == c.YEAR:
            return lambda value: parse_integer(value, column.minimum or 1900, c.year_maximum())
        if kind == c.DATE:
            return lambda value: parse_date(value, date_format)
        if kind == c.COUNTRY:
            return parse_country
        if kind == c.COUNTRIES:
            return parse_countries
        if kind == c.CHOICE:
            vocabulary = self.vocabularies[column.vocabulary or ""]
            return lambda value: vocabulary.parse(value).key
        if kind == c.CHOICES:
            vocabulary = self.vocabularies[column.vocabulary or ""]
            return lambda value: [choice.key for choice in vocabulary.parse_many(value)]
        if kind == c.NAMES:
            return split_names
        raise ValueError(kind)

    def _rows(
        self, source: Source, table: Table, bindings: list[Binding]
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Each row as {column name: value}, None for empty cells; cells that cannot be read are reported,
        and their row is marked invalid."""
        used = {b.index for b in bindings}
        width = len(table.header)
        plan = [(b.index, b.column.name, b.column.required, b.parse) for b in bindings]
        for number, cells in table.rows():
            if number == 2 and is_example(cells):
                # The template's own example (templates.py): never a record, whatever its other cells say.
                self._examples.add(source.name)
                continue
            values: dict[str, Any] = {}
            ok = True
            count = len(cells)
            for index, name, required, parse in plan:
                cell = cells[index] if index < count else None
                if cell is None or (cell.__class__ is str and not cell.strip()):
                    if required:
                        self.error(source.name, number, name, "", _("required, but empty"))
                        ok = False
                    values[name] = None
                    continue
                try:
                    values[name] = parse(cell)
                except Invalid as invalid:
                    self.error(source.name, number, name, cell, invalid.reason, **invalid.params)
                    ok = False
                    values[name] = None
            if count > width or len(used) < width:
                for index in range(count):
                    if index not in used and not is_blank(cells[index]):
                        self.error(
                            source.name,
                            number,
                            c.letter(index),
                            cells[index],
                            _("a value in a column without a name"),
                        )
                        ok = False
                        break
            if not ok:
                values["__invalid__"] = True
            yield number, values

    def _validate(self, source: Source) -> None:
        rtype = source.record_type
        try:
            table = source.open()
        except TableError as error:
            self.error(source.name, None, None, "", str(error))
            self.broken.add(rtype.key)
            return
        try:
            bindings = self._bind(source, table.header)
            if bindings is None:
                self.broken.add(rtype.key)
                return
            present = {b.column.name for b in bindings}
            plan = _RowPlan.of(rtype)
            # The system itself (acting_user None) may write anything; people only what their roles allow.
            refused = self.acting_user is not None and not rights.may_import(
                self.acting_user, self.organisation.pk, rtype.key
            )
            # Valid rows are kept, already read, in a temporary file for the second pass: a batch at a time,
            # so memory stays flat, and the file is neither read nor parsed twice. With each batch goes what
            # the check of its keys found: which rows update which stored records.
            spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by run())
            self._spools.append(spool)
            batch: list[dict[str, Any]] = []
            keys: list[tuple[str, int, str]] = []
            codes: list[CodedRow] = []
            coded = rtype.key in CODE_TAKEN
            visits: list[VisitRow] = []
            rows = 0
            counts = getattr(rtype.model, "record_counts", ())
            counted = [
                b.column.name for b in bindings if b.column.kind == c.INTEGER and b.column.field in counts
            ]
            limit = self.programme.unusual_count
            for number, values in self._rows(source, table, bindings):
                rows += 1
                for name in counted:
                    # The parser already refused a count above MAX_COUNT.
                    if (value := values.get(name)) is not None and value > limit:
                        self.unusual(source.name, number, name, value)
                if refused:
                    self.error(
                        source.name,
                        number,
                        None,
                        "",
                        _("you may not add or change %(records)s of %(organisation)s"),
                        records=rtype.label,
                        organisation=str(self.organisation),
                    )
                key = self._check_row(source, plan, number, values, present)
                if key:
                    keys.append((source.name, number, key))
                if coded and (code := coded_row(source.name, number, values, present)):
                    codes.append(code)
                if rtype.key == "outreach_visits" and (visit := visit_row(source.name, number, values)):
                    visits.append(visit)
                if not self.result.error_count:
                    batch.append(values)
                if rows % self.spool_size == 0:
                    self._end_batch(spool, rtype.key, batch, keys, codes, visits)
                    batch, keys, codes, visits = [], [], [], []
                if rows % 1000 == 0:
                    self._report(source, table, rows)
            if rows % self.spool_size:
                self._end_batch(spool, rtype.key, batch, keys, codes, visits)
            # Tables made from other formats (Kobo exports) bring what they could not turn into rows.
            for number, column, value, reason in getattr(table, "problems", ()):
                self.error(source.name, number, column, value, reason)
            if not rows and source.name in self._examples:
                self.error(
                    source.name,
                    2,
                    None,
                    "",
                    _(
                        "this file holds only the template's example row, which is never imported: "
                        "write your own rows below it or in its place, then import the file again"
                    ),
                )
            self._validated[source.name] = (spool, present, rows)
            self.result.rows += rows
            self._report(source, table, rows, final=True)
        except TableError as error:
            self.error(source.name, None, None, "", str(error))
            self.broken.add(rtype.key)
        finally:
            table.close()
            self._weight_done += source.weight

    def _end_batch(
        self,
        spool: IO[bytes],
        type_key: str,
        batch: list[dict[str, Any]],
        keys: list[tuple[str, int, str]],
        codes: list[CodedRow],
        visits: list[VisitRow],
    ) -> None:
        assert self.store is not None
        fresh: list[tuple[str, int, str]] = []
        in_batch: set[str] = set()
        earlier = self.store.add(type_key, [key for _f, _r, key in keys])
        for file, number, key in keys:
            if key in earlier or key in in_batch:
                self.error(
                    file,
                    number,
                    c.TYPES[type_key].key_column,
                    key,
                    _("this value appears on an earlier row of the import; each row needs its own"),
                )
            else:
                in_batch.add(key)
                fresh.append((file, number, key))
        self._flush_remembered()
        # A row whose key is refused already has its error: its code (often that key) is not checked.
        rows = {(file, number) for file, number, _key in fresh}
        codes = [code for code in codes if (code.file, code.row) in rows]
        if codes:
            stored, by_code = stored_keys_and_codes(
                type_key,
                self.organisation,
                {key for _f, _r, key in fresh},
                codes,
                self._key_fields(type_key),
            )
            known = self._check_keys(type_key, fresh, stored)
            check_codes(type_key, codes, known, by_code, store=self.store, error=self.error)
        else:
            known = self._check_keys(type_key, fresh) if fresh else {}
        visits = [visit for visit in visits if (visit.file, visit.row) in rows]
        if visits:
            check_visits(visits, organisation=self.organisation, store=self.store, error=self.error)
        if batch and not self.result.error_count:
            pickle.dump((batch, known), spool, pickle.HIGHEST_PROTOCOL)

    def _check_row(
        self, source: Source, plan: _RowPlan, number: int, values: dict[str, Any], present: set[str]
    ) -> str | None:
        """Check one row beyond its cells: its references and its record type's rules (its key is checked
        with its batch). Returns the row's key."""
        name = source.name
        for column_name, references in plan.references:
            value = values.get(column_name)
            if value and references not in self.broken:
                self._queue(self.pending_refs[references], (name, number, column_name, value))
        for column_name in plan.names:
            for org_name in values.get(column_name) or ():
                self._queue(
                    self.pending_refs["external_organisations"], (name, number, column_name, org_name)
                )
        if plan.rule:
            self.current = (name, number)
            for rule_column, value, reason, params in plan.rule(self, values, present):
                self.error(name, number, rule_column, value, reason, **params)
        return values.get(plan.key_column) if plan.key_column else None

    def remember(self, kind: str, key: str) -> None:
        """Rows of one kind that make keys of another (partner contacts name external organisations)."""
        self._remembered.append((kind, key))

    def remember_value(self, kind: str, key: str, value: str) -> None:
        """A value of a row that rows of another kind are checked against (a household's locality)."""
        self._remembered_values.append((kind, key, value))

    def add_case(self, person: str, case: str) -> None:
        self._case_pairs.append((person, case))

    def _flush_remembered(self) -> None:
        assert self.store is not None
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in self._remembered:
            by_kind[kind].append(key)
        for kind, keys in by_kind.items():
            self.store.add(kind, keys)
        self.store.add_cases(self._case_pairs)
        values: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for kind, key, value in self._remembered_values:
            values[kind].append((key, value))
        for kind, pairs in values.items():
            self.store.set_values(kind, pairs)
        self._remembered, self._case_pairs, self._remembered_values = [], [], []

    def _queue(self, queue: list[Any], item: Any) -> None:
        queue.append(item)
        if len(queue) >= self.spool_size:
            self._flush_all()

    def _flush_all(self) -> None:
        for type_key, refs in self.pending_refs.items():
            if refs:
                self._check_refs(type_key, refs)
                refs.clear()
        if self.pending_cases:
            self._check_cases(self.pending_cases)
            self.pending_cases.clear()
        if self.pending_identifications:
            case_file_rows.check_identifications(self, self.pending_identifications)
            self.pending_identifications.clear()
        if self.pending_periods:
            case_file_rows.check_periods(self, self.pending_periods)
            self.pending_periods.clear()

    def _check_refs(self, type_key: str, refs: list[tuple[str, int, str, str]]) -> None:
        assert self.store is not None
        in_import = self.store.contains(type_key, (value for _f, _r, _c, value in refs))
        refs = [ref for ref in refs if ref[3] not in in_import]
        if not refs:
            return
        lookup = self.lookups[type_key]
        wanted = {value for _f, _r, _c, value in refs}
        fields = [lookup.key] + ([lookup.programme] if lookup.programme else [])
        found: dict[str, Any] = {}
        for row in records_by_key(lookup.model, lookup.scope, lookup.key, wanted).values_list(*fields):
            found[row[0]] = row[1] if lookup.programme else self.programme.pk
        for file, row_number, column, value in refs:
            if value not in found:
                reason = MISSING.get(type_key, MISSING["default"])
                self.error(file, row_number, column, value, reason, organisation=str(self.organisation))
            elif found[value] != self.programme.pk:
                self.error(
                    file,
                    row_number,
                    column,
                    value,
                    _("this record belongs to another programme of your organisation"),
                )

    def _key_fields(self, type_key: str) -> list[str]:
        lookup = self.lookups[type_key]
        owner = "organisation_id" if type_key == "campaigns" else lookup.programme
        return [lookup.key, "pk", *([owner] if owner else [])]

    def _check_keys(
        self, type_key: str, keys: list[tuple[str, int, str]], stored: list[tuple[Any, ...]] | None = None
    ) -> dict[str, int]:
        """Rows whose key is already stored update that record: it must be this organisation's, in this
        programme. Returns the primary keys of the records the rows will update. `stored` is what the
        caller already read of the records the keys name (see uniqueness.stored_keys_and_codes)."""
        rtype = c.TYPES[type_key]
        lookup = self.lookups[type_key]
        campaigns = type_key == "campaigns"
        owner = "organisation_id" if campaigns else lookup.programme
        found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        if stored is None:
            wanted = {key for _f, _r, key in keys}
            stored = list(
                records_by_key(lookup.model, lookup.scope, lookup.key, wanted).values_list(
                    *self._key_fields(type_key)
                )
            )
        for record in stored:
            found[record[0]].append(record)
        expected = self.organisation.pk if campaigns else self.programme.pk
        known: dict[str, int] = {}
        for file, row_number, key in keys:
            matches = found.get(key, [])
            if not matches:
                continue
            if len(matches) > 1:
                self.error(
                    file,
                    row_number,
                    rtype.key_column,
                    key,
                    _("more than one record already has this external id"),
                )
            elif owner and matches[0][2] != expected and campaigns:
                self.error(
                    file,
                    row_number,
                    "slug",
                    key,
                    _("this campaign belongs to %(organisation)s; only they can change it"),
                    organisation=str(Organisation.objects.get(pk=matches[0][2])),
                )
            elif owner and matches[0][2] != expected:
                self.error(
                    file,
                    row_number,
                    rtype.key_column,
                    key,
                    _(
                        "this external id is already used by a record of another programme of your organisation"
                    ),
                )
            else:
                known[key] = matches[0][1]
        return known

    def _check_cases(self, items: list[tuple[str, int, str, str, dt.date]]) -> None:
        """Rows that name a person instead of a case: the person's one case in this programme is used."""
        persons = {person for _f, _r, _c, person, _d in items}
        in_database: dict[str, set[str]] = defaultdict(set)
        for person, external, pk in self.cases_of(persons).values_list(
            "person__external_id", "external_id", "pk"
        ):
            in_database[person].add(external or f"#{pk}")
        assert self.store is not None
        in_import = self.store.cases(persons)
        need: list[tuple[str, dt.date]] = []
        for file, row_number, column, person, date in items:
            cases = in_database.get(person, set()) | in_import.get(person, set())
            if len(cases) > 1:
                self.error(
                    file,
                    row_number,
                    column,
                    person,
                    _("this person has %(count)s cases in this programme; name the case in the case column"),
                    count=len(cases),
                )
            elif not cases:
                need.append((person, date))
        self.store.need_cases(need)

    # pass 2 -------------------------------------------------------------------------------------

    def _write(self, source: Source) -> None:
        rtype = source.record_type
        spool, present, total = self._validated[source.name]
        spool.seek(0)
        writer = WRITERS[rtype.key]
        counts = self.result.counts.setdefault(rtype.key, actions.BulkResult())
        if rtype.key in ("services", "outcomes"):
            self._open_new_cases()
        rows = 0
        self._report(source, None, rows, part=0.0)
        spooled = _spooled(spool)
        following = next(spooled, None)
        while following is not None:
            # One transaction per batch of up to `batch_size` rows, or fewer when they are slow to write: the
            # write lock is let go between batches, so other requests get their turn, and a failure takes
            # back its own batch only (see the module's docstring).
            held = time.monotonic()
            written: list[tuple[int, actions.BulkResult]] = []
            size = 0
            with transaction.atomic():
                while following is not None:
                    batch, known = following
                    written.append((len(batch), writer(self, batch, present, known)))
                    size += len(batch)
                    following = next(spooled, None)
                    if size >= self.batch_size or writing.hold_over(held):
                        break
            writing.let_others_write(time.monotonic() - held)
            # Counted once committed: a batch taken back wrote nothing.
            for length, done in written:
                counts.add(done)
                if rtype.key == "persons":
                    self.result.person_ids.extend(done.keys.values())
                rows += length
                self.result.written_rows += length
                self._report(source, None, rows, part=rows / max(total, 1))
        self._report(source, None, rows, final=True)
        self._weight_done += source.weight

    def resolve(self, type_key: str, values: Sequence[Any], *, programme_only: bool = True) -> dict[str, int]:
        """Primary keys of the records that keys refer to; they were all checked in the first pass."""
        lookup = self.lookups[type_key]
        wanted = {v for v in values if v}
        if not wanted:
            return {}
        filters = dict(lookup.scope)
        if lookup.programme and programme_only:
            filters[lookup.programme] = self.programme.pk
        found = dict(records_by_key(lookup.model, filters, lookup.key, wanted).values_list(lookup.key, "pk"))
        missing = wanted - set(found)
        if missing:
            raise ValidationError(
                str(_("%(type)s %(keys)s could not be found."))
                % {"type": type_key, "keys": ", ".join(sorted(missing)[:5])}
            )
        return found

    def case_writers(self) -> dict[str, int]:
        """User names of those who may be responsible for the organisation's cases: read once per import."""
        if self._case_writers is None:
            self._case_writers = dict(access.case_writers(self.organisation.pk).values_list("username", "pk"))
        return self._case_writers

    def cases_of(self, persons: set[str]) -> Any:
        """This programme's cases of these persons (by external id), found through the persons' index."""
        pks = records_by_key(Person, {"organisation": self.organisation}, "external_id", persons).values("pk")
        return Case.objects.filter(
            person__in=pks, organisation=self.organisation, programme=self.programme
        ).order_by()

    def _open_new_cases(self) -> None:
        """Open a case for each person named without one, on the first date given for them (once)."""
        assert self.store is not None
        for part in self.store.new_cases(self.spool_size):
            persons = self.resolve("persons", [p for p, _d in part])
            rows = [
                {
                    "programme_id": self.programme.pk,
                    "organisation_id": self.organisation.pk,
                    "person_id": persons[person],
                    "opened": opened,
                    "status": Case.Status.OPEN,
                }
                for person, opened in part
            ]
            with transaction.atomic():
                done = actions.bulk_upsert_records(
                    Case, rows, acting_user=self.acting_user, organisation=self.organisation, savepoint=False
                )
            self.result.new_cases += done.created
        self.store.clear_new_cases()

    def upsert(self, model: type[Model], rows: list[dict[str, Any]], **options: Any) -> actions.BulkResult:
        # The batch's transaction (_write) is what a failure takes back: no savepoint within it.
        return actions.bulk_upsert_records(
            model,
            rows,
            acting_user=self.acting_user,
            organisation=self.organisation,
            savepoint=False,
            **options,
        )

    def link(
        self,
        through: type[Model],
        pairs: set[tuple[int, int]],
        owner: str,
        owner_model: type[Model],
        field: str,
    ) -> actions.BulkResult:
        added = actions.bulk_link_records(
            through,
            pairs,
            owner=owner,
            target="person_id",
            owner_model=owner_model,
            audit_field=field,
            acting_user=self.acting_user,
            organisation=self.organisation,
            savepoint=False,
        )
        return actions.BulkResult(created=added, unchanged=len(pairs) - added)

    def fields(self, rtype: c.RecordType, row: Mapping[str, Any], present: set[str]) -> dict[str, Any]:
        """The model fields a row gives: only its file's columns, empty cells as the field's empty value."""
        out: dict[str, Any] = {}
        for column_name, attname, blank in _field_map(rtype):
            if column_name in present:
                value = row[column_name]
                out[attname] = blank if value is None else value
        return out


def _spooled(spool: IO[bytes]) -> Iterator[tuple[list[dict[str, Any]], dict[str, int]]]:
    """The first pass's batches of rows, each with the stored records its keys matched."""
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _slug(value: Any) -> str:
    text = parse_text(value, 50)
    if not _SLUG.match(text):
        raise Invalid(_("not a slug: use only letters, digits, hyphens and underscores"))
    return text


MISSING: dict[str, str | Promise] = {
    "default": _("no record with this external id in %(organisation)s, in the database or in this import"),
    "persons": _("no person with this external id in %(organisation)s, in the database or in this import"),
    "households": _(
        "no household with this external id in %(organisation)s, in the database or in this import"
    ),
    "cases": _("no case with this external id in %(organisation)s, in the database or in this import"),
    "outreach_visits": _(
        "no outreach visit with this external id in %(organisation)s, in the database or in this import"
    ),
    "campaigns": _("no campaign with this slug in the programme, in the database or in this import"),
    "external_organisations": _("no external organisation of this name; add it with a partner contact first"),
}


def _dated(value: dt.date, future: Any) -> dt.date:
    if problem := date_problem(value, future):
        raise Invalid(problem[0], **problem[1])
    return value


def _counted(value: int) -> int:
    if problem := count_problem(value):
        raise Invalid(problem[0], **problem[1])
    return value


# Row rules ----------------------------------------------------------------------------------------

RuleErrors = Iterator[tuple[str | None, Any, str | Promise, dict[str, Any]]]


def _code_rule(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    if not values.get("code") and len(values.get("external_id") or "") > 40:
        yield (
            "code",
            "",
            _("empty, and the external id is too long (over 40 characters) to serve as the code"),
            {},
        )


def _volunteer_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from _code_rule(importer, values, present)
    # Volunteer.clean's rule, for the screening columns the file has: a row that leaves them out keeps the
    # stored dates, and the model checks those when the rows are written.
    if values.get("status") == Volunteer.Stage.ACTIVE and "__invalid__" not in values:
        absent = [name for name in Volunteer.ACTIVE_NEEDS if name not in present]
        # Without those columns only a volunteer stored as active already may stay so; a new one would be
        # refused while being written, after other rows. Checked here so that the import writes nothing.
        # One query, only for active rows of a file without the screening columns.
        if absent and not _stored_active_volunteer(importer, values):
            yield (
                "status",
                values.get("status"),
                _(
                    "a volunteer becomes active only with the columns %(columns)s filled in; add them or "
                    "choose an earlier stage"
                ),
                {"columns": ", ".join(absent)},
            )
        for name in Volunteer.ACTIVE_NEEDS:
            if name in present and not values.get(name):
                yield (
                    name,
                    "",
                    _("an active volunteer needs this date; fill it in or choose an earlier stage"),
                    {},
                )


def _stored_active_volunteer(importer: Importer, values: dict[str, Any]) -> bool:
    active = {"organisation": importer.organisation, "stage": Volunteer.Stage.ACTIVE}
    stored = Volunteer.objects.filter(**active)
    if values.get("external_id"):
        return records_by_key(Volunteer, active, "external_id", [values["external_id"]]).exists()
    code = (values.get("code") or "").strip()
    return bool(code) and stored.filter(code__iexact=code).exists()


def _person_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from _code_rule(importer, values, present)
    born, year = values.get("birth_date"), values.get("birth_year")
    if born and born > importer.today:
        yield "birth_date", born.isoformat(), _("the date of birth is in the future"), {}
    if born and year and born.year != year:
        yield "birth_year", year, _("the year of birth does not match the date of birth"), {}


def _household_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from _code_rule(importer, values, present)
    if values.get("external_id") and values.get("locality") and "__invalid__" not in values:
        importer.remember_value("household_locality", values["external_id"], values["locality"])


def _case_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    opened, closed = values.get("opened"), values.get("closed")
    if opened and closed and closed < opened:
        yield "closed", closed.isoformat(), _("a case cannot close before it opened"), {}
    # Case.clean's rule, checked here too so that the whole file is checked before anything is written.
    status = values.get("status") or ("closed" if closed else None)
    if "__invalid__" not in values:
        if status == Case.Status.CLOSED and not values.get("closure_reason"):
            yield "closure_reason", "", _("a closed case needs its closure reason in this column"), {}
        elif status == Case.Status.OPEN and values.get("closure_reason"):
            yield "closure_reason", "", _("an open case has no closure reason; leave this cell empty"), {}
    caseworker = values.get("caseworker")
    if caseworker and caseworker not in importer.case_writers():
        yield (
            "caseworker",
            caseworker,
            _("no one with this user name works on the cases of %(organisation)s"),
            {"organisation": str(importer.organisation)},
        )
    yield from referral_rows.receiving_case_rules(importer, values, present)
    if values.get("person") and values.get("external_id"):
        importer.add_case(values["person"], values["external_id"])
    if values.get("external_id") and opened and "__invalid__" not in values:
        # The period the case's records are checked against (case_file_rows.check_periods). Without the
        # closing column the stored closing date stays: only the opening is known then.
        known_closed = closed.isoformat() if "closed" in present and closed else ""
        importer.remember_value("case_period", values["external_id"], f"{opened.isoformat()}|{known_closed}")


def _campaign_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    start, end = values.get("start"), values.get("end")
    if start and end and end < start:
        yield "end", end.isoformat(), _("the campaign ends before it starts"), {}


def _partner_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    if values.get("external_organisation"):
        importer.remember("external_organisations", values["external_organisation"])
    return iter(())


def _activity_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    cells = [values.get(f"attendance_{cell}") for cell in ("women", "girls", "men", "boys")]
    total = values.get("attendance_total")
    if total is not None and sum(n or 0 for n in cells) > total:
        yield "attendance_total", total, _("the attendance by sex and age adds up to more than the total"), {}


def _case_or_person(
    importer: Importer, values: dict[str, Any], present: set[str], date_column: str
) -> RuleErrors:
    case, person, date = values.get("case"), values.get("person"), values.get(date_column)
    if case and person:
        yield "person", person, _("fill in either the case or the person, not both"), {}
    elif not case and not person and "__invalid__" not in values:
        yield "case", "", _("fill in the case or the person"), {}
    elif case and date and "cases" not in importer.broken:
        # Dated while the case is open (DatedInCase.clean), checked before anything is written.
        file, number = importer.current
        importer._queue(importer.pending_periods, (file, number, date_column, case, date, False))
    elif person and date and "persons" not in importer.broken:
        file, number = importer.current
        importer._queue(importer.pending_cases, (file, number, "person", person, date))


def _service_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from _case_or_person(importer, values, present, "date")


def _outcome_rules(importer: Importer, values: dict[str, Any], present: set[str]) -> RuleErrors:
    yield from _case_or_person(importer, values, present, "date")


ROW_RULES: dict[str, Callable[[Importer, dict[str, Any], set[str]], RuleErrors]] = {
    "persons": _person_rules,
    "households": _household_rules,
    "cases": _case_rules,
    "campaigns": _campaign_rules,
    "partner_contacts": _partner_rules,
    "activities": _activity_rules,
    "volunteers": _volunteer_rules,
    "volunteer_hours": volunteer_hours_rows.hours_rules,
    "services": _service_rules,
    "outcomes": _outcome_rules,
    "identifications": case_file_rows.identification_rules,
    "assessments": case_file_rows.dated_rules,
    "planned_actions": case_file_rows.planned_action_rules,
    "follow_ups": case_file_rows.dated_rules,
    "case_notes": case_file_rows.dated_rules,
    "referrals": referral_rows.referral_rules,
    "consents": referral_rows.consent_rules,
}


# Writers ------------------------------------------------------------------------------------------

_FIELD_MAPS: dict[str, list[tuple[str, str, Any]]] = {}


def _field_map(rtype: c.RecordType) -> list[tuple[str, str, Any]]:
    """(column, model attribute, value of an empty cell) for the columns that fill a model field directly."""
    found = _FIELD_MAPS.get(rtype.key)
    if found is None:
        found = []
        for column in rtype.columns:
            if column.field is None or column.kind == c.NAMES:
                continue
            model_field: Any = rtype.model._meta.get_field(column.field)
            if model_field.many_to_many:
                found.append((column.name, model_field.name, []))
            elif model_field.is_relation:
                found.append((column.name, model_field.attname, None))
            else:
                found.append((column.name, model_field.attname, model_field.get_default()))
        _FIELD_MAPS[rtype.key] = found
    return found


# A batch of rows, the file's columns and the stored records the first pass found the rows' keys to match.
Writer = Callable[[Importer, list[dict[str, Any]], set[str], dict[str, int]], actions.BulkResult]
# Adds what a row needs beyond its plain columns; `context` is what `prepare` found for the batch.
Extra = Callable[[Importer, Mapping[str, Any], dict[str, Any], set[str], Any], None]


def _code_default(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"code": row.get("external_id", "")}


def _code_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    if "code" in present and not row.get("code"):
        fields["code"] = row["external_id"]


CASEWORK = ("services", "outcomes")
# The case file's records: each names its case (planned actions their goal); none opens a case.
CASE_FILE = ("identifications", "assessments", "goals", "follow_ups", "case_notes")


def _records(
    type_key: str,
    *,
    scope: tuple[str, ...] = ("programme_id", "organisation_id"),
    extra: Extra | None = None,
    defaults: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
    prepare: Callable[[Importer, list[dict[str, Any]]], Any] | None = None,
    by_programme: bool = False,
    authored: bool = False,
    **options: Any,
) -> Writer:
    """A writer for one record type: resolve the batch's references, map rows to fields, upsert."""

    def write(
        importer: Importer, batch: list[dict[str, Any]], present: set[str], known: dict[str, int]
    ) -> actions.BulkResult:
        rtype = c.TYPES[type_key]
        refs = {
            column.name: importer.resolve(column.references, [row[column.name] for row in batch])
            for column in rtype.columns
            if column.references
            and column.name in present
            and not (type_key in CASEWORK and column.name == "person")
        }
        context = prepare(importer, batch) if prepare else None
        base = {"programme_id": importer.programme.pk, "organisation_id": importer.organisation.pk}
        rows = []
        for row in batch:
            fields = importer.fields(rtype, row, present)
            for name in scope:
                fields[name] = base[name]
            for column_name, found in refs.items():
                value = row[column_name]
                fields[f"{column_name}_id"] = found[value] if value else None
            if extra:
                extra(importer, row, fields, present, context)
            rows.append(fields)
        if by_programme:
            options["match"] = {"programme_id": importer.programme.pk}
        create_defaults = defaults
        if authored:
            # A record the import adds is written by the importing user; an update keeps its author.
            author = importer.acting_user.pk if getattr(importer.acting_user, "pk", None) else None
            create_defaults = lambda row: {**(defaults(row) if defaults else {}), "author_id": author}  # noqa: E731
        return importer.upsert(rtype.model, rows, create_defaults=create_defaults, known=known, **options)

    return write


def _case_status(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"status": Case.Status.CLOSED if row.get("closed") else Case.Status.OPEN}


def _case_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    if "caseworker" in present:
        # An empty cell leaves the case without a responsible caseworker, as the form does.
        fields["caseworker_id"] = (
            importer.case_writers()[row["caseworker"]] if row.get("caseworker") else None
        )
    if "status" in present and row.get("status") is None:
        if "closed" in present:
            fields.update(_case_status(fields))
        else:
            fields.pop("status", None)
    referral_rows.receiving_case_extra(fields, row)


def _partner_prepare(importer: Importer, batch: list[dict[str, Any]]) -> dict[str, int]:
    """External organisations named for the first time are added; known ones are left as they are."""
    wanted: dict[str, dict[str, Any]] = {}
    for row in batch:
        wanted.setdefault(
            row["external_organisation"],
            {"name": row["external_organisation"], "kind": row["kind"], "country": row.get("country") or ""},
        )
    done = importer.upsert(
        ExternalOrganisation, list(wanted.values()), key="name", match={}, update=False, fixed=()
    )
    return done.keys


def _partner_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    fields["external_organisation_id"] = context[row["external_organisation"]]


def _activity_prepare(importer: Importer, batch: list[dict[str, Any]]) -> dict[str, int]:
    names = [name for row in batch for name in row.get("participating_organisations") or ()]
    return importer.resolve("external_organisations", names)


def _activity_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    if "participating_organisations" in present:
        fields["participating_organisations"] = [
            context[n] for n in row.get("participating_organisations") or ()
        ]


def _casework_prepare(importer: Importer, batch: list[dict[str, Any]]) -> dict[str, int]:
    """The case of each person named without one: exactly one exists now (checked, or opened by the import)."""
    persons = {row["person"] for row in batch if row.get("person")}
    if not persons:
        return {}
    found: dict[str, int] = {}
    for person, pk in importer.cases_of(persons).values_list("person__external_id", "pk"):
        if person in found:
            raise ValidationError(str(_("A person has more than one case; name the case.")))
        found[person] = pk
    return found


def _casework_extra(
    importer: Importer, row: Mapping[str, Any], fields: dict[str, Any], present: set[str], context: Any
) -> None:
    if row.get("person"):
        fields["case_id"] = context[row["person"]]
    fields.pop("person_id", None)


def _links(
    owner_type: str,
    owner_column: str,
    through: Callable[[], type[Model]],
    owner: str,
    owner_model: type[Model],
    audit_field: str,
) -> Writer:
    """A writer for rows that link a person to a visit or a household: links are added, never removed."""

    def write(
        importer: Importer, batch: list[dict[str, Any]], present: set[str], known: dict[str, int]
    ) -> actions.BulkResult:
        owners = importer.resolve(owner_type, [row[owner_column] for row in batch])
        persons = importer.resolve("persons", [row["person"] for row in batch])
        pairs = {(owners[row[owner_column]], persons[row["person"]]) for row in batch}
        return importer.link(through(), pairs, owner, owner_model, audit_field)

    return write


WRITERS: dict[str, Writer] = {
    "persons": _records("persons", scope=("organisation_id",), extra=_code_extra, defaults=_code_default),
    "households": _records(
        "households", scope=("organisation_id",), extra=_code_extra, defaults=_code_default
    ),
    "household_members": _links(
        "households", "household", lambda: Household.members.through, "household_id", Household, "members"
    ),
    "cases": referral_rows.with_receiving_cases(_records("cases", extra=_case_extra, defaults=_case_status)),
    "campaigns": _records(
        "campaigns", key="slug", by_programme=True, fixed=("programme_id", "organisation_id")
    ),
    "partner_contacts": _records("partner_contacts", extra=_partner_extra, prepare=_partner_prepare),
    "outreach_visits": _records("outreach_visits"),
    "visit_persons": _links(
        "outreach_visits", "visit", lambda: VisitPerson, "visit_id", OutreachVisit, "persons"
    ),
    "activities": _records("activities", extra=_activity_extra, prepare=_activity_prepare),
    "volunteers": _records("volunteers", extra=_code_extra, defaults=_code_default),
    "volunteer_hours": volunteer_hours_rows.write_hours,
    "distributions": _records("distributions"),
    "services": _records("services", scope=(), extra=_casework_extra, prepare=_casework_prepare),
    "outcomes": _records("outcomes", scope=(), extra=_casework_extra, prepare=_casework_prepare),
    "identifications": _records("identifications", scope=(), prepare=case_file_rows.identification_prepare),
    "assessments": _records("assessments", scope=(), authored=True),
    "goals": _records("goals", scope=()),
    "planned_actions": _records(
        "planned_actions",
        scope=(),
        extra=case_file_rows.planned_action_extra,
        prepare=case_file_rows.planned_action_prepare,
    ),
    "follow_ups": _records("follow_ups", scope=()),
    "case_notes": _records("case_notes", scope=(), authored=True),
    "consents": _records("consents", scope=("organisation_id",), extra=referral_rows.consent_extra),
    "referrals": referral_rows.referral_writer(
        _records("referrals", scope=(), extra=referral_rows.referral_extra)
    ),
}
