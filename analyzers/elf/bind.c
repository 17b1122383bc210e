/*
 * bind.c - binding every symbol reference of an object as ld.so does
 * (glibc 2.36 elf/dl-lookup.c _dl_lookup_symbol_x, do_lookup_x,
 * check_match; elf/dl-reloc.c RESOLVE_MAP; sysdeps/x86_64/dl-machine.h).
 *
 * A reference is a dynamic relocation that names a symbol.  Relocations
 * against STB_LOCAL symbols, or symbols of hidden, internal or protected
 * visibility, bind to the object itself without a lookup (RESOLVE_MAP).
 * Every other reference is looked up in the global scope -- the
 * executable and its dependencies in breadth-first load order -- with the
 * object's own symbols first when it is DT_SYMBOLIC.  In each object the
 * symbol is found through the hash table the loader would use (GNU hash
 * when present, else SysV; a GNU hash table does not reach the undefined
 * symbols below symoffset) and accepted by check_match(): defined (or an
 * undefined symbol with a value, the canonical PLT address of a non-PIC
 * executable, except for PLT-class lookups), of an allowed type, not
 * local, the requested version or (for an unversioned reference) the
 * default one, or the only non-hidden version.  A COPY relocation is never
 * resolved in the executable itself.  The object where the symbol is
 * found is the one the reference binds to: `ldd -u -r` calls that object
 * "used", and a DT_NEEDED library no reference binds to is "unused".
 */
#include "elf-int.h"
#include "../../common/diag.h"
#include "../../common/arena.h"
#include "../../common/hmap.h"
#include "../../common/util.h"

#include <stdlib.h>
#include <string.h>

enum { CLASS_PLT = 1, CLASS_COPY = 2 };

/* elf_machine_type_class per machine */
static int type_class(uint16_t machine, uint32_t t)
{
	switch (machine) {
	case EM_X86_64:
		if (t == R_X86_64_JUMP_SLOT || t == R_X86_64_DTPMOD64 ||
		    t == R_X86_64_DTPOFF64 || t == R_X86_64_TPOFF64 ||
		    t == R_X86_64_TLSDESC)
			return CLASS_PLT;
		return t == R_X86_64_COPY ? CLASS_COPY : 0;
	case EM_386:
		if (t == R_386_JMP_SLOT || t == R_386_TLS_DTPMOD32 ||
		    t == R_386_TLS_DTPOFF32 || t == R_386_TLS_TPOFF32 ||
		    t == R_386_TLS_TPOFF || t == R_386_TLS_DESC)
			return CLASS_PLT;
		return t == R_386_COPY ? CLASS_COPY : 0;
	case EM_AARCH64:
		if (t == R_AARCH64_JUMP_SLOT || t == R_AARCH64_TLS_DTPMOD ||
		    t == R_AARCH64_TLS_DTPREL || t == R_AARCH64_TLS_TPREL ||
		    t == R_AARCH64_TLSDESC)
			return CLASS_PLT;
		return t == R_AARCH64_COPY ? CLASS_COPY : 0;
	default:
		return 0;
	}
}

/* relocation types that do no lookup at all (RELATIVE, NONE, IRELATIVE
 * are symbol-less and never reach here; these name a symbol but glibc
 * ignores it) */
static bool no_lookup(uint16_t machine, uint32_t t)
{
	switch (machine) {
	case EM_X86_64: return t == R_X86_64_NONE || t == R_X86_64_RELATIVE ||
			       t == R_X86_64_RELATIVE64;
	case EM_386: return t == R_386_NONE || t == R_386_RELATIVE;
	case EM_AARCH64: return t == R_AARCH64_NONE || t == R_AARCH64_RELATIVE;
	default: return false;
	}
}

struct ref {
	const char *name;
	uint32_t gnu_hash;
	uint32_t sysv_hash;
	bool sysv_done;
	const struct ever *ver;   /* NULL: unversioned */
	int tclass;
};

#define ALLOWED_STT ((1 << STT_NOTYPE) | (1 << STT_OBJECT) | (1 << STT_FUNC) | \
		     (1 << STT_COMMON) | (1 << STT_TLS) | (1 << STT_GNU_IFUNC))

