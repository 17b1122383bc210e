/* npcore.c - the native library of samples/python-native/nativepkg: CRC-32 (the
 * zlib polynomial, bit by bit), loaded by the package with ctypes.
 * Built by samples/build-pydeps.sh:
 *   cc -shared -fPIC -O2 -o out/pydeps/site-packages/nativepkg/lib/libnpcore.so \
 *      python-native/npcore.c */
#include <stddef.h>
#include <stdint.h>

uint32_t np_crc32(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}
