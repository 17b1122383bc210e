/* A program linked with a linker script fragment (script.ld): its .mysec
 * output section holds this tag, then script data (BYTE, LONG) and fill,
 * which the maps print as statements rather than input sections. */
int demo_live(int x);

__attribute__((section(".mysec"), used)) static const char tag[3] = "ab";

int main(int argc, char **argv)
{
	(void)argv;
	return demo_live(argc) + tag[0] - 'a';
}