/* check_match(): 1 accept, 0 reject, 2 "versioned, remember it" */
static int check_match(const struct eobj *o, size_t idx, const GElf_Sym *sym,
		       const struct ref *r)
{
	int stt = GELF_ST_TYPE(sym->st_info);
	if ((sym->st_value == 0 && sym->st_shndx != SHN_ABS && stt != STT_TLS) ||
	    ((r->tclass & CLASS_PLT) && sym->st_shndx == SHN_UNDEF))
		return 0;
	if (!((1 << stt) & ALLOWED_STT))
		return 0;
	if (strcmp(eobj_symname(o, sym), r->name))
		return 0;
	int vs = eobj_versym(o, idx);
	if (r->ver) {
		if (vs < 0)
			return 1;   /* the definer has no versions: accepted */
		size_t ndx = (size_t)vs & 0x7fff;
		const struct ever *dv = ndx < o->nvers ? &o->vers[ndx] : NULL;
		uint32_t dh = dv ? dv->hash : 0;
		bool same = dv && dv->name && dh == r->ver->hash && !strcmp(dv->name, r->ver->name);
		if (!same && (r->ver->hidden || dh || (vs & 0x8000)))
			return 0;
	} else if (vs >= 0) {
		/* unversioned reference: index 0, 1 and 2 (the oldest
		 * version) match; others only when unique and not hidden */
		if ((vs & 0x7fff) >= 3)
			return (vs & 0x8000) ? 0 : 2;
	}
	return 1;
}

/* do_lookup_x within one object: the symbol index found, or -1. */
static long lookup_in(const struct eobj *o, struct ref *r)
{
	GElf_Sym sym;
	long versioned = -1;
	int nversions = 0;
	if (!o->nsyms)
		return -1;
	if (o->gnu && !o->gnu_nbuckets)
		return -1;   /* "If the hash table is empty there is nothing to do here." */
	if (o->gnu) {
		uint32_t h = r->gnu_hash;
		unsigned wbits = o->cls == ELFCLASS64 ? 64 : 32;
		const unsigned char *wp = o->gnu_bloom + (wbits / 8) *
			((h / wbits) & (o->gnu_bloom_size - 1));
		uint64_t word = wbits == 64 ? eobj_u64(o, wp) : eobj_u32(o, wp);
		unsigned b1 = h & (wbits - 1), b2 = (h >> o->gnu_bloom_shift) & (wbits - 1);
		if (!((word >> b1) & (word >> b2) & 1))
			return -1;
		uint32_t b = eobj_u32(o, o->gnu_buckets + 4 * (h % o->gnu_nbuckets));
		if (b < o->gnu_symoffset)
			return -1;
		for (size_t i = b; i < o->nsyms; i++) {
			uint32_t ch = eobj_u32(o, o->gnu_chain + 4 * (i - o->gnu_symoffset));
			if (((ch ^ h) >> 1) == 0 && eobj_sym(o, i, &sym)) {
				int m = check_match(o, i, &sym, r);
				if (m == 1)
					return (long)i;
				if (m == 2 && nversions++ == 0)
					versioned = (long)i;
			}
			if (ch & 1)
				break;
		}
	} else if (o->sysv && o->sysv_nbucket) {
		if (!r->sysv_done) {
			r->sysv_hash = (uint32_t)elf_hash(r->name);
			r->sysv_done = true;
		}
		uint32_t i = eobj_u32(o, o->sysv_bucket + 4 * (r->sysv_hash % o->sysv_nbucket));
		for (uint32_t steps = 0; i != STN_UNDEF && i < o->sysv_nchain &&
		     steps < o->sysv_nchain; steps++) {
			if (eobj_sym(o, i, &sym)) {
				int m = check_match(o, i, &sym, r);
				if (m == 1)
					return (long)i;
				if (m == 2 && nversions++ == 0)
					versioned = (long)i;
			}
			i = eobj_u32(o, o->sysv_chain + 4 * (uint64_t)i);
		}
	}
	return nversions == 1 ? versioned : -1;
}

