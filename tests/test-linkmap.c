/*
 * test-linkmap.c - the linker-map parsers on small maps written the way
 * each linker writes them (formats from ld/ldlang.c, gold/mapfile.cc,
 * lld/ELF/MapFile.cpp, mold/mapfile.cc), then the graph they make.  The
 * real links with each linker's own ground truth are in
 * tests/cli/test-linkmap-truth.sh.
 */
#include "testutil.h"
#include "../common/diag.h"
#include "../graph/graph.h"
#include "../linkmap/linkmap.h"

static const char bfd_map[] =
"Archive member included to satisfy reference by file (symbol)\n"
"\n"
"/usr/lib/libz.a(inflate.o)\n"
"                              main.o (inflate)\n"
"/usr/lib/libz.a(crc32.o)      /usr/lib/libz.a(inflate.o) (crc32)\n"
"/usr/lib/libdemo.a(dead.o)\n"
"                              util.o (demo_dead)\n"
"\n"
"Merging program properties\n"
"\n"
"Discarded input sections\n"
"\n"
" .text.unused   0x0000000000000000       0x40 util.o\n"
" .text.demo_dead\n"
"                0x0000000000000000       0x10 /usr/lib/libdemo.a(dead.o)\n"
" .note.GNU-stack\n"
"                0x0000000000000000        0x0 main.o\n"
"\n"
"Memory Configuration\n"
"\n"
"Name             Origin             Length             Attributes\n"
"*default*        0x0000000000000000 0xffffffffffffffff\n"
"\n"
"Linker script and memory map\n"
"\n"
"LOAD main.o\n"
"LOAD /usr/lib/libz.a\n"
"                0x0000000000001000                . = 0x1000\n"
"\n"
".text           0x0000000000001000      0x130\n"
" *(.text .text.*)\n"
" .text          0x0000000000001000       0x20 main.o\n"
"                0x0000000000001000                main\n"
" *fill*         0x0000000000001020       0x10 \n"
" .text          0x0000000000001030      0x100 /usr/lib/libz.a(inflate.o)\n"
"                0x0000000000001030                add\n"
"\n"
".rodata.with.a.long.name\n"
"                0x0000000000002000       0x20\n"
" .rodata.str1.1\n"
"                0x0000000000002000       0x18 main.o\n"
" .rodata.str1.1\n"
"                0x0000000000002010       0x10 /usr/lib/libz.a(crc32.o)\n"
"\n"
".hash\n"
" *(.hash)\n"
"\n"
"/DISCARD/\n"
" *(.note.GNU-stack)\n"
"OUTPUT(prog elf64-x86-64)\n"
"\n"
"Cross Reference Table\n"
"\n"
"Symbol                                            File\n"
"inflate                                           /usr/lib/libz.a(inflate.o)\n";

static const char gold_map[] =
"Archive member included because of file (symbol)\n"
"\n"
"/usr/lib/libz.a(inflate.o)\n"
"                              main.o (inflate)\n"
"\n"
"Discarded input sections\n"
"\n"
" .text.unused   0x0000000000000000       0x40 main.o\n"
"\n"
"Memory map\n"
"\n"
" ** file header\n"
"                0x0000000000000000       0x40\n"
".text           0x0000000000001000       0x80\n"
" .text          0x0000000000001000       0x20 main.o\n"
" ** fill        0x0000000000001020       0x10\n"
" .text          0x0000000000001040       0x30 /usr/lib/libz.a(inflate.o)\n"
".comment        0x0000000000000000       0x28\n"
" ** merge strings\n"
"                0x0000000000000000       0x28\n"
".shstrtab       0x0000000000000000       0x10\n"
" ** string table\n"
"                0x0000000000000000       0x10\n";

static const char lld_map[] =
"             VMA              LMA     Size Align Out     In      Symbol\n"
"            1000             1000       80    16 .text\n"
"            1000             1000       20    16         main.o:(.text)\n"
"            1000             1000        0     1                 main\n"
"            1040             1040       30    16         /usr/lib/libz.a(inflate.o):(.text)\n"
"            2000             2000       10     8 .got\n"
"            2000             2000       10     8         <internal>:(.got)\n"
"               0                0       20     1 .shstrtab\n"
"               0                0       20     1         <internal>:(.shstrtab)\n";

