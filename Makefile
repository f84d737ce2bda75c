# envssm - load AWS SSM parameters into the environment, then exec.
#
#   make            build ./envssm
#   make check      unit tests, then integration tests against moto_server
#   make demo       run envssm against a local moto_server
#   make static     build/static-TRIPLET/envssm: one file, no shared libraries
#   make dist       release tarballs (amd64, arm64) and SHA256SUMS under build/dist
#   make check-release  make dist, then the release tests (root; Docker)
#   make asan | ubsan | valgrind | lint | format | fuzz | install

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
PYTHON    ?= python3
CC        ?= cc
CFLAGS    ?= -O2 -g

DEPS       = libcurl libcrypto libcjson
TEST_DEPS  = cmocka
APT_DEPS   = build-essential pkg-config libcurl4-openssl-dev libssl-dev libcjson-dev libcmocka-dev mandoc

# BUILD selects a variant; each has its own object directory.
BUILD     ?= release
O          = build/$(BUILD)

WARN       = -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
             -Wpointer-arith -Wvla -Wcast-qual -Wwrite-strings -Wno-cast-qual
HARDEN     = -fstack-protector-strong -fPIE
HARDEN_LD  = -pie -Wl,-z,relro,-z,now
ifeq ($(BUILD),release)
HARDEN    += -D_FORTIFY_SOURCE=2
endif
ifeq ($(BUILD),asan)
# undefined behaviour too: one sanitized pass instead of two
SAN        = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
endif
ifeq ($(BUILD),ubsan)
SAN        = -fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
endif
ifeq ($(BUILD),valgrind)
SAN        = -O1 -g
endif
ifeq ($(BUILD),fuzz)
SAN        = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -O1 -g
endif

DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null)
DEP_LIBS   = $(shell $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null)

# The static variant: libcurl and cJSON built from Debian's source packages
# by release/deps.sh, OpenSSL's static libraries from libssl-dev, static
# glibc. TRIPLET picks the target (x86_64-linux-gnu, aarch64-linux-gnu).
NATIVE    := $(shell $(CC) -dumpmachine 2>/dev/null)
TRIPLET   ?= $(NATIVE)
STATIC_DEPS = build/deps/$(TRIPLET)
ifeq ($(BUILD),static)
O          = build/static-$(TRIPLET)
ifneq ($(TRIPLET),$(NATIVE))
CC         = $(TRIPLET)-gcc
endif
HARDEN    += -D_FORTIFY_SOURCE=2 -ffunction-sections -fdata-sections
HARDEN_LD  = -static -Wl,--gc-sections -Wl,-z,relro,-z,now -s
CFLAGS     = -O2
BUILT_FROM = Debian source packages $(shell paste -sd, $(STATIC_DEPS)/versions | sed 's/,/, /g'), \
             libssl-dev $(shell dpkg-query -W -f='$${Version}' libssl-dev:$(shell dpkg-architecture -t $(TRIPLET) -qDEB_HOST_ARCH 2>/dev/null) 2>/dev/null)
DEP_CFLAGS = -isystem $(STATIC_DEPS)/include -DCURL_STATICLIB \
             -DENVSSM_BUILT_FROM='"$(BUILT_FROM)"' -ffile-prefix-map=$(CURDIR)=.
DEP_LIBS   = $(STATIC_DEPS)/lib/libcurl.a $(STATIC_DEPS)/lib/libcjson.a \
             /usr/lib/$(TRIPLET)/libssl.a /usr/lib/$(TRIPLET)/libcrypto.a
endif
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_DEPS) 2>/dev/null)
TEST_LIBS  = $(shell $(PKG_CONFIG) --libs $(TEST_DEPS) 2>/dev/null)

ALL_CFLAGS = -std=c11 -pthread -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DENVSSM_VERSION='"$(VERSION)"' \
             $(SRC_INCLUDES) $(WARN) $(HARDEN) $(DEP_CFLAGS) $(CFLAGS) $(SAN)
ALL_LDFLAGS = $(HARDEN_LD) $(LDFLAGS) $(SAN) -pthread

