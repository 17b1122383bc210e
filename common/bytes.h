/*
 * bytes.h - the one set of byte readers: fixed-width integers from an
 * unaligned pointer into a mapped file.  The caller has checked that the
 * bytes are inside the buffer (STYLE.md 4); these only assemble them.
 *
 *   le16/le32/le64   little-endian, whatever the host: the formats that
 *                    fix their byte order (fatbin containers, zip headers)
 *   ne32/ne64        the host's own order: formats written by the machine
 *                    that reads them (glibc's /etc/ld.so.cache)
 */
#ifndef SLIM_BYTES_H
#define SLIM_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static inline uint32_t ne32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t ne64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#endif
