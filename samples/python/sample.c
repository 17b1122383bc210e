#include <stdio.h>
/* a C file for guess_lexer */
int main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("%d: %s\n", i, argv[i]);
	return 0;
}
