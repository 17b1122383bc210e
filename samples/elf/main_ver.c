/* Linked against libver2 (so the reference is versioned@VER_2) but with
 * libver1 earlier in DT_NEEDED: an unversioned lookup would stop at
 * libver1; the versioned one binds to libver2, leaving libver1 unused. */
#include <stdio.h>
int versioned(void);
int main(void) { printf("%d\n", versioned()); return 0; }
