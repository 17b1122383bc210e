/* A second real program: SHA-256 and AES through libcrypto.a's EVP API,
 * so the map has thousands of input sections and deep pull chains. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *msg = argc > 1 ? argv[1] : "slim";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(msg, strlen(msg), md, &mdlen, EVP_sha256(), NULL))
		return 1;
	for (unsigned int i = 0; i < mdlen; i++)
		printf("%02x", md[i]);
	printf("\n");
	return 0;
}
