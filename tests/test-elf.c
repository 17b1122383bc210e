/*
 * test-elf.c - the ELF analyzer against the loader's own answers.
 *
 * Every verdict is compared with ground truth computed in the same run by
 * glibc itself: `ldd -u -r` (unused direct dependencies, found by running
 * the loader with LD_DEBUG=unused) and `ldd` (the closure, in load order,
 * with the path each library was found at).  The samples are built by
 * samples/build-elf.sh from the sources in samples/elf/.
 */
#include "testutil.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../analyzers/elf/slim-elf.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/rootopen.h"
#include "../graph/graph.h"

#define S "samples/out/elf/"

/* Sorted, newline-joined list of ldd -u -r's unused dependencies. */
static char *ldd_unused(const char *path)
{
	struct buf out = BUF_INIT;
	need_tool("ldd", "libc-bin");
	run_fmt(&out, "ldd -u -r '%s' 2>/dev/null | sed -n 's/^\\t//p' | sort", path);
	return buf_detach(&out);
}

struct analysis {
	struct graph g;
	const char *root;
	struct diag_list w;
};

static void analyze(struct analysis *a, const char *path)
{
	struct elf_opts o = {0};
	struct diag d = {0};
	graph_init(&a->g);
	memset(&a->w, 0, sizeof a->w);
	struct elf_ctx *c = elf_ctx_new(&o);
	int rc = elf_analyze(c, &a->g, path, &a->root, &a->w, &d);
	cr_assert_eq(rc, 0, "elf_analyze(%s): %s", path, d.msg);
	elf_ctx_free(c);
	cr_assert_eq(graph_check(&a->g, &d), 0, "graph invariant: %s", d.msg);
}

static void done(struct analysis *a)
{
	graph_free(&a->g);
	diag_list_free(&a->w);
}

