/*
 * ids.h - the one place node ids, node kinds and edge kinds are made.
 *
 * Every command names the same thing the same way (DESIGN.md, "The
 * graph"), so a baseline made by one command diffs against a report made
 * by another.  The rule:
 *
 *   1. an ELF file analyzed on its own or resolved on the host is
 *      `exe:NAME` (a program: the kernel would start it, it has PT_INTERP or
 *      is a static PIE) or `lib:SONAME` (a shared library; its file name
 *      when it has no DT_SONAME); relocatable objects, archives and bare
 *      fatbins are `obj:NAME`, archive members `obj:AR(MEMBER)`;
 *   2. inside a deployable every file-backed id is `KIND:PATH`, PATH
 *      relative to the deployable's root (two files may share a SONAME);
 *   3. things inside a file take the file's id without its `KIND:` as their
 *      owner: `sec:OWNER:NAME` (`#N` from the second section of one name),
 *      `gpu:OWNER:ARCH:N` (N counts the file's fatbin entries from 1, as
 *      cuobjdump numbers them), `kern:OWNER:ARCH:NAME`, `sym:LIB:NAME`;
 *   4. Python: `py:MODULE`, `pydist:NAME`, `trace:FILE` (`#K` for the K-th
 *      trace of one file name).
 *
 * Paths, sizes and the like never go into an id (attrs carry them) except
 * the deployable paths of rule 2.  Strings returned are interned in the
 * graph and live until graph_free().
 */
#ifndef SLIM_IDS_H
#define SLIM_IDS_H

#include <stdbool.h>
#include <stddef.h>

struct graph;

/* node kinds */
#define NK_EXE "exe"
#define NK_LIB "lib"
#define NK_OBJECT "object"
#define NK_SECTION "section"
#define NK_GPU "gpu"
#define NK_KERNEL "kernel"
#define NK_MODULE "module"
#define NK_TRACE "trace"
#define NK_DIST "distribution"
#define NK_SYMBOL "symbol"
#define NK_FILE "file"
#define NK_OTHER "other"

/* edge kinds */
#define EK_NEEDS "needs"
#define EK_BINDS "binds"
#define EK_INCLUDES "includes"
#define EK_PULLS "pulls"
#define EK_CONTAINS "contains"
#define EK_IMPORTS "imports"
#define EK_LOADS "loads"
#define EK_DLOPENS "dlopens"

/* id prefixes (without the colon) */
#define IDP_EXE "exe"
#define IDP_LIB "lib"
#define IDP_OBJ "obj"
#define IDP_SEC "sec"
#define IDP_GPU "gpu"
#define IDP_KERN "kern"
#define IDP_SYM "sym"
#define IDP_PY "py"
#define IDP_DIST "pydist"
#define IDP_TRACE "trace"
#define IDP_FILE "file"

/* Rule 1: the id of an ELF file.  `is_exe` as the ELF analyzer classifies
 * the file (a program the kernel starts); soname NULL or "" for none;
 * path_or_name: its path (only the last component is used). */
const char *ids_elf(struct graph *g, bool is_exe, const char *soname,
		    const char *path_or_name);
/* The node kind that goes with ids_elf()'s id. */
const char *ids_elf_kind(bool is_exe);
/* Rule 2: "PREFIX:PATH" of a file inside a deployable, PATH relative to
 * its root (a leading "./" or "/" dropped) */
const char *ids_path(struct graph *g, const char *prefix, const char *relpath);
/* "obj:NAME" of a relocatable object, archive or bare fatbin (last path
 * component of path) */
const char *ids_object(struct graph *g, const char *path);
/* "obj:AR(MEMBER)" (AR: last path component) */
const char *ids_member(struct graph *g, const char *archive, const char *member);
/* The same two rules into an arena, for a parsed model that is not a
 * graph yet (linkmap/: its linker inputs carry their future node ids). */
struct arena;
const char *ids_object_in(struct arena *a, const char *name);
const char *ids_member_in(struct arena *a, const char *archive, const char *member);
/* "sec:OWNER:NAME" (name_len bytes of name), "#N" from the second section
 * of one name (nth > 1) */
const char *ids_section(struct graph *g, const char *owner, const char *name,
			size_t name_len, size_t nth);
/* "trace:FILE" of a trace's path, "#K" for the K-th of one file name */
const char *ids_trace(struct graph *g, const char *path, int k);
/* "KIND:REST" for an id prefix and a string already in the right form */
const char *ids_make(struct graph *g, const char *prefix, const char *rest);
/* "gpu:OWNER:ARCH:N", n from 1 */
const char *ids_gpu(struct graph *g, const char *owner, const char *arch, size_t n);
/* "kern:OWNER:ARCH:NAME" */
const char *ids_kernel(struct graph *g, const char *owner, const char *arch,
		       const char *name);
/* "py:NAME" of a module of name_len bytes */
const char *ids_module(struct graph *g, const char *name, size_t name_len);
/* The owner part of a file id: what follows "KIND:" (the whole id when it
 * has no colon).  Points into id. */
const char *ids_owner(const char *id);
/* true when id starts with "PREFIX:" */
bool ids_has_prefix(const char *id, const char *prefix);

#endif
