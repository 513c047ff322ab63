#!/bin/bash -eu
# Builds every fuzz target of fuzz/ into $OUT with its seed corpus and dictionary, the layout
# ClusterFuzzLite and OSS-Fuzz expect: $OUT/<target>, $OUT/<target>_seed_corpus.zip,
# $OUT/<target>.dict.
#
# FUZZ_BUILD_FLAGS adds `cargo fuzz build` flags: .ci/cflite-check passes the fuzz smoke's
# (`--codegen-units 16` in CI) to reuse its build; campaigns leave it unset.
cd "$SRC/hookcheck"
# shellcheck disable=SC2086 # flags, split on purpose
cargo fuzz build -O --debug-assertions ${FUZZ_BUILD_FLAGS:-}
release=fuzz/target/x86_64-unknown-linux-gnu/release
for target in $(cargo fuzz list); do
  # A hard link when $OUT is on the same disk (.ci/cflite-check), a copy otherwise.
  ln -f "$release/$target" "$OUT/" 2>/dev/null || cp "$release/$target" "$OUT/"
  if [ -d "fuzz/seeds/$target" ]; then
    (cd "fuzz/seeds/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
  fi
  case "$target" in
    raw_*) dict="fuzz/dict/${target#raw_}.dict" ;;
    structured | differential) dict="" ;;
    *) dict="fuzz/dict/all.dict" ;;
  esac
  if [ -n "$dict" ]; then
    cp "$dict" "$OUT/$target.dict"
  fi
done