static const char mold_map[] =
"               VMA       Size Align Out     In      Symbol\n"
"                 0         64     8 EHDR\n"
"            0x1000        128    16 .text\n"
"            0x1000         32    16         main.o:(.text)\n"
"            0x1000          0     0                 main\n"
"            0x1040         48    16         /usr/lib/libz.a(inflate.o):(.text)\n"
"                 0        512     8 SHDR\n";

static struct lm_file *file(struct linkmap *m, const char *path)
{
	void *v = hmap_gets(&m->file_by_path, path);
	cr_assert(v, "no file %s in the model", path);
	return &m->files[(uintptr_t)v - 1];
}

static const struct lm_osec *osec(const struct linkmap *m, const char *name)
{
	for (size_t i = 0; i < m->nosecs; i++)
		if (m->osecs[i].name.n == strlen(name) &&
		    !memcmp(m->osecs[i].name.p, name, m->osecs[i].name.n))
			return &m->osecs[i];
	cr_assert_fail("no output section %s", name);
	return NULL;
}

static void parse_ok(struct linkmap *m, const char *text)
{
	struct diag d = {0};
	struct diag_list w = {0};
	int rc = linkmap_parse(m, "t.map", text, strlen(text), &w, &d);
	cr_assert_eq(rc, 0, "parse failed: line %llu: %s",
		     (unsigned long long)d.pos, d.msg);
	diag_list_free(&w);
}

Test(linkmap_detect, each_linker_by_its_headings)
{
	cr_assert_eq(linkmap_detect(bfd_map, strlen(bfd_map)), LM_BFD);
	cr_assert_eq(linkmap_detect(gold_map, strlen(gold_map)), LM_GOLD);
	cr_assert_eq(linkmap_detect(lld_map, strlen(lld_map)), LM_LLD);
	cr_assert_eq(linkmap_detect(mold_map, strlen(mold_map)), LM_MOLD);
	cr_assert_eq(linkmap_detect("hello\n", 6), LM_UNKNOWN);
}

Test(linkmap_bfd, members_pulls_fills_and_discards)
{
	struct linkmap m = {0};
	parse_ok(&m, bfd_map);
	cr_assert_str_eq(m.output, "prog");
	struct lm_file *inf = file(&m, "/usr/lib/libz.a(inflate.o)");
	cr_assert_str_eq(inf->id, "obj:libz.a(inflate.o)");
	cr_assert_str_eq(inf->archive, "/usr/lib/libz.a");
	cr_assert_str_eq(inf->member, "inflate.o");
	cr_assert_str_eq(inf->pulled_sym, "inflate");
	cr_assert_str_eq(m.files[inf->pulled_by].path, "main.o");
	/* the member printed short enough to share its line with the reason */
	struct lm_file *crc = file(&m, "/usr/lib/libz.a(crc32.o)");
	cr_assert_str_eq(crc->pulled_sym, "crc32");
	cr_assert_eq(&m.files[crc->pulled_by], inf);
	/* "add" in the symbol column is a name, not the hex number 0xadd */
	cr_assert_eq(inf->bytes, 0x100);
	const struct lm_osec *t = osec(&m, ".text");
	cr_assert_eq(t->size, 0x130);
	cr_assert_eq(t->inputs, 0x120);
	cr_assert_eq(t->linker, 0x10, "the *fill* is linker-made");
	cr_assert_eq(t->padding, 0);
	/* merged strings printed at overlapping addresses count once */
	const struct lm_osec *r = osec(&m, ".rodata.with.a.long.name");
	cr_assert_eq(r->inputs, 0x20);
	cr_assert_eq(crc->bytes, 0x8);
	/* discarded, names printed alone on their line included */
	struct lm_file *dead = file(&m, "/usr/lib/libdemo.a(dead.o)");
	cr_assert_eq(dead->ndead, 1);
	cr_assert_eq(dead->discarded, 0x10);
	cr_assert_eq(dead->bytes, 0);
	cr_assert_eq(file(&m, "util.o")->discarded, 0x40);
	cr_assert_eq(osec(&m, ".hash")->size, 0);
	linkmap_free(&m);
}

