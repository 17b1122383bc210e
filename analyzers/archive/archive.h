/*
 * archive.h - what a static archive (ar, "!<arch>\n") or a lone relocatable
 * object holds: its members, the bytes of each, and the bytes a link could
 * take from each ELF member, split the way binutils' `size` (Berkeley
 * format) splits them.
 *
 * A link takes nothing from an archive but the members some reference
 * pulls in (linkmap/ says which, from a map); this is the inventory that
 * question starts from, so `slim report libfoo.a` shows what it found.
 */
#ifndef SLIM_ARCHIVE_H
#define SLIM_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/diag.h"

struct graph;

/* Berkeley `size` of one ELF file: every SHF_ALLOC section, as text (code
 * or read-only), data (writable, with contents) or bss (writable, no
 * contents: SHT_NOBITS). */
struct archive_sizes {
	uint64_t text, data, bss;
};

/*
 * Add one `object` node per member of the ar archive [p, p+n) read from
 * `path` (id obj:AR(MEMBER), AR the last component of path; a second
 * member of one name gets "#2", a third "#3", ...), sized by the member's
 * bytes in the archive as its header declares them (`ar tv`), with attrs
 * member, position (1-based, in archive order, as `ar t` lists), offset
 * (of its bytes in the archive), format ("elf" or "other") and, for ELF
 * members, bytes_text/bytes_data/bss as struct archive_sizes; a `contains`
 * edge from owner_node (which must exist), whose attrs get "members".
 * Returns the member count, or -1 with d set when a member header is cut
 * short or corrupt, a member runs past the end of the archive, or an ELF
 * member's section headers cannot be read: the members before it stay in
 * the graph.  The symbol table and long-name table are not members.
 */
int archive_merge(struct graph *g, const char *path, const unsigned char *p,
		  size_t n, const char *owner_node, struct diag *d);

/*
 * The Berkeley sizes of the ELF file [p, p+n) (a relocatable object, or any
 * ELF file) into *s; where names it in diagnostics, base is the file offset
 * of p (an archive member's) for them.  -1 with d set if its section
 * headers cannot be read or a section with contents runs past its end.
 */
int archive_elf_sizes(const unsigned char *p, size_t n, const char *where,
		      uint64_t base, struct archive_sizes *s, struct diag *d);

/* bytes_text/bytes_data/bytes_bss of s into a node's attrs. */
void archive_sizes_attrs(struct graph *g, const char *node_id,
			 const struct archive_sizes *s);

#endif
