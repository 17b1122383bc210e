#include "tmpl.h"
long a_total(int n)
{
	Acc<long> a;
	for (int i = 0; i < n; i++)
		a.add(scale<long>(i, 2));
	return a.get();
}
