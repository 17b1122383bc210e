#include <stdio.h>
long a_total(int n);
double b_total(int n);
int main(int argc, char **argv)
{
	(void)argv;
	printf("%ld %g\n", a_total(argc + 9), b_total(argc + 9));
	return 0;
}
