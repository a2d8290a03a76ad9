"""One date format per language on every page (settings.FORMAT_MODULE_PATH): a day is "4 Dec 2026" in English,
"4 dec 2026" in Dutch and Romanian, and a moment adds the 24-hour time ("4 Dec 2026 14:05"). A month written
out never reads as a day: 12/02/2026 is 2 December to some staff and 12 February to others.

Only display formats are set here: what forms accept (DATE_INPUT_FORMATS) stays Django's for each language,
and <input type="date"> sends ISO dates whatever the language.
"""
