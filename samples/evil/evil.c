/* Creates a marker from a constructor and from main: running it, or
 * loading it with a loader, leaves a file behind. */
#include <fcntl.h>
#include <unistd.h>
int lib_touch(void);
__attribute__((constructor)) static void ctor(void)
{
	int fd = open(MARKER "/ran-ctor", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
}
int main(void) { return lib_touch(); }
