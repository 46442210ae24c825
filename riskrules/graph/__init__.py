"""The relationship graph: applicants linked through devices, phones, emergency contacts,
bank cards, employers, addresses and IPs; kept online, rebuilt for backtests."""
from __future__ import annotations

from .state import HUB_LIMIT, KINDS, GraphError, GraphFeatures, RelationshipGraph

__all__ = ["RelationshipGraph", "GraphFeatures", "GraphError", "KINDS", "HUB_LIMIT"]
