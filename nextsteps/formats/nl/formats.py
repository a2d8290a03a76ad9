# See nextsteps/formats/__init__.py: one date format everywhere, with the month in letters (lower case).
DATE_FORMAT = SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j b Y H:i"
TIME_FORMAT = "H:i"
