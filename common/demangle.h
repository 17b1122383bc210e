/*
 * demangle.h - C++ (Itanium ABI) names shown demangled, with libiberty's
 * cplus_demangle and the flags c++filt uses by default, so slim's names
 * read exactly as `c++filt` prints them.
 */
#ifndef SLIM_DEMANGLE_H
#define SLIM_DEMANGLE_H

struct arena;

/* The demangled form of sym ("_ZN3foo3barEv@@VER" keeps its "@@VER"), in
 * the arena; NULL when sym is not a mangled name or does not demangle. */
const char *demangle(struct arena *a, const char *sym);

#endif
