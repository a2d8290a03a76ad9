"""Indicators: what a programme promises to measure, how each is counted, and what it aims for."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from nextsteps.i18n import LANGUAGE_CODES, localized
from nextsteps.indicators import sentences
from nextsteps.indicators.sources import SOURCE_CHOICES, SOURCES
from nextsteps.programmes.models import Pillar
from nextsteps.records.versions import Versioned

# Kept here too, where it used to live.
SENTENCE_PLACEHOLDERS = sentences.SENTENCE_PLACEHOLDERS


class Indicator(Versioned, models.Model):
    """An indicator and its counting rule. Versioned since coordinators change the rule in the app: of two
    edits from the same version the second is refused rather than silently undoing the first."""

    class Measure(models.TextChoices):
        RECORDS = "records", _("number of records")
        DISTINCT_PERSONS = "distinct_persons", _("number of distinct persons")
        DISTINCT_HOUSEHOLDS = "distinct_households", _("number of distinct households")
        SUM = "sum", _("sum of a quantity")
        MANUAL = "manual", _("entered by hand per period")

    class Unit(models.TextChoices):
        PERSONS = "persons", _("persons")
        HOUSEHOLDS = "households", _("households")
        ACTIVITIES = "activities", _("activities")
        ITEMS = "items", _("items")
        CONTACTS = "contacts", _("contacts")
        RECORDS = "records", _("records")
        HOURS = "hours", _("hours")

    pillar = models.ForeignKey(Pillar, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ro = models.CharField(_("title (Romanian)"), max_length=200)
    sentence_nl = models.TextField(_("report sentence (Dutch)"))
    sentence_en = models.TextField(_("report sentence (English)"))
    sentence_ro = models.TextField(_("report sentence (Romanian)"))
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    source = models.CharField(_("records counted"), max_length=30, choices=SOURCE_CHOICES, blank=True)
    measure = models.CharField(_("what is counted"), max_length=30, choices=Measure.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sex_age_breakdown = models.BooleanField(_("report by sex and age group"), default=False)

    class Meta:
        ordering = ["pillar__number", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["pillar", "code"], name="unique_indicator_code")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code}: {self.title()}"

    def title(self, lang: str | None = None) -> str:
        return localized(self, "title", lang)

    def sentence(self, lang: str | None = None) -> str:
        return localized(self, "sentence", lang)

    @property
    def is_distinct(self) -> bool:
        """Distinct counts cannot be added up across periods (67 families each month is still 67)."""
        return self.measure in {self.Measure.DISTINCT_PERSONS, self.Measure.DISTINCT_HOUSEHOLDS}

    @property
    def counts_persons(self) -> bool:
        return self.measure in {self.Measure.DISTINCT_PERSONS, self.Measure.DISTINCT_HOUSEHOLDS} or (
            self.unit in {self.Unit.PERSONS, self.Unit.HOUSEHOLDS}
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.measure == self.Measure.MANUAL:
            if self.source:
                errors.setdefault("source", []).append(str(_("A hand-entered indicator counts no records.")))
        else:
            source = SOURCES.get(self.source)
            if source is None:
                errors.setdefault("source", []).append(str(_("Choose which records this indicator counts.")))
            else:
                if self.measure not in source.measures():
                    errors.setdefault("measure", []).append(
                        str(_("These records cannot be counted this way."))
                    )
                if not isinstance(self.filters, dict):
                    errors.setdefault("filters", []).append(
                        str(_("Filters must be a set of names with values."))
                    )
                else:
                    unknown = sorted(set(self.filters) - set(source.filters))
                    if unknown:
                        errors.setdefault("filters", []).append(
                            str(
                                _("Unknown filter for these records: %(names)s.")
                                % {"names": ", ".join(unknown)}
                            )
                        )
                    errors.setdefault("filters", []).extend(source.filter_problems(self.filters))
                    if not errors["filters"]:
                        del errors["filters"]
        for lang in LANGUAGE_CODES:
            # Checked in the language the sentence is written in: Romanian needs three plural forms.
            if problems := sentences.problems(getattr(self, f"sentence_{lang}"), lang):
                errors.setdefault(f"sentence_{lang}", []).extend(problems)
        if errors:
            raise ValidationError(errors)


class Target(Versioned, models.Model):
    """Baseline and target of an indicator for one period; `cell` names a breakdown cell, blank for the total."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    cell = models.CharField(_("breakdown cell"), max_length=30, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["indicator", "start", "cell"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "start", "end", "cell"], name="unique_target"),
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.start}–{self.end}: {self.target}"

    def clean(self) -> None:
        # The engine imports this module, so it is imported here, when a target is checked.
        from nextsteps.indicators import engine

        errors: dict[str, Any] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The period ends before it starts.")
        for name in ("baseline", "target"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _("A number of zero or more, please.")
            # Every unit an indicator has (persons, households, activities, items, contacts, records) is
            # counted in whole ones: a target of 12.5 volunteers can never be met or missed exactly.
            elif value is not None and value != value.to_integral_value():
                errors[name] = _("A whole number, please: %(value)s is not one.") % {"value": value}
        if self.indicator_id and self.start and self.end and self.start <= self.end:
            # Overlapping targets would leave it to chance which one a period is compared with.
            other = (
                Target.objects.filter(
                    indicator_id=self.indicator_id, cell=self.cell, start__lte=self.end, end__gte=self.start
                )
                .exclude(pk=self.pk)
                .order_by("start")
                .first()
            )
            if other is not None:
                errors["start"] = _(
                    "This indicator already has a target from %(start)s to %(end)s, which overlaps this period."
                ) % {"start": formats.date_format(other.start), "end": formats.date_format(other.end)}
        if self.cell:
            indicator = self.indicator if self.indicator_id or Target.indicator.is_cached(self) else None
            if self.cell not in engine.CELL_NAMES:
                errors["cell"] = str(
                    _("“%(cell)s” is not a cell of the sex and age breakdown; use one of %(cells)s.")
                    % {"cell": self.cell, "cells": ", ".join(engine.CELL_NAMES)}
                )
            elif indicator is not None and not engine.has_sex_age(indicator):
                errors["cell"] = str(
                    _("This indicator's records carry no sex or age, so it has no targets per cell.")
                )
        if errors:
            raise ValidationError(errors)


class ManualValue(Versioned, models.Model):
    """A figure entered by hand for a period, for indicators no record can count."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="manual_values")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["indicator", "start"]
        verbose_name = _("hand-entered value")
        verbose_name_plural = _("hand-entered values")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.start}–{self.end}: {self.value}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The period ends before it starts.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("A number of zero or more, please.")
        if self.indicator_id and self.start and self.end and not errors:
            # Figures of periods inside a report's period are added up: an overlap would count twice.
            overlapping = (
                ManualValue.objects.filter(
                    indicator_id=self.indicator_id, start__lte=self.end, end__gte=self.start
                )
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                errors["start"] = _(
                    "This indicator already has a figure for %(start)s – %(end)s, which overlaps this period."
                ) % {"start": overlapping.start.isoformat(), "end": overlapping.end.isoformat()}
        if errors:
            raise ValidationError(errors)


class CountedRule(models.Model):
    """A distinct counting rule whose counted rows are kept (nextsteps/indicators/counted.py). `signature`
    is the rule as it was when its rows were built: rows of a rule changed since are not used."""

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="+")
    signature = models.TextField()
    # "p" for a rule counting persons, "h" for households: which dirty keys concern it.
    kind = models.CharField(max_length=1)

    def __str__(self) -> str:
        return f"counted rows of indicator {self.indicator_id}"


class CountedRow(models.Model):
    """One counted record of a rule: its key (person or household id), date, the same key's previous counted
    date, organisation and locality. Ids and dates only: nothing here names anyone."""

    rule = models.ForeignKey(CountedRule, on_delete=models.CASCADE, related_name="+", db_index=False)
    k = models.BigIntegerField()
    d = models.DateField()
    p = models.DateField(null=True)
    o = models.BigIntegerField()
    l = models.CharField(max_length=200)  # noqa: E741 - the locality, short like its neighbours

    class Meta:
        indexes = [
            # A period's first rows: one range scan by date, `p` and the cells read from the index.
            models.Index(fields=["rule", "d", "p", "o", "l", "k"], name="counted_row_period"),
            # A dirty key's rows, replaced after a write.
            models.Index(fields=["rule", "k"], name="counted_row_key"),
        ]

    def __str__(self) -> str:
        return f"{self.k} {self.d}"


class DirtyKey(models.Model):
    """A person ("p") or household ("h") whose records changed since their counted rows were built, written
    by database triggers in the writer's own transaction; kind "*" means a code or slug that rules filter
    on changed, so every rule is rebuilt."""

    kind = models.CharField(max_length=1)
    k = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} {self.k}"


class CountedWatermark(models.Model):
    """On SQLite, the largest id of a watched table that the counted rows have seen: rows inserted since are
    dirty (counted_triggers.new_rows_sql). An insert trigger would cost every row of a bulk load more than the
    row itself there; updates and deletes keep their triggers."""

    # The table's name.
    name = models.CharField(max_length=64, unique=True)
    last_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name} {self.last_id}"
