/* liba: calls into libb (found through the executable's RPATH, which ld.so
 * lets liba inherit, or not when the executable has RUNPATH). */
int b_value(void);
int a_value(void) { return b_value() + 1; }
