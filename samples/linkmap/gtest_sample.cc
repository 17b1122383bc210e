// A googletest program: C++ with COMDAT groups (inline functions and
// templates instantiated in several objects), so the linkers discard
// duplicate group members as well as unused sections.
#include <gtest/gtest.h>
#include <map>
#include <string>
#include <vector>

static int sum(const std::vector<int> &v)
{
	int s = 0;
	for (int x : v)
		s += x;
	return s;
}

TEST(Sample, Sums)
{
	EXPECT_EQ(sum({1, 2, 3}), 6);
}

TEST(Sample, Maps)
{
	std::map<std::string, int> m{{"a", 1}};
	EXPECT_EQ(m.at("a"), 1);
}