static int cmpstr(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* slim's unused direct dependencies of the root, as paths, sorted. */
static char *slim_unused(struct analysis *a)
{
	const char *v[256];
	size_t n = 0;
	for (size_t i = 0; i < a->g.nfindings && n < 256; i++) {
		struct gfinding *f = &a->g.findings[i];
		if (!strcmp(f->kind, "unused-library") && f->dependent &&
		    !strcmp(f->dependent, a->root))
			v[n++] = attr_get_str(graph_node(&a->g, f->node)->attrs, "path");
	}
	qsort(v, n, sizeof *v, cmpstr);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\n", v[i]);
	return buf_detach(&b);
}

static void same_unused_as_ldd(const char *path)
{
	struct analysis a;
	analyze(&a, path);
	char *want = ldd_unused(path), *got = slim_unused(&a);
	cr_assert_str_eq(got, want, "%s: slim says unused:\n%s\nldd -u -r says:\n%s", path, got, want);
	free(want);
	free(got);
	done(&a);
}

/* "name path" per loaded object, in load order, from ldd (vdso and the
 * interpreter line left out) and from slim (breadth-first order is the
 * order of `needs` edges first reaching each node). */
static char *ldd_closure(const char *path)
{
	struct buf out = BUF_INIT;
	run_fmt(&out, "ldd '%s' | awk '$2 == \"=>\" && $3 != \"not\" { print $1, $3 } "
		      "$2 == \"=>\" && $3 == \"not\" { print $1, \"not-found\" }' | sort", path);
	return buf_detach(&out);
}

static char *slim_closure(struct analysis *a)
{
	const char *v[512];
	size_t n = 0;
	struct buf tmp = BUF_INIT;
	for (size_t i = 0; i < a->g.nedges && n < 512; i++) {
		struct gedge *e = &a->g.edges[i];
		if (strcmp(e->kind, "needs"))
			continue;
		struct gnode *t = a->g.nodes[e->to];
		const char *p = attr_get_str(t->attrs, "path");
		const char *name = attr_get_str(e->attrs, "name");
		if (!strncmp(name, "ld-linux", 8))
			continue;   /* ldd prints the interpreter on its own line */
		char line[1024];
		snprintf(line, sizeof line, "%s %s", name, p ? p : "not-found");
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(v[k], line);
		if (!dup)
			v[n++] = graph_str(&a->g, line);
	}
	qsort(v, n, sizeof *v, cmpstr);
	for (size_t i = 0; i < n; i++)
		buf_printf(&tmp, "%s\n", v[i]);
	return buf_detach(&tmp);
}

static void same_closure_as_ldd(const char *path)
{
	struct analysis a;
	analyze(&a, path);
	char *want = ldd_closure(path), *got = slim_closure(&a);
	cr_assert_str_eq(got, want, "%s closure differs:\nslim:\n%s\nldd:\n%s", path, got, want);
	free(want);
	free(got);
	done(&a);
}

static const json_t *edge_attrs(struct analysis *a, const char *from, const char *to, const char *kind)
{
	struct gedge *e = graph_edge(&a->g, from, to, kind);
	cr_assert(e, "no %s edge %s -> %s", kind, from, to);
	return e->attrs;
}

Test(elf_unused, no_as_needed_libraries_nothing_binds_to)
{
	same_unused_as_ldd(S "unused/main");
	struct analysis a;
	analyze(&a, S "unused/main");
	struct gfinding *f = graph_finding(&a.g, "unused-library", "lib:libm.so.6", "exe:main");
	cr_assert(f, "libm is not reported unused");
	cr_assert_str_eq(f->confidence, "proven");
	cr_assert(strstr(f->fix, "-lm") && strstr(f->fix, "--as-needed"), "fix: %s", f->fix);
	cr_assert(graph_finding(&a.g, "unused-library", "lib:libz.so.1", "exe:main"));
	cr_assert_null(graph_finding(&a.g, "unused-library", "lib:libc.so.6", "exe:main"));
	done(&a);
}

Test(elf_search, origin_rpath_layout)
{
	same_closure_as_ldd(S "origin/bin/main");
	same_unused_as_ldd(S "origin/bin/main");
	struct analysis a;
	analyze(&a, S "origin/bin/main");
	cr_assert_str_eq(attr_get_str(edge_attrs(&a, "exe:main", "lib:liba.so", "needs"), "via"), "rpath");
	done(&a);
}

Test(elf_search, rpath_is_inherited_by_dependencies)
{
	same_closure_as_ldd(S "rpath/main");
	struct analysis a;
	analyze(&a, S "rpath/main");
	cr_assert_str_eq(attr_get_str(edge_attrs(&a, "lib:liba.so", "lib:libb.so", "needs"), "via"),
			 "inherited-rpath");
	done(&a);
}

Test(elf_search, runpath_is_not_inherited)
{
	same_closure_as_ldd(S "runpath/main");
	struct analysis a;
	analyze(&a, S "runpath/main");
	const json_t *e = edge_attrs(&a, "lib:liba.so", "lib:libb.so", "needs");
	cr_assert(json_is_false(json_object_get(e, "found")), "libb should not be found");
	cr_assert(strstr(attr_get_str(e, "tried"), "ld.so.cache"), "tried: %s", attr_get_str(e, "tried"));
	cr_assert(strstr(attr_get_str(e, "tried"), "/usr/lib/x86_64-linux-gnu"));
	done(&a);
}

Test(elf_bind, symbol_versions_pick_the_right_library)
{
	same_unused_as_ldd(S "ver/main");
	struct analysis a;
	analyze(&a, S "ver/main");
	cr_assert(graph_finding(&a.g, "unused-library", "lib:libver1.so", "exe:main"),
		  "libver1 defines the name but not the version: unused");
	cr_assert(graph_edge(&a.g, "exe:main", "lib:libver2.so", "binds"));
	done(&a);
}

Test(elf_bind, weak_references)
{
	same_unused_as_ldd(S "weak/main");
	struct analysis a;
	analyze(&a, S "weak/main");
	cr_assert(graph_edge(&a.g, "exe:main", "lib:libweak.so", "binds"));
	cr_assert_null(graph_finding(&a.g, "unused-library", "lib:libweak.so", "exe:main"));
	done(&a);
}

Test(elf_bind, copy_relocation_binds_to_the_library)
{
	same_unused_as_ldd(S "copy/main");
	struct analysis a;
	analyze(&a, S "copy/main");
	cr_assert(graph_edge(&a.g, "exe:main", "lib:libdata.so", "binds"));
	done(&a);
}

Test(elf_search, missing_library_is_reported_and_analysis_goes_on)
{
	struct analysis a;
	analyze(&a, S "missing/main");
	const json_t *e = edge_attrs(&a, "exe:main", "lib:libgone.so", "needs");
	cr_assert(json_is_false(json_object_get(e, "found")));
	cr_assert(strstr(attr_get_str(e, "tried"), "samples/out/elf/missing"),
		  "the RUNPATH dir must be among the places tried: %s", attr_get_str(e, "tried"));
	/* libc still resolved and bound */
	cr_assert(graph_edge(&a.g, "exe:main", "lib:libc.so.6", "binds"));
	/* ldd agrees it is not found */
	struct buf out = BUF_INIT;
	run_fmt(&out, "ldd " S "missing/main | grep -c 'libgone.so => not found'");
	cr_assert_str_eq(buf_cstr(&out), "1\n");
	buf_free(&out);
	done(&a);
}

Test(elf_search, needed_cycle_terminates)
{
	same_closure_as_ldd(S "cycle/main");
	same_unused_as_ldd(S "cycle/main");
	struct analysis a;
	analyze(&a, S "cycle/main");
	cr_assert(graph_edge(&a.g, "lib:libcyc1.so", "lib:libcyc2.so", "needs"));
	cr_assert(graph_edge(&a.g, "lib:libcyc2.so", "lib:libcyc1.so", "needs"));
	done(&a);
}

Test(elf_unused, initializers_are_named_as_what_may_matter)
{
	same_unused_as_ldd(S "init/main");
	struct analysis a;
	analyze(&a, S "init/main");
	struct gfinding *f = graph_finding(&a.g, "unused-library", "lib:libinit.so", "exe:main");
	cr_assert(f);
	cr_assert(strstr(f->reason, "initializers"), "reason: %s", f->reason);
	cr_assert(f->bytes > 0, "libinit goes away entirely: its bytes count");
	done(&a);
}

Test(elf_unused, system_binaries_agree_with_ldd)
{
	/* a few real programs with many libraries */
	const char *files[] = {"/usr/bin/python3.11", "/usr/bin/git", "/usr/bin/ls",
			       "/usr/bin/bash", "/usr/bin/mold"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		cr_assert(!access(files[i], X_OK), "%s is missing: run `make deps`", files[i]);
		same_unused_as_ldd(files[i]);
		same_closure_as_ldd(files[i]);
	}
}

Test(elf_search, lib_and_platform_tokens_expand_as_ldso_does)
{
	same_closure_as_ldd(S "dst/bin/main");    /* $ORIGIN/../$LIB */
	same_closure_as_ldd(S "dst/plat/main");   /* $ORIGIN/${PLATFORM} */
}

Test(elf_search, wrong_machine_candidate_is_skipped)
{
	same_closure_as_ldd(S "machine/main");
	struct analysis a;
	analyze(&a, S "machine/main");
	const char *p = attr_get_str(graph_node(&a.g, "lib:libb.so")->attrs, "path");
	cr_assert(strstr(p, "/right/"), "libb taken from %s", p);
	done(&a);
}

/* The libraries slim counts as removable (proven findings with bytes)
 * are exactly those that leave the process when the program is relinked
 * with the fix slim proposes (-Wl,--as-needed), as ldd shows. */
static void removable_equals_fix(const char *prog, const char *fixed)
{
	struct buf out = BUF_INIT;
	char *tmp = test_tmpdir(), cwd[4096];
	cr_assert(getcwd(cwd, sizeof cwd));
	run_fmt(&out, "cd %s && ldd '%s/%s' | awk '$2 == \"=>\" {print $1}' | sort > a && "
		      "ldd '%s/%s' | awk '$2 == \"=>\" {print $1}' | sort > b && comm -23 a b",
		tmp, cwd, prog, cwd, fixed);
	run_fmt(NULL, "rm -rf %s", tmp);
	free(tmp);
	struct analysis a;
	analyze(&a, prog);
	const char *v[64];
	size_t n = 0;
	for (size_t i = 0; i < a.g.nfindings && n < 64; i++) {
		struct gfinding *f = &a.g.findings[i];
		if (f->bytes && !strcmp(f->confidence, "proven"))
			v[n++] = graph_node(&a.g, f->node)->name;
	}
	qsort(v, n, sizeof *v, cmpstr);
	struct buf got = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&got, "%s\n", v[i]);
	cr_assert_str_eq(buf_cstr(&got), buf_cstr(&out),
			 "%s: slim says removable:\n%s\nrelinking with --as-needed removes:\n%s",
			 prog, buf_cstr(&got), buf_cstr(&out));
	buf_free(&got);
	buf_free(&out);
	done(&a);
}

