/* Templates instantiated in tmpl_a.cc and tmpl_b.cc alike: each object
 * carries the same COMDAT groups, the linker keeps one copy of each. */
template <typename T> struct Acc {
	T sum = 0;
	void add(T v) { sum += v; }
	T get() const { return sum; }
	T twice() const { return sum * 2; }
};
template <typename T> T scale(T v, int k) { return v * k; }
