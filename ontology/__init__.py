"""The AIMS vocabulary, reference catalogs, crosswalks and shapes, shipped as package data.

Owns the data files and the small modules that locate them (this module), build the catalogs
from the verified reference lists (``build_catalogs``), name IRIs (``iris``) and describe the
inventory registers' columns (``registers``). The bottom layer: imports nothing of ours.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

FRAMEWORK_IDS: tuple[str, ...] = (
    "iso42001",
    "iso27001",
    "nist-ai-rmf",
    "nist-ai-600-1",
    "eu-ai-act",
    "iso27701",
    "dpdp",
)
# The CURIE prefix of each framework's requirements in SSSOM files and its token prefix in OSCAL
# (letters and digits only: an OSCAL token may not hold a hyphen before its `_`). The shipped
# crosswalks' curie_maps use the same names; one table for every exporter.
FRAMEWORK_PREFIXES: dict[str, str] = {
    "iso42001": "iso42001",
    "iso27001": "iso27001",
    "nist-ai-rmf": "nistairmf",
    "nist-ai-600-1": "nistai6001",
    "eu-ai-act": "euaiact",
    "iso27701": "iso27701",
    "dpdp": "dpdp",
}


def data_path(*parts: str) -> Traversable:
    """Return the packaged resource at ``ontology/<parts...>``."""
    node = resources.files(__name__)
    for part in parts:
        node = node.joinpath(part)
    return node


def vocabulary_path() -> Traversable:
    """Return the path of the AIMS vocabulary (``aims.ttl``)."""
    return data_path("aims.ttl")


def catalog_path(framework: str) -> Traversable:
    """Return the path of one framework's catalog file."""
    if framework not in FRAMEWORK_IDS:
        raise KeyError(
            f"unknown framework id {framework!r}; expected one of {', '.join(FRAMEWORK_IDS)}"
        )
    return data_path("catalogs", f"{framework}.ttl")
