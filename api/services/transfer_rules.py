"""Transfer and resale rules: stored columns <-> API objects, and which rules bind a ticket.

An event carries rules of its own; a ticket may carry its own transfer rules, resale rules, or
both, each replacing the event's as a whole (None: the event's). Price caps are stored as
integer minor units with an ISO 4217 code, so 120.00 EUR is (12000, "EUR").
"""

from __future__ import annotations

from typing import Any, cast

from api.models import Event, Ticket
from api.schemas import (
    Money,
    ResalePolicyName,
    ResaleRules,
    TransferPolicyName,
    TransferRules,
)


def rule_columns(transfer: TransferRules | None, resale: ResaleRules | None) -> dict[str, Any]:
    """The column values for rules given in a body (None: nothing stored, inherit)."""
    cap = resale.price_cap if resale is not None else None
    return {
        "transfer_policy": transfer.policy if transfer is not None else None,
        "max_transfers": transfer.max_transfers if transfer is not None else None,
        "resale_policy": resale.policy if resale is not None else None,
        "resale_cap_minor": cap.minor if cap is not None else None,
        "resale_cap_currency": cap.currency if cap is not None else None,
    }


def _transfer(row: Event | Ticket) -> TransferRules | None:
    if row.transfer_policy is None:
        return None
    policy = cast(TransferPolicyName, row.transfer_policy)
    return TransferRules(policy=policy, max_transfers=row.max_transfers)


def _resale(row: Event | Ticket) -> ResaleRules | None:
    if row.resale_policy is None:
        return None
    cap = None
    if row.resale_cap_minor is not None and row.resale_cap_currency is not None:
        cap = Money.from_minor(row.resale_cap_minor, row.resale_cap_currency)
    return ResaleRules(policy=cast(ResalePolicyName, row.resale_policy), price_cap=cap)


def canonical(
    transfer: TransferRules | None, resale: ResaleRules | None
) -> tuple[TransferRules | None, ResaleRules | None]:
    """Rules as they read back from storage (e.g. "120.0" EUR becomes "120.00")."""
    if resale is not None and resale.price_cap is not None:
        cap = resale.price_cap
        resale = ResaleRules(
            policy=resale.policy, price_cap=Money.from_minor(cap.minor, cap.currency)
        )
    return transfer, resale


def own_rules(row: Event | Ticket) -> tuple[TransferRules | None, ResaleRules | None]:
    """The rules stored on this row (a ticket's are None where it follows its event)."""
    return _transfer(row), _resale(row)


def event_rules(event: Event) -> tuple[TransferRules, ResaleRules]:
    """An event's rules (rows made before migration 0004 read as the defaults)."""
    transfer, resale = own_rules(event)
    return transfer or TransferRules(), resale or ResaleRules()


def ticket_rules(ticket: Ticket) -> tuple[TransferRules, ResaleRules]:
    """The rules that bind a ticket: its own where it has them, else its event's."""
    transfer, resale = own_rules(ticket)
    default_transfer, default_resale = event_rules(ticket.event)
    return transfer or default_transfer, resale or default_resale
