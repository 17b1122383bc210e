// A C++ program whose archive member is pulled in by a mangled name, so the
// tests can check slim's demangled names against c++filt.
#include <cstdio>
namespace demo {
int scale(const char *s, unsigned n);
}

int main(int argc, char **argv)
{
	std::printf("%d\n", demo::scale(argv[0], (unsigned)argc));
	return 0;
}
