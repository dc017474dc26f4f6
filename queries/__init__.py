"""Named queries as data: ``<name>.yaml`` beside ``<name>.rq`` and ``<name>.cypher``.

Owns the registry that reads them into frozen objects and binds parameters safely
(``registry``) and the backend-neutral parameter values (``values``). May import
``aimstrace.ontology`` only.
"""
