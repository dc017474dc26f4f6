"""The interfaces people and tools use: the ``aimstrace`` CLI, the FastAPI app and the web page.

Owns the commands (``cli`` and ``cli_*``), the app factory, routes, security, limits and
settings, the auditor reports (``reports``) and the workbench (``static``). Thin over
``aimstrace.graph.engine.Engine`` and ``aimstrace.loaders``; may import every other package, and
nothing imports it.
"""
