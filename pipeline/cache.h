/*
 * cache.h - `slim report --cache DIR` (issue #14): an unchanged re-run
 * of a deployable's report costs a walk and a lookup.
 *
 * What is cached is the run's whole result: the exact bytes of every
 * output it wrote (the report, text or JSON, to stdout or -o; the
 * --prune-list, --html and --svg files) plus the warnings it printed,
 * replayed as they were, under a key that holds everything the result
 * depends on (cache.c says how each part is made):
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
#include <stdint.h>

struct diag;
struct graph;
struct diag_list;

/* the outputs of a run, in the order `slim report` writes them */
enum rcache_out { RC_MAIN, RC_PRUNE, RC_HTML, RC_SVG, RC_NOUT };

struct rcache {
	char out[RC_NOUT][4096];   /* DIR/KEY.NAME: each output's bytes */
	char meta[4096];       /* DIR/KEY.meta: their digests and the warnings */
	char key[33];          /* 32 hex digits */
	char run[33];          /* the key without the contents: the same
				* command on the same paths (eviction) */
	char dir[4096];
	/* an entry of a directory named changed too close to the run for
	 * its times to tell a later change (rcache_racy()): the result is
	 * not stored; the newest such entry (its path relative to the
	 * directory) and how long before the run it changed */
	bool racy;
	char racy_path[2 * 4096 + 2];
	long racy_ms;
	int64_t racy_sec;
	long racy_nsec;
};

/*
 * The key of this run (argv: the command's arguments, argv[0] the
 * command) into c.  inputs: the positional inputs after --files-from.
 * 0; or -1 with one warning in w saying why this run is not cached (an
 * input that is no deployable, DIR unusable), and c unset.
 */
int rcache_key(struct rcache *c, const char *dir, int argc, char *const *argv,
	       char *const *inputs, size_t ninputs, struct diag_list *w);

/* one output of an entry: open on the entry's file (fd -1: none), its
 * size and the XXH3-128 of its bytes, read when it was opened */
struct rcache_src {
	const char *path;   /* the entry's file (the caller's string) */
	int fd;
	uint64_t n;
	unsigned long long hi, lo;
	bool present;   /* the run wrote it (an empty output is present) */
};

/* what a hit holds: each output the run wrote, its bytes checked against
 * the meta's size and digest; and the warnings text (malloc'd,
 * NUL-terminated) */
struct rcache_hit {
	struct rcache_src out[RC_NOUT];
	char *warn;
};

/*
 * The cached result, if any: 1 with h filled (release it with
 * rcache_release()); 0 when there is none.  An entry that is truncated,
 * corrupt or not for this key is never trusted: one warning in w, and 0.
 */
int rcache_get(const struct rcache *c, struct rcache_hit *h, struct diag_list *w);
void rcache_release(struct rcache_hit *h);

/* The entry's file at path (c->out[k], once a run has rendered output k
 * there) into s, read for its size and digest: 0, or -1 with d set. */
int rcache_src_open(const char *path, struct rcache_src *s, struct diag *d);
void rcache_src_close(struct rcache_src *s);

/*
 * Output s delivered to `to` ("-": stdout): when `to` is a regular file
 * of one link that holds those bytes already (its size and digest), it
 * is left as it is, its mtime set to now (as a rewrite would: make sees
 * a fresh output) -- a hit's report of tens of MB is, run after run, the
 * one already there; otherwise copied there through ofile (a temporary
 * beside it, renamed).  0, or -1 with d set.
 */
int rcache_deliver(const struct rcache_src *s, const char *to, struct diag *d);

/*
 * Store a result: the outputs already written into c->out[k] for each k
 * with present[k] (the caller rendered them there, through ofile) and
 * the warnings text.  Each is read back for its size and digest, then
 * the meta is written beside its target and renamed (ofile), last, so a
 * reader sees an old entry, a new one or a mismatch it refuses.  Then
 * the entries of the same command on the same paths under another key
 * (their inputs have changed since: never read again) are removed, so
 * DIR holds one entry per command.  0, or -1 with d set.
 */
int rcache_put(const struct rcache *c, const bool present[RC_NOUT], const char *warn,
	       struct diag *d);

/*
 * Whether a file whose ctime is (sec, nsec) may still change without
 * its times showing it, seen from a walk that started at `start`
 * (CLOCK_REALTIME): the kernel stamps a change with the time of the
 * last clock tick (and a file system's granularity: whole seconds on
 * some), so a second change within the tick of the first keeps every
 * time and, often, the size.  A result read from the file's bytes is
 * then stored only once its ctime is older than the walk by more than a
 * tick (20 ms, or twice the coarse clock's resolution if that is more)
 * -- or 2 s when the ctime has no fraction (a file system of whole
 * seconds, FAT's two).  Git's "racily clean" entries, the same problem.
 * (Linux 6.13's multigrain timestamps make a change after a stat always
 * show; older kernels, Debian 12's 6.1 among them, do not.)
 * SLIM_RACY_MS=N sets the margin to N ms for every file (tests: a window
 * wide enough that a file changed just before is racy under any load).
 */
struct timespec;
bool rcache_racy(int64_t sec, long nsec, const struct timespec *start);

/* slim's identity (SLIM_VERSION and the running binary's device,
 * inode, size, mtime, ctime) as 32 hex digits: what the per-file cache
 * (tree-cache.c) is valid for */
void rcache_identity(char hex[33]);

#endif
