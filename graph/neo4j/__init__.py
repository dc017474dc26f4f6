"""The Neo4j projection: the store's graph as labelled nodes and relationships, and Cypher on it.

Owns the projection of RDF into property-graph records (``projection``), batched writes
(``write``), full and incremental sync driven by the change log (``sync``), connection settings
(``connection``) and the Cypher backend of the named queries (``backend``). May import
``aimstrace.graph.store``, ``aimstrace.graph.backend``, ``aimstrace.queries`` and
``aimstrace.ontology``; the ``neo4j`` driver is imported only here.
"""
