"""Graph analytics with networkx: impact radius, explanation paths, single points of failure.

Owns the networkx projection of the links between entities (``link_projection``) and the
analyses on it (``core``), which the RDF backend also uses for the named queries that SPARQL
cannot answer (shortest paths). May import ``aimstrace.graph.store``,
``aimstrace.graph.backend``, ``aimstrace.queries`` and ``aimstrace.ontology``.
"""
