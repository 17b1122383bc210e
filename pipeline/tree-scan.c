/*
 * tree-scan.c - the strings of a deployable's files that could name a
 * library for dlopen (tree-live.c's scan_one() judges them), found on two
 * threads.
 *
 * Every name a dlopen could use holds ".so".  An ELF file's string
 * sections (scan_elf(): loaded, not code, not unwind tables, the GOT or
 * CUDA fat binaries), any other file's whole bytes are searched for the
 * three bytes ".so" sixteen at a time (SSE2: three unaligned loads at
 * offsets 0, 1 and 2, compared and ANDed, one movemask; a scalar loop
 * elsewhere): a binary has a '.' every few dozen bytes, so
 * looking for the '.' alone (memchr) stopped at each of them.  Each hit
 * is widened to its token, the maximal run of the characters a file name
 * (or a glob or printf pattern for one) holds, and the search goes on
 * after the token, as scan_one() did inline; tokens under 4 bytes are
 * dropped.  The tokens are copied out (the bytes are read into a buffer
 * of SCAN_READ, in pieces: scan_range()), so the
 * judging, which adds edges to the graph, runs afterwards on one thread
 * in the inventory's order: the output does not depend on the threads.
 *
 * tree_scan_tokens() touches no graph and no arena: files are opened
 * relative to the root's descriptor and an unreadable file has no tokens
 * (scan_one() skipped it silently too).
 */
#include "tree-scan.h"
#include "../common/util.h"

#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* the characters of a file name, and of a pattern for one: a glob's
 * '*' and '?', a printf conversion's '%' (the token rule tree-live.c's header states) */
static bool tok_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-' ||
	       c == '*' || c == '?' || c == '%';
}

struct scan_out {               /* one thread's tokens */
	char *pool;             /* token bytes, each NUL-terminated */
	size_t npool, cappool;
};

static size_t add_tok(struct scan_out *o, const unsigned char *s, size_t n)
{
	GROW(o->pool, o->cappool, o->npool + n + 1);
	size_t at = o->npool;
	memcpy(o->pool + at, s, n);
	o->pool[at + n] = 0;
	o->npool += n + 1;
	return at;
}

