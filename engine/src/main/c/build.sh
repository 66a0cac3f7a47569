#!/bin/sh
# Builds the native kernels for the Maven build: build.sh <output .so>. Uses $CC, else gcc, else cc.
set -eu
out="$1"
dir="$(dirname "$0")"
cc="${CC:-}"
if [ -z "$cc" ]; then
  if command -v gcc >/dev/null 2>&1; then cc=gcc; else cc=cc; fi
fi
mkdir -p "$(dirname "$out")"
# -mavx2 is not global: each entry point carries its own target attribute and runs only where CPUID allows.
# -ffp-contract=off: the attention kernel must round exactly as the Java one (fused only where it says fma).
"$cc" -O3 -fPIC -shared -std=c11 -ffp-contract=off -Wall -Wextra -Werror -o "$out" "$dir/tern_kernels.c" "$dir/tern_dense.c" "$dir/tern_attention.c"
echo "built $out with $cc"
