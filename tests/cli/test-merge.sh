# slim merge (#14): per-artifact reports of /usr/bin/curl and /usr/bin/gdb
# joined into one.  Ground truth not computed by slim: ld.so's own closures
# (`ldd` of each program): the joined report holds each library of their
# union once, its bytes the file's `stat` size, while the two reports
# summed count the shared ones twice.  Then: the join equals `slim report
# --json curl gdb` byte for byte, both ways round; it is deterministic and
# idempotent; a kind or size conflict, a corrupt report and a file that is
# not a report are one line, exit 2, nothing written.  Last, `slim report
# --files-from` (newline and --null lists, stdin, blank lines, a missing
# listed file is that file's error only).
source "$ROOT/tests/cli/lib.sh"
need ldd libc-bin; need python3 python3; need stat coreutils
for p in /usr/bin/curl /usr/bin/gdb; do
	[ -x $p ] || die "this test needs $p: apt-get install curl gdb"
done

expect_rc 0 "$SLIM" report --json -o curl.json /usr/bin/curl
expect_rc 0 "$SLIM" report --json -o gdb.json /usr/bin/gdb
expect_rc 0 "$SLIM" report --json -o both.json /usr/bin/curl /usr/bin/gdb
expect_rc 0 "$SLIM" report --json -o both2.json /usr/bin/gdb /usr/bin/curl
expect_rc 0 "$SLIM" merge curl.json gdb.json -o all.json 2>merge.err
[ -s merge.err ] && { cat merge.err >&2; die "merge of two ELF reports warned"; }

# each library of the union of ld.so's closures once, with its file's bytes
python3 - curl.json gdb.json all.json <<'PY' || die "merged libraries disagree with ldd"
import json, os, re, subprocess, sys
def closure(exe):
    out = subprocess.run(["ldd", exe], capture_output=True, text=True, check=True).stdout
    paths = set(re.findall(r"=> (/\S+)", out))
    paths |= set(re.findall(r"^\s+(/\S+) \(0x", out, re.M))   # ld.so itself
    return {os.path.realpath(p) for p in paths}
truth = closure("/usr/bin/curl") | closure("/usr/bin/gdb")
def libs(f):
    d = json.load(open(f))
    return [n for n in d["nodes"] if n["kind"] == "lib"], d
ml, m = libs(sys.argv[3])
got = {os.path.realpath(n["attrs"]["path"]) for n in ml}
assert got == truth, ("slim only", got - truth, "ldd only", truth - got)
assert len(ml) == len(truth), (len(ml), len(truth))       # once each
for n in ml:
    assert n["size"] == os.stat(n["attrs"]["path"]).st_size, n["id"]
ids = [n["id"] for n in m["nodes"]]
assert len(ids) == len(set(ids))
fk = [(f["kind"], f["node"], f.get("dependent")) for f in m["findings"]]
assert len(fk) == len(set(fk))
summed = sum(n["size"] for f in sys.argv[1:3] for n in libs(f)[0])
once = sum(os.stat(p).st_size for p in truth)
assert sum(n["size"] for n in ml) == once and summed > once, (summed, once)
# removable bytes: the proven findings' bytes, each node once
rem = {f["node"]: f["bytes"] for f in m["findings"] if f["confidence"] == "proven"}
assert m["totals"]["removable_bytes"] == sum(rem.values()), m["totals"]["removable_bytes"]
assert set(m["totals"]["roots"]) == {"exe:curl", "exe:gdb"}
print("merge: %d libraries once (%d bytes; the two reports summed: %d)" % (len(ml), once, summed), file=sys.stderr)
PY

# what one run over both writes, byte for byte, whichever order
cmp -s all.json both.json || die "merge curl gdb differs from slim report --json curl gdb"
expect_rc 0 "$SLIM" merge gdb.json curl.json -o all2.json
cmp -s all2.json both2.json || die "merge gdb curl differs from slim report --json gdb curl"
# deterministic, idempotent, stdout by default
"$SLIM" merge curl.json gdb.json > again.json || die "merge to stdout failed"
cmp -s again.json all.json || die "two merges differ"
expect_rc 0 "$SLIM" merge curl.json curl.json -o self.json
cmp -s self.json curl.json || die "a report merged with itself is not itself"
expect_rc 0 "$SLIM" merge all.json curl.json gdb.json -o re.json
cmp -s re.json all.json || die "merging the parts again into the whole changed it"

# a conflict: one id, two sizes; then two kinds
python3 - curl.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    if n["id"] == "lib:libc.so.6":
        n["size"] += 1
json.dump(d, open("size.json", "w"))
for n in d["nodes"]:
    if n["id"] == "lib:libc.so.6":
        n["size"] -= 1; n["kind"] = "exe"
