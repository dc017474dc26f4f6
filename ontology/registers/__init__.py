"""The inventory registers: their columns, value types and the RDF each column becomes.

This module is the single source of the input schemas documented in docs/input-schemas.md; the
tabular loader, `aimstrace list` and the synthetic generator all read it, so they cannot drift.
It sits in the ontology layer because both the loaders and the graph's inventory reads need it;
it may import only ``aimstrace.ontology`` (column model in ``model``, registers in ``context`` and
``assurance``).
"""

from __future__ import annotations

from aimstrace.ontology.registers.assurance import ASSURANCE_REGISTERS
from aimstrace.ontology.registers.context import CONTEXT_REGISTERS
from aimstrace.ontology.registers.model import (
    AIMS_OWNER_ROLE_IRI,
    AIMS_OWNER_ROLE_WORD,
    DCTERMS,
    ENUMERATIONS,
    Column,
    Register,
    enum_iri,
)

__all__ = [
    "AIMS_OWNER_ROLE_IRI",
    "AIMS_OWNER_ROLE_WORD",
    "DCTERMS",
    "ENUMERATIONS",
    "REGISTERS",
    "Column",
    "Register",
    "enum_iri",
    "register_for",
]


REGISTERS: tuple[Register, ...] = CONTEXT_REGISTERS + ASSURANCE_REGISTERS

REGISTER_BY_NAME: dict[str, Register] = {r.name: r for r in REGISTERS}
REGISTER_BY_KIND: dict[str, Register] = {r.kind: r for r in REGISTERS}
REGISTER_BY_CLASS: dict[str, Register] = {r.cls: r for r in REGISTERS}

# Other spellings people use for file names and sheet names.
REGISTER_ALIASES: dict[str, str] = {
    "organization": "organisation",
    "soa": "statement_of_applicability",
    "ai_systems": "systems",
    "parties": "interested_parties",
    "controls_implemented": "controls",
}


def register_for(name: str) -> Register | None:
    """The register a file stem, sheet name or YAML key names, or None."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = REGISTER_ALIASES.get(key, key)
    return REGISTER_BY_NAME.get(key)
