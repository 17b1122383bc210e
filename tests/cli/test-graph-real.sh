# The graph outputs on slim's own analysis of real executables (the ELF
# analyzer), checked against ldd and readelf: the gate on /usr/bin/ls as
# baseline and /usr/bin/curl names exactly the libraries ldd adds; every
# why-path of curl's closure is a chain of readelf DT_NEEDED entries of
# minimal length; `slim report --svg/--html` write well-formed output.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need ldd libc-bin; need readelf binutils; need python3 python3; need xmllint libxml2-utils
for f in /usr/bin/ls /usr/bin/curl; do [ -x $f ] || die "this test needs $f: apt-get install coreutils curl"; done

expect_rc 0 $SLIM baseline /usr/bin/ls -o base.json
sonames() { ldd "$1" | sed -n 's/^[[:space:]]*\([^ ]*\) => \/.*/\1/p' | sort -u; }
comm -13 <(sonames /usr/bin/ls) <(sonames /usr/bin/curl) > want-new.txt
expect_rc 1 $SLIM gate --baseline base.json /usr/bin/curl > out.md
sed -n 's/.*\*\*new-library\*\*: new library `lib:\([^`]*\)`.*/\1/p' out.md | sort > got-new.txt
diff -u want-new.txt got-new.txt || die "gate's new libraries differ from ldd's"
[ "$(grep -c '^   - why' out.md)" = "$(wc -l < want-new.txt)" ] || die "a new library lacks its why-path"
grep -q -- '-> lib:libcurl.so.4  \[needs: DT_NEEDED libcurl.so.4' out.md || die "why evidence"
expect_rc 0 $SLIM gate --baseline base.json /usr/bin/ls -q > /dev/null
# allow-listed additions pass through their expiry date, fail the day after
echo '{"allow":[{"pattern":"lib:*","reason":"curl brings TLS","owner":"@net","expires":"2026-12-31"}]}' > pol.json
expect_rc 0 $SLIM gate --baseline base.json /usr/bin/curl --policy pol.json --today 2026-12-31 > ok.md
[ "$(grep -c '| curl brings TLS | @net | 2026-12-31 |' ok.md)" = "$(wc -l < want-new.txt)" ] || die "accepted list"
expect_rc 1 $SLIM gate --baseline base.json /usr/bin/curl --policy pol.json --today 2027-01-01 -q > /dev/null
head -c 100 base.json > corrupt.json
expect_rc 2 err_to err.txt $SLIM gate --baseline corrupt.json /usr/bin/curl > /dev/null
one_line err.txt
$SLIM report --json /usr/bin/curl -o curl.json || die "report curl"
expect_rc 0 $SLIM gate --baseline curl.json /usr/bin/curl -q > /dev/null

# why-paths of every library ldd lists, against readelf's DT_NEEDED
python3 - "$SLIM" curl.json <<'PY' || die "why-paths disagree with readelf/ldd"
import json, re, subprocess, sys
slim, rep = sys.argv[1:]
doc = json.load(open(rep))
path = {n["id"]: n["attrs"]["path"] for n in doc["nodes"] if n.get("attrs", {}).get("path")}
path["exe:curl"] = "/usr/bin/curl"
def needed(p):
    out = subprocess.run(["readelf", "-dW", p], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
dist, q = {"exe:curl": 0}, ["exe:curl"]
while q:
    u = q.pop(0)
    for n in sorted(needed(path[u])):
        v = "lib:" + n
        if v in path and v not in dist:
            dist[v] = dist[u] + 1; q.append(v)
ldd = re.findall(r"^\s*(\S+) => /", subprocess.run(["ldd", "/usr/bin/curl"], capture_output=True, text=True).stdout, re.M)
for so in ldd:
    w = json.loads(subprocess.run([slim, "why", "--json", rep, so], capture_output=True, text=True, check=True).stdout)
    assert w["reachable"] and w["length"] == dist["lib:" + so], (so, w["length"], dist.get("lib:" + so))
    for p in w["paths"]:
        ids = [s["node"] for s in p]
        assert ids[0] == "exe:curl"
        for a, b in zip(ids, ids[1:]):
            assert b[4:] in needed(path[a]), "%s does not need %s" % (a, b)
print(len(ldd), "libraries checked")
PY

# slim report --svg / --html on the binary itself
expect_rc 0 $SLIM report /usr/bin/curl --svg curl.svg --html curl.html
xmllint --noout curl.svg || die "report --svg is not well-formed"
# every node drawn, or listed in the folded "system" node's tooltip
python3 - <<'PY' || die "svg nodes"
import html, json, re
svg = html.unescape(open("curl.svg").read())
drawn = set(re.findall(r'<g id="node\d+" class="node (?!legend)[^"]*">\s*<title>([^<]*)</title>', svg))
folded = set(re.findall(r'folded \(--no-fold draws them\):([^"]*)"', svg)[0].split()) if "system" in drawn else set()
want = {n["id"] for n in json.load(open("curl.json"))["nodes"]}
assert (drawn - {"system"}) | folded == want and not (drawn & folded), sorted(want ^ ((drawn - {"system"}) | folded))
PY
grep -q 'id="slim-data"' curl.html || die "report --html"
echo "curl: why-paths of every library against ldd and readelf; --svg and --html well-formed"
