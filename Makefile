# slim - see README.md.  `make` builds ./slim; `make deps` installs what the
# build and tests need (Debian 12); `make test` runs every Criterion suite and
# the end-to-end tests; `make asan` the same under ASan+UBSan; `make bench`,
# `make check-real`, `make fuzz FUZZ_SECONDS=N`, `make install PREFIX=...`.
# `make layers` checks the layering of the sources and docs/ARCHITECTURE.md
# (tests/check-layers.sh; the first step of `make test`); `make debug`
# builds build-debug/slim at -O0 with -DSLIM_DEBUG (assertions on: a broken
# graph invariant aborts where it happened).

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := libelf libdw jansson libcgraph libgvc libpcre2-8 liblz4 libzstd nettle libxxhash
# Linked statically: slim is often started once per file (by scripts, by
# the benchmarks against libtree), and loading and relocating six shared
# libraries costs more than resolving a small program's closure.  Graphviz
# ships no static archives: it is dlopen'd when a graph is drawn
# (graph/gvload.c), so only its headers are needed here.
STATIC_PKGS := libdw libelf jansson libpcre2-8 liblz4 libzstd nettle zlib libxxhash
DYN_PKGS    :=
OPT     ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wshadow=local \
           -Wformat=2 -Wno-format-nonliteral -Wmissing-prototypes
CFLAGS  := $(OPT) -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
# libarchive (pipeline/unpack*.c) linked statically too: only its tar and
# zip readers and four filters are pulled in, so its libacl and libxml2
# (which Debian ships no static libacl for) are never needed.
ARCHIVE_LIBS := -larchive -llzma -lbz2
LDLIBS  := -Wl,-Bstatic $(ARCHIVE_LIBS) $(shell pkg-config --static --libs $(STATIC_PKGS) 2>/dev/null | sed 's/-pthread//g') \
           -liberty -Wl,-Bdynamic $(shell pkg-config --libs $(DYN_PKGS) 2>/dev/null) -lm -lpthread -ldl $(EXTRA_LDLIBS)
LDFLAGS += $(EXTRA_LDFLAGS)

