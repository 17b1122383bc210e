# slim gate on real executables: /usr/bin/ls as the baseline, /usr/bin/curl
# (many more libraries) as the change.  The reports come from ldd + readelf
# (tests/cli/graph-ldd-report.py), and the expected new libraries from
# comparing the two `ldd` listings directly, so nothing here trusts slim.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need ldd libc-bin; need readelf binutils; need python3 python3
for f in /usr/bin/ls /usr/bin/curl; do [ -x $f ] || die "this test needs $f: apt-get install coreutils curl"; done
python3 "$ROOT/tests/cli/graph-ldd-report.py" /usr/bin/ls > ls.json || die "report ls"
python3 "$ROOT/tests/cli/graph-ldd-report.py" /usr/bin/curl > curl.json || die "report curl"
expect_rc 0 $SLIM baseline ls.json -o base.json
python3 -c 'import json; d = json.load(open("base.json")); assert d["schema"] == "slim-report/1" and len(d["nodes"]) >= 3' || die "baseline"

# ground truth: libraries curl loads that ls does not
sonames() { ldd "$1" | sed -n 's/^[[:space:]]*\([^ ]*\) => \/.*/\1/p' | sort -u; }
comm -13 <(sonames /usr/bin/ls) <(sonames /usr/bin/curl) > want-new.txt
[ "$(wc -l < want-new.txt)" -ge 10 ] || die "expected curl to add many libraries"

# 1. curl against the ls baseline fails, naming each new library with a why-path
unset GITHUB_STEP_SUMMARY
expect_rc 1 $SLIM gate --baseline base.json curl.json --summary sum.md > out.md
cmp -s out.md sum.md || die "--summary differs from stdout"
$SLIM gate --baseline base.json curl.json > again.md
cmp -s out.md again.md || die "summary differs between runs"
head -1 out.md | grep -q '^## slim gate: FAILED$' || die "verdict line"
sed -n 's/.*\*\*new-library\*\*: new library `lib:\([^`]*\)`.*/\1/p' out.md | sort > got-new.txt
diff -u want-new.txt got-new.txt || die "new libraries differ from ldd's"
[ "$(grep -c '^   - why' out.md)" -ge "$(wc -l < want-new.txt)" ] || die "a violation lacks its why-path"
grep -A6 'new library `lib:libcurl.so.4`' out.md | grep -q -- '-> lib:libcurl.so.4  \[needs: DT_NEEDED' || die "why-path of libcurl"

# 2. the same report passes
expect_rc 0 $SLIM gate --baseline base.json ls.json > pass.md
head -1 pass.md | grep -q 'passed' || die "pass verdict"
expect_rc 0 $SLIM gate --baseline curl.json curl.json -q > /dev/null

# 3. an allow-listed addition passes until its expiry
{ echo '{"schema": "slim-policy/1", "allow": ['
  sep=''
  while read -r so; do
	printf '%s{"node": "lib:%s", "reason": "curl needs it", "owner": "@net-team", "expires": "2026-12-31"}\n' "$sep" "$so"; sep=','
  done < want-new.txt
  echo ']}'; } > allow.json
expect_rc 0 $SLIM gate --baseline base.json curl.json --policy allow.json --today 2026-12-31 > ok.md
grep -q '^### Accepted by the allow list' ok.md || die "accepted additions not listed"
[ "$(grep -c '| @net-team | 2026-12-31 |' ok.md)" = "$(wc -l < want-new.txt)" ] || die "accepted count"
expect_rc 1 $SLIM gate --baseline base.json curl.json --policy allow.json --today 2027-01-01 > exp.md
grep -q '\*\*expired-allow\*\*: allow-list entry for `lib:libcurl.so.4` (owner @net-team) expired on 2026-12-31' exp.md || die "expiry"
# a pattern covers them all; one missing allow entry fails on that library only
echo '{"allow":[{"pattern":"lib:*","reason":"r","owner":"o","expires":"2030-01-01"}]}' > pat.json
expect_rc 0 $SLIM gate --baseline base.json curl.json --policy pat.json -q > /dev/null
grep -v 'libcurl.so.4' allow.json | sed '2s/^,//' > allow-1.json
expect_rc 1 $SLIM gate --baseline base.json curl.json --policy allow-1.json --today 2026-01-01 > one.md
[ "$(grep -c '\*\*new-library\*\*' one.md)" = 1 ] && grep -q 'new library `lib:libcurl.so.4`' one.md || die "one violation expected"

# 4. thresholds: bytes and per-kind counts (policy without allow entries)
echo '{"max_new_libraries": 100, "max_total_bytes_growth_percent": 5}' > pct.json
expect_rc 1 $SLIM gate --baseline base.json curl.json --policy pct.json > pct.md
grep -q '\*\*total-bytes\*\*' pct.md || die "total growth"
echo '{"max_new_libraries": 100, "max_new_nodes": {"lib": 2}}' > kinds.json
expect_rc 1 $SLIM gate --baseline base.json curl.json --policy kinds.json > kinds.md
grep -q '\*\*new-nodes\*\*: [0-9]* new lib nodes (at most 2 allowed)' kinds.md || die "per-kind"
echo '{"max_new_libraries": 100}' > lax.json
expect_rc 0 $SLIM gate --baseline base.json curl.json --policy lax.json -q > /dev/null

# 5. $GITHUB_STEP_SUMMARY is appended to, not replaced
echo "earlier step" > step.md
GITHUB_STEP_SUMMARY=$PWD/step.md expect_rc 1 $SLIM gate --baseline base.json curl.json -q > /dev/null
head -1 step.md | grep -q 'earlier step' && grep -q '^## slim gate: FAILED' step.md || die "step summary"

# 6. input errors are exit 2 with one line, never a pass
head -c 200 base.json > corrupt.json
expect_rc 2 err_to err.txt $SLIM gate --baseline corrupt.json curl.json > /dev/null
one_line err.txt; grep -q 'corrupt.json: line' err.txt || die "corrupt baseline"
printf '\x7fELF garbage' > bogus.bin
expect_rc 2 quiet $SLIM gate --baseline bogus.bin curl.json > /dev/null
expect_rc 2 quiet $SLIM gate --baseline missing.json curl.json > /dev/null
for bad in '{"max_new_libs": 1}' '{"allow":[{"node":"lib:x","reason":"r","owner":"o","expires":"2026-02-30"}]}' \
           '{"allow":[{"node":"lib:x","reason":"r","expires":"2026-01-01"}]}' '{"max_total_bytes_growth": -1}' \
           '{"allow":[{"node":"lib:x","pattern":"y","reason":"r","owner":"o","expires":"2026-01-01"}]}' '{"allow": ['; do
	echo "$bad" > badpol.json
	expect_rc 2 err_to err.txt $SLIM gate --baseline base.json curl.json --policy badpol.json > /dev/null
	one_line err.txt; grep -q '^slim: badpol.json: ' err.txt || die "policy error format: $(cat err.txt)"
done
expect_rc 2 quiet $SLIM gate curl.json
expect_rc 2 quiet $SLIM gate --baseline base.json curl.json --today 2026-13-01
true
