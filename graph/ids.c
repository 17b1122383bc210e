/*
 * ids.c - node ids made by one rule (see ids.h for the rule and
 * DESIGN.md's table of kinds).  Each builder interns its result in the
 * graph; none of them validates what it is given beyond what the format
 * needs, since the callers hold names read and checked by their parsers.
 */
#include "ids.h"
#include "graph.h"
#include "../common/arena.h"
#include "../common/hmap.h"
#include "../common/util.h"

#include <string.h>

const char *ids_elf_kind(bool is_exe)
{
	return is_exe ? NK_EXE : NK_LIB;
}

const char *ids_elf(struct graph *g, bool is_exe, const char *soname,
		    const char *path_or_name)
{
	if (is_exe)
		return graph_strf(g, IDP_EXE ":%s", path_base(path_or_name));
	if (soname && soname[0])
		return graph_strf(g, IDP_LIB ":%s", soname);
	return graph_strf(g, IDP_LIB ":%s", path_base(path_or_name));
}

const char *ids_path(struct graph *g, const char *prefix, const char *relpath)
{
	while (relpath[0] == '/' || (relpath[0] == '.' && relpath[1] == '/'))
		relpath += relpath[0] == '/' ? 1 : 2;
	size_t pl = strlen(prefix), rl = strlen(relpath);
	char small[512];
	char *s = pl + 1 + rl < sizeof small ? small : xmalloc(pl + 1 + rl + 1);
	memcpy(s, prefix, pl);   /* (a deployable's 140k ids: no printf) */
	s[pl] = ':';
	memcpy(s + pl + 1, relpath, rl);
	const char *r = strtab_intern(&g->strs, s, pl + 1 + rl);
	if (s != small)
		free(s);
	return r;
}

const char *ids_object(struct graph *g, const char *path)
{
	return graph_strf(g, IDP_OBJ ":%s", path_base(path));
}

const char *ids_member(struct graph *g, const char *archive, const char *member)
{
	return graph_strf(g, IDP_OBJ ":%s(%s)", path_base(archive), member);
}

const char *ids_object_in(struct arena *a, const char *name)
{
	return arena_printf(a, IDP_OBJ ":%s", name);
}

const char *ids_member_in(struct arena *a, const char *archive, const char *member)
{
	return arena_printf(a, IDP_OBJ ":%s(%s)", path_base(archive), member);
}

const char *ids_section(struct graph *g, const char *owner, const char *name,
			size_t name_len, size_t nth)
{
	if (nth > 1)
		return graph_strf(g, IDP_SEC ":%s:%.*s#%zu", owner, (int)name_len, name, nth);
	return graph_strf(g, IDP_SEC ":%s:%.*s", owner, (int)name_len, name);
}

const char *ids_trace(struct graph *g, const char *path, int k)
{
	if (k > 1)
		return graph_strf(g, IDP_TRACE ":%s#%d", path_base(path), k);
	return graph_strf(g, IDP_TRACE ":%s", path_base(path));
}

const char *ids_make(struct graph *g, const char *prefix, const char *rest)
{
	return graph_strf(g, "%s:%s", prefix, rest);
}

const char *ids_gpu(struct graph *g, const char *owner, const char *arch, size_t n)
{
	return graph_strf(g, IDP_GPU ":%s:%s:%zu", owner, arch, n);
}

const char *ids_kernel(struct graph *g, const char *owner, const char *arch,
		       const char *name)
{
	return graph_strf(g, IDP_KERN ":%s:%s:%s", owner, arch, name);
}

const char *ids_module(struct graph *g, const char *name, size_t name_len)
{
	return graph_strf(g, IDP_PY ":%.*s", (int)name_len, name);
}

const char *ids_owner(const char *id)
{
	const char *c = strchr(id, ':');
	return c ? c + 1 : id;
}

bool ids_has_prefix(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncmp(id, prefix, n) && id[n] == ':';
}
