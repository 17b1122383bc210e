int weak_target(void) { return 7; }
