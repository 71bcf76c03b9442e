from tests.support.conformance import shape_mismatches


def test_same_shape_passes_with_extra_keys_and_nulls():
    assert shape_mismatches({"a": 1, "b": None, "c": [{"x": "s"}]}, {"a": 2.5, "b": "x", "c": [{"x": "t", "y": 1}], "d": 0}) == []


def test_missing_key_and_wrong_type_are_reported():
    problems = shape_mismatches({"a": 1, "b": {"c": "s"}, "l": [True]}, {"a": "1", "b": {}, "l": [1]})
    assert "$.a: expected number, got string" in problems
    assert "$.b.c: missing" in problems
    assert "$.l[0]: expected bool, got number" in problems
