/* DT_INIT (-Wl,-init,evil_init) and DT_INIT_ARRAY both create markers. */
#include <fcntl.h>
#include <unistd.h>
void evil_init(void)
{
	int fd = open(MARKER "/ran-dt-init", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
}
__attribute__((constructor)) static void lib_ctor(void)
{
	int fd = open(MARKER "/ran-lib-ctor", O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
}
int lib_touch(void) { return 0; }
