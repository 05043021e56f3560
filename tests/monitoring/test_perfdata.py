"""Perfdata per the plugin guidelines and plugin output splitting; odd input never crashes."""

from hypothesis import given
from hypothesis import strategies as st

from monitoring.perfdata import PerfDatum, format_perfdata, parse_perfdata, split_plugin_output


def test_full_item():
    [item] = parse_perfdata("time=0.002722s;1.000000;2.000000;0.000000;10.000000")
    assert item == PerfDatum("time", 0.002722, "s", "1.000000", "2.000000", 0.0, 10.0)


def test_guideline_uoms_and_multiple_items():
    items = parse_perfdata("a=1% b=2KB c=3MB d=4TB e=5c f=6us g=7ms h=8B")
    assert [(i.label, i.value, i.uom) for i in items] == [
        ("a", 1, "%"),
        ("b", 2, "KB"),
        ("c", 3, "MB"),
        ("d", 4, "TB"),
        ("e", 5, "c"),
        ("f", 6, "us"),
        ("g", 7, "ms"),
        ("h", 8, "B"),
    ]


def test_quoted_labels_with_spaces_equals_and_escaped_quotes():
    items = parse_perfdata("'disk /var'=10MB;;;0;100 'it''s=x'=3 'a b'=U")
    assert [i.label for i in items] == ["disk /var", "it's=x", "a b"]
    assert items[0].min == 0 and items[0].max == 100
    assert items[2].value is None


def test_u_value_and_trailing_empty_fields():
    [item] = parse_perfdata("load=U;;;;")
    assert item == PerfDatum("load", None, "", None, None, None, None)
    [item] = parse_perfdata("x=5;10")
    assert (item.warn, item.crit, item.min, item.max) == ("10", None, None, None)


def test_ranges_kept_as_written():
    [item] = parse_perfdata("x=5;@10:20;~:30")
    assert (item.warn, item.crit) == ("@10:20", "~:30")


def test_negative_exponent_and_comma_decimals():
    items = parse_perfdata("a=-1.5 b=1e3 c=0,5")
    assert [i.value for i in items] == [-1.5, 1000.0, 0.5]


def test_malformed_items_are_skipped():
    text = "good=1 =5 noequals 'unterminated=3 bad=abc also=1.2.3 fine=2"
    assert [i.label for i in parse_perfdata(text)] == ["good", "fine"]
    assert parse_perfdata("") == [] and parse_perfdata(None) == []


def test_format_round_trip():
    items = parse_perfdata("'a b'=1.5s;1;2;0;10 c=U 'd''e'=3%;;5")
    assert parse_perfdata(format_perfdata(items)) == items
    assert format_perfdata([PerfDatum("x", 2.0)]) == "x=2"


def test_to_dict_round_trip():
    item = PerfDatum("x", 1.0, "s", "1", "2", 0, 5)
    assert PerfDatum.from_dict(item.to_dict()) == item


def test_split_plugin_output_guideline_example():
    output = (
        "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
        "/ 15272 MB (77%);\n"
        "/boot 68 MB (69%);\n"
        "/home 69357 MB (27%);\n"
        "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
        "/home=69357MB;253404;253409;0;253414\n"
        "/var/log=818MB;970;975;0;980\n"
    )
    summary, long_output, metrics = split_plugin_output(output)
    assert summary == "DISK OK - free space: / 3326 MB (56%);"
    assert long_output.splitlines() == [
        "/ 15272 MB (77%);",
        "/boot 68 MB (69%);",
        "/home 69357 MB (27%);",
        "/var/log 819 MB (84%); ",
    ]
    assert [m.label for m in metrics] == ["/", "/boot", "/home", "/var/log"]


def test_split_plugin_output_simple_and_empty():
    assert split_plugin_output("OK\n") == ("OK", "", [])
    assert split_plugin_output("") == ("", "", [])
    summary, long_output, metrics = split_plugin_output("WARN - x | a=1\nmore\ntext")
    assert (summary, long_output, [m.label for m in metrics]) == ("WARN - x", "more\ntext", ["a"])


@given(st.text(max_size=200))
def test_parsers_never_crash(text):
    for item in parse_perfdata(text):
        assert isinstance(item, PerfDatum)
    split_plugin_output(text)
