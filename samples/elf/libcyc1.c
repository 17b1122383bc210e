int cyc2(void);
int cyc1(void) { return 1; }
int call2(void) { return cyc2(); }
