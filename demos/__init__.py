"""Concept demos: small, honest PyTorch experiments that show one deep-learning claim each.

Every module ``demos/<name>.py`` (not starting with ``_``) defines a literal
``INFO = DemoInfo(...)`` and ``run(params, device, report) -> Verdict``;
``INFO`` uses ``studytool.demorun.params``, running and reporting ``demos/_base.py``.

This package must never import torch at import time: the app reads the demo catalogue
(``studytool.demorun.catalog``) with ``ast`` and only the worker child process runs demos.
Run one directly with ``python -m demos.<name> [--quick] [--device cpu|cuda|auto] [--json]
[--param k=v ...]`` (``python -m studytool.demos.<name>`` in an installed wheel).
"""