json.dump(d, open("kind.json", "w"))
PY
rm -f out.json
expect_rc 2 "$SLIM" merge gdb.json size.json -o out.json 2>err
one_line err
grep -q "^slim: size.json: node 'lib:libc.so.6' is [0-9]* bytes here but [0-9]* in gdb.json$" err ||
	{ cat err >&2; die "size conflict not named with both reports"; }
[ -e out.json ] && die "a failed merge wrote its output"
expect_rc 2 "$SLIM" merge gdb.json kind.json -o out.json 2>err
one_line err
grep -q "^slim: kind.json: node 'lib:libc.so.6' is kind 'exe' here but 'lib' in gdb.json$" err ||
	{ cat err >&2; die "kind conflict not named with both reports"; }

# analyzer totals: kept when one report has them or they agree; dropped,
# with a warning naming both reports, when two differ
python3 - curl.json gdb.json <<'PY'
import json, sys
c, g = (json.load(open(f)) for f in sys.argv[1:])
c["totals"]["fatbin"] = {"files": {"exe:curl": {"entries": 1}}}
c["totals"]["gpu_targets"] = ["sm_90"]; g["totals"]["gpu_targets"] = ["sm_90"]
c["totals"]["linkmap"] = {"bytes": 1}; g["totals"]["linkmap"] = {"bytes": 2}
json.dump(c, open("ct.json", "w")); json.dump(g, open("gt.json", "w"))
PY
expect_rc 0 "$SLIM" merge ct.json gt.json -o t.json 2>err
one_line err
grep -q "^slim: warning: gt.json: totals.linkmap differs from ct.json's: dropped" err || die "no warning for totals.linkmap: $(cat err)"
python3 - t.json <<'PY' || die "analyzer totals not kept or dropped as documented"
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
assert "linkmap" not in t
assert t["fatbin"] == {"files": {"exe:curl": {"entries": 1}}}
assert t["gpu_targets"] == ["sm_90"]
assert set(t["roots"]) == {"exe:curl", "exe:gdb"}
PY

# corrupt input: truncated JSON, not JSON, not a report, missing
head -c 5000 gdb.json > trunc.json
expect_rc 2 "$SLIM" merge curl.json trunc.json -o out.json 2>err
one_line err
grep -q "^slim: trunc.json: line [0-9]*: .*invalid JSON" err || { cat err >&2; die "truncated report: $(cat err)"; }
expect_rc 2 "$SLIM" merge curl.json /usr/bin/curl -o out.json 2>err
one_line err
grep -q "^slim: /usr/bin/curl: " err || { cat err >&2; die "an ELF file given as a report"; }
echo '{"schema": "other/2"}' > other.json
expect_rc 2 "$SLIM" merge other.json 2>err
one_line err; grep -q "schema 'other/2' is not slim-report/1" err || die "wrong schema: $(cat err)"
expect_rc 2 "$SLIM" merge nonexistent.json 2>err
one_line err
expect_rc 2 "$SLIM" merge 2>err
one_line err
[ -e out.json ] && die "a failed merge wrote its output"
"$SLIM" merge --help | grep -q -- "--output" || die "merge --help lists no -o"

# report --files-from: the listed inputs after the positional ones
printf '\n/usr/bin/gdb\n\n' > list
expect_rc 0 "$SLIM" report --json --files-from list /usr/bin/curl -o ff.json
cmp -s ff.json both.json || die "--files-from differs from the same inputs on the command line"
printf '/usr/bin/curl\n/usr/bin/gdb' | "$SLIM" report --json --files-from - > ff2.json ||
	die "--files-from - failed"
cmp -s ff2.json both.json || die "--files-from - (no final newline) differs"
printf '/usr/bin/curl\0/usr/bin/gdb\0' > list0
expect_rc 0 "$SLIM" report --json --files-from list0 --null -o ff3.json
cmp -s ff3.json both.json || die "--files-from --null differs"
# a listed file that is missing: its one error line, the rest analyzed
printf '/usr/bin/curl\n%s/nonexistent\n' "$PWD" > badlist
expect_rc 2 "$SLIM" report --files-from badlist > text 2>err
one_line err
grep -q "^slim: $PWD/nonexistent: " err || die "missing listed file: $(cat err)"
grep -q "curl" text || die "the other listed input was not analyzed"
expect_rc 2 "$SLIM" report --files-from nolist 2>err
one_line err
expect_rc 2 "$SLIM" report --null /usr/bin/curl 2>err
one_line err
: > empty
expect_rc 2 "$SLIM" report --files-from empty 2>err
one_line err
echo "test-merge: ok"