/* the token around the ".so" at hit; where the search resumes */
static const unsigned char *token(const unsigned char *base, const unsigned char *end,
				  const unsigned char *hit, struct scan_out *o,
				  uint32_t *ntok)
{
	const unsigned char *s = hit, *p = hit + 3;
	while (s > base && tok_char(s[-1]))
		s--;
	while (p < end && tok_char(*p))
		p++;
	if (p - s >= 4) {
		add_tok(o, s, (size_t)(p - s));
		(*ntok)++;
	}
	return p;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same search 32 bytes at a time where the CPU has AVX2 (checked at
 * run time): the scan reads every live ELF file whole, 5.9 GB on /usr.
 * From b + *i, while 34 bytes are left; returns with *i where it
 * stopped and *p after the last token. */
__attribute__((target("avx2")))
static void find_avx2(const unsigned char *b, size_t n, size_t *i,
		      const unsigned char **p, struct scan_out *o, uint32_t *ntok)
{
	const __m256i dot = _mm256_set1_epi8('.'), s = _mm256_set1_epi8('s'),
		      oo = _mm256_set1_epi8('o');
	const unsigned char *end = b + n;
	while (n >= 34 && *i <= n - 34) {
		__m256i a = _mm256_loadu_si256((const __m256i *)(b + *i));
		__m256i c1 = _mm256_loadu_si256((const __m256i *)(b + *i + 1));
		__m256i c2 = _mm256_loadu_si256((const __m256i *)(b + *i + 2));
		__m256i m = _mm256_and_si256(_mm256_cmpeq_epi8(a, dot),
					     _mm256_and_si256(_mm256_cmpeq_epi8(c1, s),
							      _mm256_cmpeq_epi8(c2, oo)));
		unsigned bits = (unsigned)_mm256_movemask_epi8(m);
		while (bits) {
			const unsigned char *hit = b + *i + (unsigned)__builtin_ctz(bits);
			bits &= bits - 1;
			if (hit < *p)
				continue;
			*p = token(b, end, hit, o, ntok);
		}
		*i += 32;
		if (b + *i < *p)
			*i = (size_t)(*p - b);
	}
}
#endif

/* every token holding ".so" in [b, b+n), in order */
static uint32_t find_tokens(const unsigned char *b, size_t n, struct scan_out *o)
{
	uint32_t ntok = 0;
	const unsigned char *end = b + n, *p = b;
	size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
	if (n >= 4096 && __builtin_cpu_supports("avx2"))
		find_avx2(b, n, &i, &p, o, &ntok);
#endif
#ifdef __SSE2__
	const __m128i dot = _mm_set1_epi8('.'), s = _mm_set1_epi8('s'), oo = _mm_set1_epi8('o');
	while (n >= 18 && i <= n - 18) {
		__m128i a = _mm_loadu_si128((const __m128i *)(b + i));
		__m128i c1 = _mm_loadu_si128((const __m128i *)(b + i + 1));
		__m128i c2 = _mm_loadu_si128((const __m128i *)(b + i + 2));
		__m128i m = _mm_and_si128(_mm_cmpeq_epi8(a, dot),
					  _mm_and_si128(_mm_cmpeq_epi8(c1, s), _mm_cmpeq_epi8(c2, oo)));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		while (bits) {
			const unsigned char *hit = b + i + (unsigned)__builtin_ctz(bits);
			bits &= bits - 1;
			if (hit < p)
				continue;       /* inside the last token */
			p = token(b, end, hit, o, &ntok);
		}
		i += 16;
		if (b + i < p)          /* skip what the last token covered */
			i = (size_t)(p - b);
	}
#endif
	for (; i + 3 <= n; i++) {
		const unsigned char *hit = b + i;
		if (hit < p || hit[0] != '.' || hit[1] != 's' || hit[2] != 'o')
			continue;
		p = token(b, end, hit, o, &ntok);
	}
	return ntok;
}

struct scan_job {
	struct tree *t;
	const uint32_t *files;
	size_t n;
	struct tree_tokens *res;        /* per file */
	atomic_size_t next;
};

/* Sections a dlopen's argument can sit in: loaded (SHF_ALLOC), not code,
 * with bytes in the file -- .rodata, .data, .data.rel.ro and the like,
 * and the string tables .dynstr and .gnu.version_r name libraries in.
 * Not these, loaded but never a C string: unwind tables, the GOT, CUDA
 * fat binaries (a GB in the CUDA libraries; fatbin.c reads them), Go's
 * pc-line table.  On /usr that is 1.8 GB of the live objects' 5.9. */
static bool string_section(const char *name, const GElf_Shdr *sh)
{
	static const char *const never[] = {
		".eh_frame", ".eh_frame_hdr", ".gcc_except_table", ".got", ".got.plt",
		".nv_fatbin", "__nv_relfatbin", ".gopclntab",
	};
	if (!(sh->sh_flags & SHF_ALLOC) || (sh->sh_flags & SHF_EXECINSTR) ||
	    (sh->sh_type != SHT_PROGBITS && sh->sh_type != SHT_STRTAB))
		return false;
	for (size_t k = 0; name && k < sizeof never / sizeof *never; k++)
		if (!strcmp(name, never[k]))
			return false;
	return true;
}

/*
 * Bytes [off, off+len) of fd searched through buf (SCAN_READ bytes), read
 * with pread(): a mapping of each file, its pages populated then torn
 * down (with a TLB shootdown on the other thread's core each time) cost
 * more kernel time than copying the bytes, which then are searched from
 * the cache.  A token must not be cut by the buffer's end: each read
 * but the last is searched up to its last byte that is not a token
 * character, and the rest is carried to the front of the next.  A run
 * of token characters that fills the whole buffer is dropped: a token
 * names a file (NAME_MAX) or is a pattern (tree-live.c's as_pattern()
 * takes under 256 bytes), never 256 KiB.
 */
static uint32_t scan_range(int fd, uint64_t off, uint64_t len, unsigned char *buf,
			   struct scan_out *o)
{
	uint32_t ntok = 0;
	size_t keep = 0;        /* bytes carried at the front of buf */
	bool skipping = false;  /* inside a run longer than the buffer */
	uint64_t done = 0;
	while (done < len) {
		size_t want = SCAN_READ - keep;
		if (want > len - done)
			want = (size_t)(len - done);
		size_t got = 0;
		ssize_t k;
		while (got < want &&
		       (k = pread(fd, buf + keep + got, want - got, (off_t)(off + done + got))) > 0)
			got += (size_t)k;
		done += got;
		bool last = done >= len || got < want;   /* the end, or it shrank */
		unsigned char *p = buf;
		size_t n = keep + got;
		if (skipping) {         /* the long run's rest */
			while (n && tok_char(*p))
				p++, n--;
			skipping = !n && !last;
		}
		size_t cut = n;
		if (!last) {
			while (cut && tok_char(p[cut - 1]))
				cut--;
			if (!cut) {     /* one run fills the buffer */
				skipping = true;
				keep = 0;
				continue;
			}
		}
		ntok += find_tokens(p, cut, o);
		if (last)
			break;
		keep = n - cut;
		memmove(buf, p + cut, keep);
	}
	return ntok;
}

/* An ELF file's string sections, each searched on its own (a token
 * never runs past its section).  false when the file has no usable
 * section table: then the caller searches every byte, as it does for
 * any other file.  libelf reads the headers (ELF_C_READ: with pread,
 * the section headers and names when asked). */
static bool scan_elf(int fd, size_t n, unsigned char *buf, struct scan_out *o, uint32_t *ntok)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstrndx;
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx) ||
	    !elf_getscn(e, 1)) {
		if (e)
			elf_end(e);
		return false;
	}
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS || !sh.sh_size ||
		    sh.sh_offset > n || sh.sh_size > n - sh.sh_offset ||
		    !string_section(elf_strptr(e, shstrndx, sh.sh_name), &sh))
			continue;
		*ntok += scan_range(fd, sh.sh_offset, sh.sh_size, buf, o);
	}
	elf_end(e);
	return true;
}

