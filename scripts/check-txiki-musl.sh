#!/bin/bash
# Builds txiki.js with the CMake options of openwrt/txiki.js/Makefile against musl
# (OpenWrt's C library) on a Debian host, then runs flowsieve on it and loads a musl
# shared library through tjs:ffi — the check that those options make a runtime that works.
#
# usage: scripts/check-txiki-musl.sh MIRROR_ROOT [WORK=/tmp/txiki-musl]
#   MIRROR_ROOT holds the fetched snapshots ../shared/tools/build-txiki.sh reads, plus
#   libffi+libffi/repo (github:libffi/libffi). Needs musl-tools, autoconf, automake,
#   libtool, cmake. Everything is built under WORK; nothing here is committed.
#
# Debian has no musl C++ library, so (as build-txiki.sh's TJS_MUSL=1 mode explains) the C++
# part (deps/ada) is compiled by g++ and linked with glibc's static libstdc++; the final
# link here is dynamic against musl's libc.so, which dlopen() needs (a static binary
# cannot load flowsieve's native modules). The OpenWrt SDK has a musl C++ toolchain.
set -euo pipefail
MIRROR=${1:?usage: check-txiki-musl.sh MIRROR_ROOT [WORK]}
WORK=${2:-/tmp/txiki-musl}
REPO=$(cd "$(dirname "$0")/.." && pwd)
LIBFFI_REV=${LIBFFI_REV:-v3.5.2}
mkdir -p "$WORK"

# Kernel headers for musl-gcc, as build-txiki.sh sets them up.
AUX=$WORK/musl-aux
mkdir -p "$AUX"
ln -sfn /usr/include/linux "$AUX/linux"
ln -sfn /usr/include/asm-generic "$AUX/asm-generic"
ln -sfn "/usr/include/$(gcc -dumpmachine)/asm" "$AUX/asm"

# libffi for musl (tjs:ffi), static.
FFI=$WORK/ffi-prefix
if [ ! -f "$FFI/lib/libffi.a" ]; then
	rm -rf "$WORK/libffi"
	mkdir -p "$WORK/libffi"
	git --git-dir="$MIRROR/libffi+libffi/repo" archive "$LIBFFI_REV" | tar -x -C "$WORK/libffi"
	(
		cd "$WORK/libffi"
		./autogen.sh
		CC=musl-gcc CFLAGS="-Os -isystem $AUX" ./configure --prefix="$FFI" --disable-shared \
			--enable-static --disable-docs --disable-multi-os-directory --without-gcc-arch
		make -j"$(nproc)"
		make install
	) >"$WORK/libffi.log" 2>&1
fi

# The Makefile's CMAKE_OPTIONS, as make expands them (GIT_EXECUTABLE stays the host's git:
# outside a git work tree, upstream's own `git apply` of its mbedTLS patch works).
# shellcheck disable=SC2016 # $(CMAKE_OPTIONS) is make's
opts=$(make -s --no-print-directory -C "$REPO/openwrt/txiki.js" TOPDIR="$REPO/scripts/openwrt-host" \
	--eval 'print-options: ; @echo $(CMAKE_OPTIONS)' print-options | tr ' ' '\n' | grep -v '^-DGIT_EXECUTABLE=' | tr '\n' ' ')
echo "check-txiki-musl: CMake options: $opts"

# shellcheck disable=SC2086 # word splitting of the option list is intended
# Release with the flags in CFLAGS/CXXFLAGS only, as OpenWrt's cmake.mk configures (its
# default target optimisation is -Os).
TJS_MUSL=1 TJS_CMAKE_ARGS="-DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-DNDEBUG -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG $opts -DBUILD_WITH_STRIP=ON -DFFI_LIB=$FFI/lib/libffi.a -DFFI_INCLUDE_DIR=$FFI/include" \
	CFLAGS="-Os" CXXFLAGS="-Os" bash "$REPO/../shared/tools/build-txiki.sh" "$MIRROR" "$WORK" >"$WORK/build.log" 2>&1 ||
	{ tail -20 "$WORK/build.log"; exit 1; }

# Relink dynamically against musl's libc.so (see above), with the few glibc-only symbols
# glibc's libstdc++ wants.
cat >>"$AUX/glibc-shim.c" <<'SHIM'
#include <locale.h>
#include <time.h>
size_t __strftime_l(char *s, size_t n, const char *f, const struct tm *tm, locale_t l) { return strftime_l(s, n, f, tm, l); }
SHIM
musl-gcc -O2 -fPIC -c "$AUX/glibc-shim.c" -o "$AUX/glibc-shim.o"
cat >"$AUX/musl-gxx" <<GXX
#!/bin/sh
for a in "\$@"; do [ "\$a" = -c ] && exec g++ "\$@"; done
for a in "\$@"; do shift; [ "\$a" = -latomic ] || set -- "\$@" "\$a"; done
exec musl-gcc "\$@" $(g++ -print-file-name=libstdc++.a) $(g++ -print-file-name=libgcc_eh.a) $(gcc -print-file-name=libatomic.a) $AUX/glibc-shim.o
GXX
TJS=$WORK/txiki.js/build/tjs
rm -f "$TJS"
cmake --build "$WORK/txiki.js/build" --target tjs-cli -j"$(nproc)" >>"$WORK/build.log" 2>&1 ||
	{ tail -20 "$WORK/build.log"; exit 1; }

echo "check-txiki-musl: $(stat -c %s "$TJS") bytes, $(file -b "$TJS" | cut -d, -f1-5)"
readelf -d "$TJS" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/check-txiki-musl: needs \1/p'

# flowsieve on it: the same records as under Node for the sample capture.
[ -f "$REPO/dist/flowsieve.js" ] || (cd "$REPO" && npm run --silent build)
"$TJS" run "$REPO/dist/flowsieve.js" version
a=$("$TJS" run "$REPO/dist/flowsieve.js" replay "$REPO/samples/home-lan.pcapng" | sha256sum)
b=$(node "$REPO/dist/flowsieve.js" replay "$REPO/samples/home-lan.pcapng" | sha256sum)
[ "$a" = "$b" ] || { echo "check-txiki-musl: replay differs from Node" >&2; exit 1; }
echo "check-txiki-musl: replay of samples/home-lan.pcapng identical to Node"

# tjs:ffi loads a musl shared library.
printf 'int fs_add(int a, int b) { return a + b; }\n' >"$WORK/ffi-check.c"
musl-gcc -shared -fPIC -O2 -o "$WORK/libffi-check.so" "$WORK/ffi-check.c"
cat >"$WORK/ffi-check.js" <<JS
import { dlopen, types } from 'tjs:ffi';
const lib = dlopen('$WORK/libffi-check.so', { fs_add: { args: [types.sint, types.sint], returns: types.sint } });
console.log('check-txiki-musl: tjs:ffi fs_add(2, 3) =', lib.symbols.fs_add(2, 3));
JS
"$TJS" run "$WORK/ffi-check.js"