/* Binding of a found symbol: STB_LOCAL definitions are passed over; weak
 * definitions count as global (LD_DYNAMIC_WEAK is off by default);
 * STB_GNU_UNIQUE resolves to the first definer in scope order. */
static bool binding_ok(const struct eobj *o, long idx)
{
	GElf_Sym sym;
	if (!eobj_sym(o, (size_t)idx, &sym))
		return false;
	int bind = GELF_ST_BIND(sym.st_info);
	return bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE;
}

/* DT_SYMBOLIC: the object's own definition comes first */
static bool self_first(const struct lmap *from, struct ref *r)
{
	if (!from->o->symbolic)
		return false;
	long i = lookup_in(from->o, r);
	return i >= 0 && binding_ok(from->o, i);
}

/* m, searched in the scope, defines r */
static bool defines(const struct lmap *m, struct ref *r)
{
	if (!m->o || ((r->tclass & CLASS_COPY) && m->is_main))
		return false;   /* "Don't search the executable when
				 * resolving a copy reloc." */
	long i = lookup_in(m->o, r);
	return i >= 0 && binding_ok(m->o, i);
}

static struct lmap *lookup_scope(struct lspace *s, struct lmap *from, struct ref *r)
{
	if (self_first(from, r))
		return from;
	for (size_t k = 0; k < s->n; k++)
		if (defines(s->list[k], r))
			return s->list[k];
	return NULL;
}

static void record(struct lspace *s, struct lmap *from, struct lmap *to,
		   const char *name)
{
	uint32_t p = to->pos;
	if (p == UINT32_MAX)
		return;
	if (from->nbind[p]++ < ELF_SAMPLES)
		from->samples[p][from->nbind[p] - 1] = name;
}

/* o's references, once per object (not once per process image it is
 * in): for each relocation that names a symbol and looks it up, one per
 * (symbol, class) -- counted once, as l_lookup_cache does -- with its
 * hashes and version; relocations naming a symbol past the dynamic
 * symbols kept apart (each binding warns of them). */
static void object_refs(struct eobj *o)
{
	if (o->refs_built)
		return;
	o->refs_built = true;
	int32_t *memo = xcalloc(o->nsyms ? 3 * o->nsyms : 1, sizeof *memo);
	size_t cap = 0, capbad = 0;
	for (size_t k = 0; k < o->nrelocs; k++) {
		const struct ereloc *rl = &o->relocs[k];
		GElf_Sym sym;
		if (no_lookup(o->machine, rl->type))
			continue;
		if (!eobj_sym(o, rl->sym, &sym)) {
			GROW(o->badsym, capbad, o->nbadsym + 1);
			o->badsym[o->nbadsym++] = rl->sym;
			continue;
		}
		int vis = GELF_ST_VISIBILITY(sym.st_other);
		if (GELF_ST_BIND(sym.st_info) == STB_LOCAL || vis == STV_HIDDEN ||
		    vis == STV_INTERNAL || vis == STV_PROTECTED)
			continue;   /* binds to the object itself */
		int tc = type_class(o->machine, rl->type);
		int32_t *m = &memo[3 * rl->sym + (tc == CLASS_COPY ? 2 : tc)];
		if (*m)
			continue;   /* counted once per symbol and class */
		*m = 1;
		GROW(o->refs, cap, o->nrefs + 1);
		struct eref *e = &o->refs[o->nrefs++];
		e->name = eobj_symname(o, &sym);
		e->gnu_hash = (uint32_t)elf_gnu_hash(e->name);
		e->tclass = (uint8_t)tc;
		e->weak = GELF_ST_BIND(sym.st_info) == STB_WEAK;
		e->ver = NULL;
		int vs = eobj_versym(o, rl->sym);
		if (vs >= 0 && (size_t)(vs & 0x7fff) < o->nvers &&
		    o->vers[vs & 0x7fff].hash && o->vers[vs & 0x7fff].name)
			e->ver = &o->vers[vs & 0x7fff];
	}
	free(memo);
}

