"""POST /events, GET /events/{event_id} (merchant)."""

from fastapi import APIRouter, Response, status

from api.deps import MerchantKey, SessionDep
from api.schemas import EventCreate, EventOut, Identifier
from api.services.events import create_event, event_view, get_own_event

router = APIRouter(tags=["events"])


@router.post("/events", response_model=EventOut, status_code=status.HTTP_201_CREATED)
def post_event(
    body: EventCreate, response: Response, session: SessionDep, principal: MerchantKey
) -> EventOut:
    """Create an event (201); the same body again answers 200, another body 409."""
    event, created = create_event(session, principal, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return event_view(event)


@router.get("/events/{event_id}", response_model=EventOut)
def get_event(event_id: Identifier, session: SessionDep, principal: MerchantKey) -> EventOut:
    """One of the merchant's events."""
    return event_view(get_own_event(session, principal, event_id))