Test(linkmap_gold, pieces_with_spaces_are_linker_made)
{
	struct linkmap m = {0};
	parse_ok(&m, gold_map);
	const struct lm_osec *t = osec(&m, ".text");
	cr_assert_eq(t->inputs, 0x50);
	cr_assert_eq(t->linker, 0x10);
	cr_assert_eq(t->padding, 0x20, "the gap before inflate.o's .text");
	const struct lm_osec *c = osec(&m, ".comment");
	cr_assert_eq(c->linker, 0x28);
	struct lm_file *ms = file(&m, "** merge strings");
	cr_assert(ms->linker);
	cr_assert_str_eq(file(&m, "/usr/lib/libz.a(inflate.o)")->pulled_sym, "inflate");
	cr_assert_eq(file(&m, "main.o")->discarded, 0x40);
	linkmap_free(&m);
}

Test(linkmap_lld, columns_internal_and_why_extract)
{
	struct linkmap m = {0};
	parse_ok(&m, lld_map);
	const struct lm_osec *t = osec(&m, ".text");
	cr_assert_eq(t->size, 0x80);
	cr_assert_eq(t->inputs, 0x50);
	cr_assert_eq(t->padding, 0x30);
	cr_assert_eq(osec(&m, ".got")->linker, 0x10);
	cr_assert(!m.has_pulls);
	static const char why[] =
		"reference\textracted\tsymbol\n"
		"main.o\t/usr/lib/libz.a(inflate.o)\tinflate\n"
		"/usr/lib/libz.a(inflate.o)\t/usr/lib/libz.a(gone.o)\tgone\n";
	struct diag d = {0};
	cr_assert_eq(linkmap_read_why_extract(&m, "w", why, strlen(why), &d), 0, "%s", d.msg);
	struct lm_file *inf = file(&m, "/usr/lib/libz.a(inflate.o)");
	cr_assert_str_eq(inf->pulled_sym, "inflate");
	cr_assert_str_eq(m.files[inf->pulled_by].path, "main.o");
	struct lm_file *gone = file(&m, "/usr/lib/libz.a(gone.o)");
	cr_assert(gone->loaded);
	cr_assert_eq(gone->bytes, 0);
	linkmap_free(&m);
}

Test(linkmap_mold, decimal_sizes_and_synthetic_chunks)
{
	struct linkmap m = {0};
	parse_ok(&m, mold_map);
	cr_assert_eq(osec(&m, ".text")->size, 128);
	cr_assert_eq(osec(&m, ".text")->inputs, 80);
	cr_assert_eq(osec(&m, "EHDR")->linker, 64, "a chunk with no inputs is linker-made");
	cr_assert_eq(file(&m, "main.o")->bytes, 32);
	static const char deps[] =
		"# This is an output of the mold linker's --print-dependencies option.\n"
		"#\n"
		"main.o:(.text)\t/usr/lib/libz.a(inflate.o):(.text)\tu\tinflate\n"
		"main.o:(.text)\t/lib/libc.so.6\tu\tputs\n";
	struct diag d = {0};
	cr_assert_eq(linkmap_read_why_extract(&m, "deps", deps, strlen(deps), &d), 0, "%s", d.msg);
	struct lm_file *inf = file(&m, "/usr/lib/libz.a(inflate.o)");
	cr_assert_str_eq(inf->pulled_sym, "inflate");
	cr_assert(inf->derived);
	cr_assert_null(hmap_gets(&m.file_by_path, "/lib/libc.so.6"),
		       "a shared library is not an input object");
	linkmap_free(&m);
}

