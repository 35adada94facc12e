"""The compiled frame walker (certnb/frame/_walk.c), optional: without a C compiler certnb installs and runs
with its Python twin (certnb.frame.walk.walk_python), only slower on very large tenants."""

import numpy
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "certnb.frame._walk",
            sources=["certnb/frame/_walk.c"],
            include_dirs=[numpy.get_include()],
            optional=True,
        )
    ]
)
