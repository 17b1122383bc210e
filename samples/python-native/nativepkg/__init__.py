"""A package that loads its own C library from its lib/ directory with
ctypes, as packages that ship a native library beside their Python code do
(the library is built from samples/python-native/npcore.c by
samples/build-pydeps.sh; it exports no PyInit_*, so it is no extension
module).  lib/ also holds a copy nothing loads or names: dead weight a
record trace can show (a likely finding)."""
import ctypes
import os

_lib = ctypes.CDLL(os.path.join(os.path.dirname(__file__), 'lib', 'libnpcore.so'))
_lib.np_crc32.restype = ctypes.c_uint32
_lib.np_crc32.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def crc(data: bytes) -> int:
    return _lib.np_crc32(data, len(data))
