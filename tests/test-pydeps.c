/*
 * test-pydeps.c - the Python parsers called directly: trace formats, the
 * blanking lexer and import tags, relative and dynamic imports, entry
 * points, zip central directories.  End-to-end proofs against CPython's
 * own answers (ast, pkgutil, sys.modules) and the pruning proof live in
 * tests/cli/test-pydeps-*.sh.
 */
#include "testutil.h"
#include "../common/arena.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../pipeline/pipeline.h"
#include "../pydeps/pyint.h"
#include "../pydeps/classify.h"

/* the pipeline with Python inputs only, as `slim pydeps` runs it: its
 * first error in d */
static int merge_py(struct graph *g, const struct pydeps_opts *o,
		    struct diag_list *w, struct diag *d)
{
	struct pipeline_opts po = {.py = *o, .no_gpu = true};
	struct diag_list errs = {0};
	int rc = pipeline_build(g, &po, NULL, 0, w, &errs);
	if (errs.n)
		*d = errs.v[0];
	diag_list_free(&errs);
	return rc;
}

static struct pytrace parse(const char *text, struct arena *a,
			    struct diag_list *w)
{
	struct pytrace t;
	pytrace_parse(&t, "t.txt", text, strlen(text), a, w);
	return t;
}

Test(pytrace, importtime_nesting_resolves_parents)
{
	struct arena a = {0};
	struct diag_list w = {0};
	struct pytrace t = parse(
		"import time: self [us] | cumulative | imported package\n"
		"import time:        10 |         10 |     c\n"
		"import time:        20 |         30 |   b\n"
		"noise from the program\n"
		"import time:         5 |         35 | a\n", &a, &w);
	cr_assert_str_eq(t.format, "importtime");
	cr_assert_eq(t.nmods, 3);
	cr_assert_str_eq(t.mods[0].name, "c");
	cr_assert_str_eq(t.mods[0].parent, "b");
	cr_assert_str_eq(t.mods[1].parent, "a");
	cr_assert_null(t.mods[2].parent);
	cr_assert_eq(t.mods[1].cum_us, 30);
	cr_assert_eq(w.n, 0);
	pytrace_free(&t);
	arena_free(&a);
}

Test(pytrace, malformed_importtime_line_is_a_warning_with_line)
{
	struct arena a = {0};
	struct diag_list w = {0};
	struct pytrace t = parse(
		"import time: self [us] | cumulative | imported package\n"
		"import time: x | 3 | y\n"
		"import time:    1 |    1 | ok\n", &a, &w);
	cr_assert_eq(t.nmods, 1);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(w.v[0].where, DIAG_LINE);
	cr_assert_eq(w.v[0].pos, 2);
	diag_list_free(&w);
	pytrace_free(&t);
	arena_free(&a);
}

Test(pytrace, verbose_loaders_and_paths)
{
	struct arena a = {0};
	struct diag_list w = {0};
	struct pytrace t = parse(
		"# installing zipimport hook\n"
		"import '_io' # <class '_frozen_importlib.BuiltinImporter'>\n"
		"# code object from '/x/__pycache__/j.cpython-311.pyc'\n"
		"import 'j' # <_frozen_importlib_external.SourceFileLoader object at 0x1>\n"
		"# extension module '_k' loaded from '/x/_k.so'\n"
		"import '_k' # <_frozen_importlib_external.ExtensionFileLoader object at 0x2>\n",
		&a, &w);
	cr_assert_str_eq(t.format, "verbose");
	cr_assert_eq(t.nmods, 3);
	cr_assert_eq(t.mods[0].loader, PYL_BUILTIN);
	cr_assert_eq(t.mods[1].loader, PYL_SOURCE);
	cr_assert_str_eq(t.mods[1].path, "/x/__pycache__/j.cpython-311.pyc");
	cr_assert_eq(t.mods[2].loader, PYL_EXTENSION);
	cr_assert_str_eq(t.mods[2].path, "/x/_k.so");
	pytrace_free(&t);
	arena_free(&a);
}

