"""POST /tickets/{ticket_id}/transfer, GET /transfers/{transfer_id}, POST .../approve and
.../reject (merchant)."""

from fastapi import APIRouter, Response, status

from api.deps import MerchantKey, SessionDep, SettingsDep
from api.errors import error_body
from api.models import TransferStatus
from api.schemas import Identifier, TicketTransferredOut, TransferOut, TransferRequest
from api.services.transfers import (
    approve_transfer,
    get_own_transfer,
    reject_transfer,
    request_transfer,
    transfer_view,
    transferred_view,
)

router = APIRouter(tags=["transfers"])

_REFUSED = {
    "description": "refused by the rules or the ticket's state",
    "content": {"application/json": {"example": error_body("transfer_disabled", "...")}},
}


@router.post(
    "/tickets/{ticket_id}/transfer",
    response_model=TicketTransferredOut | TransferOut,
    responses={
        202: {"model": TransferOut, "description": "pending: waits for approve or reject"},
        403: _REFUSED,
        409: _REFUSED,
    },
)
def post_transfer(
    ticket_id: Identifier,
    body: TransferRequest,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: MerchantKey,
) -> TicketTransferredOut | TransferOut:
    """Transfer (or resell, with a price) a ticket: 200 when done, 202 when it needs approval."""
    ticket, record = request_transfer(session, settings, principal, ticket_id, body)
    if record.status is TransferStatus.COMPLETED:
        return transferred_view(ticket, record)
    response.status_code = status.HTTP_202_ACCEPTED
    return transfer_view(record)


@router.get("/transfers/{transfer_id}", response_model=TransferOut)
def get_transfer(
    transfer_id: Identifier, session: SessionDep, principal: MerchantKey
) -> TransferOut:
    """One of the merchant's transfers."""
    return transfer_view(get_own_transfer(session, principal, transfer_id))


@router.post("/transfers/{transfer_id}/approve", response_model=TransferOut)
def post_approve(
    transfer_id: Identifier, session: SessionDep, settings: SettingsDep, principal: MerchantKey
) -> TransferOut:
    """Complete a pending transfer (idempotent)."""
    return transfer_view(approve_transfer(session, settings, principal, transfer_id))


@router.post("/transfers/{transfer_id}/reject", response_model=TransferOut)
def post_reject(
    transfer_id: Identifier, session: SessionDep, principal: MerchantKey
) -> TransferOut:
    """Reject a pending transfer (idempotent)."""
    return transfer_view(reject_transfer(session, principal, transfer_id))
