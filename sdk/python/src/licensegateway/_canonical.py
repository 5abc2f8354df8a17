"""RFC 8785 (JSON Canonicalization Scheme): the bytes the gateway signs.

Objects have their keys sorted by UTF-16 code units at every level, nothing is
indented, strings escape only what RFC 8785 escapes, and numbers are written as
ECMAScript writes them (the gateway signs integers only, written exactly).
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["canonical_json", "loads_strict"]

_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value (dict, list, str, int, float, bool, None)."""
    out: list = []
    _write(out, value)
    # A lone surrogate cannot be encoded: such a value has no canonical form.
    return "".join(out).encode("utf-8")


def _write(out: list, value: Any) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        _write_string(out, value)
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_number(value))
    elif isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError("JSON object keys must be strings, got %r" % type(key).__name__)
        out.append("{")
        first = True
        for key in sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass")):
            if not first:
                out.append(",")
            first = False
            _write_string(out, key)
            out.append(":")
            _write(out, value[key])
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(out, item)
        out.append("]")
    else:
        raise TypeError("not a JSON value: %r" % type(value).__name__)


def _write_string(out: list, s: str) -> None:
    out.append('"')
    for ch in s:
        esc = _SHORT_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch < " ":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')


def _number(x: float) -> str:
    """ECMAScript Number.prototype.toString, which RFC 8785 section 3.2.2.3 prescribes."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and Infinity have no JSON form")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exp = repr(abs(x)).partition("e")
    exponent = int(exp) if exp else 0
    int_part, _, frac = mantissa.partition(".")
    int_part = int_part.lstrip("0")
    if int_part:
        n = len(int_part) + exponent
        digits = int_part + frac
    else:
        stripped = frac.lstrip("0")
        n = exponent - (len(frac) - len(stripped))
        digits = stripped
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mark = "+" if e >= 0 else "-"
        head = digits if k == 1 else digits[0] + "." + digits[1:]
        text = head + "e" + mark + str(abs(e))
    return sign + text


def _no_duplicates(pairs: list) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError("duplicate key %r" % key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError("%s is not JSON" % name)


def loads_strict(text: Any) -> Any:
    """json.loads that refuses duplicate keys and NaN/Infinity: two parsers must not read one text two ways."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