Test(linkmap_names, thin_members_and_lto_partitions)
{
	static const char map[] =
		"Archive member included to satisfy reference by file (symbol)\n"
		"\n"
		"/build/obj/dir/thin_member.o\n"
		"                              main.o (f)\n"
		"\n"
		"Linker script and memory map\n"
		"\n"
		".text           0x0000000000001000       0x20\n"
		" .text          0x0000000000001000       0x10 /tmp/ccAbC123.ltrans0.ltrans.o\n"
		" .text          0x0000000000001010       0x10 /build/obj/dir/thin_member.o\n"
		"OUTPUT(p elf64-x86-64)\n";
	struct linkmap m = {0};
	parse_ok(&m, map);
	struct lm_file *lto = file(&m, "/tmp/ccAbC123.ltrans0.ltrans.o");
	cr_assert(lto->lto);
	cr_assert_str_eq(lto->id, "obj:lto.ltrans0.ltrans.o", "random temp names must not reach ids");
	struct lm_file *t = file(&m, "/build/obj/dir/thin_member.o");
	cr_assert(t->loaded, "listed as loaded from an archive");
	cr_assert_str_eq(t->id, "obj:thin_member.o");
	linkmap_free(&m);
}

Test(linkmap_graph, ids_edges_and_findings)
{
	struct graph g;
	graph_init(&g);
	struct diag d = {0};
	struct diag_list w = {0};
	cr_assert_eq(linkmap_merge_buf(&g, "prog.map", bfd_map, strlen(bfd_map),
				   "exe:prog", &w, &d), 0, "%s", d.msg);
	cr_assert_eq(graph_check(&g, &d), 0, "%s", d.msg);
	struct gnode *n = graph_node(&g, "obj:libz.a(inflate.o)");
	cr_assert(n);
	cr_assert_str_eq(n->kind, "object");
	cr_assert_eq(n->size, 0x100);
	cr_assert_str_eq(attr_get_str(n->attrs, "archive"), "/usr/lib/libz.a");
	struct gedge *e = graph_edge(&g, "exe:prog", "obj:libz.a(inflate.o)", "includes");
	cr_assert(e);
	cr_assert_str_eq(attr_get_str(e->attrs, "symbol"), "inflate");
	e = graph_edge(&g, "obj:libz.a(inflate.o)", "obj:libz.a(crc32.o)", "pulls");
	cr_assert(e);
	cr_assert_str_eq(attr_get_str(e->attrs, "symbol"), "crc32");
	cr_assert(graph_edge(&g, "exe:prog", "obj:main.o", "includes"));
	bool dead = false, sec = false;
	for (size_t i = 0; i < g.nfindings; i++) {
		struct gfinding *f = &g.findings[i];
		if (!strcmp(f->kind, "dead-archive-member")) {
			cr_assert_str_eq(f->node, "obj:libdemo.a(dead.o)");
			cr_assert_str_eq(f->dependent, "obj:util.o");
			dead = true;
		}
		if (!strcmp(f->kind, "discarded-section") &&
		    !strcmp(f->node, "sec:util.o:.text.unused")) {
			cr_assert_eq(f->bytes, 0x40);
			sec = true;
		}
	}
	cr_assert(dead, "no dead-archive-member finding for libdemo.a(dead.o)");
	cr_assert(sec, "no discarded-section finding for util.o's .text.unused");
	diag_list_free(&w);
	graph_free(&g);
}

