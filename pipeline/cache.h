/*
 * cache.h - `slim report --cache DIR` (issue #14): an unchanged re-run
 * of a deployable's report costs a walk and a lookup.
 *
 * What is cached is the run's whole result, the report graph as its
 * slim-report/1 JSON plus the warnings the run printed, under a key that
 * holds everything the result depends on (cache.c says how each part is
 * made):
 *
 *   - the analyzer: SLIM_VERSION and the identity of the running binary
 *     (device, inode, size, mtime, ctime of /proc/self/exe), so a rebuilt
 *     slim never reads an older one's results;
 *   - the command line, every argument but --cache's and the output
 *     paths' values (-o, --html, --svg, --prune-list: where the result
 *     goes, not what it is; whether each is given stays in the key);
 *   - every argument naming a directory (the deployable, a --py-root):
 *     each entry under it, at any depth, by its path and (mode, device,
 *     inode, size, mtime, ctime, links); every argument naming a file (an
 *     archive or image, a trace, a map, a --files-from list) by its
 *     content's XXH3-128 (libxxhash) and its size.
 *
 * A deployable is its own root file system, so its result depends on
 * files inside it only (a library a program loads is an entry of the same
 * walk): any file touched, replaced, added or removed makes another key.
 * An input that is not a deployable (an ELF file is resolved against the
 * host's libraries) is refused: rcache_key() says so and the run goes on
 * uncached.  What a result is stored as, and what a reader checks before
 * trusting it, is in cache.c.
 */
#ifndef SLIM_CACHE_H
#define SLIM_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct diag;
struct graph;
struct diag_list;

struct rcache {
	char json[4096];       /* DIR/KEY.json: the report */
	char meta[4096];       /* DIR/KEY.meta: its digest and the warnings */
	char key[33];          /* 32 hex digits */
	char run[33];          /* the key without the contents: the same
				* command on the same paths (eviction) */
	char dir[4096];
};

/*
 * The key of this run (argv: the command's arguments, argv[0] the
 * command) into c.  inputs: the positional inputs after --files-from.
 * 0; or -1 with one warning in w saying why this run is not cached (an
 * input that is no deployable, DIR unusable), and c unset.
 */
int rcache_key(struct rcache *c, const char *dir, int argc, char *const *argv,
	       char *const *inputs, size_t ninputs, struct diag_list *w);

/*
 * The cached result, if any: 1 with the JSON mapped (*p, *n; release it
 * with rcache_release()) and the warnings text (*warn, malloc'd,
 * NUL-terminated, possibly empty); 0 when there is none.  An entry that
 * is truncated, corrupt or not for this key is never trusted: one
 * warning in w, and 0.
 */
int rcache_get(const struct rcache *c, const char **p, size_t *n, char **warn,
	       struct diag_list *w);
void rcache_release(const char *p, size_t n);

/*
 * Store a result: the report JSON already written at json_path (a
 * regular file: copied into the cache), or with json_path NULL the graph
 * g serialized (graph_write_json()), and the warnings text.  Both files
 * are written beside their targets and renamed (ofile), the report
 * first, so a reader sees an old entry, a new one or a mismatch it
 * refuses.  Then the entries of the same command on the same paths
 * under another key (their inputs have changed since: never read again)
 * are removed, so DIR holds one entry per command.  0, or -1 with d set.
 */
int rcache_put(const struct rcache *c, const char *json_path, const struct graph *g,
	       const char *warn, struct diag *d);

#endif
