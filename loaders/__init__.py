"""Loaders: one module per source format, each parsing and checking a source completely
before anything is written, with a dry run.

Owns the inventory registers' readers (``tabular``, ``inventory``, ``rdf``, ``load``), the
mapping-file importers (``sssom``, ``olir``, ``ciso_assistant`` over ``mapping_common``) and the
pipelines that read files into a store (``pipeline``: demo, example, crosswalks, imports). May
import ``aimstrace.graph``, ``aimstrace.queries`` and ``aimstrace.ontology``; never
``aimstrace.api``.
"""
