#include <stdio.h>
int call2(void);
int main(void) { printf("%d\n", call2()); return 0; }
