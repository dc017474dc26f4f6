"""Validation: SHACL shapes over the store, turned into a gap report tied to requirements.

Owns loading and checking shapes (``shapes``), building the data graph and running an engine
(``runner``: pyshacl-turbo or pySHACL), reading a SHACL report into gap records (``report``),
incremental validation of what a write touched (``incremental``), and the gap report itself with
its renderings and write-back (``gaps``). May import ``aimstrace.graph.store`` and
``aimstrace.ontology``; never the loaders, the crosswalk or the Neo4j packages.
"""
