/*
 * memlimit.h - the memory one slim run may use (--max-memory).
 *
 * No input may make slim allocate without bound: a decompression bomb, a
 * JSON report of a billion nodes, a map with absurd counts.  The bound is
 * enforced by the kernel: RLIMIT_DATA (Linux >= 4.7) covers brk, anonymous
 * mappings and private writable file mappings, so every allocation -- slim's
 * own and those inside libelf, libdw, jansson, pcre2, zlib -- fails once the
 * run has used its budget, and slim stops with one line naming the input it
 * was reading (memlimit_fail) instead of being killed by the OOM killer.
 *
 * The budget is --max-memory SIZE when given, else 256 MiB plus 16 times
 * the bytes of input read so far (every file mapped by mfile, every stream
 * read whole).  Input mappings themselves (MAP_PRIVATE|PROT_WRITE, counted
 * by RLIMIT_DATA) are added to the limit on top of the budget, so mapping a
 * 2 GB library costs no budget.  The limit is never raised above a soft
 * RLIMIT_DATA the user already set.
 *
 * In sanitizer builds (ASan reserves terabytes of shadow memory that
 * RLIMIT_DATA would count) the limit is not enforced; an explicit
 * --max-memory then says so in a warning.
 */
#ifndef SLIM_MEMLIMIT_H
#define SLIM_MEMLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMLIMIT_BASE (256ull << 20)
#define MEMLIMIT_PER_INPUT 16

/* Parse "512M", "2G", "65536", "64KiB", "unlimited" (0 = no limit).
 * Returns 0, or -1 when s is not a size. */
int memlimit_parse(const char *s, uint64_t *out);

/* Start enforcing: max = explicit budget, or 0 with is_default for the
 * default (256 MiB + 16x input); max = 0 without is_default: no limit. */
void memlimit_init(uint64_t max, bool is_default);

/* Drop the limit (before running a program the user named: `slim pydeps
 * record -- CMD` must not hand its budget to CMD). */
void memlimit_off(void);

/* Input bytes arrived: `mapped` ones stay mapped until memlimit_unmapped.
 * Call BEFORE the mmap (it raises the limit the mapping counts against). */
void memlimit_input(const char *path, uint64_t n, bool mapped);
void memlimit_unmapped(uint64_t n);

/* true when no limit is in force or at least `need` bytes are left under
 * it now (reads /proc/self/status).  For code that aborts rather than
 * failing cleanly when memory runs out: graphviz's text layout starts a
 * GLib thread and g_error()s if it cannot. */
bool memlimit_headroom(uint64_t need);

/* An allocation failed: with a limit in force, print
 * "slim: FILE: memory limit of N MiB reached (...)", remove half-written
 * outputs and exit 2; without one, return (the caller reports OOM). */
void memlimit_fail(size_t request);

#endif
