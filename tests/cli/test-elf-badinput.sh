# Corrupt, truncated and hostile ELF input: one stderr line naming the file
# (and offset), exit 2, never a crash; in multi-file runs the other files
# are still analyzed.
source "$ROOT/tests/cli/lib.sh"
cp /bin/ls good
head -c 100 good > trunc-phdr                 # program headers cut off
head -c 3000 good > trunc-mid                 # dynamic section cut off
echo 'not an elf' > text
: > empty
mkdir dir
python3 - <<'PY'
import struct
b = bytearray(open('good', 'rb').read())
# e_phoff far past the end of the file
c = bytearray(b); c[32:40] = struct.pack('<Q', 1 << 40); open('absurd-phoff', 'wb').write(c)
# ELF class byte invalid
c = bytearray(b); c[4] = 7; open('bad-class', 'wb').write(c)
# DT_STRTAB / DT_NEEDED offsets absurd: rewrite every DT_NEEDED value
phoff, = struct.unpack_from('<Q', b, 32); phnum, = struct.unpack_from('<H', b, 56)
for i in range(phnum):
    t, = struct.unpack_from('<I', b, phoff + 56 * i)
    if t == 2:  # PT_DYNAMIC
        off, = struct.unpack_from('<Q', b, phoff + 56 * i + 8)
        c = bytearray(b)
        k = off
        while True:
            tag, val = struct.unpack_from('<qQ', c, k)
            if tag == 0: break
            if tag == 1: struct.pack_into('<Q', c, k + 8, 0xffffffff)
            k += 16
        open('absurd-needed', 'wb').write(c)
        c = bytearray(b)
        k = off
        while True:
            tag, val = struct.unpack_from('<qQ', c, k)
            if tag == 0: break
            if tag == 0x6ffffef5: # DT_GNU_HASH -> point at the last byte
                struct.pack_into('<Q', c, k + 8, 0x7ffffffffff0)
            k += 16
        open('absurd-hash', 'wb').write(c)
PY
# (a directory is a deployable for `slim report` since #14: test-tree.sh)
for f in trunc-phdr trunc-mid text empty absurd-phoff bad-class absurd-needed absurd-hash /nonexistent; do
	"$SLIM" report "$f" > out 2> err; rc=$?
	[ $rc = 2 ] || die "$f: exit $rc, want 2"
	one_line err
	grep -q "^slim: $f: " err || { cat err; die "$f: the error does not name the file"; }
done
# offsets where the format has them
grep -q 'offset 0x40' <("$SLIM" report trunc-phdr 2>&1) || die "trunc-phdr: no offset"
# multi-file: the bad file is reported, the good one analyzed, exit 2
"$SLIM" report trunc-phdr good > out 2> err; rc=$?
[ $rc = 2 ] || die "multi-file: exit $rc"
one_line err
grep -q '^exe:good' out || die "multi-file: the good file was not analyzed"
# a directory is no ELF file for `slim elf`
"$SLIM" elf dir > out 2> err; [ $? = 2 ] || die "slim elf dir: want exit 2"
one_line err
grep -q '^slim: dir: ' err || die "slim elf dir: $(cat err)"
# the same through `slim elf`
"$SLIM" elf --unused text good > out 2> err; [ $? = 2 ] || die "slim elf: want exit 2"
one_line err
echo ok
