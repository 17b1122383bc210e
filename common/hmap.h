/*
 * hmap.h - the one hash map: byte-string keys to void* values.
 *
 * Open addressing with linear probing, power-of-two capacity, load <= 1/2.
 * Keys are NOT copied: the caller keeps each key's bytes alive as long as
 * the map (intern them in an arena, or point into a mapped file).  Values
 * are opaque.  Iteration order is the slot order, i.e. not meaningful; sort
 * before printing anything a user sees.
 *
 *     struct hmap m = {0};
 *     hmap_put(&m, key, len, val);
 *     void *v = hmap_get(&m, key, len);      // NULL if absent
 *     for (size_t i = 0; i < m.cap; i++) if (m.slots[i].key) ...
 *     hmap_free(&m);
 */
#ifndef SLIM_HMAP_H
#define SLIM_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct hmap_slot {
	const char *key;   /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *val;
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap, n;
};

uint64_t hmap_hash(const void *key, size_t len);
void *hmap_get(const struct hmap *m, const char *key, size_t len);
/* Pointer to the value slot for key, or NULL. */
void **hmap_getp(const struct hmap *m, const char *key, size_t len);
/* Insert or replace.  Returns the previous value (NULL if new). */
void *hmap_put(struct hmap *m, const char *key, size_t len, void *val);
/* Value slot for key, inserting NULL if absent; *created says which. */
void **hmap_slot(struct hmap *m, const char *key, size_t len, bool *created);
void hmap_free(struct hmap *m);
/* Room for n more entries without rehashing (an inventory of 140k
 * files grows a table through 17 rehashes otherwise). */
void hmap_reserve(struct hmap *m, size_t n);

/* Convenience for NUL-terminated keys. */
static inline void *hmap_gets(const struct hmap *m, const char *k)
{
	return hmap_get(m, k, strlen(k));
}

/* String interning on top of hmap + arena: equal strings, one pointer. */
struct arena;
struct strtab {
	struct hmap map;
	struct arena *arena;
};
const char *strtab_intern(struct strtab *t, const char *s, size_t len);
static inline const char *strtab_ins(struct strtab *t, const char *s)
{
	return strtab_intern(t, s, strlen(s));
}
void strtab_free(struct strtab *t);  /* frees the map, not the arena */

#endif