/*
 * A library's bindings depend on the scope, and the scope of every
 * process image starts with its own executable; after it, many images
 * share one (every program that needs only libc: [libc, ld.so]).  So for
 * a library (not the image's first object) the lookups over the scope
 * after the first object are kept per (library, that rest of the scope)
 * in the context: an image that has the same rest asks the first object
 * alone (one lookup per reference) and takes the rest's answer -- the
 * same answer lookup_scope() gives, in the same order.  A DT_SYMBOLIC
 * library's own lookup comes before the first object's: kept as SELF.
 */
#define SELF 0x40000000

/*
 * A fresh rest is found from what each of its objects defines, and that
 * depends on the two objects alone (defines() reads only the definer's
 * tables; is_main matters only for list[0], never part of the rest).  So
 * per (library, definer) the context keeps two bit sets over the
 * library's references: which were looked up in the definer, and which
 * it defines.  The rest's answer for a reference is the first object in
 * list[1..n) whose set has its bit -- lookup_scope()'s answer, with each
 * (library, definer, reference) looked up once per run instead of once
 * per distinct scope it meets (on /usr: 10.8M lookups were 2/3 of the
 * binding time).  Only the references still open when an object's turn
 * comes are looked up in it, so nothing is looked up that lookup_scope()
 * would not have looked up.
 */
struct pair_bits {
	uint64_t *known, *def;   /* nrefs bits each */
};

static struct pair_bits *pair_of(struct lspace *s, const struct eobj *o,
				 const struct eobj *d, size_t nw)
{
	const struct eobj **key = arena_alloc(&s->c->arena, 2 * sizeof *key);
	key[0] = o;
	key[1] = d;
	bool fresh;
	void **v = hmap_slot(&s->c->bind_pairs, (const char *)key, 2 * sizeof *key, &fresh);
	if (fresh) {
		struct pair_bits *p = arena_alloc(&s->c->arena, sizeof *p);
		p->known = arena_zalloc(&s->c->arena, 2 * nw * sizeof *p->known);
		p->def = p->known + nw;
		*v = p;
	}
	return *v;
}

/* the lookup of reference e */
static struct ref ref_of(const struct eref *e)
{
	return (struct ref){.name = e->name, .gnu_hash = e->gnu_hash, .ver = e->ver,
			    .tclass = e->tclass};
}

/* lookup_scope() over list[1..n) for every reference of l: rest[k] is
 * the scope index, SELF | pos, or -1 */
static void lookup_rest(struct lspace *s, struct lmap *l, int32_t *rest)
{
	struct eobj *o = l->o;
	size_t nr = o->nrefs, nw = (nr + 63) / 64;
	uint64_t *open = xcalloc(nw ? nw : 1, sizeof *open);
	for (size_t k = 0; k < nr; k++) {
		rest[k] = -1;
		struct ref r = ref_of(&o->refs[k]);
		if (self_first(l, &r))
			rest[k] = SELF | (int32_t)l->pos;
		else
			open[k / 64] |= 1ull << (k % 64);
	}
	for (size_t m = 1; m < s->n; m++) {
		const struct lmap *dm = s->list[m];
		if (!dm->o)
			continue;   /* defines() nothing */
		struct pair_bits *p = NULL;
		bool any = false;
		for (size_t w = 0; w < nw; w++) {
			if (!open[w])
				continue;
			any = true;
			if (!p)
				p = pair_of(s, o, dm->o, nw);
			for (uint64_t need = open[w] & ~p->known[w]; need; need &= need - 1) {
				size_t k = 64 * w + (size_t)__builtin_ctzll(need);
				struct ref r = ref_of(&o->refs[k]);
				if (defines(dm, &r))
					p->def[w] |= 1ull << (k % 64);
			}
			p->known[w] |= open[w];
			for (uint64_t hit = open[w] & p->def[w]; hit; hit &= hit - 1)
				rest[64 * w + (size_t)__builtin_ctzll(hit)] = (int32_t)m;
			open[w] &= ~p->def[w];
		}
		if (!any)
			break;
	}
	free(open);
}