Test(elf_unused, removable_bytes_are_what_the_fix_removes)
{
	removable_equals_fix(S "unused/main", S "unused/main-fixed");
	removable_equals_fix(S "trans/main", S "trans/main-fixed");
	struct analysis a;
	analyze(&a, S "trans/main");
	struct gfinding *f = graph_finding(&a.g, "unneeded-transitive", "lib:libunb.so", "lib:libuna.so");
	cr_assert(f, "libunb is loaded only through the unused libuna");
	cr_assert_eq(f->bytes, (uint64_t)graph_node(&a.g, "lib:libunb.so")->size);
	done(&a);
}

/* open_in_root: the kernel's RESOLVE_IN_ROOT and the component walk used
 * where openat2 is missing agree on links, "..", loops and errors. */
static void root_cases(void)
{
	char *root = test_tmpdir(), p[4096];
	snprintf(p, sizeof p, "%s/a", root);
	cr_assert(!mkdir(p, 0755));
	snprintf(p, sizeof p, "%s/a/b", root);
	cr_assert(!mkdir(p, 0755));
	snprintf(p, sizeof p, "%s/a/b/file", root);
	FILE *fp = fopen(p, "w");
	cr_assert(fp);
	fputs("x", fp);
	fclose(fp);
	struct stat want;
	cr_assert(!stat(p, &want));
	int rfd = open(root, O_RDONLY | O_DIRECTORY);
	cr_assert(rfd >= 0);
	cr_assert(!symlinkat("../../../../a", rfd, "up"));
	cr_assert(!symlinkat("/a/b/file", rfd, "abs"));
	cr_assert(!symlinkat("b/file", rfd, "a/rel"));
	cr_assert(!symlinkat("/loop2", rfd, "loop1"));
	cr_assert(!symlinkat("/loop1", rfd, "loop2"));
	static const char *const ok[] = {"/a/b/file", "a/b/file", "/up/b/file", "/abs",
					 "/../../a/./b//file", "/a/rel", "/a/b/../../abs"};
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		int fd = open_in_root(rfd, ok[i], 0);
		cr_assert(fd >= 0, "%s: %s", ok[i], strerror(errno));
		struct stat st;
		cr_assert(!fstat(fd, &st));
		cr_expect(st.st_ino == want.st_ino && st.st_dev == want.st_dev, "%s: another file", ok[i]);
		close(fd);
	}
	static const struct { const char *path; int err; } bad[] = {
		{"/loop1", ELOOP}, {"/nothing", ENOENT}, {"/a/b/file/x", ENOTDIR},
		{"/up/nothing", ENOENT},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		errno = 0;
		cr_expect(open_in_root(rfd, bad[i].path, 0) < 0 && errno == bad[i].err,
			  "%s: want %s, got %s", bad[i].path, strerror(bad[i].err), strerror(errno));
	}
	close(rfd);
	run_fmt(NULL, "rm -rf %s", root);
	free(root);
}

