#!/bin/sh
# Builds the native kernels for the Maven build: build.sh <output .so>. Uses $CC, else gcc, else cc.
set -eu
out="$1"
src="$(dirname "$0")/tern_kernels.c"
cc="${CC:-}"
if [ -z "$cc" ]; then
  if command -v gcc >/dev/null 2>&1; then cc=gcc; else cc=cc; fi
fi
mkdir -p "$(dirname "$out")"
# -mavx2 is not global: each entry point carries its own target attribute and runs only where CPUID allows.
"$cc" -O3 -fPIC -shared -std=c11 -Wall -Wextra -Werror -o "$out" "$src"
echo "built $out with $cc"
