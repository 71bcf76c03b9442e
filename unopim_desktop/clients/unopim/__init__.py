"""The UnoPim REST client (`client`), its call pacing (`pacing`) and its token errors (`errors`)."""

from unopim_desktop.clients.unopim.client import (
    ServerFeatures,
    TokenStateCallback,
    UnoPimClient,
    UnoPimCredentials,
)
from unopim_desktop.clients.unopim.pacing import RatePacer

__all__ = ["RatePacer", "ServerFeatures", "TokenStateCallback", "UnoPimClient", "UnoPimCredentials"]
