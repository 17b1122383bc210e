/* gvload.c - see gvload.h. */
#define GVLOAD_NO_REDIRECT
#include "gvload.h"
#include "../common/diag.h"

#include <dlfcn.h>

struct gvapi gvapi;

int gv_load(struct diag *d)
{
	static int state;   /* 0 not tried, 1 loaded, -1 failed */
	static struct diag err;
	if (state) {
		if (state < 0)
			*d = err;
		return state > 0 ? 0 : -1;
	}
	state = -1;
	void *cg = dlopen("libcgraph.so.6", RTLD_NOW | RTLD_GLOBAL);
	void *gv = cg ? dlopen("libgvc.so.6", RTLD_NOW | RTLD_GLOBAL) : NULL;
	if (!cg || !gv) {
		diag_err(&err, NULL, "graphviz is needed to draw graphs: %s "
			 "(apt-get install libgvc6)", dlerror());
		*d = err;
		return -1;
	}
#define SYM(h, name)                                                         \
	do {                                                                 \
		*(void **)&gvapi.name = dlsym(h, #name);                    \
		if (!gvapi.name) {                                           \
			diag_err(&err, NULL, "graphviz lacks %s", #name);    \
			*d = err;                                            \
			return -1;                                           \
		}                                                            \
	} while (0)
	SYM(cg, agopen); SYM(cg, agclose); SYM(cg, agwrite); SYM(cg, agnode);
	SYM(cg, agedge); SYM(cg, agattr); SYM(cg, agsafeset); SYM(cg, agsubg);
	SYM(cg, agseterr); SYM(cg, agseterrf); SYM(cg, Agdirected);
	SYM(gv, gvContext); SYM(gv, gvLayout); SYM(gv, gvRenderData);
	SYM(gv, gvFreeRenderData); SYM(gv, gvFreeLayout); SYM(gv, gvFreeContext);
#undef SYM
	state = 1;
	return 0;
}
