# slim's unused verdicts equal `ldd -u -r`'s on every dynamically linked
# executable in /usr/bin and shared library under /usr/lib/x86_64-linux-gnu
# (ldd runs the loader; slim runs nothing).  Explained differences (ldd
# lists a library it could not find as "unused") are allowed; wrong ones
# fail.
source "$ROOT/tests/cli/lib.sh"
need ldd libc-bin
need readelf binutils
"$ROOT/bench/elf-agreement.sh" /usr/bin /usr/lib/x86_64-linux-gnu