Test(pytrace, list_and_record_formats)
{
	struct arena a = {0};
	struct diag_list w = {0};
	struct pytrace t = parse("# sys.modules\nos\nos.path <module>\n\n9bad\n", &a, &w);
	cr_assert_str_eq(t.format, "list");
	cr_assert_eq(t.nmods, 2);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(w.v[0].pos, 5);
	pytrace_free(&t);
	struct pytrace r = parse("# slim-pytrace/1\nmodule\tjson\t/x/json/__init__.py\n"
				 "open\t/data/in.txt\nbogus\n", &a, &w);
	cr_assert_str_eq(r.format, "record");
	cr_assert_eq(r.nmods, 1);
	cr_assert_str_eq(r.mods[0].path, "/x/json/__init__.py");
	cr_assert_eq(r.nopened, 1);
	cr_assert_eq(w.n, 2);
	diag_list_free(&w);
	pytrace_free(&r);
	arena_free(&a);
}

/* a pyset holding pkg, pkg.sub, pkg.sub.leaf, other, plug.a, plug.b */
static void small_set(struct pyset *s)
{
	memset(s, 0, sizeof *s);
	int p = pyset_add_mod(s, "pkg", 0, -1);
	s->mods[p].is_pkg = true;
	int sub = pyset_add_mod(s, "pkg.sub", 0, p);
	s->mods[sub].is_pkg = true;
	pyset_add_mod(s, "pkg.sub.leaf", 0, sub);
	pyset_add_mod(s, "other", 0, -1);
	int pl = pyset_add_mod(s, "plug", 0, -1);
	s->mods[pl].is_pkg = true;
	pyset_add_mod(s, "plug.a", 0, pl);
	pyset_add_mod(s, "plug.b", 0, pl);
}

static const struct pyref *ref(const struct pymod *m, const char *name,
			       enum py_tag tag)
{
	for (size_t i = 0; i < m->nrefs; i++)
		if (!strcmp(m->refs[i].name, name) && m->refs[i].tag == tag)
			return &m->refs[i];
	return NULL;
}

static void scan(struct pyset *s, const char *mod, const char *src)
{
	int i = pyset_find(s, mod, strlen(mod));
	cr_assert(i >= 0);
	pyscan_source(s, &s->mods[i], src, strlen(src));
}

Test(pyscan, tags_follow_blocks)
{
	struct pyset s;
	small_set(&s);
	scan(&s, "pkg.sub.leaf",
	     "import other\n"
	     "def f():\n"
	     "    import pkg.sub\n"
	     "try:\n"
	     "    import plug.a\n"
	     "except ImportError:\n"
	     "    import plug.b\n"
	     "try:\n"
	     "    import json\n"
	     "except KeyError:\n"
	     "    pass\n"
	     "if TYPE_CHECKING:\n"
	     "    import typing_only\n"
	     "else:\n"
	     "    import runtime_too\n"
	     "'''\n"
	     "import in_docstring\n"
	     "'''\n"
	     "# import in_comment\n");
	const struct pymod *m = &s.mods[pyset_find(&s, "pkg.sub.leaf", 12)];
	cr_assert(ref(m, "other", PYT_TOP));
	cr_assert(ref(m, "pkg.sub", PYT_DELAYED));
	cr_assert(ref(m, "plug.a", PYT_OPTIONAL));
	cr_assert(ref(m, "plug.b", PYT_TOP), "a fallback in the handler runs");
	cr_assert(ref(m, "json", PYT_TOP), "except KeyError does not make it optional");
	cr_assert(ref(m, "typing_only", PYT_TYPECHECK));
	cr_assert(ref(m, "runtime_too", PYT_TOP));
	for (size_t i = 0; i < m->nrefs; i++)
		cr_assert(!strstr(m->refs[i].name, "in_"), "%s found in a string or comment",
			  m->refs[i].name);
	pyset_free(&s);
}