LIB_SRC := $(sort $(wildcard common/*.c graph/*.c analyzers/*/*.c linkmap/*.c pydeps/*.c pipeline/*.c prune/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test-*.c))
# ./slim for the default build; build-asan/slim for `make asan`
SLIM_BIN := $(if $(filter build,$(BUILD)),slim,$(BUILD)/slim)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# Debian packages: build libraries, test tools (ground truth: ldd, readelf,
# the four linkers, libtree, lddtree), Python for the pydeps workloads.
DEB_PKGS := build-essential pkg-config git libelf-dev libdw-dev libjansson-dev \
            libgraphviz-dev libpcre2-dev liblz4-dev libzstd-dev nettle-dev \
            libcriterion-dev binutils lld mold clang libtree pax-utils \
            python3 python3-pyelftools python3-pygments python3-jinja2 \
            python3-flask python3-langdetect python3-botocore python3-jsonschema \
            python3-werkzeug python3-pecan python3-llvmlite python3-dev groff-base \
            zlib1g-dev libsqlite3-dev libjansson-dev \
            libxml2-utils file zstd bc libbz2-dev libiberty-dev chromium curl libclang-rt-14-dev libgtest-dev g++ time valgrind strace libc6-dbg elfutils libc6-i386 util-linux libcap2-bin gdb \
            libxxhash-dev libarchive-dev jdupes umoci skopeo zip unzip xz-utils bzip2 python3-pip-whl debootstrap \
            diffoscope faketime casync libglib2.0-bin gettext \
            qemu-user-static

.PHONY: all deps test unit cli-test asan valgrind bench check-real fuzz install clean

all: $(SLIM_BIN)

$(SLIM_BIN): $(CLI_OBJ) $(BUILD)/libslim.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libslim.a $(LDLIBS)

$(BUILD)/libslim.a: $(LIB_OBJ)
	@rm -f $@ $@.tmp
	ar rcs $@.tmp $^ && mv -f $@.tmp $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# the Python recorder is embedded with .incbin (cli/pyrecorder.c)
$(BUILD)/cli/pyrecorder.o: pydeps/recorder.py

$(BUILD)/tests/%: tests/%.c $(BUILD)/libslim.a tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libslim.a $(LDLIBS) -lcriterion

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PKGS)

# Unit suites (Criterion) then end-to-end runs of ./slim.  Each suite runs
# from the repository root so fixtures resolve the same way everywhere.
test: $(SLIM_BIN) $(TEST_BIN)
	@$(MAKE) --no-print-directory layers
	@samples/build.sh
	@fail=0; for t in $(TEST_BIN); do \
	  echo "== $$t"; SLIM=$(CURDIR)/$(SLIM_BIN) $$t --jobs=2 || fail=1; done; \
	  echo "== tests/cli"; SLIM=$(CURDIR)/$(SLIM_BIN) tests/cli/run.sh || fail=1; \
	  exit $$fail

unit: $(SLIM_BIN) $(TEST_BIN)
	@for t in $(TEST_BIN); do SLIM=$(CURDIR)/$(SLIM_BIN) $$t --jobs=2 || exit 1; done

# Which layer may use which (docs/ARCHITECTURE.md): the #include lines,
# the calls between this build's objects (nm), and every function the
# architecture doc names.  One line per violation, exit 1.
.PHONY: layers debug screenshots
layers: $(LIB_OBJ) $(CLI_OBJ)
	@tests/check-layers.sh . $(BUILD)

# -O0 -g with SLIM_DEBUG: GRAPH_DEBUG_CHECK() after each analyzer's merge
# aborts on a broken graph invariant (release builds compile it away)
debug:
	$(MAKE) BUILD=build-debug OPT="-O0 -g" EXTRA_CFLAGS=-DSLIM_DEBUG build-debug/slim

ASAN_VARS := BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined"

asan:
	$(MAKE) $(ASAN_VARS) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 test

# The end-to-end tests with every slim run under Valgrind's Memcheck
# (tests/valgrind/slim; a copy of the binary, so rebuilding meanwhile does
# not mix versions).  Any Memcheck error fails the test that hit it and is
# listed here with its log (Memcheck's errors are its "==PID==" lines;
# "--PID--" lines are Valgrind's own notes, e.g. on openat2, which it does
# not know: slim then walks the sysroot itself, common/rootopen.c).
valgrind: slim
	@command -v valgrind > /dev/null || { echo "make valgrind needs valgrind: apt-get install valgrind (or make deps)"; exit 1; }
	@samples/build.sh
	@rm -rf build-vg && mkdir -p build-vg/logs && cp slim build-vg/slim
	@SLIM_VALGRIND=1 SLIM_REAL=$(CURDIR)/build-vg/slim SLIM_VG_LOGS=$(CURDIR)/build-vg/logs \
	  SLIM=$(CURDIR)/tests/valgrind/slim tests/cli/run.sh; rc=$$?; \
	  bad=$$(grep -lE '^==[0-9]+==' build-vg/logs/* 2>/dev/null | sort); \
	  echo "valgrind: $$(ls build-vg/logs | wc -l) slim runs under Memcheck, $$(echo $$bad | wc -w) with errors"; \
	  for f in $$bad; do echo "== $$f"; head -40 $$f; done; \
	  [ $$rc = 0 ] && [ -z "$$bad" ]

bench: slim
	bench/run-all.sh

# docs/graph-curl.png: `slim graph /usr/bin/curl --labels` as a reviewer
# sees it, docs/report-graph-curl.png: its HTML report with libffi clicked
# (headless Chromium); the SVG and HTML are written under $(BUILD)/
CHROMIUM_SHOT = chromium --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking --disable-component-update \
	--disable-sync --hide-scrollbars --window-size=2000,800
screenshots: $(BUILD)/slim
	$(BUILD)/slim graph /usr/bin/curl --labels -o $(BUILD)/graph-curl.svg
	$(CHROMIUM_SHOT) --user-data-dir=$$(mktemp -d) --screenshot=$(CURDIR)/docs/graph-curl.png \
	  file://$(CURDIR)/$(BUILD)/graph-curl.svg 2>/dev/null
	$(BUILD)/slim report /usr/bin/curl --html $(BUILD)/report-curl.html > /dev/null
	$(CHROMIUM_SHOT) --user-data-dir=$$(mktemp -d) --screenshot=$(CURDIR)/docs/report-graph-curl.png \
	  --window-size=1400,1700 'file://$(CURDIR)/$(BUILD)/report-curl.html#node=lib:libffi.so.8' 2>/dev/null
	$(BUILD)/slim report /usr/lib/python3/dist-packages --json -o $(BUILD)/deploy.json 2>/dev/null
	$(BUILD)/slim graph $(BUILD)/deploy.json --collapse-by dist -o $(BUILD)/graph-deploy.svg
	$(CHROMIUM_SHOT) --user-data-dir=$$(mktemp -d) --screenshot=$(CURDIR)/docs/graph-deploy.png \
	  --window-size=1800,1000 file://$(CURDIR)/$(BUILD)/graph-deploy.svg 2>/dev/null
	@test -s docs/graph-curl.png && test -s docs/report-graph-curl.png && test -s docs/graph-deploy.png && \
	  echo "wrote docs/graph-curl.png docs/report-graph-curl.png docs/graph-deploy.png"

# tests/real/mutations.sh runs the ASan build over mutated CUDA libraries
check-real: slim
	$(MAKE) $(ASAN_VARS) build-asan/slim
	tests/real/run.sh

fuzz: slim
	$(MAKE) -C fuzz FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60)

install: slim
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 slim $(DESTDIR)$(PREFIX)/bin/slim
	install -m 644 slim.1 $(DESTDIR)$(PREFIX)/share/man/man1/slim.1

clean:
	rm -rf build build-asan build-vg slim
