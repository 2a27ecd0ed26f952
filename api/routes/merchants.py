"""POST /merchants (admin)."""

from fastapi import APIRouter, status

from api.deps import AdminKey, SessionDep
from api.schemas import MerchantCreate, MerchantCreated
from api.services.merchants import create_merchant

router = APIRouter(tags=["merchants"])


@router.post("/merchants", response_model=MerchantCreated, status_code=status.HTTP_201_CREATED)
def post_merchant(body: MerchantCreate, session: SessionDep, _: AdminKey) -> MerchantCreated:
    """Create a merchant with its first merchant key, shown once in `api_key`."""
    merchant, key = create_merchant(session, body.name)
    return MerchantCreated(
        merchant_id=merchant.id,
        name=merchant.name,
        key_id=key.key_id,
        api_key=key.plaintext,
        created_at=merchant.created_at,
    )
