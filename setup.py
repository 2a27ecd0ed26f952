"""Build hook: setuptools compiles the cffi extensions zkcore._bn254{,_adx} from native/."""

from setuptools import setup

setup(cffi_modules=["native/build.py:ffibuilder", "native/build.py:ffibuilder_adx"])