Test(linkmap_graph, output_named_by_the_map_when_not_given)
{
	struct graph g;
	graph_init(&g);
	struct diag d = {0};
	struct diag_list w = {0};
	cr_assert_eq(linkmap_merge_buf(&g, "x/prog.map", bfd_map, strlen(bfd_map),
				   NULL, &w, &d), 0);
	cr_assert(graph_node(&g, "exe:prog"));
	graph_free(&g);
	graph_init(&g);
	cr_assert_eq(linkmap_merge_buf(&g, "x/other.map", lld_map, strlen(lld_map),
				   NULL, &w, &d), 0);
	cr_assert(graph_node(&g, "exe:other"), "lld maps do not name the output");
	graph_free(&g);
	/* a shared library's map: the output is a lib node */
	char lib[sizeof bfd_map + 16];
	snprintf(lib, sizeof lib, "%s", bfd_map);
	char *o = strstr(lib, "OUTPUT(prog ");
	cr_assert(o);
	memcpy(o, "OUTPUT(l.so ", 12);
	graph_init(&g);
	cr_assert_eq(linkmap_merge_buf(&g, "x/l.map", lib, strlen(lib), NULL, &w, &d), 0);
	struct gnode *ln = graph_node(&g, "lib:l.so");
	cr_assert(ln, "no lib:l.so node");
	cr_assert_str_eq(ln->kind, "lib");
	graph_free(&g);
}

Test(linkmap_script, data_statements_are_linker_made)
{
	static const char bfd[] =
		"Linker script and memory map\n"
		"\n"
		".mysec          0x0000000000002004       0x1c\n"
		" *(.mysec)\n"
		" .mysec         0x0000000000002004        0x3 s.o\n"
		"                0x0000000000002007        0x1 BYTE 0x1\n"
		"                0x0000000000002008        0x4 LONG 0x12345678\n"
		"                0x0000000000002020                . = ALIGN (0x20)\n"
		" *fill*         0x000000000000200c       0x14 \n"
		" FILL mask 0x90909090\n"
		"OUTPUT(s elf64-x86-64)\n";
	struct linkmap m = {0};
	parse_ok(&m, bfd);
	const struct lm_osec *o = osec(&m, ".mysec");
	cr_assert_eq(o->inputs, 3);
	cr_assert_eq(o->linker, 0x19, "BYTE + LONG + *fill*");
	cr_assert_eq(o->padding, 0);
	linkmap_free(&m);
	static const char lld[] =
		"             VMA              LMA     Size Align Out     In      Symbol\n"
		"             554              554        c     1 .mysec\n"
		"             554              554        3     1         s.o:(.mysec)\n"
		"             557              557        1     1         BYTE ( 1 )\n"
		"             558              558        4     1         LONG ( 0x12345678 )\n"
		"             55c              55c        4     1         . = ALIGN ( 32 )\n"
		"               0                0       20     1 .shstrtab\n"
		"               0                0       20     1         <internal>:(.shstrtab)\n";
	struct linkmap l = {0};
	parse_ok(&l, lld);
	o = osec(&l, ".mysec");
	cr_assert_eq(o->inputs, 3);
	cr_assert_eq(o->linker, 9);
	cr_assert_eq(o->padding, 0);
	linkmap_free(&l);
}

Test(linkmap_cref, counts_symbols_other_files_use)
{
	static const char map[] =
		"Archive member included to satisfy reference by file (symbol)\n"
		"\n"
		"/l/libz.a(crc32.o)            main.o (crc32)\n"
		"\n"
		"Linker script and memory map\n"
		"\n"
		".text           0x0000000000001000       0x20\n"
		" .text          0x0000000000001000       0x10 main.o\n"
		" .text          0x0000000000001010       0x10 /l/libz.a(crc32.o)\n"
		"OUTPUT(p elf64-x86-64)\n"
		"\n"
		"Cross Reference Table\n"
		"\n"
		"Symbol                                            File\n"
		"crc32                                             /l/libz.a(crc32.o)\n"
		"                                                  main.o\n"
		"a_very_long_demangled_name(int, char const*) const /l/libz.a(crc32.o)\n"
		"                                                  main.o\n"
		"crc32_internal                                    /l/libz.a(crc32.o)\n"
		"free                                              /lib/libc.so.6\n"
		"                                                  main.o\n";
	struct linkmap m = {0};
	parse_ok(&m, map);
	cr_assert(m.has_cref);
	struct lm_file *c = file(&m, "/l/libz.a(crc32.o)");
	cr_assert_eq(c->xref_syms, 2, "crc32 and the long name; not crc32_internal");
	cr_assert_str_eq(c->xref_sym, "crc32");
	cr_assert_null(hmap_gets(&m.file_by_path, "/lib/libc.so.6"), "not an input object");
	linkmap_free(&m);
}

