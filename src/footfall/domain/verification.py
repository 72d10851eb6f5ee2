"""Verification checks (DESIGN §3): a table of checks, each naming why a bucket failed it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from footfall.domain.status import AggregationStatus


class VerificationStatus(StrEnum):
    """Whether a bucket's numbers passed every check."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"


@dataclass(frozen=True, slots=True)
class Policy:
    """Tunables of the checks; the defaults suit a retail door."""

    grace_s: int = 2 * 3600
    balance_tolerance: float = 0.10
    balance_min_people: int = 20


class BucketFacts(NamedTuple):
    """What the checks need to know about one bucket (a tuple: built once per report row)."""

    aggregation_status: AggregationStatus
    end_ts: int
    now_ts: int
    # In/out over the whole local days the bucket lies in: people enter in one hour and
    # leave in another, so balance is judged per day, not per hour.
    day_in: int
    day_out: int


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check: returns a reason when the bucket fails it, else None."""

    key: str
    description: str
    run: Callable[[BucketFacts, Policy], str | None]


def _complete(facts: BucketFacts, policy: Policy) -> str | None:
    if facts.aggregation_status is AggregationStatus.COMPLETE:
        return None
    return f"aggregation is {facts.aggregation_status.value}"


def _closed(facts: BucketFacts, policy: Policy) -> str | None:
    if facts.now_ts >= facts.end_ts + policy.grace_s:
        return None
    return "bucket not closed yet (end plus grace period still ahead)"


def _balance(facts: BucketFacts, policy: Policy) -> str | None:
    larger = max(facts.day_in, facts.day_out)
    gap = abs(facts.day_in - facts.day_out)
    if larger < policy.balance_min_people or gap <= policy.balance_tolerance * larger:
        return None
    return f"in/out imbalance of {gap / larger:.0%} over the day (in {facts.day_in}, out {facts.day_out})"


CHECKS: tuple[Check, ...] = (
    Check("complete", "every active counter covered the whole bucket", _complete),
    Check("closed", "the bucket ended more than the grace period ago", _closed),
    Check("balance", "visitors in and out agree within tolerance over the day", _balance),
)


def verify(facts: BucketFacts, policy: Policy) -> tuple[VerificationStatus, list[str]]:
    """Run every check; verified only when none gives a reason."""
    reasons = [reason for check in CHECKS if (reason := check.run(facts, policy))]
    status = VerificationStatus.UNVERIFIED if reasons else VerificationStatus.VERIFIED
    return status, reasons


class Verifier:
    """`verify` for many buckets of one report, remembering verdicts.

    The checks see time only through "has the grace period passed since the bucket
    ended", so two buckets that agree on everything else and have both passed it get the
    same verdict: a year of hours needs a few hundred evaluations, not 8,760.
    """

    def __init__(self, policy: Policy, now_ts: int) -> None:
        self._policy = policy
        self._now_ts = now_ts
        self._settled_before = now_ts - policy.grace_s  # buckets ending by then are closed
        self._memo: dict[tuple, tuple[VerificationStatus, list[str]]] = {}

    def __call__(self, status: AggregationStatus, end_ts: int, day_in: int,
                 day_out: int) -> tuple[VerificationStatus, list[str]]:
        """The verdict and reasons for one bucket (reasons list shared: do not mutate)."""
        settled = end_ts <= self._settled_before
        key = (status, day_in, day_out, True if settled else end_ts)
        found = self._memo.get(key)
        if found is None:
            found = verify(BucketFacts(status, end_ts, self._now_ts, day_in, day_out), self._policy)
            if settled:
                self._memo[key] = found
        return found
