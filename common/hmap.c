/* hmap.c - see hmap.h.  Hash: 64-bit FNV-1a folded with a final mix
 * (splitmix64's finalizer) so that linear probing sees well-spread bits. */
#include "hmap.h"
#include "arena.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

uint64_t hmap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i = 0;
	/* 8 bytes at a time, then the tail */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= len;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static struct hmap_slot *find(const struct hmap *m, const char *key,
			      size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct hmap_slot *s = &m->slots[i];
		if (!s->key)
			return s;
		if (s->hash == h && s->len == len && !memcmp(s->key, key, len))
			return s;
	}
}

static void rehash(struct hmap *m, size_t ncap)
{
	struct hmap_slot *old = m->slots;
	size_t ocap = m->cap;
	/* written before it is read: a calloc'd table's pages are the
	 * shared zero page until written, and the copy on first write
	 * flushes the TLB of every CPU running this process (an IPI per
	 * page while another thread runs: 2% of a deployable's report) */
	m->slots = xreallocarray(NULL, ncap, sizeof *m->slots);
	memset(m->slots, 0, ncap * sizeof *m->slots);
	m->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
}

void **hmap_getp(const struct hmap *m, const char *key, size_t len)
{
	if (!m->n)
		return NULL;
	struct hmap_slot *s = find(m, key, len, hmap_hash(key, len));
	return s->key ? &s->val : NULL;
}

void *hmap_get(const struct hmap *m, const char *key, size_t len)
{
	void **p = hmap_getp(m, key, len);
	return p ? *p : NULL;
}

void **hmap_slot(struct hmap *m, const char *key, size_t len, bool *created)
{
	if ((m->n + 1) * 2 > m->cap)
		rehash(m, m->cap ? m->cap * 2 : 16);
	uint64_t h = hmap_hash(key, len);
	struct hmap_slot *s = find(m, key, len, h);
	if (created)
		*created = !s->key;
	if (!s->key) {
		s->key = key;
		s->len = len;
		s->hash = h;
		s->val = NULL;
		m->n++;
	}
	return &s->val;
}

void *hmap_put(struct hmap *m, const char *key, size_t len, void *val)
{
	void **v = hmap_slot(m, key, len, NULL);
	void *old = *v;
	*v = val;
	return old;
}

void hmap_reserve(struct hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	while ((m->n + n) * 2 > cap)
		cap *= 2;
	if (cap != m->cap)
		rehash(m, cap);
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

const char *strtab_intern(struct strtab *t, const char *s, size_t len)
{
	void **v = hmap_getp(&t->map, s, len);
	if (v)
		return *v;
	char *c = arena_strndup(t->arena, s, len);
	hmap_put(&t->map, c, len, c);
	return c;
}

void strtab_free(struct strtab *t)
{
	hmap_free(&t->map);
}
