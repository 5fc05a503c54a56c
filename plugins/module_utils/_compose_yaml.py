# -*- coding: utf-8 -*-
# Copyright: Anchorage developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compose files read exactly as the docker CLI 28.x reads them: gopkg.in/yaml.v3 (v3.0.1) Unmarshal into `any`.

docker/cli's loader.ParseYAML runs yaml.Unmarshal(source, &cfg) and wants a map[string]any at the top. yaml.v3
speaks YAML 1.2 where PyYAML speaks 1.1, so PyYAML's own constructors are not used at all: PyYAML's reader,
scanner and parser only turn the text into events (the scanner patched where yaml.v3's Go port of libyaml
scans differently, and where PyYAML versions 3.13 to 6.x differ from each other), this file builds yaml.v3's
node tree from the events and decodes it with the rules of yaml.v3's resolve.go and decode.go:

- plain scalars only are resolved: null is `~`, `null`, `Null`, `NULL` or empty; booleans are only
  true/True/TRUE/false/False/FALSE (`yes`, `on`, `y` are strings); ints are strconv.ParseInt(s, 0, 64) of the
  text without `_` (0x, 0o, 0b, 0777 octal), then uint64, then floats; base-60 (`22:22`) is a string;
  timestamps are the four time.Parse layouts yaml.v3 tries, decoded as GoTime;
- quoted and block scalars are strings; explicit tags (!!str, !!int, !!float, !!bool, !!null, !!timestamp,
  !!binary) as yaml.v3 applies them, other tags leave the text a string;
- merge keys `<<` with yaml.v3's precedence: keys of the mapping itself win wherever they stand, then the
  merged mappings in order (with `<<: [*a, *b]`, *a wins over *b), depth first;
- a key given twice in one mapping is an error (compared as yaml.v3 does: the same kind and the same text);
- only the first document of the stream is read; an empty file is not a mapping.

What the CLI refuses after decoding (its schema validation marshals the whole file to JSON first) is refused
here too, so that no file loads here that `docker stack deploy` cannot load: a mapping with a key that is not a
string (yaml.v3 makes it a map[any]any), a float infinity or NaN, a timestamp whose zone offset is 24 hours or
more.

Where this reader does not follow yaml.v3, on purpose:
- a byte-order mark (U+FEFF) anywhere but at the very start is refused: yaml.v3 skips a character at the start
  of lines while its read buffer happens to begin with a byte-order mark, so what it reads depends on buffer
  sizes;
