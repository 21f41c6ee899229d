#!/usr/bin/env bash
# Fuzz smoke test for CI: every fuzz target (fuzz/fuzz_targets/) runs under
# libFuzzer for a bounded time, starting from the committed corpus
# (fuzz/corpus/<target>/). A crash, a panic, an input that runs longer
# than 10 s or a memory blow-up fails the script; the input is left in
# fuzz/artifacts/<target>/ (replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...`).
#
#   tests/fuzz-smoke.sh                 20 s per target
#   FUZZ_SECONDS=300 tests/fuzz-smoke.sh
#   FUZZ_KEEP=1 tests/fuzz-smoke.sh     add what the run finds to the corpus
#
# Needs cargo-fuzz; when it is missing, `cargo install cargo-fuzz --locked`
# (about 50 s). If that fails the script says so loudly and exits 0, unless
# FUZZ_REQUIRE=1. The toolchain is stable Rust: RUSTC_BOOTSTRAP=1 lets it
# take the sanitizer flags cargo-fuzz passes. First build of the targets:
# about 100 s.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${FUZZ_SECONDS:-20}
targets=(args restore replies)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz" >&2
    if ! cargo install cargo-fuzz --locked >&2; then
        echo "!!!!! fuzz-smoke: cargo-fuzz cannot be installed: the fuzz targets did NOT run" >&2
        [ "${FUZZ_REQUIRE:-0}" = 1 ] && exit 1
        exit 0
    fi
fi
export RUSTC_BOOTSTRAP=1

failed=()
for t in "${targets[@]}"; do
    if [ "${FUZZ_KEEP:-0}" = 1 ]; then
        dirs=(corpus/"$t")
    else
        # New inputs go to a scratch directory; the committed corpus is read only.
        scratch=$(mktemp -d)
        trap 'rm -rf "$scratch"' EXIT
        dirs=("$scratch" corpus/"$t")
    fi
    echo "fuzz-smoke: $t for ${secs}s" >&2
    if ! cargo fuzz run "$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 2> >(grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY|thread|panicked|Test unit written)|ERROR|crash' >&2); then
        failed+=("$t")
    fi
    [ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$scratch"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz-smoke: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz-smoke: ${targets[*]}: no crash in ${secs}s each" >&2