Test(pyscan, relative_from_and_multiline)
{
	struct pyset s;
	small_set(&s);
	scan(&s, "pkg.sub.leaf",
	     "from . import (x,\n    y as z)\n"
	     "from .. import other_thing\n"
	     "from ..sub import leaf\n"
	     "from \\\n  other import q\n");
	const struct pymod *m = &s.mods[pyset_find(&s, "pkg.sub.leaf", 12)];
	const struct pyref *r = ref(m, "pkg.sub", PYT_TOP);
	cr_assert(r && r->from_import && r->nsub == 2);
	cr_assert_str_eq(r->sub[1], "y");
	cr_assert(ref(m, "pkg", PYT_TOP));
	cr_assert(ref(m, "other", PYT_TOP), "backslash continuation");
	pyset_free(&s);
}

Test(pyscan, dynamic_imports_literal_prefix_and_unknown)
{
	struct pyset s;
	small_set(&s);
	scan(&s, "other",
	     "import importlib\n"
	     "def load(name):\n"
	     "    importlib.import_module('pkg.sub')\n"
	     "    __import__('plug.' + name)\n"
	     "    importlib.import_module(f'plug.{name}')\n"
	     "    __import__(name)\n"
	     "NAMES = ['pkg.sub.leaf', 'not.a.module', 'x']\n");
	const struct pymod *m = &s.mods[pyset_find(&s, "other", 5)];
	cr_assert(ref(m, "pkg.sub", PYT_DELAYED));
	cr_assert(ref(m, "plug", PYT_PREFIX));
	cr_assert_eq(m->ndynamic, 1);
	cr_assert(ref(m, "pkg.sub.leaf", PYT_STRING));
	cr_assert_null(ref(m, "not.a.module", PYT_STRING));
	pyset_free(&s);
}

static void count_cb(void *ctx, int t, enum py_tag tag)
{
	(void)t;
	(void)tag;
	(*(int *)ctx)++;
}

Test(pyclassify, entry_point_group_named_by_used_module)
{
	struct pyset s;
	small_set(&s);
	GROW(s.dists, s.capdists, 1);
	memset(&s.dists[0], 0, sizeof s.dists[0]);
	s.ndists = 1;
	s.dists[0].nep = 1;
	s.dists[0].ep_group = xcalloc(1, sizeof(char *));
	s.dists[0].ep_target = xcalloc(1, sizeof(char *));
	s.dists[0].ep_group[0] = xstrdup("plug.group");
	s.dists[0].ep_target[0] = xstrdup("plug.b");
	hmap_put(&s.ep_groups, "plug.group", 10, (void *)1);
	scan(&s, "other", "def f():\n    return iter_entry_points('plug.group')\n");
	struct pycl c;
	pycl_init(&c, &s);
	int n = 0;
	const struct pymod *o = &s.mods[pyset_find(&s, "other", 5)];
	pycl_resolve(&c, ref(o, "plug.group", PYT_STRING), count_cb, &n);
	cr_assert_eq(n, 1);
	pycl_mark_used(&c, pyset_find(&s, "other", 5));
	struct diag_list w = {0};
	pycl_closure(&c, 1, &w);
	cr_assert_eq(w.n, 0);
	cr_assert_eq(s.mods[pyset_find(&s, "plug.b", 6)].cls, PYC_STRING);
	cr_assert_eq(s.mods[pyset_find(&s, "plug", 4)].cls, PYC_STRING);
	cr_assert_eq(s.mods[pyset_find(&s, "plug.a", 6)].cls, PYC_UNREF);
	cr_assert_eq(s.mods[pyset_find(&s, "pkg", 3)].cls, PYC_UNREF);
	pycl_free(&c);
	pyset_free(&s);
}

static void zip_cb(void *ctx, const struct pyzip_member *m)
{
	(void)m;
	(*(int *)ctx)++;
}

