# nativepkg loads lib/libnpcore.so beside its __init__ with ctypes.CDLL
# (samples/python-native/nativepkg); checks its CRC-32 against zlib's.
import sys, zlib
import nativepkg
for arg in sys.argv[1:]:
    data = arg.encode()
    print(arg, nativepkg.crc(data), nativepkg.crc(data) == zlib.crc32(data))
