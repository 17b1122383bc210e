/* libdemo.a member that main.o really uses. */
int demo_live(int x)
{
	return x * 3 + 1;
}
