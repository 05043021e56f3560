"""The patrol core's validation messages in the reader's language.

:func:`monitoring.checkspec.validate_spec` and the range parser explain mistakes in English sentences built with
the offending values. The form shows each message next to its field, so here each known sentence is matched by
a pattern and rewritten through the catalog with the same values; anything unknown is shown as the core wrote it.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from desk.accounts import N_

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), message)
    for pattern, message in (
        (r"^a name is required$", N_("A name is required.")),
        (r"^name must be 1-100 characters", N_("1–100 characters, without control, zero-width or text-direction "
                                               "characters or surrounding spaces.")),
        (r"^\w+ must be at most (?P<n>\d+) characters$", N_("At most %(n)s characters.")),
        (r"^\w+ must be a whole number from (?P<low>\d+) to (?P<high>\d+) seconds$",
         N_("A whole number of seconds from %(low)s to %(high)s.")),
        (r"^\w+ must be a whole number from (?P<low>\d+) to (?P<high>\d+) days$",
         N_("A whole number of days from %(low)s to %(high)s.")),
        (r"^\w+ must be a whole number from (?P<low>\d+) to (?P<high>\d+)$",
         N_("A whole number from %(low)s to %(high)s.")),
        (r"^timeout \((?P<t>\d+) s\) must not exceed the interval \((?P<i>\d+) s\)$",
         N_("The timeout (%(t)s s) must not be longer than the interval (%(i)s s).")),
        (r"^\w+ must be a percentage above 0 and at most 100$", N_("A percentage above 0 and at most 100.")),
        (r"^flap_stop must not be greater than flap_start$",
         N_("The stop threshold must not be above the start threshold.")),
        (r"^a nagios check takes its thresholds", N_("A Nagios plugin takes its thresholds in its own arguments "
                                                     "(e.g. -w/-c): leave this empty.")),
        (r"^invalid range '(?P<r>.*)': start (?P<a>\S+) is greater than end (?P<b>\S+)$",
         N_("Invalid range '%(r)s': the start %(a)s is greater than the end %(b)s.")),
        (r"^invalid range '(?P<r>.*)': more than one ':'$", N_("Invalid range '%(r)s': more than one ':'.")),
        (r"^invalid range '(?P<r>.*)': \w+ '(?P<x>.*)' is not a number$",
         N_("Invalid range '%(r)s': '%(x)s' is not a number.")),
        (r"^invalid range ", N_("Invalid range: write e.g. 10, 10:, ~:10, 10:20 or @10:20.")),
        (r"^(?P<k>\w+) is required for kind \w+$", N_("Required for this kind of check.")),
        (r"^sample must be above 0 and shorter than the timeout$",
         N_("Above 0 and shorter than the timeout.")),
        (r"^path must be an absolute path", N_("An absolute path such as / or /var.")),
        (r"^period must be 1, 5 or 15", N_("1, 5 or 15 (minutes).")),
        (r"^give a process name or a cmdline pattern$", N_("Give a process name or a command line pattern.")),
        (r"^invalid regular expression: (?P<e>.*)$", N_("Not a valid regular expression: %(e)s")),
        (r"^host must be a host name or address without spaces$", N_("A host name or address, without spaces.")),
        (r"^URL must start with http:// or https://$", N_("The URL must start with http:// or https://.")),
        (r"^URL has no host name$", N_("The URL has no host name.")),
        (r"^URL must not contain spaces$", N_("The URL must not contain spaces.")),
        (r"^URL port must be 1-65535$", N_("The URL's port must be 1–65535.")),
        (r"^invalid URL: (?P<e>.*)$", N_("Not a valid URL: %(e)s")),
        (r"^method must be one of: (?P<m>.*)$", N_("One of: %(m)s.")),
        (r"^expect_status must be a list of status codes", N_("Status codes from 100 to 599, e.g. 200, 204.")),
        (r"^header values must be text$", N_("Header values must be text.")),
        (r"^CA file '(?P<f>.*)' does not exist$", N_("The CA file %(f)s does not exist.")),
        (r"^cert_critical_days must not exceed cert_warning_days$",
         N_("Must not be more than the certificate warning days.")),
        (r"^command must be a list of text", N_("Give the plugin path, then its arguments.")),
        (r"^command must have at most (?P<n>\d+) parts of at most (?P<m>\d+) characters$",
         N_("At most %(n)s parts of at most %(m)s characters each.")),
        (r"^'(?P<p>.*)' is not in an allowed plugin directory \((?P<d>.*)\)$",
         N_("%(p)s is not in an allowed plugin directory (%(d)s): the operator installs plugins there.")),
        (r"^'(?P<p>.*)' leads to '(?P<r>.*)', outside the allowed plugin directories$",
         N_("%(p)s leads to %(r)s, outside the allowed plugin directories.")),
        (r"^give a plugin name or an absolute path, not a relative path$",
         N_("Give a plugin name or an absolute path, not a relative path.")),
        (r"^the plugin must be a name or an absolute path$", N_("Give a plugin name or an absolute path.")),
        (r"^'(?P<p>.*)' is not a plugin name$", N_("%(p)s is not a plugin name.")),
        (r"^'(?P<p>.*)' is not a regular file$", N_("%(p)s is not a regular file.")),
        (r"^plugin '(?P<p>.*)' is not executable$", N_("Plugin %(p)s is not executable.")),
        (r"^at most (?P<n>\d+) headers", N_("At most %(n)s headers, names up to 100 and values up to 1000 "
                                             "characters, without control characters.")),
        (r"^the window must lie between the years 2000 and 2100$",
         N_("The window must lie between the years 2000 and 2100.")),
        (r"^an author is required$", N_("An author is required.")),
        (r"^a reason is required$", N_("Write the reason: what is being worked on, by whom.")),
        (r"^a one-off window needs a start and an end$", N_("A one-off window needs a start and an end.")),
        (r"^the end must be after the start$", N_("The end must be after the start.")),
        (r"^choose at least one weekday", N_("Choose at least one weekday.")),
        (r"^the duration must be more than zero and at most 7 days$",
         N_("More than zero and at most 7 days (10080 minutes).")),
    )
]


def translate(message: str) -> str:
    """``message`` in the reader's language when it is one the core is known to write, else unchanged."""
    for pattern, template in _PATTERNS:
        match = pattern.match(message)
        if match:
            return _(template, **match.groupdict())
    return _(message)