Test(rootopen, kernel_resolve_in_root) { root_cases(); }

Test(rootopen, component_walk)
{
	setenv("SLIM_NO_OPENAT2", "1", 1);   /* each Criterion test is its own process */
	root_cases();
}

/* libtree's cases (samples/build-elf-libtree.sh): the rules of glibc 2.36's
 * _dl_init_paths, each against ld.so run on the same file in the same
 * directory with the same LD_LIBRARY_PATH. */
#define LT "samples/out/elf-libtree/"

static void analyze_env(struct analysis *a, const char *path, const char *llp)
{
	struct elf_opts o = {.ld_library_path = llp};
	struct diag d = {0};
	graph_init(&a->g);
	memset(&a->w, 0, sizeof a->w);
	struct elf_ctx *c = elf_ctx_new(&o);
	cr_assert_eq(elf_analyze(c, &a->g, path, &a->root, &a->w, &d), 0, "%s: %s", path, d.msg);
	elf_ctx_free(c);
	cr_assert_eq(graph_check(&a->g, &d), 0, "graph invariant: %s", d.msg);
}

/* Whether ld.so, in dir with LD_LIBRARY_PATH=llp (NULL: unset), finds
 * libb.so for liba.so. */
static bool ldso_finds_libb(const char *dir, const char *llp)
{
	struct buf out = BUF_INIT;
	need_tool("ldd", "libc-bin");
	run_fmt(&out, "cd '%s' && %s%s%s ldd \"$PWD/liba.so\" | grep -c 'libb.so => not found'",
		dir, llp ? "LD_LIBRARY_PATH='" : "env -u LD_LIBRARY_PATH", llp ? llp : "",
		llp ? "'" : "");
	bool found = !strcmp(buf_cstr(&out), "0\n");
	buf_free(&out);
	return found;
}

