"""POST /tickets, GET /tickets/{ticket_id}, POST /tickets/{ticket_id}/revoke (merchant)."""

from fastapi import APIRouter, Response, status

from api.deps import MerchantKey, SessionDep, SettingsDep
from api.schemas import Identifier, TicketCreate, TicketOut
from api.services.tickets import get_own_ticket, issue_ticket, revoke_ticket, ticket_view

router = APIRouter(tags=["tickets"])


@router.post("/tickets", response_model=TicketOut, status_code=status.HTTP_201_CREATED)
def post_ticket(
    body: TicketCreate,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: MerchantKey,
) -> TicketOut:
    """Issue a ticket (201); the same body again answers 200, another body 409."""
    ticket, created = issue_ticket(session, settings, principal, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ticket_view(ticket)


@router.get("/tickets/{ticket_id}", response_model=TicketOut)
def get_ticket(ticket_id: Identifier, session: SessionDep, principal: MerchantKey) -> TicketOut:
    """One of the merchant's tickets."""
    return ticket_view(get_own_ticket(session, principal, ticket_id))


@router.post("/tickets/{ticket_id}/revoke", response_model=TicketOut)
def post_revoke(
    ticket_id: Identifier, session: SessionDep, settings: SettingsDep, principal: MerchantKey
) -> TicketOut:
    """Revoke a ticket at once (idempotent)."""
    return ticket_view(revoke_ticket(session, principal, ticket_id, settings))
