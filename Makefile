# crossdrive: every target installs what it needs on a fresh Debian machine (run as root).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
APT_PKGS := sleuthkit ntfs-3g dosfstools mtools e2fsprogs fdisk ewf-tools exfatprogs exfat-fuse genisoimage fonts-dejavu-core libhivex-bin chromium
DEMO_DIR ?= demo-out

.PHONY: all demo test bench lint deps system-deps clean

all: test

# Debian tools used to build real test images (and TSK's own fls/icat as the reference);
# chromium opens the HTML report headless in its test.
system-deps:
	@missing=0; for t in fls icat mkntfs ntfs-3g mkfs.vfat mcopy mke2fs debugfs sfdisk ewfacquire mkfs.exfat mount.exfat-fuse genisoimage hivexml chromium; do \
	  command -v $$t >/dev/null 2>&1 || missing=1; done; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing=1; \
	if [ $$missing = 1 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PKGS) >/dev/null; fi

$(BIN)/crossdrive: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

deps: system-deps $(BIN)/crossdrive

demo: deps
	$(BIN)/crossdrive demo $(DEMO_DIR)

test: deps
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -q

bench: deps
	$(BIN)/pytest -q -m bench benchmarks tests -s

lint: deps
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench-out