# src/ and a folder per family: the credential providers, the run modes
SRC_DIRS   = src src/creds src/modes
SRCS       = $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
HDRS       = $(wildcard $(addsuffix /*.h,$(SRC_DIRS)))
SRC_INCLUDES = $(addprefix -I,$(SRC_DIRS))
LIB_OBJS   = $(patsubst src/%.c,$(O)/%.o,$(filter-out src/main.c,$(SRCS)))
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(patsubst tests/unit/%.c,$(O)/%,$(UNIT_SRCS))
FUZZ_SRCS  = $(wildcard tests/fuzz/fuzz_*.c)

ifeq ($(BUILD),release)
BIN        = envssm
else ifeq ($(BUILD),static)
BIN        = $(O)/envssm
else
BIN        = $(O)/envssm
endif

.PHONY: all deps test-deps check unit integration demo install uninstall asan ubsan \
        valgrind lint format fuzz fuzz-run bench bench-watch clean static dist check-release

all: deps $(BIN)

# Name what is missing instead of failing deep inside the compiler.
deps:
	@missing=""; for p in $(DEPS); do $(PKG_CONFIG) --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "envssm: missing build dependencies:$$missing" >&2; \
	  echo "  on Debian/Ubuntu: apt-get install $(APT_DEPS)" >&2; exit 1; fi

test-deps: deps
	@$(PKG_CONFIG) --exists $(TEST_DEPS) 2>/dev/null || { \
	  echo "envssm: missing test dependency: cmocka" >&2; \
	  echo "  on Debian/Ubuntu: apt-get install libcmocka-dev" >&2; exit 1; }
	@command -v moto_server >/dev/null 2>&1 || { \
	  echo "envssm: integration tests need moto_server: pip install 'moto[server]' boto3" >&2; exit 1; }

$(O)/%.o: src/%.c $(HDRS) | $(O)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O):
	@mkdir -p $(O)

$(O)/libenvssm.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(O)/main.o $(O)/libenvssm.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# test_ini counts what the parser allocates: a structural bound on its work
$(O)/test_ini: TEST_WRAP = -Wl,--wrap=malloc -Wl,--wrap=realloc -Wl,--wrap=calloc
$(O)/test_%: tests/unit/test_%.c $(O)/libenvssm.a $(HDRS)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Wno-write-strings -Wno-discarded-qualifiers $(ALL_LDFLAGS) $(TEST_WRAP) -o $@ $< $(O)/libenvssm.a $(TEST_LIBS) $(DEP_LIBS)

$(O)/sigv4_tool: tests/sigv4_tool.c $(O)/libenvssm.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libenvssm.a $(DEP_LIBS)

$(O)/format_tool: tests/format_tool.c $(O)/libenvssm.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(O)/libenvssm.a $(DEP_LIBS)

# libFuzzer targets: one per parser, each run for FUZZ_SECONDS from its
# checked-in seeds (new inputs go to a scratch corpus under build/).
FUZZ_SECONDS ?= 60
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
$(O)/fuzz_%: tests/fuzz/fuzz_%.c $(O)/libenvssm.a
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined $(ALL_LDFLAGS) -o $@ $< $(O)/libenvssm.a $(DEP_LIBS)
fuzz-run: $(patsubst %,$(O)/fuzz_%,$(FUZZ_NAMES))
	@set -e; rm -rf $(O)/artifacts; mkdir -p $(O)/artifacts; for n in $(FUZZ_NAMES); do \
	  mkdir -p $(O)/corpus-$$n tests/fuzz/corpus/$$n; \
	  printf 'fuzz_%s, %s s: ' $$n $(FUZZ_SECONDS); \
	  $(O)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -max_len=65536 \
	    -artifact_prefix=$(O)/artifacts/$$n- $(O)/corpus-$$n tests/fuzz/corpus/$$n \
	    > $(O)/fuzz-$$n.log 2>&1 || { tail -40 $(O)/fuzz-$$n.log; exit 1; }; \
	  grep -o 'number_of_executed_units: [0-9]*' $(O)/fuzz-$$n.log | sed 's/.*: /executions: /'; \
	done; if [ -n "$$(ls $(O)/artifacts)" ]; then ls $(O)/artifacts; exit 1; fi

# The wrapper the integration tests run when checking under valgrind.
VALGRIND_LOGS = $(O)/valgrind-logs
VALGRIND = valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
           --child-silent-after-fork=yes --track-fds=no

unit: test-deps $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
	  if [ "$(BUILD)" = valgrind ]; then $(VALGRIND) $$t; else $$t; fi; done

integration: test-deps $(BIN) $(O)/sigv4_tool $(O)/format_tool
	$(PYTHON) tests/sigv4_botocore.py $(O)/sigv4_tool
	$(PYTHON) tests/test_formats.py --tool $(O)/format_tool
	$(PYTHON) tests/test_fakessm.py
	$(PYTHON) tests/integration/run.py --envssm $(ENVSSM_UNDER_TEST) $(INTEGRATION_ARGS)

ENVSSM_UNDER_TEST = $(BIN)
INTEGRATION_ARGS =
ifeq ($(BUILD),valgrind)
ENVSSM_UNDER_TEST = $(O)/envssm-valgrind
# every envssm path through moto, the credential chain and the README; the
# fault matrix and herd measure timing, which an instrumented binary skews
INTEGRATION_ARGS = -k test_moto -k test_creds -k test_readme -k test_supervise -k test_change_restarts_once \
                   -k test_secure_strings_become_files -k test_references_and_json_fields \
                   -k test_refusals -k test_on_change_signals_instead
integration: $(O)/envssm-valgrind
$(O)/envssm-valgrind: $(BIN)
	@mkdir -p $(VALGRIND_LOGS)
	@printf '#!/bin/sh\nexec valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --log-file=%s/vg.%%p.log %s "$$@"\n' \
	  "$(abspath $(VALGRIND_LOGS))" "$(abspath $(BIN))" > $@ && chmod +x $@
endif

check: unit integration
ifeq ($(BUILD),valgrind)
	@if grep -l 'ERROR SUMMARY: [1-9]\|definitely lost: [1-9]' $(VALGRIND_LOGS)/*.log 2>/dev/null; then \
	  echo "valgrind found errors (logs above)" >&2; exit 1; fi; echo "valgrind: no errors"
endif

static:
	release/deps.sh build/deps $(TRIPLET)
	$(MAKE) BUILD=static TRIPLET=$(TRIPLET) build/static-$(TRIPLET)/envssm

# Release tarballs for each architecture envssm ships, plus SHA256SUMS.
DIST_TRIPLETS ?= x86_64-linux-gnu aarch64-linux-gnu
dist:
	@for t in $(DIST_TRIPLETS); do $(MAKE) --no-print-directory static TRIPLET=$$t || exit 1; done
	release/dist.sh $(VERSION) build/dist $(DIST_TRIPLETS)

# The release tests (tests/release/): the tarballs, the arm64 binary under
# qemu, CA search and name resolution without NSS, real containers on a
# private Docker engine. Needs root; see tests/release/run.py.
check-release: all dist
	$(PYTHON) tests/release/run.py

asan:
	$(MAKE) BUILD=asan ENVSSM_INSTRUMENTED=1 check
ubsan:
	$(MAKE) BUILD=ubsan check
valgrind:
	rm -rf build/valgrind/valgrind-logs
	$(MAKE) BUILD=valgrind ENVSSM_QUICK=1 check

fuzz:
	$(MAKE) BUILD=fuzz CC=clang fuzz-run

# Speed and memory, side by side with what users would otherwise run, the
# static envssm beside the dynamic one; writes bench/results.md.
bench: all
	$(MAKE) static
	$(MAKE) -C bench all static TRIPLET=$(TRIPLET)
	$(PYTHON) bench/bench.py --envssm ./envssm --envssm-static build/static-$(TRIPLET)/envssm \
	  --floor-static bench/floor-static --out bench/results.md

# What a watching envssm costs (idle CPU and memory, requests per poll, a
# fleet's request rate); writes its section of bench/results.md.
bench-watch: all
	$(MAKE) static
	$(PYTHON) bench/watch.py --envssm ./envssm --envssm-static build/static-$(TRIPLET)/envssm \
	  --out bench/results.md

demo: all
	@command -v moto_server >/dev/null 2>&1 || { \
	  echo "envssm: the demo needs moto_server: pip install 'moto[server]' boto3" >&2; exit 1; }
	$(PYTHON) tests/demo.py --envssm ./envssm

lint:
	$(MAKE) BUILD=lint CFLAGS="-O2 -Werror" all
	clang-tidy --quiet $(SRCS) -- -std=c11 -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DENVSSM_VERSION='"lint"' $(SRC_INCLUDES) $(DEP_CFLAGS)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 --inline-suppr \
	  -D_XOPEN_SOURCE=700 -DENVSSM_VERSION='"lint"' $(SRC_INCLUDES) src
	mandoc -T lint -W warning man/envssm.1
	clang-format --dry-run --Werror $(SRCS) $(HDRS)

format:
	clang-format -i $(SRCS) $(HDRS)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 envssm $(DESTDIR)$(BINDIR)/envssm
	install -m 0644 man/envssm.1 $(DESTDIR)$(MANDIR)/man1/envssm.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/envssm $(DESTDIR)$(MANDIR)/man1/envssm.1

clean:
	rm -rf build envssm
