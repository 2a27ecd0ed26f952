"""Build hook: setuptools compiles the cffi extension zkcore._bn254 from native/."""

from setuptools import setup

setup(cffi_modules=["native/build.py:ffibuilder"])
