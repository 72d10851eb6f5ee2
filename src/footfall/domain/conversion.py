"""Sales against footfall (DESIGN §3): always from the totals of a bucket, never an average
of ratios. Money is whole cents in, currency units out."""

from __future__ import annotations

from typing import Any


def conversion_rate(transactions: int, visitors_in: int) -> float | None:
    """Transactions / visitors in; None without visitors to divide by."""
    if not visitors_in:
        return None
    return round(transactions / visitors_in, 4)


def average_transaction_value(cents: int, transactions: int) -> float | None:
    """Sales value / transactions (the average ticket); None without transactions."""
    if not transactions:
        return None
    return round(cents / transactions / 100, 2)


def sales_per_visitor(cents: int, visitors_in: int) -> float | None:
    """Sales value / visitors in; None without visitors."""
    if not visitors_in:
        return None
    return round(cents / visitors_in / 100, 4)


NO_SALES: dict[str, Any] = {
    "transactions": None, "sales_value": None, "conversion_rate": None,
    "average_transaction_value": None, "sales_per_visitor": None,
}


def sales_fields(transactions: int | None, cents: int | None, visitors_in: int) -> dict[str, Any]:
    """The sales keys of a counts row; all None when the bucket has no sales."""
    if transactions is None or cents is None:
        return dict(NO_SALES)
    return {
        "transactions": transactions,
        "sales_value": round(cents / 100, 2),
        "conversion_rate": conversion_rate(transactions, visitors_in),
        "average_transaction_value": average_transaction_value(cents, transactions),
        "sales_per_visitor": sales_per_visitor(cents, visitors_in),
    }
