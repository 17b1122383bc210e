int cyc1(void);
int cyc2(void) { return 2; }
int call1(void) { return cyc1(); }
