"""The fast reader of reported counts agrees with the full reader, record by record and in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from footfall.domain.counts import parse_reported_count
from footfall.domain.fields import FieldError
from footfall.ingest.batch import prepare
from footfall.ingest.count_batch import canonical_counts

NOW = 1_800_000_000

# Values that are right, almost right (same value, wrong type) or plainly wrong.
whole = st.one_of(st.integers(-2, 12), st.booleans(), st.sampled_from([1.0, "1", "7", None, [1]]))
instants = st.one_of(st.integers(NOW - 10**9, NOW + 2 * 86400).map(lambda t: t - t % 30),
                     st.sampled_from([True, "1700000000", "2027-01-15 08:00:00", 1.5e9, None]))
lengths = st.one_of(st.sampled_from([60, 300, 900, 3600, 1, 7, 0, -60, 5400, 60.0, "60", None]))
serials = st.one_of(st.sampled_from(["000000006afce315", "000000006AFCE315", " 000000006afce315",
                                     "bad serial", "", None]), st.integers(0, 99))
sources = st.sampled_from(["device_api", "ftp", "manual", "live", "nope", None, 3])


@st.composite
def reports(draw: st.DrawFn) -> object:
    """A valid reported count with up to three fields swapped for odd or wrong values."""
    start = draw(st.integers(NOW - 10**8, NOW))
    record: dict = {"serial": "000000006afce315", "line": draw(st.integers(0, 3)),
                    "start": start - start % 60,
                    "length": draw(st.sampled_from([60, 900, 3600])), "in": draw(st.integers(0, 9)),
                    "out": draw(st.integers(0, 9)), "staff_in": 0, "staff_out": 1, "source": "device_api"}
    odd = {"serial": serials, "line": whole, "start": instants, "length": lengths, "in": whole,
           "out": whole, "staff_in": whole, "staff_out": whole, "source": sources,
           "start_ts": instants, "length_s": lengths}
    for name in draw(st.lists(st.sampled_from(sorted(odd)), max_size=3, unique=True)):
        value = draw(odd[name])
        if value is None and draw(st.booleans()):
            record.pop(name, None)
        else:
            record[name] = value
    return draw(st.sampled_from([record, record, record, [record], "text"]))


def _full(payload: object) -> object:
    try:
        return parse_reported_count(payload, NOW)
    except FieldError as error:
        return str(error)


@settings(max_examples=3000, deadline=None)
@given(reports())
def test_fast_reader_never_disagrees_with_the_full_reader(payload: object) -> None:
    fast, others = canonical_counts([payload], NOW)
    if fast:
        assert fast[0] == _full(payload)
    else:
        assert others == [0]


@settings(max_examples=300, deadline=None)
@given(st.lists(reports(), max_size=12))
def test_a_batch_reads_as_record_by_record(payloads: list) -> None:
    submission = prepare(1, NOW, counts=payloads)
    full = [_full(p) for p in payloads]
    assert submission.counts == [r for r in full if not isinstance(r, str)]
    assert [(e.index, e.error) for e in submission.errors] == [
        (i, r) for i, r in enumerate(full) if isinstance(r, str)]


def test_the_connectors_shape_takes_the_fast_reader() -> None:
    record = {"serial": "000000006AFCE315", "line": 2, "start": NOW - 3600, "length": 60, "in": 3,
              "out": 1, "staff_in": 0, "staff_out": 0, "source": "device_api"}
    fast, others = canonical_counts([record, {**record, "start": "soon"}, record], NOW)
    assert others == [1]
    assert fast == [parse_reported_count(record, NOW)] * 2
    assert fast[0].serial == "000000006afce315"