/* lookup_scope()'s answer from lookup_rest()'s */
static struct lmap *resolve(struct lspace *s, struct lmap *from, struct ref *r, int32_t rest)
{
	if (rest >= 0 && (rest & SELF))
		return from;
	if (defines(s->list[0], r))
		return s->list[0];
	return rest >= 0 ? s->list[rest] : NULL;
}

/* the rest's answers for library l (one per reference), and whether they
 * are still to be found (*fresh) */
static int32_t *memo_of(struct lspace *s, struct lmap *l, bool *fresh)
{
	size_t n = s->n;   /* key: l's object, then list[1..n)'s */
	const struct eobj **key = arena_alloc(&s->c->arena, n * sizeof *key);
	key[0] = l->o;
	for (size_t k = 1; k < n; k++)
		key[k] = s->list[k]->o;
	void **v = hmap_slot(&s->c->bind_memo, (const char *)key, n * sizeof *key, fresh);
	if (*fresh)
		*v = arena_alloc(&s->c->arena, (l->o->nrefs ? l->o->nrefs : 1) * sizeof(int32_t));
	/* (a key found again stays in the arena: its bytes are small) */
	return *v;
}

int elf_bind_object(struct lspace *s, struct lmap *l, struct diag *d)
{
	struct eobj *o = l->o;
	if (l->binds_done || !o)
		return 0;
	l->binds_done = true;
	l->nbind = arena_zalloc(&s->arena, s->n * sizeof *l->nbind);
	l->samples = arena_zalloc(&s->arena, s->n * sizeof *l->samples);
	for (size_t i = 0; i < s->n; i++)
		l->samples[i] = arena_zalloc(&s->arena, ELF_SAMPLES * sizeof **l->samples);
	if (eobj_relocs(o, d))
		return -1;
	object_refs(o);
	for (size_t k = 0; k < o->nbadsym; k++) {
		diag_warn_at(s->w, l->name, 0, "relocation names symbol %u, past the %zu dynamic symbols",
			     o->badsym[k], o->nsyms);
		l->refs_incomplete = true;   /* its verdicts are only likely */
	}
	bool fresh = false;
	int32_t *rest = l != s->list[0] && s->n > 1 ? memo_of(s, l, &fresh) : NULL;
	if (rest && fresh)
		lookup_rest(s, l, rest);
	for (size_t k = 0; k < o->nrefs; k++) {
		const struct eref *e = &o->refs[k];
		struct ref r = ref_of(e);
		struct lmap *to;
		if (rest) {
			to = resolve(s, l, &r, rest[k]);
		} else
			to = lookup_scope(s, l, &r);
		if (to) {
			record(s, l, to, r.name);
		} else if (!e->weak) {
			if (!l->nundef++)
				l->undef_sample = r.name;
		}
	}
	return 0;
}

uint32_t elf_shadowed_refs(struct lspace *s, struct lmap *l, struct lmap *d,
			   const char **sample)
{
	(void)s;
	uint32_t n = 0;
	struct eobj *o = l->o;
	if (!o || !d->o || !o->relocs_parsed)
		return 0;
	for (size_t k = 0; k < o->nrelocs; k++) {
		GElf_Sym sym;
		const struct ereloc *rl = &o->relocs[k];
		if (no_lookup(o->machine, rl->type) || !eobj_sym(o, rl->sym, &sym))
			continue;
		int vis = GELF_ST_VISIBILITY(sym.st_other);
		if (GELF_ST_BIND(sym.st_info) == STB_LOCAL || vis != STV_DEFAULT)
			continue;
		struct ref r = {.name = eobj_symname(o, &sym),
				.tclass = type_class(o->machine, rl->type)};
		r.gnu_hash = (uint32_t)elf_gnu_hash(r.name);
		int vs = eobj_versym(o, rl->sym);
		if (vs >= 0 && (size_t)(vs & 0x7fff) < o->nvers &&
		    o->vers[vs & 0x7fff].hash && o->vers[vs & 0x7fff].name)
			r.ver = &o->vers[vs & 0x7fff];
		long i = lookup_in(d->o, &r);
		if (i >= 0 && binding_ok(d->o, i) && !n++)
			*sample = r.name;
	}
	return n;
}
