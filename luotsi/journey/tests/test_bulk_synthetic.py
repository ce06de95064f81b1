"""Synthetic events stream into the operational journey log with bulk inserts, batch by batch."""

import datetime as dt
import uuid

import pyarrow as pa
import pytest
from django.core.management import call_command
from django.db.models import Count

from luotsi.journey.bulk import insert_flat_batches
from luotsi.journey.models import JourneyEvent
from luotsi.kernel.journey import PayloadError
from luotsi.synthetic import SyntheticConfig, area_municipalities, generate

pytestmark = pytest.mark.django_db

# Hartola (082, Päijät-Häme): a small municipality, a tiny stock, one year.
CONFIG = SyntheticConfig(
    municipalities=("082",),
    starts_on=dt.date(2025, 7, 1),
    ends_on=dt.date(2026, 6, 30),
    stock=25,
    seed=5,
)


def small_batches(batches, rows=500):
    for b in batches:
        for start in range(0, b.num_rows, rows):
            yield b.slice(start, rows)


def test_every_generated_event_lands_in_the_log_typed_and_validated():
    generated = pa.Table.from_batches(list(generate(CONFIG)))
    n = insert_flat_batches(small_batches(generate(CONFIG)))
    assert n == generated.num_rows == JourneyEvent.objects.count() > 1_000
    by_kind = {}
    for k in generated.column("kind").to_pylist():
        by_kind[k] = by_kind.get(k, 0) + 1
    stored = dict(JourneyEvent.objects.values_list("kind").annotate(n=Count("id")))
    assert stored == by_kind
    # a registration keeps its person and enrolment identifiers as stable UUIDs
    row = (
        generated.filter(pa.compute.equal(generated.column("kind"), "customer.registered"))
        .slice(0, 1)
        .to_pylist()[0]
    )
    event = (
        JourneyEvent.objects.filter(
            kind="customer.registered", customer_id=uuid.UUID(int=row["person_id"])
        )
        .order_by("occurred_at")
        .first()
    )
    assert event.payload["enrolment_id"] == str(uuid.UUID(int=row["enrolment_id"]))
    assert event.municipality_code == "082" and event.actor_id is None


def test_inserts_batch_by_batch_without_reading_the_whole_stream_first():
    seen = []

    def stream():
        for i, b in enumerate(small_batches(generate(CONFIG))):
            seen.append(JourneyEvent.objects.count())  # rows already written when batch i is read
            yield b
            if i == 2:
                return

    n = insert_flat_batches(stream())
    assert seen[0] == 0 and 0 < seen[1] < seen[2] < n  # batches 0 and 1 written before batch 2 read


def test_a_bad_row_writes_nothing_of_its_batch():
    good = next(small_batches(generate(CONFIG), rows=50))
    kinds = good.column("kind").to_pylist()
    kinds[-1] = "customer.exited"  # an exit without its payload fields
    bad = good.set_column(good.schema.get_field_index("kind"), "kind", pa.array(kinds))
    with pytest.raises(PayloadError):
        insert_flat_batches([bad])
    assert JourneyEvent.objects.count() == 0


def test_command_streams_an_area_into_the_log(capsys):
    call_command(
        "load_synthetic_events", "--area", "31", "--scale", "0.005", "--start", "2026-01-01",
        "--end", "2026-06-30", "--no-progress",
    )  # fmt: skip
    out = capsys.readouterr().out
    n = int(out.split()[0])
    assert n == JourneyEvent.objects.count() > 0
    codes = set(JourneyEvent.objects.values_list("municipality_code", flat=True).distinct())
    assert codes and codes <= set(area_municipalities("31"))
