/*
 * test-archive.c - the archive member walk (analyzers/archive/) on archives
 * assembled here in memory in GNU ar's format around a real object
 * (samples/out/linkmap/util.o): the symbol and long-name tables are not
 * members, a long name is resolved, an odd-sized member is padded, a name
 * given twice is numbered, a member that is not ELF is listed without
 * sizes, and a member cut short or a spoiled size field is an error at its
 * header.  An object's text/data/bss are checked against binutils' `size`.
 */
#include "testutil.h"
#include "../analyzers/archive/archive.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <sys/stat.h>

#define UTIL_O "samples/out/linkmap/util.o"

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	cr_assert(fp, "%s missing: run samples/build.sh", path);
	struct stat st;
	cr_assert_eq(fstat(fileno(fp), &st), 0);
	*len = (size_t)st.st_size;
	unsigned char *p = xmalloc(*len + 1);
	cr_assert_eq(fread(p, 1, *len, fp), *len);
	fclose(fp);
	return p;
}

/* One member: a 60-byte header (name field as given) and its bytes,
 * padded to an even offset with '\n' as ar does. */
static void add(struct buf *a, const char *name_field, const void *p, size_t n)
{
	char h[61];
	snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", name_field, "0", "0", "0", "644", n);
	buf_add(a, h, 60);
	buf_add(a, p, n);
	if (n & 1)
		buf_add(a, "\n", 1);
}

static unsigned char *o;    /* util.o's bytes, n of them, for every test */
static size_t n;

static void load_util(void)
{
	o = slurp(UTIL_O, &n);
}

static void free_util(void)
{
	free(o);
}

TestSuite(archive, .init = load_util, .fini = free_util);

/* An archive of util.o under each name field given ("!<arch>\n" first). */
static void archive_of(struct buf *a, int k, const char *const *names)
{
	buf_add(a, "!<arch>\n", 8);
	for (int i = 0; i < k; i++)
		add(a, names[i], o, n);
}

static int walk(const struct buf *a, struct graph *g, struct diag *d)
{
	graph_init(g);
	graph_add_node(g, "object", "obj:t.a", NULL);
	return archive_merge(g, "t.a", (const unsigned char *)a->p, a->len, "obj:t.a", d);
}

Test(archive, tables_are_not_members_and_long_names_resolve)
{
	static const char names[] = "a_member_name_longer_than_16.o/\n";
	struct buf a = BUF_INIT;
	buf_add(&a, "!<arch>\n", 8);
	add(&a, "/", "\0\0\0\0", 4);              /* empty symbol table */
	add(&a, "//", names, sizeof names - 1);
	add(&a, "/0", o, n);
	struct graph g;
	struct diag d = {0};
	cr_assert_eq(walk(&a, &g, &d), 1, "%s", d.msg);
	struct gnode *m = graph_node(&g, "obj:t.a(a_member_name_longer_than_16.o)");
	cr_assert(m, "long name not resolved");
	cr_assert_eq(m->size, n);
	cr_assert_eq(attr_get_int(m->attrs, "position", 0), 1);
	cr_assert_str_eq(attr_get_str(m->attrs, "format"), "elf");
	cr_assert(graph_edge(&g, "obj:t.a", m->id, "contains"));
	graph_free(&g);
	buf_free(&a);
}

Test(archive, odd_members_are_padded_and_a_name_twice_is_numbered)
{
	struct buf a = BUF_INIT;
	buf_add(&a, "!<arch>\n", 8);
	add(&a, "notes.txt/", "odd", 3);          /* not ELF, odd size */
	add(&a, "util.o/", o, n);
	add(&a, "util.o/", o, n);
	struct graph g;
	struct diag d = {0};
	cr_assert_eq(walk(&a, &g, &d), 3, "%s", d.msg);
	struct gnode *t = graph_node(&g, "obj:t.a(notes.txt)");
	cr_assert(t);
	cr_assert_eq(t->size, 3);
	cr_assert_str_eq(attr_get_str(t->attrs, "format"), "other");
	cr_assert_null(json_object_get(t->attrs, "bytes_text"), "a non-ELF member has no sizes");
	cr_assert(graph_node(&g, "obj:t.a(util.o)"));
	struct gnode *u2 = graph_node(&g, "obj:t.a(util.o)#2");
	cr_assert(u2, "second util.o not numbered #2");
	cr_assert_eq(attr_get_int(u2->attrs, "position", 0), 3);
	cr_assert_eq(attr_get_int(graph_node(&g, "obj:t.a")->attrs, "members", 0), 3);
	cr_assert_eq(graph_check(&g, &d), 0, "%s", d.msg);
	graph_free(&g);
	buf_free(&a);
}

Test(archive, member_cut_short_is_an_error_at_its_header)
{
	struct buf a = BUF_INIT;
	archive_of(&a, 1, (const char *[]){"util.o/"});
	size_t second = a.len;
	add(&a, "util2.o/", o, n);
	a.len -= 100;                              /* the second member cut */
	struct graph g;
	struct diag d = {0};
	cr_assert_eq(walk(&a, &g, &d), -1);
	cr_assert_eq(d.where, DIAG_OFFSET);
	cr_assert_eq(d.pos, second, "offset 0x%llx, want the header at 0x%zx",
		     (unsigned long long)d.pos, second);
	cr_assert(strstr(d.msg, "util2.o") && strstr(d.msg, "past the end"), "%s", d.msg);
	cr_assert(graph_node(&g, "obj:t.a(util.o)"), "the member before it is kept");
	graph_free(&g);
	buf_free(&a);
}

Test(archive, size_field_that_is_not_a_number_is_an_error)
{
	struct buf a = BUF_INIT;
	archive_of(&a, 1, (const char *[]){"util.o/"});
	memcpy(a.p + 8 + 48, "1x", 2);
	struct graph g;
	struct diag d = {0};
	cr_assert_eq(walk(&a, &g, &d), -1);
	cr_assert_eq(d.pos, 8 + 48);
	cr_assert(strstr(d.msg, "not a decimal number"), "%s", d.msg);
	graph_free(&g);
	buf_free(&a);
}

Test(archive, object_sizes_are_what_size_counts)
{
	need_tool("size", "binutils");
	struct archive_sizes s;
	struct diag d = {0};
	cr_assert_eq(archive_elf_sizes(o, n, UTIL_O, 0, &s, &d), 0, "%s", d.msg);
	struct buf out = BUF_INIT;
	cr_assert_eq(run_fmt(&out, "size %s | tail -1", UTIL_O), 0);
	unsigned long long t, da, b;
	cr_assert_eq(sscanf(buf_cstr(&out), "%llu %llu %llu", &t, &da, &b), 3);
	cr_assert_eq(s.text, t);
	cr_assert_eq(s.data, da);
	cr_assert_eq(s.bss, b);
	/* not ELF: an error, not zeros */
	cr_assert_eq(archive_elf_sizes((const unsigned char *)"text", 4, "x", 0, &s, &d), -1);
	buf_free(&out);
}
