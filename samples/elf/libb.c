int b_value(void) { return 41; }