static void scan_file(struct tree *t, const struct tfile *f, unsigned char *buf,
		      struct scan_out *o, struct tree_tokens *res)
{
	res->first = o->npool;
	res->n = 0;
	if (!f->size)
		return;
	int fd = openat(t->rootfd, f->rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return;
	}
	size_t n = (size_t)st.st_size;
	if (f->cat == TC_ELF && scan_elf(fd, n, buf, o, &res->n)) {
		close(fd);
		return;
	}
	res->first = o->npool;   /* a failed scan_elf() found nothing */
	res->n = scan_range(fd, 0, n, buf, o);
	close(fd);
}

static void *scan_thread(void *arg)
{
	struct scan_job *j = arg;
	struct scan_out *o = xcalloc(1, sizeof *o);
	unsigned char *buf = xmalloc(SCAN_READ);
	size_t k;
	while ((k = atomic_fetch_add(&j->next, 1)) < j->n) {
		uint32_t i = j->files[k];
		const struct tree_tokens *pre = j->t->tok ? &j->t->tok[i] : NULL;
		_Atomic unsigned char *st = j->t->pre.state;
		if (st && atomic_load(&st[i]) != 2) {
			unsigned char free_ = 0;
			if (atomic_compare_exchange_strong(&st[i], &free_, 1))
				pre = NULL;      /* ours: the prescan will not take it */
			else                 /* the prescan's, in flight: a moment */
				while (atomic_load(&st[i]) != 2)
					sched_yield();
		}
		if (pre && pre->pool) {   /* typing or the prescan read it */
			j->res[k] = *pre;
			continue;
		}
		scan_file(j->t, &j->t->f[i], buf, o, &j->res[k]);
		j->res[k].pool = o;
	}
	free(buf);
	return o;
}

