/* Has a constructor but nothing binds to it: unused, with initializers
 * named as what could still matter. */
#include <stdio.h>
__attribute__((constructor)) static void init_side_effect(void) { }
int init_unused_fn(void) { return 3; }
