"""The JSON API (OpenAPI schema at /api/v1/openapi.json, viewer at /api/v1/docs)."""

from ninja import NinjaAPI

from luotsi.customers.api import router as customers_router
from luotsi.ecosystem.api import router as ecosystem_router
from luotsi.evaluation.api import router as evaluation_router
from luotsi.indicators.api import router as indicators_router
from luotsi.reference.api import router as reference_router

api = NinjaAPI(
    title="Luotsi API",
    version="1.0.0",
    description="Read and write API of Luotsi. Reference data is public; everything else needs a session.",
)
api.add_router("/reference", reference_router)
api.add_router("/customers", customers_router)
api.add_router("/ecosystem", ecosystem_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/indicators", indicators_router)
