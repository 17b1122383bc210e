/*
 * gvload.h - graphviz (cgraph + gvc) loaded on first use with dlopen.
 *
 * Linking libgvc made every slim process load and relocate nine shared
 * libraries (libgvc, libcgraph, libcdt, libpathplan, libltdl, libexpat,
 * libz, libm, ...) even to print --version, which doubled the start-up of
 * the per-file commands that scripts and the libtree benchmark run.  Only
 * rendering needs graphviz, so graph/dot.c calls it through this table,
 * filled by gv_load() the first time a graph is drawn.  Include after
 * <graphviz/cgraph.h> and <graphviz/gvc.h>: the names below then refer to
 * the table.
 */
#ifndef SLIM_GVLOAD_H
#define SLIM_GVLOAD_H

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

struct diag;

struct gvapi {
	Agraph_t *(*agopen)(char *, Agdesc_t, Agdisc_t *);
	int (*agclose)(Agraph_t *);
	int (*agwrite)(Agraph_t *, void *);
	Agnode_t *(*agnode)(Agraph_t *, char *, int);
	Agedge_t *(*agedge)(Agraph_t *, Agnode_t *, Agnode_t *, char *, int);
	Agsym_t *(*agattr)(Agraph_t *, int, char *, char *);
	int (*agsafeset)(void *, char *, char *, char *);
	Agraph_t *(*agsubg)(Agraph_t *, char *, int);
	agerrlevel_t (*agseterr)(agerrlevel_t);
	agusererrf (*agseterrf)(agusererrf);
	Agdesc_t *Agdirected;
	GVC_t *(*gvContext)(void);
	int (*gvLayout)(GVC_t *, graph_t *, const char *);
	int (*gvRenderData)(GVC_t *, graph_t *, const char *, char **, unsigned int *);
	void (*gvFreeRenderData)(char *);
	int (*gvFreeLayout)(GVC_t *, graph_t *);
	int (*gvFreeContext)(GVC_t *);
};

extern struct gvapi gvapi;

/* Load libgvc.so.6 and libcgraph.so.6 (once).  0, or -1 with d saying
 * which library or symbol is missing and what to install. */
int gv_load(struct diag *d);

#ifndef GVLOAD_NO_REDIRECT
#define agopen gvapi.agopen
#define agclose gvapi.agclose
#define agwrite gvapi.agwrite
#define agnode gvapi.agnode
#define agedge gvapi.agedge
#define agattr gvapi.agattr
#define agsafeset gvapi.agsafeset
#define agsubg gvapi.agsubg
#define agseterr gvapi.agseterr
#define agseterrf gvapi.agseterrf
#undef Agdirected
#define Agdirected (*gvapi.Agdirected)
#define gvContext gvapi.gvContext
#define gvLayout gvapi.gvLayout
#define gvRenderData gvapi.gvRenderData
#define gvFreeRenderData gvapi.gvFreeRenderData
#define gvFreeLayout gvapi.gvFreeLayout
#define gvFreeContext gvapi.gvFreeContext
#endif

#endif
