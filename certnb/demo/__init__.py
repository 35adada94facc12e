"""`certnb demo`: one command that audits the sample tenant, commits a bulk correction and writes a report.

    run.py         the run: emulator → sign-in → load → audit → stage → dry run → commit → read back
    correction.py  the bulk correction it stages (issuer spellings, a year more for expiring certifications)

The report itself is `certnb.report` (HTML and Excel).

>>> from certnb.demo import run_demo
>>> run_demo("certnb-demo").report                                      # doctest: +SKIP
PosixPath('certnb-demo/report.html')
"""

from __future__ import annotations

from certnb.demo.correction import Correction, stage_correction
from certnb.demo.run import DEFAULT_ASOF, DEFAULT_OUT, DemoResult, run_demo

__all__ = [
    "DEFAULT_ASOF",
    "DEFAULT_OUT",
    "Correction",
    "DemoResult",
    "run_demo",
    "stage_correction",
]
