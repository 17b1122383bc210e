// libcxxdemo.a(cxx_lib.o): defines demo::scale(char const*, unsigned int).
namespace demo {
int scale(const char *s, unsigned n)
{
	return (int)(s[0] * n);
}
}