Test(pyzip, every_truncation_is_a_warning_not_a_crash)
{
	need_tool("/usr/bin/python3", "python3");
	struct buf z = BUF_INIT;
	int rc = run_capture("/usr/bin/python3 -c 'import io,sys,zipfile; b=io.BytesIO(); "
			     "z=zipfile.ZipFile(b,\"w\"); [z.writestr(\"p/m%d.py\"%i, \"x\") for i in range(5)]; "
			     "z.close(); sys.stdout.buffer.write(b.getvalue())'", &z);
	cr_assert_eq(rc, 0);
	int n = 0;
	struct diag_list w = {0};
	cr_assert_eq(pyzip_walk((const unsigned char *)z.p, z.len, "z", zip_cb, &n, &w), 0);
	cr_assert_eq(n, 5, "python's zipfile wrote 5 members, slim read %d", n);
	for (size_t cut = 0; cut < z.len; cut++) {
		unsigned char *copy = xmalloc(cut + 1);
		memcpy(copy, z.p, cut);
		n = 0;
		pyzip_walk(copy, cut, "z", zip_cb, &n, &w);
		free(copy);
	}
	cr_assert(w.n > 0);
	diag_list_free(&w);
	buf_free(&z);
}

/* every module Python loaded from a file under its own name (its own
 * sys.modules dump of the same run) is read from the real trace */
static void real_trace(const char *trace, const char *mods)
{
	struct buf t = BUF_INIT, m = BUF_INIT;
	int rc = run_fmt(&t, "cat samples/out/pydeps/%s", trace);
	cr_assert_eq(rc, 0, "samples/out/pydeps/%s missing: run samples/build.sh", trace);
	cr_assert_eq(run_fmt(&m, "cat samples/out/pydeps/%s", mods), 0);
	struct arena a = {0};
	struct diag_list w = {0};
	struct pytrace pt;
	pytrace_parse(&pt, trace, t.p, t.len, &a, &w);
	size_t checked = 0;
	for (char *line = strtok(m.p, "\n"); line; line = strtok(NULL, "\n")) {
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		if (!t2 || !t2[1] || strncmp(line, t1 + 1, t1 - line) || t1[1 + (t1 - line)] != '\t' ||
		    !strncmp(line, "_frozen_importlib", 17))
			continue;    /* no file, an alias, or installed before tracing */
		*t1 = 0;
		bool found = false;
		for (size_t i = 0; i < pt.nmods && !found; i++)
			found = !strcmp(pt.mods[i].name, line);
		cr_assert(found, "%s: python loaded %s, slim did not read it", trace, line);
		checked++;
	}
	cr_assert_gt(checked, 30);
	cr_assert_eq(w.n, 0, "warnings on a real trace");
	pytrace_free(&pt);
	arena_free(&a);
	buf_free(&t);
	buf_free(&m);
}

Test(pytrace, real_importtime_trace_has_every_module_python_loaded)
{
	real_trace("highlight.importtime", "highlight.importtime.modules");
}

Test(pytrace, real_verbose_trace_has_every_module_python_loaded)
{
	real_trace("highlight.v", "highlight.v.modules");
}

/* ---- issue 15: data directories, native libraries, roots from traces ---- */

static void put(const char *dir, const char *rel, const char *text)
{
	struct buf b = BUF_INIT;
	cr_assert_eq(run_fmt(&b, "mkdir -p \"$(dirname '%s/%s')\" && printf '%%s' '%s' > '%s/%s'",
			     dir, rel, text, dir, rel), 0);
	buf_free(&b);
}

static int file_of(const struct pyset *s, const char *dir, const char *rel)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, rel);
	for (size_t f = 0; f < s->nfiles; f++)
		if (!strcmp(s->files[f].path, p))
			return (int)f;
	cr_assert_fail("%s not in the inventory", p);
	return -1;
}

static int mod(const struct pyset *s, const char *name)
{
	return pyset_find(s, name, strlen(name));
}

/* the invariants pyint.h states: parents precede children and exist; a
 * namespace package has a module below it; bytes are the files' sum */
