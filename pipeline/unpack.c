/*
 * unpack.c - archives and images into a private directory (deploy.h).
 * A stub until the archive reader lands: every archive is refused in one
 * line, so a directory deployable works meanwhile.
 */
#include "deploy.h"
#include "../common/diag.h"

#include <string.h>

int deploy_unpack(const char *path, struct deploy_unpacked *u,
		  struct diag_list *w, struct diag *d)
{
	memset(u, 0, sizeof *u);
	return diag_err(d, path, "archives and images are not read yet");
}

void deploy_cleanup(struct deploy_unpacked *u)
{
	(void)u;
}

bool deploy_is_archive(const unsigned char *p, size_t n)
{
	return false;
}

bool deploy_is_oci_dir(const char *dir)
{
	return false;
}
