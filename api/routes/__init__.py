"""The API's routers, one module per resource family; each is thin over graph.engine.Engine."""
