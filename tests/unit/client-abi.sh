#!/bin/sh
# SPDX-License-Identifier: MIT
# libdirectflip-client.so: SONAME libdirectflip-client.so.0, and the dynamic
# symbol table exports df_* and nothing else (lib/libdirectflip-client.map).
set -eu
lib=$1
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libdirectflip-client.so.0 ] || { echo "FAIL: SONAME is '$soname'"; exit 1; }
syms=$(nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }')
[ -n "$syms" ] || { echo "FAIL: no symbols exported"; exit 1; }
bad=$(echo "$syms" | grep -v '^df_' || true)
[ -z "$bad" ] || { echo "FAIL: exported beyond df_*:"; echo "$bad"; exit 1; }
echo "SONAME $soname, $(echo "$syms" | wc -l) symbols, all df_*"
