"""The core: the RDF store and everything computed from it.

At the top, the engine facade (``engine.Engine``: what the CLI and the API call for anything on
the store), the backend protocol of the named queries (``backend``) with its RDF implementation
(``rdf_backend``), and the catalog and inventory reads (``catalog``, ``inventory``). Below, one
sub-package per responsibility: ``store``, ``validation``, ``crosswalk``, ``neo4j``,
``analytics``. May import ``aimstrace.queries`` and ``aimstrace.ontology``; never
``aimstrace.loaders`` or ``aimstrace.api`` (files are read by the loaders, which write through
this package).
"""
