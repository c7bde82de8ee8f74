from lima_curate.manifest import funnel_rows


def test_rows_read_as_a_funnel_per_source():
    table = [
        {"source": "wikihow", "stage": "select", "rule": "kept", "count": 3},
        {"source": "wikihow", "stage": "extract", "rule": "response_too_short", "count": 4},
        {"source": "wikihow", "stage": "dedup", "rule": "kept", "count": 5},
        {"source": "wikihow", "stage": "extract", "rule": "kept", "count": 5},
        {"source": "sni", "stage": "extract", "rule": "kept", "count": 1},
    ]
    assert [(s, st, r) for s, st, r, _ in funnel_rows({"rules": table})] == [
        ("sni", "extract", "kept"),
        ("wikihow", "extract", "kept"),
        ("wikihow", "extract", "response_too_short"),
        ("wikihow", "dedup", "kept"),
        ("wikihow", "select", "kept"),
    ]
    assert funnel_rows(None) == [] and funnel_rows({}) == []