Test(elf_search, empty_ld_library_path_is_no_list_but_an_empty_element_is_the_cwd)
{
	char dir[4096];
	cr_assert(realpath(LT "02_rpath_of_parents_parent", dir));
	cr_assert_eq(chdir(dir), 0);   /* libb.so lies in the current directory */
	const char *llps[] = {"", ":", "/nonexistent::/x", "/nonexistent;.", NULL};
	for (size_t i = 0; i < sizeof llps / sizeof *llps; i++) {
		struct analysis a;
		analyze_env(&a, "liba.so", llps[i]);
		const json_t *e = edge_attrs(&a, "lib:liba.so", "lib:libb.so", "needs");
		bool slim_found = !json_is_false(json_object_get(e, "found"));
		/* "" stands for unset (cmd-elf passes elf_env_library_path()) */
		bool ldso = ldso_finds_libb(dir, llps[i] && *llps[i] ? llps[i] : NULL);
		cr_assert_eq(slim_found, ldso, "LD_LIBRARY_PATH='%s': slim %s libb.so, ld.so %s",
			     llps[i] ? llps[i] : "(no --env)", slim_found ? "finds" : "does not find",
			     ldso ? "does" : "does not");
		done(&a);
	}
}

Test(elf_search, not_found_says_why_each_list_was_skipped)
{
	struct analysis a;
	analyze(&a, LT "08_nodeflib/exe_b");
	const json_t *e = edge_attrs(&a, "exe:exe_b", "lib:libc.so.6", "needs");
	const char *t = attr_get_str(e, "tried");
	cr_assert(json_is_false(json_object_get(e, "found")));
	cr_assert(strstr(t, "LD_LIBRARY_PATH: not read"), "tried: %s", t);
	cr_assert(strstr(t, "DT_RUNPATH: none in"), "tried: %s", t);
	cr_assert(strstr(t, "ld.so.cache: skipped") && strstr(t, "DF_1_NODEFLIB"), "tried: %s", t);
	cr_assert(strstr(t, "default dirs: skipped"), "tried: %s", t);
	done(&a);
	/* and RPATH is named as unused where the loader has RUNPATH */
	analyze(&a, LT "08_nodeflib/exe_a");
	e = edge_attrs(&a, "exe:exe_a", "lib:libc.so.6", "needs");
	t = attr_get_str(e, "tried");
	cr_assert(strstr(t, "DT_RPATH: not used") && strstr(t, "has DT_RUNPATH"), "tried: %s", t);
	done(&a);
}

