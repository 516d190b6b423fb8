"""prodready: make microservices production ready at scale, and prove it.

Four parts share this package and import in one direction only:
``cli`` may import everything; ``server`` imports ``scan.model`` only;
``http`` and ``load`` stand alone.
"""

__version__ = "0.1.0"
