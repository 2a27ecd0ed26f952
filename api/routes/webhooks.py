"""POST /webhooks, GET /webhooks, DELETE /webhooks/{webhook_id} (merchant, own webhooks only)."""

from fastapi import APIRouter, Response, status

from api.deps import MerchantKey, SessionDep, SettingsDep
from api.schemas import Identifier, WebhookCreate, WebhookCreated, WebhookList
from api.services.webhooks import create_webhook, delete_webhook, list_webhooks, webhook_view

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def post_webhook(
    body: WebhookCreate, session: SessionDep, settings: SettingsDep, principal: MerchantKey
) -> WebhookCreated:
    """Register a webhook; the signing secret is in this answer only."""
    return create_webhook(session, settings, principal, body)


@router.get("/webhooks", response_model=WebhookList)
def get_webhooks(session: SessionDep, principal: MerchantKey) -> WebhookList:
    """The merchant's webhooks (without secrets)."""
    return WebhookList(webhooks=[webhook_view(h) for h in list_webhooks(session, principal)])


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
)
def remove_webhook(webhook_id: Identifier, session: SessionDep, principal: MerchantKey) -> None:
    """Delete a webhook; its pending deliveries are dropped."""
    delete_webhook(session, principal, webhook_id)
