# tree-lib.sh - sourced by tests/cli/test-tree*.sh: a root file system
# made of this machine's files.
#   tree_init R    R with merged-/usr links (lib, lib64, bin -> usr/...)
#   place FILE     FILE at its real path inside $R, and the name it was
#                  given by (as ldd lists it) as a symlink beside it
#   closure FILE   FILE and every library ldd lists for it, placed
#   py_subset      a Python standard library subset (os, abc, bz2, json)
#                  under $py with the extension module $ext and the
#                  libraries ldd lists for it, placed
#   tree_done      the loader's /lib64 link and an ld.so.cache (ldconfig -r)
tree_init() {
	R=$1
	mkdir -p "$R/usr/lib64" "$R/usr/bin" "$R/etc" || die "mkdir $R"
	ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"; ln -s usr/bin "$R/bin"
}
place() {
	local f=$1 r
	r=$(readlink -f "$f")
	mkdir -p "$R$(dirname "$r")"
	[ -e "$R$r" ] || cp "$r" "$R$r" || die "cp $r"
	[ "$(basename "$f")" = "$(basename "$r")" ] ||
		ln -sf "$(basename "$r")" "$R$(dirname "$r")/$(basename "$f")"
}
closure() {
	local f
	for f in "$1" $(ldd "$1" | grep -o '/[^ ]*'); do place "$f"; done
}
py_subset() {
	local f
	for f in $(ldd $ext | grep -o '/[^ ]*'); do place "$f"; done
	mkdir -p "$R$py/lib-dynload" "$R$py/json"
	cp $ext "$R$py/lib-dynload/"
	cp $py/os.py $py/abc.py $py/bz2.py "$R$py/"
	cp $py/json/*.py "$R$py/json/"
}
tree_done() {
	[ -e "$R/usr/lib64/ld-linux-x86-64.so.2" ] ||
		ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/usr/lib64/ld-linux-x86-64.so.2"
	ldconfig -r "$R" || die "ldconfig -r $R"
}
