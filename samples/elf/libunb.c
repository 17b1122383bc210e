/* Only libuna needs libunb; nothing the program calls reaches either. */
int unb_value(void) { return 2; }