- nesting deeper than some hundred levels is refused (Python's recursion limit), where yaml.v3 goes to 10000;
- the messages are this file's own, with the file name, line and column and what to do.
ParseYAML then turns every empty list into a nil slice, which the CLI's interpolation (always on for `docker stack
deploy`) turns back into an empty list: parse_yaml keeps [] as it is.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import math
import re
import time
import traceback

try:
    import yaml  # noqa: F401, pylint: disable=unused-import
    from yaml.error import MarkedYAMLError, YAMLError
    from yaml.events import (AliasEvent, DocumentEndEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent,
                             ScalarEvent, SequenceEndEvent, SequenceStartEvent, StreamEndEvent)
    from yaml.parser import Parser as _PyParser
    from yaml.reader import Reader as _PyReader
    from yaml.scanner import Scanner as _PyScanner, ScannerError
    from yaml.tokens import ScalarToken, TagToken
except ImportError:
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()
    _PyParser = _PyReader = _PyScanner = object
    MarkedYAMLError = YAMLError = ScannerError = None
    AliasEvent = DocumentEndEvent = DocumentStartEvent = MappingEndEvent = MappingStartEvent = None
    ScalarEvent = SequenceEndEvent = SequenceStartEvent = StreamEndEvent = ScalarToken = TagToken = None
else:
    HAS_YAML = True
    YAML_IMPORT_ERROR = None


class ComposeYAMLError(ValueError):
    """A compose file that the docker CLI would not load; the message names the file, the line and what to do."""

    def __init__(self, name, line, problem, hint=None, column=None):
        where = name
        if line:
            where += ', line %d' % line
            if column:
                where += ', column %d' % column
        message = '%s: %s' % (where, problem)
        if hint:
            message += ': ' + hint
        super(ComposeYAMLError, self).__init__(message)
        self.name = name
        self.line = line
        self.column = column
        self.problem = problem


# ---------------------------------------------------------------------------------------------------------------
# go_sprint: fmt.Sprint(v) of a decoded value.

def _go_float(value):
    """strconv.FormatFloat(v, 'g', -1, 64) as fmt's %v prints a float64: shortest digits, %e when the exponent is
    < -4 or >= 6 (shortest 'g' uses precision 6 for that choice), two exponent digits at least, +Inf/-Inf/NaN."""
    if math.isnan(value):
        return 'NaN'
    if math.isinf(value):
        return '+Inf' if value > 0 else '-Inf'
    # Python's repr is the shortest string that reads back as the same float, as Go's shortest formatting is.
    text = repr(float(value))
    sign = ''
    if text.startswith('-'):
        sign, text = '-', text[1:]
    mantissa, dummy, exponent = text.partition('e')
    whole, dummy, fraction = mantissa.partition('.')
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # digits[:point] is the integer part
    stripped = digits.lstrip('0')
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip('0')
    if not digits:
        return sign + '0'
    exp = point - 1
    if exp < -4 or exp >= 6:
        out = digits[0]
        if len(digits) > 1:
            out += '.' + digits[1:]
        return '%s%se%s%02d' % (sign, out, '-' if exp < 0 else '+', abs(exp))
    if point <= 0:
        return sign + '0.' + '0' * -point + digits
    if point >= len(digits):
        return sign + digits + '0' * (point - len(digits))
    return sign + digits[:point] + '.' + digits[point:]


def go_sprint(value):
    """The string Go's fmt.Sprint(v) / fmt.Sprintf("%v", v) makes of a value parse_yaml returned (the CLI turns
    environment, labels, extra_hosts... values into strings that way)."""
    if value is None:
        return '<nil>'
    if value is True:
        return 'true'
    if value is False:
        return 'false'
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, GoTime):
        return str(value)
    if isinstance(value, (list, tuple)):
        return '[' + ' '.join(go_sprint(item) for item in value) + ']'
    if isinstance(value, dict):
        # fmt prints maps with their keys sorted (internal/fmtsort: strings by bytes, which is code point order).
        return 'map[' + ' '.join('%s:%s' % (go_sprint(key), go_sprint(value[key])) for key in sorted(value)) + ']'
    raise TypeError('go_sprint: not a value parse_yaml returns: %r' % (value,))


# ---------------------------------------------------------------------------------------------------------------
# GoTime: a !!timestamp as yaml.v3 decodes it, a time.Time from time.Parse.

def _days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date (Go's time package counts the same way)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _local_zone(unix, offset):
    """time.Parse's rule for a numeric offset: when the machine's local zone has that very offset at that instant,
    the time is in time.Local and prints its abbreviation ("EST"); else it is in a fixed zone without a name,
    which prints the offset ("-0500"). Python's localtime reads the same zone (TZ, /etc/localtime) as Go."""
    try:
        local = time.localtime(unix)
        if local.tm_gmtoff == offset and local.tm_zone:
            return local.tm_zone
    except (AttributeError, OverflowError, OSError, ValueError):
        pass
    return ''


class GoTime(object):
    """A YAML timestamp as yaml.v3 decodes it into `any`: a Go time.Time, which the CLI prints with String()
    ("2001-12-14 21:59:43.1 -0500 -0500", "2001-12-14 00:00:00 +0000 UTC") when it makes a string of it, and which
    `docker stack config` writes back as RFC 3339 ("2001-12-14T21:59:43.1-05:00"). `text` is the scalar as written
    in the file; `offset` is in seconds east of UTC; `zone` is the zone name Go prints ('' for a fixed offset)."""

    __slots__ = ('text', 'year', 'month', 'day', 'hour', 'minute', 'second', 'nanosecond', 'offset', 'zone')

    def __init__(self, text, year, month, day, hour=0, minute=0, second=0, nanosecond=0, offset=0, zone='UTC'):
        self.text = text
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.nanosecond = nanosecond
        self.offset = offset
        self.zone = zone

    @property
    def unix(self):
        """Seconds since the epoch (the instant, whatever the zone)."""
        days = _days_from_civil(self.year, self.month, self.day)
        return days * 86400 + self.hour * 3600 + self.minute * 60 + self.second - self.offset

    def _fraction(self):
        # Go's ".999999999": the nanoseconds without trailing zeros, nothing at all when they are zero.
        if not self.nanosecond:
            return ''
        return '.' + ('%09d' % self.nanosecond).rstrip('0')

    def _clock(self, sep):
        return '%04d-%02d-%02d%s%02d:%02d:%02d%s' % (self.year, self.month, self.day, sep, self.hour, self.minute,
                                                     self.second, self._fraction())

    def _numeric_zone(self, colon):
        minutes = self.offset // 60 if self.offset >= 0 else -(-self.offset // 60)
        return '%s%02d%s%02d' % ('-' if minutes < 0 else '+', abs(minutes) // 60, ':' if colon else '',
                                 abs(minutes) % 60)

    def __str__(self):
        # time.Time.String(): Format("2006-01-02 15:04:05.999999999 -0700 MST"); MST prints -0700 with no name.
        return '%s %s %s' % (self._clock(' '), self._numeric_zone(False), self.zone or self._numeric_zone(False))

    def rfc3339(self):
        """Format(time.RFC3339Nano), as yaml.v3's encoder and encoding/json write the time."""
        return self._clock('T') + ('Z' if self.offset == 0 else self._numeric_zone(True))

    def _key(self):
        return (self.year, self.month, self.day, self.hour, self.minute, self.second, self.nanosecond, self.offset,
                self.zone)

    def __eq__(self, other):
        if not isinstance(other, GoTime):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return 'GoTime(%r: %s)' % (self.text, self)


def _go_getnum(value, pos):
    """time's getnum(s, false): one or two digits."""
    if not u'0' <= value[pos:pos + 1] <= u'9':
        return None, pos
    if pos + 1 < len(value) and '0' <= value[pos + 1] <= '9':
        return int(value[pos:pos + 2]), pos + 2
    return int(value[pos]), pos + 1


def _go_parse_layout(value, sep):
    """time.Parse(layout, value) for yaml.v3's layouts "2006-1-2T15:4:5.999999999Z07:00" (sep 'T' or 't'),
    "2006-1-2 15:4:5.999999999" (sep ' ') and "2006-1-2" (sep None): (fields, offset), offset None for UTC (Z
    or no zone) and seconds east of UTC for a numeric zone; None where time.Parse fails."""
    if len(value) < 4 or not all('0' <= c <= '9' for c in value[:4]):
        return None
    year, pos = int(value[:4]), 4
    fields = [year]
    for literal in ('-', '-'):
        if value[pos:pos + 1] != literal:
            return None
        number, pos = _go_getnum(value, pos + 1)
        if number is None:
            return None
        fields.append(number)
    hour = minute = second = nano = 0
    offset = None
    if sep is not None:
        if sep == ' ':
            # A space in a Go layout matches one or more spaces of the value.
            if value[pos:pos + 1] != ' ':
                return None
            while value[pos:pos + 1] == ' ':
                pos += 1
        else:
            if value[pos:pos + 1] != sep:
                return None
            pos += 1
        clock = []
        for index in range(3):
            if index and value[pos:pos + 1] != ':':
                return None
            number, pos = _go_getnum(value, pos + (1 if index else 0))
            if number is None:
                return None
            clock.append(number)
        hour, minute, second = clock
        # ".999999999": a '.' or ',' and digits, as many as there are; nanoseconds from the first nine.
        if pos + 1 < len(value) and value[pos] in '.,' and '0' <= value[pos + 1] <= '9':
            end = pos + 1
            while end < len(value) and '0' <= value[end] <= '9':
                end += 1
            nano = int(value[pos + 1:end][:9].ljust(9, '0'))
            pos = end
        if sep != ' ':
            # "Z07:00": Z for UTC, else exactly +hh:mm or -hh:mm; hours up to 24 and minutes up to 60 pass.
            if value[pos:pos + 1] == 'Z':
                pos += 1
            else:
                zone = value[pos:pos + 6]
                if (len(zone) < 6 or zone[0] not in '+-' or zone[3] != ':' or
                        not all('0' <= c <= '9' for c in zone[1:3] + zone[4:6])):
                    return None
                zone_hour, zone_minute = int(zone[1:3]), int(zone[4:6])
                if zone_hour > 24 or zone_minute > 60:
                    return None
                offset = (zone_hour * 60 + zone_minute) * 60 * (-1 if zone[0] == '-' else 1)
                pos += 6
    if pos != len(value):
        return None  # "extra text"
    year, month, day = fields
    if not 1 <= month <= 12 or hour >= 24 or minute >= 60 or second >= 60:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not 1 <= day <= days:
        return None  # "day out of range"
    return (year, month, day, hour, minute, second, nano), offset


def _parse_timestamp(text):
    """yaml.v3's parseTimestamp: the value must start with four digits and '-', then the first of its layouts that
    time.Parse accepts wins. The location follows time.Parse: Z or no zone is UTC, a numeric offset is time.Local
    when that is the local offset then, else a fixed zone without a name."""
    if len(text) < 5 or text[4] != '-' or not all('0' <= c <= '9' for c in text[:4]):
        return None
    for sep in ('T', 't', ' ', None):
        parsed = _go_parse_layout(text, sep)
        if parsed is None:
            continue
        fields, offset = parsed
        if offset is None:
            return GoTime(text, *fields)
        moment = GoTime(text, *fields, offset=offset, zone='')
        moment.zone = _local_zone(moment.unix, offset)
        return moment
    return None


# ---------------------------------------------------------------------------------------------------------------
# yaml.v3's resolve.go.

_LONG_TAG_PREFIX = 'tag:yaml.org,2002:'
_STR, _BOOL, _INT, _FLOAT, _NULL = '!!str', '!!bool', '!!int', '!!float', '!!null'
_TIMESTAMP, _SEQ, _MAP, _BINARY, _MERGE = '!!timestamp', '!!seq', '!!map', '!!binary', '!!merge'
_RESOLVABLE = ('', _STR, _BOOL, _INT, _FLOAT, _NULL, _TIMESTAMP)

# resolveTable: the first byte of the text hints at what it may be.
_HINTS = dict([(c, 'S') for c in '+-'] + [(c, 'D') for c in '0123456789'] + [(c, 'M') for c in 'yYnNtTfFoO~'] +
              [('.', '.')])
_RESOLVE_MAP = {}
for _values, _tag, _value in (
        (('true', 'True', 'TRUE'), _BOOL, True), (('false', 'False', 'FALSE'), _BOOL, False),
        (('', '~', 'null', 'Null', 'NULL'), _NULL, None), (('.nan', '.NaN', '.NAN'), _FLOAT, float('nan')),
        (('.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'), _FLOAT, float('inf')),
        (('-.inf', '-.Inf', '-.INF'), _FLOAT, float('-inf')), (('<<',), _MERGE, '<<')):
    for _text in _values:
        _RESOLVE_MAP[_text] = (_tag, _value)
del _values, _tag, _value, _text

_YAML_STYLE_FLOAT = re.compile(r'[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?')
# strconv.ParseFloat of a text starting with '.': Go float syntax, '_' only between digits.
_DOT_FLOAT = re.compile(r'\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?')
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1


def _short_tag(tag):
    if tag.startswith(_LONG_TAG_PREFIX):
        return '!!' + tag[len(_LONG_TAG_PREFIX):]
    return tag


def _go_parse_uint(text, base):
    """strconv.ParseUint(s, base, 64) for base 0 (prefixes 0b 0o 0x, a bare leading 0 is octal), 2 or 8."""
    if not text:
        return None
    if base == 0:
        base = 10
        if text[0] == '0':
            prefix = text[1:2].lower()
            if len(text) >= 3 and prefix in ('b', 'o', 'x'):
                base, text = {'b': 2, 'o': 8, 'x': 16}[prefix], text[2:]
            else:
                base, text = 8, text[1:]
    number = 0
    for char in text:
        digit = '0123456789abcdefghijklmnopqrstuvwxyz'.find(char.lower()) if char < '\x80' else -1
        if digit < 0 or digit >= base:
            return None
        number = number * base + digit
    return number if number <= _UINT64_MAX else None


def _go_parse_int(text, base):
    """strconv.ParseInt(s, base, 64): an optional sign, then ParseUint, within int64."""
    negative = text[:1] == '-'
    if text[:1] in ('+', '-'):
        text = text[1:]
    number = _go_parse_uint(text, base)
    if number is None or number > _INT64_MAX + negative:
        return None
    return -number if negative else number


def _go_parse_float(text):
    """strconv.ParseFloat(s, 64) for the decimal texts yaml.v3 hands it; None where Go fails (out of range too:
    Go returns ±Inf with ErrRange, which yaml.v3 takes as "not a float")."""
    try:
        value = float(text.replace('_', ''))
    except ValueError:
        return None
    return None if math.isinf(value) else value


def _resolve_plain(tag, text):
    hint = _HINTS.get(text[0]) if text else 'N'
    if hint is None or tag in (_STR, _BINARY):
        return _STR, text
    if text in _RESOLVE_MAP:
        return _RESOLVE_MAP[text]
    if hint == '.':
        match = _DOT_FLOAT.match(text)
        if match and match.end() == len(text):
            value = _go_parse_float(text)
            if value is not None:
                return _FLOAT, value
    elif hint in 'DS':
        if tag in ('', _TIMESTAMP):
            moment = _parse_timestamp(text)
            if moment is not None:
                return _TIMESTAMP, moment
        plain = text.replace('_', '')
        number = _go_parse_int(plain, 0)
        if number is None:
            number = _go_parse_uint(plain, 0)
        if number is not None:
            return _INT, number
        match = _YAML_STYLE_FLOAT.match(plain)
        if match and match.end() == len(plain):
            value = _go_parse_float(plain)
            if value is not None:
                return _FLOAT, value
        # yaml.v3 tries 0b and 0o itself too, the digits after the prefix through ParseInt(s, 2 or 8), which
        # takes a sign there: 0b-101 is -5.
        for prefix, base in (('0b', 2), ('0o', 8)):
            if plain.startswith(prefix):
                number = _go_parse_int(plain[2:], base)
                if number is None:
                    number = _go_parse_uint(plain[2:], base)
                if number is not None:
                    return _INT, number
            elif plain.startswith('-' + prefix):
                number = _go_parse_int('-' + plain[3:], base)
                if number is not None:
                    return _INT, number
    return _STR, text


def _resolve(tag, text):
    """yaml.v3's resolve(tag, in): (resolved tag, value); raises _Fail where the explicit tag does not fit."""
    tag = _short_tag(tag)
    if tag not in _RESOLVABLE:
        return tag, text
    rtag, value = _resolve_plain(tag, text)
    if tag in ('', rtag, _STR, _BINARY):
        return rtag, value
    if tag == _FLOAT and rtag == _INT and -_INT64_MAX - 1 <= value <= _INT64_MAX:
        # An int64 under !!float becomes a float64 (a uint64 does not: yaml.v3 only converts int and int64).
        return _FLOAT, float(value)
    raise _Fail('cannot decode %s `%s` as a %s' % (rtag, text, tag), 'quote the value or fix its tag')


# ---------------------------------------------------------------------------------------------------------------
# Text: the bytes as yaml.v3's reader decodes them.

# yaml.v3's reader accepts these characters only ("control characters are not allowed").
_NOT_PRINTABLE = re.compile(u'[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]')


def _line_column(text, index):
    """1-based line and column of text[index], counting line breaks as yaml.v3 does (CR LF, CR, LF, NEL, LS, PS)."""
    breaks = list(re.finditer(u'\r\n|[\r\n\x85\u2028\u2029]', text[:index]))
    if not breaks:
        return 1, index + 1
    return len(breaks) + 1, index - breaks[-1].end() + 1


def _decode_text(data, name):
    """The text of the file: yaml.v3 reads UTF-8, or UTF-16 when the file starts with its byte-order mark; one
    leading byte-order mark is dropped."""
    if isinstance(data, str):
        text = data
        if text.startswith(u'\ufeff'):
            text = text[1:]
    else:
        data = bytes(data)
        if data[:2] in (b'\xff\xfe', b'\xfe\xff'):
            codec = 'utf-16-le' if data[:2] == b'\xff\xfe' else 'utf-16-be'
            try:
                text = data[2:].decode(codec)
            except UnicodeDecodeError as exc:
                raise ComposeYAMLError(name, None, 'is not valid UTF-16 text (at byte %d)' % (exc.start + 2),
                                       'save the file as UTF-8')
        else:
            if data.startswith(b'\xef\xbb\xbf'):
                data = data[3:]
            try:
                text = data.decode('utf-8')
            except UnicodeDecodeError as exc:
                valid = data[:exc.start].decode('utf-8')
                line, column = _line_column(valid, len(valid))
                problem = 'is not UTF-8 text (byte 0x%02x is not valid UTF-8)' % bytearray(data)[exc.start]
                raise ComposeYAMLError(name, line, problem, 'save the file as UTF-8 (docker reads UTF-8 only)', column)
    match = _NOT_PRINTABLE.search(text)
    if match:
        line, column = _line_column(text, match.start())
        char = ord(match.group())
        if char == 0:
            raise ComposeYAMLError(name, line, 'has NUL characters: docker reads UTF-8 (or UTF-16 with a byte-order '
                                   'mark) only', 'save the file as UTF-8', column)
        raise ComposeYAMLError(name, line, 'control character U+%04X is not allowed in YAML (docker: "control '
                               'characters are not allowed")' % char,
                               'remove it, or write it as an escape ("\\x%02x") in a double-quoted string' % char
                               if char < 0x100 else 'remove it', column)
    if u'\ufeff' in text:
        # yaml.v3's scanner skips a byte-order mark at the start of a line only while its read buffer happens to
        # begin with one (is_bom looks at the buffer's first bytes, not at the position), and then it skips the
        # first character of every line: what docker reads then depends on buffer sizes, so it is refused.
        line, column = _line_column(text, text.index(u'\ufeff'))
        raise ComposeYAMLError(name, line, 'has a byte-order mark (U+FEFF) inside the file, which docker reads '
                               'unpredictably', 'remove it (a double-quoted "\\uFEFF" writes the character)', column)
    return text


# ---------------------------------------------------------------------------------------------------------------
# The scanner: PyYAML's, where it scans as yaml.v3's Go port of libyaml does (and the same for every PyYAML
# version), patched where it does not.

_BREAKS = u'\r\n\x85\u2028\u2029'
_BLANKZ = u'\0 \t' + _BREAKS
_ALPHA = u'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-'
_URI = _ALPHA + u";/?:@&=+$,.!~*'()[]%"


class _Reader(_PyReader):
    def check_printable(self, data):
        """_decode_text checked the characters already, with yaml.v3's set (PyYAML 3.13 refuses emoji)."""


class _Scanner(_PyScanner):

    # yaml.v3's escapes in double-quoted scalars: \' is one, \/ is not (PyYAML 5.1+ has \/, not \').
    ESCAPE_REPLACEMENTS = {
        u'0': u'\0', u'a': u'\x07', u'b': u'\x08', u't': u'\x09', u'\t': u'\x09', u'n': u'\x0A', u'v': u'\x0B',
        u'f': u'\x0C', u'r': u'\x0D', u'e': u'\x1B', u' ': u'\x20', u'"': u'"', u"'": u"'", u'\\': u'\\',
        u'N': u'\x85', u'_': u'\xA0', u'L': u'\u2028', u'P': u'\u2029',
    }
    ESCAPE_CODES = {u'x': 2, u'u': 4, u'U': 8}

    def scan_to_next_token(self):
        """yaml_parser_scan_to_next_token: spaces are skipped, and tabs too in the flow context or where a simple
        key is not allowed (after a scalar, after `key:`), so `key:<TAB>value` and trailing tabs pass; a tab that
        starts a line or follows `- ` cannot start a token (PyYAML skips no tab at all)."""
        while True:
            while self.peek() == u' ' or (self.peek() == u'\t' and (self.flow_level or not self.allow_simple_key)):
                self.forward()
            if self.peek() == u'#':
                while self.peek() not in u'\0' + _BREAKS:
                    self.forward()
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                return

    def scan_directive(self):
        """yaml_parser_scan_directive: a directive other than %YAML and %TAG is an error."""
        length = 1
        while self.peek(length) in _ALPHA:
            length += 1
        if self.prefix(length)[1:] not in (u'YAML', u'TAG'):
            raise ScannerError('while scanning a directive', self.get_mark(), 'found unknown directive name',
                               self.get_mark())
        return super(_Scanner, self).scan_directive()

    def scan_plain(self):
        """yaml_parser_scan_plain_scalar: a plain scalar ends at ': ' (or ':' at the end of a line) and, in the
        flow context, at , ? [ ] { }; so `[a:b]` and `[http://x:80]` are strings and `[a:, b]` is ["a:", "b"].
        Blanks inside are spaces or tabs; a tab in the indentation of a continuation line is an error."""
        chunks = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        whitespaces = leading_break = trailing_breaks = u''
        leading_blanks = False
        while True:
            if (self.column == 0 and self.prefix(3) in (u'---', u'...') and self.peek(3) in _BLANKZ):
                break
            if self.peek() == u'#':
                break
            length = 0
            while True:
                char = self.peek(length)
                if char in _BLANKZ or (char == u':' and self.peek(length + 1) in _BLANKZ):
                    break
                if self.flow_level and char in u',?[]{}':
                    break
                length += 1
            if length:
                if leading_blanks:
                    if leading_break == u'\n':
                        chunks.append(trailing_breaks or u' ')
                    else:
                        chunks.append(leading_break + trailing_breaks)
                    leading_break = trailing_breaks = u''
                    leading_blanks = False
                elif whitespaces:
                    chunks.append(whitespaces)
                    whitespaces = u''
                chunks.append(self.prefix(length))
                self.forward(length)
                end_mark = self.get_mark()
            if self.peek() not in u' \t' + _BREAKS:
                break
            while self.peek() in u' \t' + _BREAKS:
                char = self.peek()
                if char in u' \t':
                    if leading_blanks and self.column < indent and char == u'\t':
                        raise ScannerError('while scanning a plain scalar', start_mark,
                                           'found a tab character that violates indentation', self.get_mark())
                    if not leading_blanks:
                        whitespaces += char
                    self.forward()
                elif not leading_blanks:
                    whitespaces = u''
                    leading_break = self.scan_line_break()
                    leading_blanks = True
                else:
                    trailing_breaks += self.scan_line_break()
            if not self.flow_level and self.column < indent:
                break
        if leading_blanks:
            self.allow_simple_key = True
        return ScalarToken(u''.join(chunks), True, start_mark, end_mark)

    def scan_flow_scalar_non_spaces(self, double, start_mark):
        """PyYAML's, with yaml.v3's escapes: \\x \\u \\U must name a Unicode scalar value (no surrogate, at most
        U+10FFFF), and control characters may be written that way."""
        chunks = []
        while True:
            length = 0
            while self.peek(length) not in u'\'"\\\0 \t' + _BREAKS:
                length += 1
            if length:
                chunks.append(self.prefix(length))
                self.forward(length)
            char = self.peek()
            if not double and char == u"'" and self.peek(1) == u"'":
                chunks.append(u"'")
                self.forward(2)
            elif (double and char == u"'") or (not double and char in u'"\\'):
                chunks.append(char)
                self.forward()
            elif double and char == u'\\':
                self.forward()
                char = self.peek()
                if char in self.ESCAPE_REPLACEMENTS:
                    chunks.append(self.ESCAPE_REPLACEMENTS[char])
                    self.forward()
                elif char in self.ESCAPE_CODES:
                    length = self.ESCAPE_CODES[char]
                    self.forward()
                    digits = self.prefix(length)
                    if len(digits) < length or any(c not in u'0123456789ABCDEFabcdef' for c in digits):
                        raise ScannerError('while parsing a quoted scalar', start_mark,
                                           'did not find expected hexdecimal number', self.get_mark())
                    code = int(digits, 16)
                    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
                        raise ScannerError('while parsing a quoted scalar', start_mark,
                                           'found invalid Unicode character escape code', self.get_mark())
                    chunks.append(chr(code))
                    self.forward(length)
                elif char in _BREAKS:
                    self.scan_line_break()
                    chunks.extend(self.scan_flow_scalar_breaks(double, start_mark))
                else:
                    raise ScannerError('while parsing a quoted scalar', start_mark, 'found unknown escape character',
                                       self.get_mark())
            else:
                return chunks

    def scan_block_scalar_indicators(self, start_mark):
        """The chomping and indentation indicators; what follows them is for scan_block_scalar_ignored_line."""
        chomping = increment = None
        for dummy in range(2):
            char = self.peek()
            if char in u'+-' and chomping is None:
                chomping = char == u'+'
            elif char in u'0123456789' and increment is None:
                if char == u'0':
                    raise ScannerError('while scanning a block scalar', start_mark,
                                       'found an indentation indicator equal to 0', self.get_mark())
                increment = int(char)
            else:
                break
            self.forward()
        return chomping, increment

    def scan_block_scalar_ignored_line(self, start_mark):
        """yaml.v3 takes blanks (tabs too) and a comment, even one with no blank before '#', after `|` or `>`."""
        while self.peek() in u' \t':
            self.forward()
        if self.peek() == u'#':
            while self.peek() not in u'\0' + _BREAKS:
                self.forward()
        if self.peek() not in u'\0' + _BREAKS:
            raise ScannerError('while scanning a block scalar', start_mark,
                               'did not find expected comment or line break', self.get_mark())
        self.scan_line_break()

    def _check_indentation_tab(self, indent):
        # yaml_parser_scan_block_scalar_breaks: a tab where indentation spaces go is an error (PyYAML ends the
        # scalar there instead): in any line while the indentation is not known yet, else before it.
        if self.peek() == u'\t' and (indent is None or self.column < indent):
            raise ScannerError('while scanning a block scalar', None,
                               'found a tab character where an indentation space is expected', self.get_mark())

    def scan_block_scalar_indentation(self):
        """The leading empty lines of a block scalar without an indentation indicator, and its indentation."""
        chunks = []
        max_indent = 0
        end_mark = self.get_mark()
        while True:
            while self.peek() == u' ':
                self.forward()
            max_indent = max(max_indent, self.column)
            self._check_indentation_tab(None)
            if self.peek() not in _BREAKS:
                return chunks, max_indent, end_mark
            chunks.append(self.scan_line_break())
            end_mark = self.get_mark()

    def scan_block_scalar_breaks(self, indent):
        """The indentation and the empty lines that follow a line of a block scalar."""
        chunks = []
        end_mark = self.get_mark()
        while True:
            while self.column < indent and self.peek() == u' ':
                self.forward()
            self._check_indentation_tab(indent)
            if self.peek() not in _BREAKS:
                return chunks, end_mark
            chunks.append(self.scan_line_break())
            end_mark = self.get_mark()

    def _scan_uri(self, head, start_mark):
        """yaml_parser_scan_tag_uri: URI characters, %XX escapes making one UTF-8 character each."""
        chunks = [head[1:]] if head else []
        found = bool(head)
        while self.peek() in _URI and self.peek() != u'\0':
            found = True
            if self.peek() != u'%':
                chunks.append(self.peek())
                self.forward()
                continue
            octets = bytearray()
            width = None
            while width is None or len(octets) < width:
                digits = self.prefix(3)[1:]
                if self.peek() != u'%' or len(digits) < 2 or any(c not in u'0123456789ABCDEFabcdef' for c in digits):
                    raise ScannerError('while parsing a tag', start_mark, 'did not find URI escaped octet',
                                       self.get_mark())
                octet = int(digits, 16)
                if width is None:
                    width = 1 if octet < 0x80 else 2 if 0xC0 <= octet < 0xE0 else 3 if 0xE0 <= octet < 0xF0 else \
                        4 if 0xF0 <= octet < 0xF8 else 0
                    if not width:
                        raise ScannerError('while parsing a tag', start_mark, 'found an incorrect leading UTF-8 octet',
                                           self.get_mark())
                elif octet & 0xC0 != 0x80:
                    raise ScannerError('while parsing a tag', start_mark, 'found an incorrect trailing UTF-8 octet',
                                       self.get_mark())
                octets.append(octet)
                self.forward(3)
            chunks.append(bytes(octets).decode('utf-8', 'replace'))
        if not found:
            raise ScannerError('while parsing a tag', start_mark, 'did not find expected tag URI', self.get_mark())
        return u''.join(chunks)

    def scan_tag(self):
        """yaml_parser_scan_tag: !<uri>, !handle!suffix (a handle is '!', alphanumerics, '!'), else !suffix where
        the suffix may hold '!'; a tab may end it."""
        start_mark = self.get_mark()
        if self.peek(1) == u'<':
            self.forward(2)
            handle, suffix = None, self._scan_uri(u'', start_mark)
            if self.peek() != u'>':
                raise ScannerError('while scanning a tag', start_mark, "did not find the expected '>'",
                                   self.get_mark())
            self.forward()
        else:
            length = 1
            while self.peek(length) in _ALPHA and self.peek(length) != u'\0':
                length += 1
            if self.peek(length) == u'!':
                length += 1
            handle = self.prefix(length)
            self.forward(length)
            if len(handle) > 1 and handle.endswith(u'!'):
                suffix = self._scan_uri(u'', start_mark)
            else:
                suffix = self._scan_uri(handle, start_mark)
                handle = u'!'
                if not suffix:
                    # The non-specific tag '!': yaml.v3 resolves its scalar as if untagged.
                    handle, suffix = None, u'!'
        if self.peek() not in _BLANKZ:
            raise ScannerError('while scanning a tag', start_mark, 'did not find expected whitespace or line break',
                               self.get_mark())
        return TagToken((handle, suffix), start_mark, self.get_mark())


class _Loader(_Reader, _Scanner, _PyParser):
    """PyYAML's pure-Python reader, scanner (patched above) and parser: text to events, nothing more."""

    def __init__(self, text):
        # Spare NULs after the end: the scanners peek one or two characters past the last one.
        _Reader.__init__(self, text + u'\0\0\0')
        _Scanner.__init__(self)
        _PyParser.__init__(self)


# ---------------------------------------------------------------------------------------------------------------
# The node tree, as yaml.v3's parser (decode.go: parser) builds it.

_SCALAR, _MAPPING, _SEQUENCE, _ALIAS = 'scalar', 'mapping', 'sequence', 'alias'


class _Node(object):
    __slots__ = ('kind', 'tag', 'value', 'line', 'column', 'content', 'alias')

    def __init__(self, kind, tag, value, line, column, alias=None):
        self.kind = kind
        self.tag = tag
        self.value = value
        self.line = line
        self.column = column
        self.content = []
        self.alias = alias


def _node_tag(event, default):
    # p.node(): an explicit tag other than '!' is kept (short form); else the default tag; else a plain scalar's
    # tag is what resolve("", value) makes of it.
    if event.tag not in (None, u'', u'!'):
        return _short_tag(event.tag)
    if default:
        return default
    return _resolve('', event.value)[0]


def _compose(loader, name):
    """The first document's root node (None for an empty stream), after yaml.v3's parser: anchors are
    registered when their node starts (so an alias inside its own anchor is seen, and fails when decoded), a
    later anchor of the same name replaces the earlier one, an unknown alias fails."""
    loader.get_event()  # StreamStartEvent
    event = loader.get_event()
    if isinstance(event, StreamEndEvent):
        return None
    if isinstance(event, DocumentStartEvent) and event.version is not None and tuple(event.version) != (1, 1):
        # yaml.v3 takes %YAML 1.1 only (PyYAML any 1.x).
        raise ComposeYAMLError(name, event.start_mark.line + 1, 'found incompatible YAML document (%%YAML %d.%d)'
                               % tuple(event.version), 'remove the %YAML line or make it %YAML 1.1')
    anchors = {}
    stack = []
    root = None
    while True:
        event = loader.get_event()
        if isinstance(event, DocumentEndEvent):
            break
        line, column = event.start_mark.line + 1, event.start_mark.column + 1
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            stack.pop()
            continue
        if isinstance(event, AliasEvent):
            if event.anchor not in anchors:
                raise ComposeYAMLError(name, line, "unknown anchor '%s' referenced" % event.anchor,
                                       'define &%s before its first *%s' % (event.anchor, event.anchor), column)
            node = _Node(_ALIAS, '', event.anchor, line, column, alias=anchors[event.anchor])
        elif isinstance(event, ScalarEvent):
            plain = event.style is None
            default = (_MERGE if event.value == u'<<' else '') if plain else _STR
            node = _Node(_SCALAR, _node_tag(event, default), event.value, line, column)
        elif isinstance(event, MappingStartEvent):
            node = _Node(_MAPPING, _node_tag(event, _MAP), u'', line, column)
        else:
            node = _Node(_SEQUENCE, _node_tag(event, _SEQ), u'', line, column)
        if not isinstance(event, AliasEvent) and event.anchor is not None:
            anchors[event.anchor] = node
        if stack:
            stack[-1].content.append(node)
        else:
            root = node
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            stack.append(node)
    # yaml.v3's scanner keeps two tokens ahead of the parser, so the tokens just after the first document are
    # scanned too, and a scanner error there fails the file (a parser error there does not).
    wanted = 2 if event.explicit else 3
    while not loader.done and len(loader.tokens) < wanted:
        loader.fetch_more_tokens()
    return root


# ---------------------------------------------------------------------------------------------------------------
# The decoder: yaml.v3's decode.go decoder, unmarshalling into `any`.

class _Fail(Exception):
    """A yaml.v3 failf(): decoding stops at once."""

    def __init__(self, problem, hint=None, node=None):
        Exception.__init__(self, problem)
        self.problem = problem
        self.hint = hint
        self.node = node


_ANY = 'interface'      # an `any`: values, sequence items, keys of a map[any]any
_STRING = 'string'      # the key of a map[string]any


class _GeneralMap(object):
    """A map[any]any: yaml.v3 makes one of a mapping whose keys are not all strings; the CLI refuses the file
    when it marshals it to JSON, so its content only has to exist until then."""

    def __init__(self):
        self.items = {}

    def __setitem__(self, key, value):
        self.items[_hashable(key)] = value


def _hashable(key):
    # Go map keys: a bool is not an int, a float is not an int.
    return (type(key).__name__, key)


def _shorttag(node):
    """Node.ShortTag()."""
    if node.kind == _ALIAS:
        return _shorttag(node.alias)
    return node.tag


def _indicated_string(node):
    return node.kind == _SCALAR and node.tag == _STR


def _is_merge(node):
    return node.kind == _SCALAR and node.value == u'<<' and node.tag == _MERGE


def _go_quote(text):
    """%#v of a Go string, for yaml.v3's messages."""
    out = []
    for char in text:
        if char in u'"\\':
            out.append(u'\\' + char)
        elif char == u'\n':
            out.append(u'\\n')
        elif char == u'\t':
            out.append(u'\\t')
        elif char == u'\r':
            out.append(u'\\r')
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(u'\\x%02x' % ord(char))
        else:
            out.append(char)
    return u'"%s"' % u''.join(out)


def _go_utf8(octets):
    """A Go string of arbitrary bytes as it reaches the Engine (encoding/json): each byte that is not part of valid
    UTF-8 becomes U+FFFD."""
    try:
        return octets.decode('utf-8')
    except UnicodeDecodeError:
        pass
    out = []
    pos = 0
    octets = bytearray(octets)
    while pos < len(octets):
        lead = octets[pos]
        width = 1 if lead < 0x80 else 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else \
            4 if 0xF0 <= lead <= 0xF4 else 0
        if width:
            try:
                out.append(bytes(octets[pos:pos + width]).decode('utf-8'))
                pos += width
                continue
            except UnicodeDecodeError:
                pass
        out.append(u'\ufffd')
        pos += 1
    return u''.join(out)


_BASE64 = re.compile(r'([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?')


def _allowed_alias_ratio(count):
    # yaml.v3's allowedAliasRatio: 99% of the decoding may come from aliases up to 400,000 decodes, down to 10%
    # at 4,000,000.
    if count <= 400000:
        return 0.99
    if count >= 4000000:
        return 0.10
    return 0.99 - 0.89 * ((count - 400000) / 3600000.0)


class _Decoder(object):

    def __init__(self):
        self.decode_count = 0
        self.alias_count = 0
        self.alias_depth = 0
        self.aliases = set()
        self.terrors = []
        self.merged_fields = None
        self.refusal = None  # the first thing the CLI refuses when it marshals the file to JSON

    def refuse(self, node, problem, hint):
        if self.refusal is None:
            self.refusal = (node.line, node.column, problem, hint)

    def unmarshal(self, node, out):
        """d.unmarshal(n, out): out is _ANY, _STRING, or a dict/_GeneralMap that a merge fills; (ok, value)."""
        self.decode_count += 1
        if self.alias_depth > 0:
            self.alias_count += 1
        if (self.alias_count > 100 and self.decode_count > 1000 and
                self.alias_count / self.decode_count > _allowed_alias_ratio(self.decode_count)):
            raise _Fail('document contains excessive aliasing', 'use fewer aliases', node)
        if node.kind == _ALIAS:
            return self.alias(node, out)
        if node.kind == _SCALAR:
            return self.scalar(node, out)
        if node.kind == _MAPPING:
            return self.mapping(node, out)
        return self.sequence(node, out)

    def alias(self, node, out):
        if id(node) in self.aliases:
            raise _Fail("anchor '%s' value contains itself" % node.value, 'an alias cannot stand inside its anchor',
                        node)
        self.aliases.add(id(node))
        self.alias_depth += 1
        result = self.unmarshal(node.alias, out)
        self.alias_depth -= 1
        self.aliases.discard(id(node))
        return result

    def terror(self, node, tag, out):
        # d.terror: "line N: cannot unmarshal !!map into string".
        tag = node.tag or tag
        value = u''
        if tag not in (_SEQ, _MAP):
            value = u' `%s`' % (node.value if len(node.value) <= 10 else node.value[:7] + u'...')
        self.terrors.append((node.line, u'cannot unmarshal %s%s into %s' % (tag, value, out)))
        return False, None

    def scalar(self, node, out):
        if _indicated_string(node):
            tag, resolved = _STR, node.value
        else:
            try:
                tag, resolved = _resolve(node.tag, node.value)
            except _Fail as exc:
                exc.node = node
                raise
            if tag == _BINARY:
                text = node.value.replace(u'\r', u'').replace(u'\n', u'')
                match = _BASE64.match(text)
                if not match or match.end() != len(text):
                    raise _Fail('!!binary value contains invalid base64 data', 'fix the base64 text', node)
                resolved = _go_utf8(base64.b64decode(text.encode('ascii')))
        if resolved is None:
            # d.null(): an `any` becomes nil; a string key cannot be null, and the pair is dropped.
            return out == _ANY, None
        if out == _ANY:
            if isinstance(resolved, float) and (math.isinf(resolved) or math.isnan(resolved)):
                self.refuse(node, u'%s is a float %s, which docker refuses (json: unsupported value: %s)'
                            % (node.value, 'NaN' if math.isnan(resolved) else 'infinity', _go_float(resolved)),
                            'quote it to have a string')
            elif isinstance(resolved, GoTime) and abs(resolved.offset) >= 24 * 3600:
                self.refuse(node, u'the timestamp %s has a zone offset of 24 hours or more, which docker refuses '
                            '(Time.MarshalJSON: timezone hour outside of range [0,23])' % node.value,
                            'quote it to have a string')
            return True, resolved
        if out == _STRING:
            # A string key takes the resolved string (decoded !!binary too), else the text as written: a merged
            # key 1 becomes "1", 0x10 "0x10", 2001-12-14 "2001-12-14".
            return True, resolved if isinstance(resolved, str) else node.value
        return self.terror(node, tag, 'map')

    def sequence(self, node, out):
        if out != _ANY:
            return self.terror(node, _SEQ, out if out == _STRING else 'map')
        items = []
        for item in node.content:
            ok, value = self.unmarshal(item, _ANY)
            if ok:
                items.append(value)
        return True, items

    def mapping(self, node, out):
        content = node.content
        errors = len(self.terrors)
        seen = {}
        for index in range(0, len(content), 2):
            # uniqueKeys: the same kind and the same text (an alias's text is its anchor name).
            key = content[index]
            first = seen.setdefault((key.kind, key.value), key)
            if first is not key:
                self.terrors.append((key.line, u'mapping key %s already defined at line %d'
                                     % (_go_quote(key.value), first.line)))
        if len(self.terrors) > errors:
            return False, None
        if out == _STRING:
            return self.terror(node, _MAP, out)
        if out == _ANY:
            keys = [content[index] for index in range(0, len(content), 2)]
            other = [key for key in keys if _shorttag(key) not in (_STR, _MERGE)]
            if other:
                # isStringMap() fails: a map[any]any, which the CLI refuses.
                target = _GeneralMap()
                key = other[0]
                self.refuse(key, u'the mapping key %s is not a string: docker refuses the file (json: unsupported '
                            'type: map[interface {}]interface {})' % (key.value if key.kind == _SCALAR else
                                                                      'at column %d' % key.column),
                            'quote the key')
            else:
                target = {}
        else:
            target = out
        key_kind = _ANY if isinstance(target, _GeneralMap) else _STRING
        merged_fields, self.merged_fields = self.merged_fields, None
        merge_node = None
        for index in range(0, len(content), 2):
            key_node, value_node = content[index], content[index + 1]
            if _is_merge(key_node):
                merge_node = value_node
                continue
            ok, key = self.unmarshal(key_node, key_kind)
            if not ok:
                continue
            if isinstance(key, (dict, list, _GeneralMap)):
                # Go: "invalid map key" (or, inside a merge, a panic on the unhashable key).
                raise _Fail('invalid map key', 'a key must be a scalar', key_node)
            if merged_fields is not None:
                marker = _hashable(key)
                if marker in merged_fields:
                    continue
                merged_fields.add(marker)
            ok, value = self.unmarshal(value_node, _ANY)
            if ok:
                target[key] = value
        self.merged_fields = merged_fields
        if merge_node is not None:
            self.merge(node, merge_node, target)
        return True, target

    def merge(self, parent, merge, target):
        """d.merge: the keys of the mapping itself are taken first (whichever side of `<<` they stand), then each
        merged mapping in turn adds the keys nobody took yet; nested merges likewise, depth first."""
        merged_fields = self.merged_fields
        if merged_fields is None:
            self.merged_fields = set()
            for index in range(0, len(parent.content), 2):
                ok, key = self.unmarshal(parent.content[index], _ANY)
                if ok:
                    if isinstance(key, (dict, list, _GeneralMap)):
                        raise _Fail('invalid map key', 'a key must be a scalar', parent.content[index])
                    self.merged_fields.add(_hashable(key))
        want_map = _Fail('map merge requires map or sequence of maps as the value',
                         'merge (<<) a mapping, an alias of one, or a list of those', merge)
        if merge.kind == _MAPPING:
            self.unmarshal(merge, target)
        elif merge.kind == _ALIAS:
            if merge.alias.kind != _MAPPING:
                raise want_map
            self.unmarshal(merge, target)
        elif merge.kind == _SEQUENCE:
            for item in merge.content:
                if (item.alias if item.kind == _ALIAS else item).kind != _MAPPING:
                    want_map.node = item
                    raise want_map
                self.unmarshal(item, target)
        else:
            raise want_map
        self.merged_fields = merged_fields


# ---------------------------------------------------------------------------------------------------------------

def _syntax_error(exc, name):
    """A PyYAML error as a ComposeYAMLError: the place, the problem, and the context it was found in."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or 'invalid YAML'
    if exc.context and exc.problem:
        problem = '%s %s' % (exc.context, problem)
        if exc.context_mark is not None and exc.problem_mark is not None and \
                exc.context_mark.line != exc.problem_mark.line:
            problem += ' (started at line %d, column %d)' % (exc.context_mark.line + 1, exc.context_mark.column + 1)
    if mark is None:
        return ComposeYAMLError(name, None, problem, 'fix the YAML syntax')
    return ComposeYAMLError(name, mark.line + 1, problem, 'fix the YAML syntax', mark.column + 1)


_TOO_DEEP = ('is nested too deeply for this reader (Python recursion stops it some hundred levels down, where docker '
             'goes to 10000)')


def parse_yaml(data, name):
    """The top-level mapping of a compose file, as yaml.v3 Unmarshal into `any` gives it (docker/cli's
    loader.ParseYAML): dicts with str keys, lists, str, bool, int, float, None and GoTime.

    data is the file's content (bytes, or str already decoded); name names it in messages. Raises
    ComposeYAMLError for a file the CLI does not load, ImportError when PyYAML is missing."""
    if not HAS_YAML:
        raise ImportError('the compose YAML reader needs PyYAML: %s' % YAML_IMPORT_ERROR)
    text = _decode_text(data, name)
    try:
        root = _compose(_Loader(text), name)
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, name)
    except YAMLError as exc:
        raise ComposeYAMLError(name, None, str(exc), 'fix the YAML syntax')
    except RecursionError:
        raise ComposeYAMLError(name, None, _TOO_DEEP, 'flatten it')
    if root is None:
        # An empty file, or one with comments only: yaml.v3 leaves the value nil.
        raise ComposeYAMLError(name, None, 'the top-level object must be a mapping, and the file is empty',
                               'write the services: mapping')
    decoder = _Decoder()
    try:
        decoder.decode_count = 1  # the document node
        ok, value = decoder.unmarshal(root, _ANY)
    except _Fail as exc:
        node = exc.node or root
        raise ComposeYAMLError(name, node.line, exc.problem, exc.hint, node.column)
    except RecursionError:
        raise ComposeYAMLError(name, None, _TOO_DEEP, 'flatten it')
    if decoder.terrors:
        line, problem = decoder.terrors[0]
        if len(decoder.terrors) > 1:
            problem += ' (and %s)' % '; '.join('line %d: %s' % error for error in decoder.terrors[1:])
        raise ComposeYAMLError(name, line, problem, 'remove or rename the repeated key' if 'already defined' in problem
                               else 'fix the value')
    if not isinstance(value, dict):
        what = 'a mapping with a key that is not a string' if isinstance(value, _GeneralMap) else \
            'a list' if isinstance(value, list) else 'a scalar' if value is not None else 'null'
        raise ComposeYAMLError(name, root.line, 'the top-level object must be a mapping (docker: "top-level object '
                               'must be a mapping"), not %s' % what, 'write the file as a mapping with string keys '
                               '(services:, networks:, ...)', root.column)
    if decoder.refusal is not None:
        line, column, problem, hint = decoder.refusal
        raise ComposeYAMLError(name, line, problem, hint, column)
    return value
