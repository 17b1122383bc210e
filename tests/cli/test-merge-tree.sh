#!/bin/bash
# slim merge of deployables (#14): two root file systems built here from
# this machine's files, a/root (curl's closure, a Python subset with an
# extension module, a planted orphan, data) and b/root (strace's closure, the
# same data and orphan), each reported on its own, then joined.  Both
# roots end in "root": the names are "root" and "root#2", in the order
# given.  Ground truth slim did not compute: the files themselves (their
# count and bytes, each node's size), the per-deployable reports, and
# the programs run in copies of the trees.
#  1. every node, edge and finding of each report is in the join once,
#     its id KIND:NAME/REST, its attrs.path NAME/PATH; nothing else is;
#     each file node's size is its file's; removable bytes and every
#     totals.tree figure are the two deployables' sums (the files on disk
#     for files and bytes); the prune list is the two lists under their
#     names; the orphan of each tree is found in each;
#  2. the joined likely prune list, each path deleted from a copy of its
#     tree, leaves curl and strace running there with the same output;
#  3. a report merged with itself is itself; a merged report merged again
#     with its parts is unchanged; beside an ELF report a deployable is
#     namespaced (a library of the host and of the tree stay two nodes);
#  4. two merged reports that name one deployable differently (B then A
#     gives b/root the name "root"), and a merged report whose deployable
#     name has a '/', are one line, exit 2, nothing written;
#     two deployables in one `slim report` run point at slim merge.
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need ldconfig libc-bin
need ldd libc-bin
need chroot coreutils
need python3 python3
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the trees' programs)"
for p in /usr/bin/curl /usr/bin/strace; do
	[ -x $p ] || die "this test needs $p: apt-get install curl strace (or make deps)"
done
py=/usr/lib/python3.11
ext=$py/lib-dynload/_bz2.cpython-311-x86_64-linux-gnu.so
[ -f $ext ] || die "this test needs python3.11's _bz2: apt-get install python3 (or make deps)"
orphan=usr/lib/x86_64-linux-gnu/$(basename "$(readlink -f /usr/lib/x86_64-linux-gnu/libjansson.so.4)")
[ -f "/$orphan" ] || die "this test needs libjansson4 (make deps)"

