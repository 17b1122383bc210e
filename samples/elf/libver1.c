/* Defines `versioned` at version VER_1 only. */
int versioned(void) { return 1; }
