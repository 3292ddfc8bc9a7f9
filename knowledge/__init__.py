"""The knowledge layer: GII cluster profiles parsed, validated and queryable."""
from knowledge.base import Approximation, Combined, KnowledgeBase, OrganizationHit, combine, implied_total
from knowledge.loader import BUNDLED_DIR, KnowledgeError, load
from knowledge.models import ClusterProfile, RankedRow, RankedTable
from knowledge.profile import ProfileError, parse_profile, parse_profile_file

__all__ = [
    "Approximation", "BUNDLED_DIR", "ClusterProfile", "Combined", "KnowledgeBase", "KnowledgeError",
    "OrganizationHit", "ProfileError", "RankedRow", "RankedTable", "combine", "implied_total", "load",
    "parse_profile", "parse_profile_file",
]