static void check_set(const struct pyset *s)
{
	uint64_t *by = calloc(s->nmods + 1, sizeof *by);
	for (size_t f = 0; f < s->nfiles; f++)
		if (s->files[f].mod >= 0)
			by[s->files[f].mod] += s->files[f].size;
	for (size_t i = 0; i < s->nmods; i++) {
		const struct pymod *m = &s->mods[i];
		cr_assert(m->parent < (int)i, "%s: parent after child", m->name);
		cr_assert_eq(mod(s, m->name), (int)i, "%s: name map stale", m->name);
		cr_assert_eq(m->bytes, by[i], "%s: bytes are not its files'", m->name);
		if (m->is_ns && m->is_pkg && !m->src && !m->is_ext) {
			bool below = false;
			for (size_t k = i + 1; k < s->nmods; k++)
				for (int p = s->mods[k].parent; p >= 0 && !below; p = s->mods[p].parent)
					below = p == (int)i;
			cr_assert(below, "%s: namespace package with no module below", m->name);
		}
	}
	free(by);
}

Test(pyinventory, moduleless_directory_is_data_of_its_package)
{
	char *t = test_tmpdir();
	put(t, "pkg/__init__.py", "");
	put(t, "pkg/mod.py", "x = 1\n");
	put(t, "pkg/schemas/draft7.json", "{}");
	put(t, "pkg/schemas/vocab/core.json", "{\"a\": 1}");
	put(t, "pkg/scaffolds/base/+package+/app.py", "app = 1\n");
	put(t, "pkg/nsp/sub.py", "y = 2\n");     /* a real namespace package */
	put(t, "pkg/nsp/data/table.txt", "t");
	put(t, "toplevel_data/leaf/readme.txt", "r");
	put(t, "pkg/_rust/__init__.pyi", "");    /* stubs beside the module */
	put(t, "pkg/_rust.py", "z = 3\n");
	/* the run's ELF service answers whether a .so is an extension */
	struct run r = {.elf_peek = elf_peek};
	struct pyset s = {.run = &r};
	struct diag_list w = {0};
	const char *roots[] = {t};
	pydeps_inventory(&s, roots, 1, false, &w);
	cr_assert_eq(w.n, 0);
	check_set(&s);
	cr_assert_geq(mod(&s, "pkg.mod"), 0);
	cr_assert_eq(mod(&s, "pkg.schemas"), -1, "a module-less directory became a module");
	cr_assert_eq(mod(&s, "pkg.schemas.vocab"), -1);
	cr_assert_eq(mod(&s, "pkg.scaffolds"), -1);
	cr_assert_eq(mod(&s, "pkg.scaffolds.base"), -1);
	cr_assert_eq(mod(&s, "pkg.nsp.data"), -1);
	cr_assert_eq(mod(&s, "toplevel_data"), -1);
	cr_assert_geq(mod(&s, "pkg._rust"), 0, "a directory beside NAME.py does not hide the module");
	int nsp = mod(&s, "pkg.nsp");
	cr_assert_geq(nsp, 0, "a directory with a module below is a namespace package");
	cr_assert(s.mods[nsp].is_ns);
	int pkg = mod(&s, "pkg");
	const char *data[] = {"pkg/schemas/draft7.json", "pkg/schemas/vocab/core.json",
			      "pkg/scaffolds/base/+package+/app.py"};
	for (size_t i = 0; i < 3; i++) {
		int f = file_of(&s, t, data[i]);
		cr_assert_eq(s.files[f].mod, pkg, "%s: not data of pkg", data[i]);
		cr_assert_eq(s.files[f].kind, PYF_DATA);
	}
	cr_assert_eq(s.files[file_of(&s, t, "pkg/nsp/data/table.txt")].mod, nsp);
	cr_assert_eq(s.files[file_of(&s, t, "toplevel_data/leaf/readme.txt")].mod, -1);
	pyset_free(&s);
	struct buf b = BUF_INIT;
	run_fmt(&b, "rm -rf '%s'", t);
	buf_free(&b);
	free(t);
}

