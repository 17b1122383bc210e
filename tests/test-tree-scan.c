/*
 * test-tree-scan.c - the token search of the deployable strings scan
 * (pipeline/tree-scan.c: tree_tokens_of(), SSE2 or AVX2 blocks chosen at
 * run time) against a reference written here from the rule tree-live.c
 * states and its scan_one() ran before the search moved: find each '.',
 * keep those followed by "so", widen to the maximal run of file-name
 * characters ([A-Za-z0-9._+-] and the pattern's '*', '?', '%'), resume
 * after it, drop tokens under 4 bytes.  On random buffers dense in '.',
 * 's', 'o' and name characters, of lengths crossing the 16- and 32-byte
 * blocks and the 4096-byte threshold of the AVX2 path, and on the bytes
 * of a real library (this machine's libc): the same tokens in the same
 * order.
 */
#include "testutil.h"
#include "../pipeline/tree-scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool ref_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._+-*?%", c) != NULL;
}

/* the tokens of [b, b+n) by the reference loop, NUL-separated in out */
static size_t ref_tokens(const unsigned char *b, size_t n, char *out, size_t *nout)
{
	size_t k = 0, o = 0, p = 0;
	while (p + 3 <= n) {
		const unsigned char *hit = memchr(b + p, '.', n - p - 2);
		if (!hit)
			break;
		size_t h = (size_t)(hit - b);
		if (b[h + 1] != 's' || b[h + 2] != 'o') {
			p = h + 1;
			continue;
		}
		size_t s = h;
		while (s > 0 && b[s - 1] && ref_char(b[s - 1]))
			s--;
		p = h + 3;
		while (p < n && b[p] && ref_char(b[p]))
			p++;
		if (p - s < 4)
			continue;
		memcpy(out + o, b + s, p - s);
		o += p - s;
		out[o++] = 0;
		k++;
	}
	*nout = o;
	return k;
}

static void same_tokens(const unsigned char *b, size_t n)
{
	char *want = malloc(2 * n + 16);
	size_t nwant;
	size_t kwant = ref_tokens(b, n, want, &nwant);
	struct tree_pools pools = {{tree_pool_new(), NULL, NULL}};
	struct tree_tokens r;
	tree_tokens_of(b, n, pools.v[0], &r);
	cr_assert_eq(r.n, kwant, "n=%zu: %u tokens, the reference finds %zu", n, r.n, kwant);
	const char *s = tree_tokens_first(&r), *w = want;
	for (uint32_t i = 0; i < r.n; i++, s += strlen(s) + 1, w += strlen(w) + 1)
		cr_assert_str_eq(s, w, "n=%zu: token %u", n, i);
	tree_pools_free(&pools);
	free(want);
}

Test(tree_scan, random_buffers)
{
	static const char alpha[] = ".so.so.so.sabz09_+-*?% /\n\xff";
	static const size_t len[] = {0, 1, 2, 3, 4, 15, 16, 17, 18, 19, 31, 32, 33, 34, 35, 36,
				     63, 64, 65, 100, 4095, 4096, 4097, 5000, 70000};
	unsigned seed = 14;
	unsigned char *b = malloc(70000);
	for (int round = 0; round < 40; round++)
		for (size_t l = 0; l < sizeof len / sizeof *len; l++) {
			for (size_t i = 0; i < len[l]; i++)
				b[i] = (unsigned char)alpha[rand_r(&seed) % (sizeof alpha - 1)];
			same_tokens(b, len[l]);
		}
	free(b);
}

/* A file read in pieces of SCAN_READ (scan_range()): the tokens of the
 * whole bytes, whatever piece boundary they straddle -- names planted
 * across each boundary of random bytes, in files of every length around
 * one, two and three pieces, read whole and from an offset -- and a run
 * of name characters longer than a piece dropped, with the names after
 * it still found. */
static void same_tokens_fd(const unsigned char *b, size_t n, size_t off)
{
	char path[] = "/tmp/slim-scan-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(write(fd, b, n), (ssize_t)n);
	char *want = malloc(2 * n + 16);
	size_t nwant;
	size_t kwant = ref_tokens(b + off, n - off, want, &nwant);
	struct tree_pools pools = {{tree_pool_new(), NULL, NULL}};
	struct tree_tokens r;
	tree_tokens_of_fd(fd, off, n - off, pools.v[0], &r);
	close(fd);
	cr_assert_eq(r.n, kwant, "n=%zu off=%zu: %u tokens, the reference finds %zu", n, off,
		     r.n, kwant);
	const char *s = tree_tokens_first(&r), *w = want;
	for (uint32_t i = 0; i < r.n; i++, s += strlen(s) + 1, w += strlen(w) + 1)
		cr_assert_str_eq(s, w, "n=%zu off=%zu: token %u", n, off, i);
	tree_pools_free(&pools);
	free(want);
}

Test(tree_scan, file_read_in_pieces)
{
	static const char alpha[] = "abz09_+-. /\n\xff";
	const size_t P = SCAN_READ;
	const size_t len[] = {P - 1, P, P + 1, 2 * P - 7, 2 * P + 3, 3 * P + 100};
	unsigned seed = 7;
	unsigned char *b = malloc(3 * P + 100);
	for (size_t l = 0; l < sizeof len / sizeof *len; l++)
		for (size_t k = 0; k <= 19; k += l ? 6 : 1) {
			for (size_t i = 0; i < len[l]; i++)
				b[i] = (unsigned char)alpha[rand_r(&seed) % (sizeof alpha - 1)];
			/* a name across the first piece's end, its k-th byte the
			 * piece's last, and one across each later P bytes */
			for (size_t at = P; at + 20 < len[l]; at += P)
				memcpy(b + at - k, " libcudnn_ops.so.8 ", 19);
			same_tokens_fd(b, len[l], 0);
			same_tokens_fd(b, len[l], 4099);
		}
	/* a run longer than a piece: no token from it, the next one found */
	size_t n = 3 * P;
	memset(b, 'x', n);
	memcpy(b + 1000, "libin.so.1", 10);
	memcpy(b + P + 5000, " libafter.so.2 ", 15);
	int fd = fileno(tmpfile());
	cr_assert_eq(write(fd, b, n), (ssize_t)n);
	struct tree_pools pools = {{tree_pool_new(), NULL, NULL}};
	struct tree_tokens r;
	tree_tokens_of_fd(fd, 0, n, pools.v[0], &r);
	cr_assert_eq(r.n, 1, "%u tokens", r.n);
	cr_assert_str_eq(tree_tokens_first(&r), "libafter.so.2");
	tree_pools_free(&pools);
	free(b);
}

Test(tree_scan, real_library)
{
	FILE *f = fopen("/lib/x86_64-linux-gnu/libc.so.6", "rb");
	cr_assert(f, "this test reads /lib/x86_64-linux-gnu/libc.so.6 (libc6)");
	unsigned char *b = malloc(8 << 20);
	size_t n = fread(b, 1, 8 << 20, f);
	fclose(f);
	cr_assert_gt(n, 100000);
	same_tokens(b, n);
	free(b);
}
