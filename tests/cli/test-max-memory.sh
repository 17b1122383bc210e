# --max-memory: no input makes slim allocate without bound.  A fatbin
# whose one entry decodes to 400 MiB from a 2 MiB stream (a ratio of ~190,
# inside the per-entry ratio cap, so only the memory limit can stop it):
# the default limit (256 MiB + 16x the input) ends the run with one line
# naming the file, --max-memory 1G lets it decode; an explicit limit below
# what a real report needs fails the same way and leaves the old -o file
# intact; the program `slim pydeps record` runs does not inherit the limit.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need zstd zstd
# bad sizes are usage errors, in every build
expect_rc 2 "$SLIM" --max-memory 12Q report /bin/true 2> err; one_line err
expect_rc 2 "$SLIM" report /bin/true --max-memory 2> err; one_line err
if [ -n "${SLIM_VALGRIND:-}" ]; then
	# Valgrind emulates RLIMIT_DATA for brk only, so mappings are not
	# limited under it; the plain build (make test) runs the checks below
	echo "under Valgrind: limit checks run in the plain build; size parsing checked"
	exit 0
fi
expect_rc 0 "$SLIM" --max-memory 1M elf /bin/true > /dev/null 2> err
if grep -q 'not enforced in sanitizer builds' err; then
	# ASan's shadow memory would count against RLIMIT_DATA; the plain
	# build (make test) runs the checks below
	one_line err
	echo "sanitizer build: the limit is off and says so (checked); limits checked in the plain build"
	exit 0
fi
[ ! -s err ] || { cat err; die "unexpected stderr"; }

# the decompression bomb (see tests/cli/test-max-memory.sh's header)
python3 - <<'PY'
import os, struct, subprocess
size = 400 << 20
r = os.urandom(size // 1024 * 4)
chunk = bytearray(1024)
parts = []
for i in range(size // 1024):
    chunk[0:4] = r[4 * i:4 * i + 4]
    parts.append(bytes(chunk))
z = subprocess.run(['zstd', '-1', '-q', '-c'], input=b''.join(parts),
                   capture_output=True, check=True).stdout
payload = z + b'\0' * ((-len(z)) % 8)
# PTX entry for compute_80, ZSTD, 400 MiB declared (layout: container.c)
hdr = struct.pack('<HHIQIIHHIIIQQQ', 1, 0x0101, 64, len(payload), len(z), 0,
                  0, 7, 80, 0, 0, 0x1 | 0x10 | 0x8000, 0, size)
body = hdr + payload
open('bomb.fatbin', 'wb').write(struct.pack('<IHHQ', 0xBA55ED50, 1, 16, len(body)) + body)
PY
expect_rc 2 "$SLIM" fatbin --verify bomb.fatbin > /dev/null 2> err
one_line err
grep -q '^slim: bomb.fatbin: memory limit of [0-9]* MiB reached (an allocation of 400 MiB failed; default' err ||
	{ cat err; die "default limit: wrong message"; }
expect_rc 0 "$SLIM" --max-memory 1G fatbin --verify bomb.fatbin > out 2> err
grep -q '419430400' out || die "--max-memory 1G: the entry was not decoded"
expect_rc 0 "$SLIM" fatbin --verify --max-memory=unlimited bomb.fatbin > /dev/null

# a real report under a limit too small for it: one line, the old output
# file untouched, no temporary left behind
echo old > rep.json
expect_rc 2 "$SLIM" --max-memory 64K report --json -o rep.json /usr/bin/python3.11 2> err
one_line err
grep -q '^slim: /usr/.*: memory limit of 64 KiB reached' err || { cat err; die "wrong message"; }
[ "$(cat rep.json)" = old ] || die "rep.json was changed"
[ -z "$(ls -A | grep '^\.rep\.json\.')" ] || die "a temporary was left: $(ls -A)"
expect_rc 0 "$SLIM" report --max-memory 64M --json -o rep.json /usr/bin/python3.11
grep -q '"slim-report/1"' rep.json || die "rep.json not written under 64M"
# the JSON reader is bounded the same way
expect_rc 2 "$SLIM" --max-memory 8K diff rep.json rep.json > /dev/null 2> err
one_line err
grep -q '^slim: rep.json: memory limit' err || { cat err; die "diff: wrong message"; }


# the threaded pydeps scan (workers mapping files at once) under a limit
# too small for it: one error line naming a file, no hang, no crash
expect_rc 2 timeout 60 "$SLIM" --max-memory 2M pydeps --trace "$ROOT/samples/out/pydeps/highlight.importtime" \
	--root /usr/lib/python3.11 --no-auto-roots > /dev/null 2> err
[ "$(grep -vc '^slim: warning:' err)" = 1 ] || { cat err; die "pydeps under 2M: want one error line"; }
grep -q '^slim: /usr/lib/python3.11/.*: memory limit of 2 MiB reached' err || { cat err; die "pydeps under 2M: wrong message"; }

# graphviz (through pango/GLib) traps instead of failing when it cannot
# start a thread: under a tight limit slim refuses to call it, one line
expect_rc 0 "$SLIM" baseline /bin/ls -o b.json
expect_rc 2 "$SLIM" --max-memory 8M graph b.json -o g.svg 2> err
one_line err
grep -q "^slim: g.svg: the memory limit leaves less than 64 MiB for graphviz" err || { cat err; die "graph under 8M: $(cat err)"; }
[ ! -e g.svg ] || die "g.svg written under a failed draw"
expect_rc 0 "$SLIM" --max-memory 256M graph b.json -o g.svg

# the workload `slim pydeps record` runs gets the user's limits, not slim's
echo 'import resource; print(resource.getrlimit(resource.RLIMIT_DATA)[0])' > lim.py
expect_rc 0 "$SLIM" --max-memory 64M pydeps record -o t.trace -- python3 lim.py > out
[ "$(cat out)" = -1 ] || die "the recorded program inherited RLIMIT_DATA $(cat out)"
echo "default limit stops a 400 MiB decode, --max-memory 1G allows it, -o kept intact, JSON reader bounded, child unlimited"