common() {   # data and the orphan, in both trees
	mkdir -p "$R/etc"
	cp "/$orphan" "$R/$orphan" || die "cp $orphan"
	echo 'same = 1' > "$R/etc/a.conf"; echo 'same = 1' > "$R/etc/b.conf"
}
mkdir -p a b
tree_init "$PWD/a/root"
closure /usr/bin/curl
py_subset
common; tree_done
tree_init "$PWD/b/root"
closure /usr/bin/strace
common; tree_done
for p in a:curl b:strace; do
	chroot ${p%%:*}/root /usr/bin/${p#*:} --version > ${p%%:*}-want.txt ||
		die "${p#*:} does not run in ${p%%:*}/root"
done

$SLIM report a/root --json -o A.json 2> /dev/null || die "slim report a/root"
$SLIM report b/root --json -o B.json 2> /dev/null || die "slim report b/root"
$SLIM report --json -o curl.json /usr/bin/curl || die "slim report curl"
expect_rc 0 $SLIM merge A.json B.json -o AB.json 2> merge.err
grep -v "dropped (slim report over all the inputs" merge.err && die "merge warned about more than analyzer totals"

# --- 1. each report in the join once, under its name ----------------------
python3 - A.json B.json AB.json "$orphan" <<'PY' || die "the join of two deployables"
import json, os, sys
A, B, AB = (json.load(open(f)) for f in sys.argv[1:4])
orphan = sys.argv[4]
parts = [("root", "a/root", A), ("root#2", "b/root", B)]
def ns(name, i):
    k, _, rest = i.partition(":")
    return "%s:%s/%s" % (k, name, rest)
def ns_path(name, p):
    return p if p.startswith("/") else name + "/" + p
nodes = {n["id"]: n for n in AB["nodes"]}
want = set()
for name, root, r in parts:
    for n in r["nodes"]:
        i = ns(name, n["id"]); want.add(i)
        m = nodes.get(i)
        assert m and m["kind"] == n["kind"] and m.get("size") == n.get("size"), (i, m, n)
        p = (n.get("attrs") or {}).get("path")
        if p and not p.startswith("/"):
            assert m["attrs"]["path"] == name + "/" + p, (i, m["attrs"]["path"])
            st = os.lstat(os.path.join(root, p))
            assert m["size"] == st.st_size, (i, m["size"], st.st_size)   # the file's bytes
assert set(nodes) == want, ("extra", sorted(set(nodes) - want)[:5], "missing", sorted(want - set(nodes))[:5])
assert len(AB["nodes"]) == len(A["nodes"]) + len(B["nodes"])
def edges(r, name=None):
    f = (lambda i: ns(name, i)) if name else (lambda i: i)
    return {(f(e["from"]), f(e["to"]), e["kind"]) for e in r["edges"]}
assert edges(AB) == edges(A, "root") | edges(B, "root#2")
assert len(AB["edges"]) == len(A["edges"]) + len(B["edges"])
def finds(r, name=None):
    f = (lambda i: i and ns(name, i)) if name else (lambda i: i)
    g = (lambda x: "in %s: %s" % (name, x)) if name else (lambda x: x)
    return {(x["kind"], f(x["node"]), f(x.get("dependent")), x["confidence"], x["bytes"], x["reason"], g(x["fix"])) for x in r["findings"]}
assert finds(AB) == finds(A, "root") | finds(B, "root#2")
assert len(AB["findings"]) == len(A["findings"]) + len(B["findings"])
for name, _, _ in parts:
    assert ("orphan-library", "lib:%s/%s" % (name, orphan), None, "likely", os.stat("/" + orphan).st_size) in {x[:5] for x in finds(AB)}, name
for x in AB["findings"]:
    assert x["fix"].startswith("in %s: " % x["node"].split(":")[1].split("/")[0]), x
    for p in (x.get("attrs") or {}).get("paths", []):
        assert p.startswith("/") or p.split("/")[0] in ("root", "root#2"), p
assert AB["totals"]["removable_bytes"] == A["totals"]["removable_bytes"] + B["totals"]["removable_bytes"]
# totals.tree: sums, and the files on disk
t, ta, tb = AB["totals"]["tree"], A["totals"]["tree"], B["totals"]["tree"]
def disk(root):
    n = b = 0
    for d, _, fs in os.walk(root):
        for f in fs:
            st = os.lstat(os.path.join(d, f))
            if not os.path.islink(os.path.join(d, f)):
                n += 1; b += st.st_size
    return n, b
na, ba = disk("a/root"); nb, bb = disk("b/root")
assert (t["files"], t["bytes"]) == (na + nb, ba + bb), (t["files"], t["bytes"], na + nb, ba + bb)
for k in ("files", "bytes", "after_proven", "after_likely", "symlinks"):
    assert t[k] == ta[k] + tb[k], k
for c in ("elf", "python", "data", "duplicates"):
    for k, v in t["categories"][c].items():
        assert v == ta["categories"][c][k] + tb["categories"][c][k], (c, k)
assert sorted(d["dir"] for d in t["dirs"]) == sorted(["root/" + d["dir"] for d in ta["dirs"]] + ["root#2/" + d["dir"] for d in tb["dirs"]])
pr = lambda name, tt: [dict(e, path=name + "/" + e["path"]) for e in tt["prune"]]
assert t["prune"] == sorted(pr("root", ta) + pr("root#2", tb), key=lambda e: e["path"])
assert t["roots"] == sorted([ns("root", i) for i in ta["roots"]] + [ns("root#2", i) for i in tb["roots"]])
top = sorted([dict(e, path="root/" + e["path"]) for e in ta["largest"]] +
             [dict(e, path="root#2/" + e["path"]) for e in tb["largest"]], key=lambda e: (-e["bytes"], e["path"]))[:20]
assert t["largest"] == top
assert [(d["name"], d["root"]) for d in t["deployables"]] == [("root", "a/root"), ("root#2", "b/root")]
assert t["deployables"][0]["tree"] == ta and t["deployables"][1]["tree"] == tb
print("merge: %d + %d nodes, %d + %d findings, %d files, %d bytes" %
      (len(A["nodes"]), len(B["nodes"]), len(A["findings"]), len(B["findings"]), t["files"], t["bytes"]), file=sys.stderr)
with open("prune.txt", "w") as f:
    for e in t["prune"]:
        f.write(e["path"] + "\n")
PY

# --- 2. the joined prune list deleted from copies: both programs run ------
[ -s prune.txt ] || die "the joined prune list is empty (the orphans are in it)"
cp -a a/root a-copy; cp -a b/root b-copy
while read -r p; do
	case $p in
	root/*) rm -- "a-copy/${p#root/}" ;;
	root#2/*) rm -- "b-copy/${p#root#2/}" ;;
	*) die "prune path under no deployable: $p" ;;
	esac || die "rm $p (not in its tree)"
done < prune.txt
for p in a:curl b:strace; do
	chroot ${p%%:*}-copy /usr/bin/${p#*:} --version > got.txt || die "${p#*:} no longer runs once the join's prune list is deleted"
	cmp -s got.txt ${p%%:*}-want.txt || die "${p#*:} prints other output once the join's prune list is deleted"
done

# --- 3. idempotent; beside an ELF report ----------------------------------
expect_rc 0 $SLIM merge A.json A.json -o AA.json
cmp -s AA.json A.json || die "a deployable's report merged with itself is not itself"
expect_rc 0 $SLIM merge AB.json A.json B.json -o AB2.json 2> /dev/null
cmp -s AB2.json AB.json || die "merging the parts again into the join changed it"
expect_rc 0 $SLIM merge AB.json AB.json -o AB3.json 2> /dev/null
cmp -s AB3.json AB.json || die "a join merged with itself is not itself"
expect_rc 0 $SLIM merge A.json curl.json -o Ac.json 2> /dev/null
python3 - Ac.json curl.json <<'PY' || die "a deployable beside an ELF report"
import json, sys
m, c = (json.load(open(f)) for f in sys.argv[1:])
ids = {n["id"] for n in m["nodes"]}
host = {n["id"] for n in c["nodes"]}
assert host <= ids, sorted(host - ids)[:5]
rest = ids - host
assert rest and all(i.split(":", 1)[1].startswith("root/") for i in rest), sorted(i for i in rest if not i.split(":", 1)[1].startswith("root/"))[:5]
assert "lib:libc.so.6" in ids and any(i.startswith("lib:root/") and "libc.so.6" in i for i in ids)
PY

# --- 4. refusals ----------------------------------------------------------
expect_rc 0 $SLIM merge B.json A.json -o BA.json 2> /dev/null
rm -f bad.json
expect_rc 2 $SLIM merge AB.json BA.json -o bad.json 2> bad.txt
one_line bad.txt; grep -q "^slim: BA.json: deployable 'root' is another analysis here" bad.txt || die "two names for one deployable: $(cat bad.txt)"
[ -e bad.json ] && die "a refused merge wrote its output"
python3 -c '
import json; d = json.load(open("AB.json")); d["totals"]["tree"]["deployables"][0]["name"] = "x/y"
json.dump(d, open("badname.json", "w"))'
expect_rc 2 $SLIM merge badname.json -o bad.json 2> bad.txt
one_line bad.txt; grep -q "^slim: badname.json: totals.tree.deployables\[0\]: 'x/y' is no deployable name" bad.txt || die "a name with a '/': $(cat bad.txt)"
[ -e bad.json ] && die "a refused merge wrote its output"
expect_rc 2 $SLIM report a/root b/root --json -o two.json 2> two.txt
grep -q "^slim: b/root: one deployable per run .*slim merge" two.txt || die "two deployables in one report: $(cat two.txt)"
echo "ok: two deployables joined, their prune list run, the refusals"