Test(linkmap_bfd, dynobj_sections_and_grown_inputs_are_linker_made)
{
	static const char map[] =
		"Linker script and memory map\n"
		"\n"
		"LOAD /usr/lib/x86_64-linux-gnu/Scrt1.o\n"
		".dynsym         0x0000000000000300       0x90\n"
		" .dynsym        0x0000000000000300       0x90 /usr/lib/x86_64-linux-gnu/Scrt1.o\n"
		".rodata         0x0000000000001000       0x20\n"
		" .rodata.str1.1\n"
		"                0x0000000000001000       0x20 main.o\n"
		"                                          0x4 (size before relaxing)\n"
		".data.rel.ro    0x0000000000002000       0x30\n"
		" .data.rel.ro   0x0000000000002000       0x10 main.o\n"
		" .data.rel.ro   0x0000000000002010       0x20 /usr/lib/x86_64-linux-gnu/Scrt1.o\n"
		"OUTPUT(p elf64-x86-64)\n";
	struct linkmap m = {0};
	parse_ok(&m, map);
	cr_assert_eq(osec(&m, ".dynsym")->linker, 0x90, "BFD files .dynsym under Scrt1.o");
	cr_assert_eq(file(&m, "/usr/lib/x86_64-linux-gnu/Scrt1.o")->bytes, 0,
		     "neither .dynsym nor the copy-reloc .data.rel.ro are Scrt1.o's");
	cr_assert_eq(file(&m, "main.o")->bytes, 0x4 + 0x10, "main.o keeps its 4 bytes of strings");
	cr_assert_eq(osec(&m, ".rodata")->linker, 0x1c);
	cr_assert_eq(osec(&m, ".rodata")->padding, 0);
	linkmap_free(&m);
}

static void parse_bad(const char *text, unsigned long long line, const char *msg)
{
	struct linkmap m = {0};
	struct diag d = {0};
	struct diag_list w = {0};
	cr_assert_eq(linkmap_parse(&m, "bad.map", text, strlen(text), &w, &d), -1);
	cr_assert_eq(d.where, DIAG_LINE);
	cr_assert_eq(d.pos, line, "line %llu, want %llu (%s)",
		     (unsigned long long)d.pos, line, d.msg);
	cr_assert(strstr(d.msg, msg), "'%s' lacks '%s'", d.msg, msg);
	linkmap_free(&m);
	diag_list_free(&w);
}

Test(linkmap_bad, refused_with_the_line)
{
	parse_bad("hello\n", 1, "not a linker map");
	parse_bad("             VMA              LMA     Size Align Out     In      Symbol\n"
		  "            1000             1000       80    16 .text", 2, "truncated");
	parse_bad("             VMA              LMA     Size Align Out     In      Symbol\n"
		  "            1000             10x0       80    16 .text\n", 2, "malformed");
	parse_bad("             VMA              LMA     Size Align Out     In      Symbol\n"
		  "            1000             1000       80 99999999999 .text\n", 2, "alignment");
	parse_bad("             VMA              LMA     Size Align Out     In      Symbol\n"
		  "            1000             1000       80    16   .text\n", 2, "indentation");
	parse_bad("             VMA              LMA     Size Align Out     In      Symbol\n"
		  "            1000             1000       80    16         a.o:(.text)\n", 2,
		  "before any output section");
	parse_bad("Memory map\n\n.text 0x10 0xffffffffffffffffff\n", 3, "overflowing");
	/* the error path of a gold map with --cref frees its symbol table
	 * (a leak found by mutation fuzzing under ASan) */
	parse_bad("Memory map\n\n.text 0x10 0x20\n .text 0x10 0x10 a.o\n"
		  "                0x10                f\n"
		  ".data 0x10zz 0x0\n\nCross Reference Table\n", 6, "malformed");
	parse_bad("Archive member included because of file (symbol)\n\nx.a(y.o)\n", 3,
		  "without 'FILE (SYMBOL)'");
}

