#!/bin/bash
# lld maps say neither which sections were discarded nor why a member was
# loaded.  `slim linkmap` reads the inputs (libelf) for both by default; the
# discarded ones are checked against --print-gc-sections in
# test-linkmap-truth.sh, the pull chains here: each step verified with nm
# (linkmap_derived.py), each chain reaching a program object.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need nm binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for p in prog crypto; do
	"$SLIM" linkmap "$S/$p-lld.map" --json -o $p.json || die "$p: slim linkmap"
	python3 "$ROOT/tests/cli/linkmap_derived.py" $p.json "$S/$p-lld.why" "$S" || die "$p: derived pulls wrong"
	"$SLIM" linkmap "$S/$p-lld.map" | grep -q "(derived)" || die "$p: text output does not mark derived pulls"
done
# --no-derive: slim claims no pulls for lld, and says it does not know
"$SLIM" linkmap "$S/prog-lld.map" --no-derive --json -o plain.json
python3 -c 'import json,sys; d=json.load(open("plain.json")); sys.exit(any(e["kind"]=="pulls" for e in d["edges"]))' ||
	die "pulls edges with --no-derive and no --why-extract"
"$SLIM" linkmap "$S/prog-lld.map" --no-derive | grep -q "which are dead is unknown" ||
	die "--no-derive: the text does not say dead members are unknown"
# deriving is the default; --derive is accepted and changes nothing
"$SLIM" linkmap "$S/prog-lld.map" --json -o default.json
"$SLIM" linkmap "$S/prog-lld.map" --derive --json -o derive.json
cmp -s default.json derive.json || die "--derive differs from the default"
echo ok
