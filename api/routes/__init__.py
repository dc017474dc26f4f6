"""The API's routers, one module per resource family.

Each route is thin over ``aimstrace.graph.engine.Engine`` and ``aimstrace.loaders``; routes may
import those and the api package's own dependencies, errors and models, never SPARQL or Cypher text.
"""
