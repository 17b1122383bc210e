/* A fake program interpreter: if anything ever ran the sample whose
 * PT_INTERP names it, it would create the marker file. */
#include <fcntl.h>
#include <unistd.h>
int main(void)
{
	int fd = open(MARKER "/ran-interp", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	return 0;
}
