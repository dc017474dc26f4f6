"""Crosswalks: typed mappings between framework requirements.

Owns the mapping model and its RDF form (``model``), the SSSOM column set shared with the
importers (``sssom_format``), derivation by exact set algebra (``derivation``), coverage of a
framework by the implemented controls (``coverage``), export as SSSOM or OSCAL (``export``) and
the store operations on mapping sets (``sets``) and finding imported records that repeat a loaded
crosswalk (``duplicates``). Parsing mapping files belongs to
``aimstrace.loaders``, which builds on this package. May import ``aimstrace.graph.store``,
``aimstrace.graph.catalog`` and ``aimstrace.ontology``.
"""
