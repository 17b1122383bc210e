/* Uses only libc; linked with -Wl,--no-as-needed against libm and libz,
 * which nothing binds to: both are unused direct dependencies. */
#include <stdio.h>
int main(void) { puts("hello"); return 0; }