Test(elf_classify, static_pie_is_a_program_and_libc_a_library)
{
	struct analysis a;
	need_tool("eu-elfclassify", "elfutils");
	struct buf out = BUF_INIT;
	run_fmt(&out, "eu-elfclassify --executable /sbin/ldconfig && eu-elfclassify --shared "
		"/lib/x86_64-linux-gnu/libc.so.6 && echo agreed");
	cr_assert_str_eq(buf_cstr(&out), "agreed\n", "eu-elfclassify's premise changed");
	buf_free(&out);
	analyze(&a, "/sbin/ldconfig");
	cr_assert_str_eq(a.root, "exe:ldconfig");
	cr_assert_str_eq(graph_node(&a.g, a.root)->kind, "exe");
	done(&a);
	analyze(&a, "/lib/x86_64-linux-gnu/libc.so.6");
	cr_assert_str_eq(a.root, "lib:libc.so.6");
	done(&a);
}

/* filetype_elf_split() (the deployable walk types an ELF file from its
 * first 4 KiB and its dynamic segment read apart, instead of mapping it)
 * gives filetype_detect()'s answer over the whole file, on every ELF
 * file of the system's library and program directories; and it asks for
 * the dynamic segment only where the first bytes cannot answer. */
Test(elf_classify, split_reads_agree_with_the_whole_file)
{
	static const char *const dirs[] = {"/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/sbin",
					   "/usr/lib/python3.11/lib-dynload"};
	size_t checked = 0, asked = 0, mapped = 0;
	unsigned char *dynb = malloc(1 << 20);
	cr_assert_not_null(dynb);
	for (size_t k = 0; k < sizeof dirs / sizeof *dirs; k++) {
		DIR *d = opendir(dirs[k]);
		cr_assert_not_null(d, "%s", dirs[k]);
		struct dirent *e;
		while ((e = readdir(d))) {
			char p[4096];
			snprintf(p, sizeof p, "%s/%s", dirs[k], e->d_name);
			struct mfile mf;
			struct diag dg = {0};
			struct stat st;
			if (lstat(p, &st) || !S_ISREG(st.st_mode) || mfile_open(&mf, p, &dg))
				continue;
			if (mf.n < 4 || memcmp(mf.p, "\177ELF", 4)) {
				mfile_close(&mf);
				continue;
			}
			enum filetype whole = filetype_detect(mf.p, mf.n);
			size_t hn = mf.n < 4096 ? mf.n : 4096;
			uint64_t at, len;
			enum filetype t = filetype_elf_split(mf.p, hn, mf.n, NULL, 0, 0, &at, &len);
			if (t == FT_UNKNOWN && len && len <= (1 << 20)) {
				asked++;
				memcpy(dynb, mf.p + at, (size_t)len);
				t = filetype_elf_split(mf.p, hn, mf.n, dynb, at, (size_t)len, &at, &len);
			}
			if (t == FT_UNKNOWN)
				mapped++;   /* the walk maps these: the whole answer */
			else
				cr_assert_eq(t, whole, "%s: split %d, whole %d", p, t, whole);
			checked++;
			mfile_close(&mf);
		}
		closedir(d);
	}
	free(dynb);
	cr_assert_gt(checked, 500, "only %zu ELF files under the system directories", checked);
	cr_assert_gt(asked, 100, "the dynamic segment was asked for %zu times", asked);
	cr_assert_lt(mapped * 100, checked, "%zu of %zu would be mapped", mapped, checked);
}
