"""RFC 8785 canonical JSON: the bytes signatures are computed over."""

import pytest

from licensegateway import canonical_json
from licensegateway._canonical import loads_strict


def test_rfc8785_sample_object():
    # RFC 8785 section 3.2.2: the sample input and its canonical form.
    text = ('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
            ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
            ' "literals": [null, true, false]}')
    expected = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
                '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    assert canonical_json(loads_strict(text)) == expected.encode("utf-8")


def test_keys_sort_by_utf16_code_units_not_code_points():
    # RFC 8785 section 3.2.3: U+1F600 (surrogates D83D DE00) sorts before U+FB33.
    value = {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7}
    keys = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    expected = "{" + ",".join('"%s":%d' % (k.replace("\r", "\\r"), value[k]) for k in keys) + "}"
    assert canonical_json(value) == expected.encode("utf-8")


@pytest.mark.parametrize("number,text", [
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1e-6, "0.000001"), (1e-7, "1e-7"), (123456789.125, "123456789.125"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (9007199254740993, "9007199254740993"),
])
def test_numbers_are_written_as_ecmascript_does(number, text):
    assert canonical_json([number]) == ("[%s]" % text).encode()


def test_nested_objects_are_sorted_and_compact():
    value = {"b": {"z": [True, None, {"y": "x", "a": "\u0001"}], "a": 1}, "a": []}
    assert canonical_json(value) == b'{"a":[],"b":{"a":1,"z":[true,null,{"a":"\\u0001","y":"x"}]}}'


def test_values_without_a_canonical_form_are_refused():
    for bad in (float("nan"), float("inf"), {1: "x"}, object()):
        with pytest.raises((TypeError, ValueError)):
            canonical_json(bad)
    with pytest.raises(ValueError):
        loads_strict('{"a": 1, "a": 2}')
    with pytest.raises(ValueError):
        loads_strict('{"a": NaN}')
