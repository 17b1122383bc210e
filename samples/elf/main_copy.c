#include <stdio.h>
extern int shared_counter;
int main(void) { printf("%d\n", shared_counter); return 0; }
