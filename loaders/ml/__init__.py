"""Importers for the metadata ML teams already publish: Hugging Face cards, Croissant, SPDX 3
AI/Dataset, CycloneDX ML-BOM, OpenLineage events and MLflow registries.

`read` finds a file's format from its content and parses it (`model.Parsed`), `build` turns
the entities into triples with provenance, `plan` checks them and computes the change.
May import ``aimstrace.loaders`` (errors, references), ``aimstrace.graph.store``,
``aimstrace.graph.crosswalk`` and ``aimstrace.ontology``; MLflow only when reading a registry.
"""