/* ground truth from readelf: does FILE export SYMBOL? */
static bool readelf_exports(const char *file, const char *sym)
{
	struct buf b = BUF_INIT;
	int rc = run_fmt(&b, "readelf --dyn-syms -W '%s' | awk '$7 != \"UND\" && ($5 == \"GLOBAL\" || $5 == \"WEAK\") {print $8}' | grep -qx '%s'",
			 file, sym);
	buf_free(&b);
	return rc == 0;
}

Test(pyinventory, shared_object_without_pyinit_is_a_native_library)
{
	need_tool("cc", "build-essential");
	need_tool("readelf", "binutils");
	char *t = test_tmpdir();
	put(t, "pkg/__init__.py", "import ctypes\n");
	put(t, "src/ext.c", "int PyInit_ext(void) { return 0; }\n");
	put(t, "src/other.c", "int PyInit_other(void) { return 0; }\n");
	put(t, "src/cpkg.c", "int PyInit_cpkg(void) { return 0; }\n");
	put(t, "src/foo.c", "int foo(void) { return 1; }\n");
	put(t, "src/bar.c", "int foo(void);\nint bar(void) { return foo(); }\n");
	put(t, "pkg/garbage.so", "not an ELF file");
	struct buf b = BUF_INIT;
	cr_assert_eq(run_fmt(&b, "cd '%s' && mkdir -p pkg/lib && "
			     "cc -shared -fPIC -o pkg/ext.cpython-311-x86_64-linux-gnu.so src/ext.c && "
			     "cc -shared -fPIC -o pkg/wrong.so src/other.c && mkdir -p pkg/cpkg && "
			     "cc -shared -fPIC -o pkg/cpkg/__init__.cpython-311-x86_64-linux-gnu.so src/cpkg.c && "
			     "cc -shared -fPIC -Wl,-soname,libfoo.so -o pkg/lib/libfoo.so src/foo.c && "
			     "cc -shared -fPIC -o pkg/lib/libbar.so src/bar.c pkg/lib/libfoo.so && "
			     "readelf -dW pkg/lib/libbar.so | grep -q 'NEEDED.*\\[libfoo.so\\]'", t), 0);
	/* the run's ELF service answers whether a .so is an extension */
	struct run r = {.elf_peek = elf_peek};
	struct pyset s = {.run = &r};
	struct diag_list w = {0};
	const char *roots[] = {t};
	pydeps_inventory(&s, roots, 1, false, &w);
	check_set(&s);
	char p[4096];
	snprintf(p, sizeof p, "%s/pkg/ext.cpython-311-x86_64-linux-gnu.so", t);
	cr_assert(readelf_exports(p, "PyInit_ext"));
	int ext = mod(&s, "pkg.ext");
	cr_assert_geq(ext, 0, "an .so exporting PyInit_ext is extension module pkg.ext");
	cr_assert(s.mods[ext].is_ext);
	snprintf(p, sizeof p, "%s/pkg/lib/libfoo.so", t);
	cr_assert(!readelf_exports(p, "PyInit_libfoo"));
	cr_assert_eq(mod(&s, "pkg.lib"), -1, "lib/ of native libraries is no namespace package");
	cr_assert_eq(mod(&s, "pkg.lib.libfoo"), -1, "a .so without PyInit_ is no extension module");
	cr_assert_eq(mod(&s, "pkg.wrong"), -1, "PyInit_other does not make wrong.so a module");
	cr_assert_eq(mod(&s, "pkg.garbage"), -1);
	int cpkg = mod(&s, "pkg.cpkg");
	cr_assert_geq(cpkg, 0, "a compiled __init__ (PyInit_cpkg) makes a package");
	cr_assert(!s.mods[cpkg].is_ns, "a compiled __init__ is a regular package");
	int pkg = mod(&s, "pkg");
	const char *native[] = {"pkg/lib/libfoo.so", "pkg/lib/libbar.so", "pkg/wrong.so",
				"pkg/garbage.so"};
	for (size_t i = 0; i < 4; i++) {
		int f = file_of(&s, t, native[i]);
		cr_assert_eq(s.files[f].mod, pkg, "%s: not kept with pkg", native[i]);
		cr_assert_eq(s.files[f].kind, PYF_NATIVE, "%s: not a native library", native[i]);
	}
	/* libbar.so's DT_NEEDED names libfoo.so: something loads it */
	cr_assert(pynative_named(&s, p, pkg));
	snprintf(p, sizeof p, "%s/pkg/lib/libbar.so", t);
	cr_assert(!pynative_named(&s, p, pkg), "libbar.so: nothing names it");
	put(t, "pkg/__init__.py", "import ctypes\nctypes.CDLL(\"lib/libfoo.so\")\n");
	cr_assert(!pynative_named(&s, p, pkg), "a literal libfoo.so names libfoo, not libbar");
	put(t, "pkg/__init__.py", "import ctypes\nctypes.CDLL(name + \".so\")\n");
	cr_assert(pynative_named(&s, p, pkg), "a '.so' pattern in the package may load it");
	pyset_free(&s);
	run_fmt(&b, "rm -rf '%s'", t);
	buf_free(&b);
	free(t);
}

