int unb_value(void);
int una_value(void) { return unb_value() + 1; }
