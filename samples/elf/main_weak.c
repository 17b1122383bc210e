/* A weak reference that libweak satisfies (libweak is used), and one that
 * nothing defines (no error, no library used). */
#include <stdio.h>
extern int weak_target(void) __attribute__((weak));
extern int nowhere_defined(void) __attribute__((weak));
int main(void)
{
	printf("%d %d\n", weak_target ? weak_target() : -1,
	       nowhere_defined ? nowhere_defined() : -1);
	return 0;
}
