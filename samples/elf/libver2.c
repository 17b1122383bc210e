/* Defines `versioned` at version VER_2 only. */
int versioned(void) { return 2; }
