"""The UnoPim REST client (`client`), its call pacing (`pacing`) and its token errors (`errors`)."""

from unopim_desktop.clients.unopim.client import TokenStateCallback, UnoPimClient, UnoPimCredentials
from unopim_desktop.clients.unopim.pacing import RatePacer

__all__ = ["RatePacer", "TokenStateCallback", "UnoPimClient", "UnoPimCredentials"]
