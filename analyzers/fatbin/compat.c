/*
 * compat.c - which GPUs can load which fatbin entry, and the --arch list.
 *
 * CUDA's rules (CUDA C++ Programming Guide, "Binary Compatibility" and "PTX
 * Compatibility"; the `a` and `f` suffixes from the CUDA 12.9 notes on
 * architecture- and family-specific features):
 *   - a cubin for sm_XY runs on GPUs of the same major version X with minor
 *     version >= Y (sm_80 on sm_86, never on sm_90);
 *   - sm_XYa uses architecture-specific features: runs only on exactly XY;
 *   - sm_XYf uses family-specific features: runs within its family, i.e.
 *     same major version, minor >= Y (sm_100f on sm_100 and sm_103);
 *   - PTX for compute_XY is JIT-compiled by the driver for any GPU of
 *     arch >= XY; compute_XYa PTX only for XY, compute_XYf within the
 *     family as above.
 * LTO-IR is treated like PTX of its arch (nvlink / nvJitLink can compile it
 * for newer GPUs), which never over-claims a prunable entry.  SM numbers
 * are major*10 + minor for every arch to date (sm_90, sm_100, sm_120).
 */
#include "fatbin.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool fatbin_loadable(const struct fatbin_entry *e, unsigned t)
{
	unsigned emaj = e->sm / 10, emin = e->sm % 10;
	unsigned tmaj = t / 10, tmin = t % 10;
	if (e->variant == 'a')
		return t == e->sm;
	if (e->variant == 'f' || e->kind == FATBIN_CUBIN)
		return tmaj == emaj && tmin >= emin;
	/* PTX and LTO-IR: JIT for equal or newer */
	return t >= e->sm;
}

/* One item: "sm_90", "sm_90a", "compute_90", "90".  A suffix names the
 * code variant, not another GPU, so a target keeps only the number. */
static int parse_one(const char *s, size_t len, unsigned *sm)
{
	if (len > 3 && !strncmp(s, "sm_", 3))
		s += 3, len -= 3;
	else if (len > 8 && !strncmp(s, "compute_", 8))
		s += 8, len -= 8;
	if (len && (s[len - 1] == 'a' || s[len - 1] == 'f'))
		len--;
	if (!len || len > 4)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 10)
		return -1;
	*sm = v;
	return 0;
}

int fatbin_parse_arch(const char *list, struct fatbin_target *v, size_t cap,
		      size_t *n, struct diag *d)
{
	*n = 0;
	const char *p = list;
	while (*p) {
		const char *q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		unsigned sm;
		if (parse_one(p, len, &sm))
			return diag_err(d, "--arch", "'%.*s' is not an SM arch (want e.g. sm_80,sm_90)",
					(int)len, p);
		if (*n == cap)
			return diag_err(d, "--arch", "more than %zu archs", cap);
		v[(*n)++].sm = sm;
		if (!q)
			break;
		p = q + 1;
	}
	if (!*n)
		return diag_err(d, "--arch", "empty arch list");
	return 0;
}