/* Causes without the inputs (names alone), on maps written by hand: the
 * real links and their linkers' own lists are in test-linkmap-causes.sh. */
static const struct lm_isec *dsec(const struct linkmap *m, const char *file_path,
				  const char *name)
{
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED && !strcmp(m->files[s->file].path, file_path) &&
		    s->name.n == strlen(name) && !memcmp(s->name.p, name, s->name.n))
			return s;
	}
	cr_assert_fail("no discarded %s in %s", name, file_path);
	return NULL;
}

Test(linkmap_cause, names_decide_when_the_inputs_are_unread)
{
	struct linkmap m = {0};
	parse_ok(&m, bfd_map);
	linkmap_causes(&m, false);
	const struct lm_isec *s = dsec(&m, "util.o", ".text.unused");
	cr_assert_eq(s->cause, LM_CAUSE_GC);
	cr_assert(s->cause_by_name);
	cr_assert_eq(dsec(&m, "main.o", ".note.GNU-stack")->cause, LM_CAUSE_MERGED);
	cr_assert_str_eq(linkmap_cause_name(LM_CAUSE_COMDAT), "comdat");
	cr_assert_null(linkmap_discards_unknown(&m), "BFD lists its discards");
	linkmap_free(&m);
}

Test(linkmap_cause, discard_inputs_of_a_script_and_kept_names)
{
	static const char map[] =
		"Discarded input sections\n\n"
		" .text._Z3getv  0x0000000000000000       0x10 b.o\n"
		" .init_array    0x0000000000000000        0x8 b.o\n\n"
		"Linker script and memory map\n\n"
		".text           0x0000000000001000       0x10\n"
		" .text._Z3getv  0x0000000000001000       0x10 a.o\n\n"
		"/DISCARD/\n"
		" .note.mine     0x0000000000000000        0x4 a.o\n"
		"OUTPUT(p elf64-x86-64)\n";
	struct linkmap m = {0};
	parse_ok(&m, map);
	cr_assert_eq(dsec(&m, "a.o", ".note.mine")->cause, LM_CAUSE_SCRIPT,
		     "an input listed under /DISCARD/");
	linkmap_causes(&m, false);
	cr_assert_eq(dsec(&m, "a.o", ".note.mine")->cause, LM_CAUSE_SCRIPT);
	cr_assert_eq(dsec(&m, "b.o", ".text._Z3getv")->cause, LM_CAUSE_COMDAT,
		     "a name a.o keeps: b.o's copy is the duplicate");
	cr_assert_eq(dsec(&m, "b.o", ".init_array")->cause, LM_CAUSE_SCRIPT,
		     "--gc-sections never collects an init array");
	linkmap_free(&m);
}

Test(linkmap_unknown, lld_discards_unknown_until_derived)
{
	struct linkmap m = {0};
	parse_ok(&m, lld_map);
	cr_assert_not_null(linkmap_discards_unknown(&m));
	struct diag_list w = {0};
	struct diag d = {0};
	m.path = "/nonexistent/dir/x.map";   /* its relative inputs are nowhere */
	cr_assert_eq(linkmap_derive(&m, &w, &d), 0);
	cr_assert(!m.has_pulls, "nothing read: no pulls claimed");
	cr_assert_eq(m.inputs_read, 0);
	const char *u = linkmap_discards_unknown(&m);
	cr_assert(u && strstr(u, "could be read"), "%s", u ? u : "(null)");
	linkmap_free(&m);
	diag_list_free(&w);
}

Test(linkmap_binary, refuses_what_is_not_elf)
{
	struct linkmap m = {0};
	parse_ok(&m, lld_map);
	struct diag d = {0};
	cr_assert_eq(linkmap_check_binary(&m, "bin", "not an ELF file", 15, &d), -1);
	cr_assert(strstr(d.msg, "cannot read section headers"), "%s", d.msg);
	linkmap_free(&m);
}