void *tree_pool_new(void)
{
	return xcalloc(1, sizeof(struct scan_out));
}

void *tree_pool_wrap(const char *p, size_t n)
{
	struct scan_out *o = xcalloc(1, sizeof *o);
	o->pool = (char *)p;    /* read only: nothing adds to this pool */
	o->npool = n;
	return o;
}

void tree_pool_unwrap(void *pool)
{
	free(pool);
}

void tree_tokens_of(const unsigned char *b, size_t n, void *pool, struct tree_tokens *res)
{
	struct scan_out *o = pool;
	res->first = o->npool;
	res->n = find_tokens(b, n, o);
	res->pool = o;
}

void tree_scan_tokens(struct tree *t, const uint32_t *files, size_t n,
		      struct tree_tokens *res, struct tree_pools *pools)
{
	struct scan_job j = {t, files, n, res, 0};
	elf_version(EV_CURRENT);   /* before the threads: scan_elf() */
	pthread_t th;
	bool two = n > 1 && !pthread_create(&th, NULL, scan_thread, &j);
	pools->v[0] = scan_thread(&j);
	pools->v[1] = NULL;
	pools->v[2] = NULL;
	if (two)
		pthread_join(th, &pools->v[1]);
	/* the prescan's pool grows while it runs: stopped before the
	 * tokens are read */
	tree_prescan_end(t);
}

void tree_prescan_init(struct tree *t)
{
	struct tree_prescan *p = &t->pre;
	elf_version(EV_CURRENT);   /* before the prescan's thread: scan_elf() */
	p->state = xcalloc(t->n + 1, sizeof *p->state);
	/* a file whose tokens typing found (a Python file) or the per-file
	 * cache gave is done: the scan takes them as they are (claiming it
	 * threw a typed Python file's tokens away and read it again) */
	for (size_t i = 0; t->tok && i < t->n; i++)
		if (t->tok[i].pool)
			atomic_init(&p->state[i], 2);
	atomic_init(&p->stop, false);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->started = true;
	p->finished = false;
}

void tree_prescan(struct tree *t)
{
	struct tree_prescan *p = &t->pre;
	struct scan_out *o = tree_pool_new();
	unsigned char *buf = xmalloc(SCAN_READ);
	for (size_t i = 0; i < t->n && !atomic_load(&p->stop); i++) {
		unsigned char free_ = 0;
		if (t->f[i].cat != TC_ELF || t->tok[i].pool ||
		    !atomic_compare_exchange_strong(&p->state[i], &free_, 1))
			continue;
		struct tree_tokens r;
		scan_file(t, &t->f[i], buf, o, &r);
		r.pool = o;
		t->tok[i] = r;
		atomic_store(&p->state[i], 2);
	}
	free(buf);
	pthread_mutex_lock(&p->mu);
	t->pools.v[2] = o;
	p->finished = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void tree_prescan_end(struct tree *t)
{
	struct tree_prescan *p = &t->pre;
	if (!p->started)
		return;
	atomic_store(&p->stop, true);
	pthread_mutex_lock(&p->mu);
	while (!p->finished)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void tree_prescan_free(struct tree *t)
{
	struct tree_prescan *p = &t->pre;
	if (!p->started)
		return;
	free(p->state);
	p->state = NULL;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	p->started = false;
}

const char *tree_tokens_first(const struct tree_tokens *r)
{
	const struct scan_out *o = r->pool;
	return r->n ? o->pool + r->first : NULL;
}

void tree_tokens_of_fd(int fd, uint64_t off, uint64_t len, void *pool, struct tree_tokens *res)
{
	struct scan_out *o = pool;
	unsigned char *buf = xmalloc(SCAN_READ);
	res->first = o->npool;
	res->n = scan_range(fd, off, len, buf, o);
	res->pool = o;
	free(buf);
}

void tree_pools_free(struct tree_pools *pools)
{
	for (int i = 0; i < 3; i++) {
		struct scan_out *o = pools->v[i];
		if (o)
			free(o->pool);
		free(o);
		pools->v[i] = NULL;
	}
}
