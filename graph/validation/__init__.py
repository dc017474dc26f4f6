"""Validation: SHACL shapes over the store, turned into a gap report tied to requirements.

Owns loading and checking shapes (``shapes``), reading RDF files as written (``rdf_files``),
building the data graph (``runner``), running an engine with named errors and the `auto`
fallback (``engines``: pyshacl-turbo or pySHACL), validating files without a store (``files``),
rendering report terms and paths (``terms``), reading a SHACL report into gap records (``report``),
incremental validation of what a write touched (``incremental``), and the gap report itself with
its renderings and write-back (``gaps``). May import ``aimstrace.graph.store`` and
``aimstrace.ontology``; never the loaders, the crosswalk or the Neo4j packages.
"""