static json_t *pydeps_roots(struct graph *g)
{
	return json_object_get(json_object_get(g->totals, "pydeps"), "roots");
}

Test(pydeps, roots_come_from_the_trace_files_when_none_given)
{
	char *t = test_tmpdir();
	char tr[4096], text[8192];
	put(t, "lib/python3.11/site-packages/pkg/__init__.py", "from . import mod\n");
	put(t, "lib/python3.11/site-packages/pkg/mod.py", "");
	put(t, "lib/python3.11/site-packages/lone.py", "");
	put(t, "app/helper.py", "");
	snprintf(text, sizeof text, "# slim-pytrace/1\n"
		 "module\tpkg\t%s/lib/python3.11/site-packages/pkg/__init__.py\n"
		 "module\tpkg.mod\t%s/lib/python3.11/site-packages/pkg/mod.py\n"
		 "module\thelper\t%s/app/helper.py\n"
		 "module\tos.path\t/usr/lib/python3.11/posixpath.py\n", t, t, t);
	put(t, "rec.txt", text);
	snprintf(tr, sizeof tr, "%s/rec.txt", t);
	const char *traces[] = {tr};
	struct pydeps_opts o = {.traces = traces, .ntraces = 1, .no_elf = true,
				.no_auto_roots = true};
	struct graph g;
	graph_init(&g);
	struct diag_list w = {0};
	struct diag d = {0};
	cr_assert_eq(merge_py(&g, &o, &w, &d), 0, "%s", d.msg);
	json_t *roots = pydeps_roots(&g);
	cr_assert_eq(json_array_size(roots), 1, "the script's directory is no root");
	char want[4096];
	snprintf(want, sizeof want, "%s/lib/python3.11/site-packages", t);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(roots, 0), "path")), want);
	cr_assert_not_null(graph_node(&g, "py:lone"));
	bool said = false;
	for (size_t i = 0; i < w.n; i++)
		said |= strstr(w.v[i].msg, "no --root given: using the 1 module tree") != NULL;
	cr_assert(said, "the inferred roots are not said");
	graph_free(&g);
	diag_list_free(&w);

	/* a trace with no paths: an error naming --root, not "0 B of 0 B" */
	put(t, "list.txt", "json\nos\n");
	snprintf(tr, sizeof tr, "%s/list.txt", t);
	graph_init(&g);
	cr_assert_eq(merge_py(&g, &o, &w, &d), -1);
	cr_assert(strstr(d.msg, "--root"), "%s", d.msg);
	graph_free(&g);
	diag_list_free(&w);
	struct buf b = BUF_INIT;
	run_fmt(&b, "rm -rf '%s'", t);
	buf_free(&b);
	free(t);
}
