"""The push counter's send buffer keeps its promises, without any socket."""

from __future__ import annotations

import random
import uuid

from footfall.simulator.devices.outbox import DUPLICATE, EVENT, MALFORMED, Outbox, PushStats, Wire
from footfall.simulator.traffic import Crossing


def crossings(n: int, start: int = 0) -> list[Crossing]:
    return [Crossing(1_700_000_000 + i, "000000006afce315", 1, 1 + i % 2, 1, str(uuid.UUID(int=i)))
            for i in range(start, start + n)]


def take(box: Outbox) -> tuple[Crossing, int]:
    taken = box.take()
    assert taken is not None
    return taken


def settle(box: Outbox, ok: bool) -> Wire:
    wire = box.reply(ok)
    assert wire is not None
    return wire


def send_all(box: Outbox) -> list[str]:
    sent = []
    while (taken := box.take()) is not None:
        box.sent(EVENT, taken[0].uuid, taken[1])
        sent.append(taken[0].uuid)
    return sent


def test_ok_releases_in_send_order_and_nothing_is_sent_again() -> None:
    box = Outbox()
    box.add(crossings(3))
    sent = send_all(box)
    assert sent == [c.uuid for c in crossings(3)]
    for _ in sent:
        assert box.reply(True) is not None
    assert (box.held, box.acknowledged, box.on_wire) == (0, 3, 0)
    box.connection_lost()
    assert box.take() is None


def test_a_refused_event_is_kept_and_sent_again_later() -> None:
    box = Outbox()
    box.add(crossings(3))
    _, second, _ = send_all(box)
    box.reply(True)
    box.reply(False)
    box.reply(True)
    assert box.held == 1 and box.rejected == 1
    again, attempt = take(box)
    assert (again.uuid, attempt) == (second, 1)
    assert box.resent == 1


def test_a_lost_connection_puts_unanswered_events_first_in_their_order() -> None:
    box = Outbox()
    box.add(crossings(5))
    for _ in range(3):
        box.sent(EVENT, take(box)[0].uuid)
    box.reply(True)
    box.connection_lost()
    order = send_all(box)
    assert order == [c.uuid for c in crossings(5)][1:]


def test_duplicates_and_malformed_copies_settle_once() -> None:
    box = Outbox()
    (one,) = crossings(1)
    box.add([one])
    _, attempt = take(box)
    box.sent(MALFORMED, one.uuid)
    box.sent(EVENT, one.uuid, attempt)
    box.sent(DUPLICATE, one.uuid, attempt)
    assert settle(box, False).kind == MALFORMED
    assert box.held == 1 and box.rejected == 0
    box.reply(True)
    box.reply(False)   # the copy's refusal cannot revive an acknowledged event
    assert (box.held, box.acknowledged, box.queued) == (0, 1, 0)


def test_offering_the_same_crossing_twice_holds_it_once() -> None:
    box = Outbox()
    assert box.add(crossings(2)) == 2
    assert box.add(crossings(3)) == 1
    assert box.held == 3


def test_ten_thousand_are_held_and_one_more_turns_the_module_off() -> None:
    box = Outbox()
    assert box.add(crossings(10_000)) == 10_000
    assert not box.is_off
    assert box.add(crossings(5, start=10_000)) == 0
    assert box.is_off and box.dropped == 5 and box.held == 10_000
    assert box.take() is None                       # off: nothing more is sent
    box.switch_on()
    assert box.take() is not None


def test_random_replies_and_drops_never_lose_or_resend_after_ok() -> None:
    """Property: under any mix of OK, refusals and lost connections, every event is acked exactly once."""
    for seed in range(30):
        rng = random.Random(seed)
        box = Outbox(capacity=500)
        pending = crossings(200)
        acked: set[str] = set()
        offered = 0
        while offered < len(pending) or box.held:
            if offered < len(pending) and rng.random() < 0.3:
                box.add(pending[offered:offered + 7])
                offered = min(offered + 7, len(pending))
            for _ in range(rng.randint(0, 5)):
                taken = box.take()
                if taken is None:
                    break
                assert taken[0].uuid not in acked, "re-sent after its OK"
                box.sent(EVENT, taken[0].uuid, taken[1])
                if rng.random() < 0.1:
                    box.sent(DUPLICATE, taken[0].uuid, taken[1])
            roll = rng.random()
            if roll < 0.05:
                box.connection_lost()
            elif box.on_wire:
                ok = rng.random() < 0.7
                held_before = box.held
                wire = settle(box, ok)
                if box.held < held_before:
                    assert ok and wire.uuid not in acked
                    acked.add(wire.uuid)
        assert acked == {c.uuid for c in pending}
        assert box.acknowledged == 200 and box.dropped == 0


def test_snapshot_fills_the_stats() -> None:
    box = Outbox()
    box.add(crossings(4))
    send_all(box)
    box.reply(True)
    stats = box.snapshot(PushStats(state="connected"))
    assert (stats.state, stats.acknowledged, stats.buffered, stats.dropped) == ("connected", 1, 3, 0)
