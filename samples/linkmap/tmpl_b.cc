#include "tmpl.h"
double b_total(int n)
{
	Acc<long> a;
	Acc<double> d;
	for (int i = 0; i < n; i++) {
		a.add(scale<long>(i, 3));
		d.add(scale<double>(i, 1));
	}
	return a.get() + d.get();
}
/* nothing calls it: --gc-sections drops it and Acc<long>::twice, whose only copy
 * of the group is kept from tmpl_b.o */
long b_unused(void)
{
	Acc<long> a;
	a.add(1);
	return a.twice();
}
