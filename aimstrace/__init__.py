"""aimstrace: a knowledge-graph traceability engine for ISO/IEC 42001 AI management systems.

The one import package of the distribution. Its sub-packages are the repository's top-level
folders (``graph``, ``loaders``, ``queries``, ``ontology``, ``api``), linked in here so that the
checkout, an editable install and the built wheel all import them as ``aimstrace.graph`` and so on.
Layers import downwards only: api -> loaders -> graph -> queries, ontology
(``tests/test_architecture.py`` enforces it).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aimstrace")
except PackageNotFoundError:  # a checkout that was never installed
    __version__ = "0+unknown"
