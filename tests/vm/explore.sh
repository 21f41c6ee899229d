#!/bin/bash
# Run shell commands inside the kernel test VM and show what they print.
#
#   tests/vm/explore.sh [--kernel 6.1|6.12] [--ours PATH] [--timeout SECS] 'shell commands'
#   tests/vm/explore.sh [options] -f script.sh        (commands from a file)
#
# The commands run with busybox sh as root, cwd /tmp, PATH=/ref:$PATH, so
# `ipvsadm` is the reference ipvsadm 1.31; ours is /ours/ipvsadm (from --ours,
# default target/debug/ipvsadm when it exists). stdout and stderr are shown
# interleaved, followed by the exit status of the commands; the script exits
# with that status. Kernel console: add --console to print it too.
# The VM has no network; dummy0 carries 192.0.2.1/24 198.51.100.1/24
# 203.0.113.1/24 2001:db8::1/64 2001:db8:1::1/64. Default kernel: 6.1.
# Live traffic: /payload/net.sh (tests/vm/net.sh), e.g.
#   sh /payload/net.sh up; sh /payload/net.sh exec ipvsadm -A -t 192.0.2.1:80 -s rr; ...
# Forwarding recipes (examples/forwarding, shipped as /payload/forwarding),
# with ours as the tool, e.g.
#   tests/vm/explore.sh 'IPVSADM=/ours/ipvsadm sh /payload/forwarding/dr.sh'
#
# Example:
#   tests/vm/explore.sh 'ipvsadm -A -t 192.0.2.1:80 -s foo; echo rc=$?; ipvsadm -L -n'
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
kernel=6.1 ours="" timeout=300 cmds="" show_console=0 have_cmds=0
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kernel=${2:?}; shift 2 ;;
        --ours) ours=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --console) show_console=1; shift ;;
        -f) cmds=$(cat "${2:?}"); have_cmds=1; shift 2 ;;
        -h|--help) usage ;;
        --) shift; cmds="$*"; have_cmds=1; break ;;
        -*) echo "explore: unknown option $1" >&2; usage ;;
        *) cmds="$*"; have_cmds=1; break ;;
    esac
done
[ "$have_cmds" = 1 ] || usage
if [ -z "$ours" ] && [ -x "$ROOT/target/debug/ipvsadm" ]; then
    ours=$ROOT/target/debug/ipvsadm
    echo "explore: /ours/ipvsadm = $ours" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipvs-explore.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/payload"
printf '%s\n' "$cmds" > "$tmp/payload/cmds.sh"
cp "$HERE/net.sh" "$tmp/payload/net.sh"
cp -R "$ROOT/examples/forwarding" "$tmp/payload/forwarding"
cat > "$tmp/payload/main.sh" <<'EOF'
#!/bin/sh
export PATH=/ref:$PATH
cd /tmp
sh /payload/cmds.sh </dev/null 2>&1
echo "[exit status $?]"
EOF

args=(run --kernel "$kernel" --payload "$tmp/payload" --out "$tmp/out" --timeout "$timeout")
[ -n "$ours" ] && args+=(--ours "$ours")
rc=0
bash "$HERE/kit.sh" "${args[@]}" || rc=$?
if [ "$show_console" = 1 ] && [ -f "$tmp/out.console" ]; then
    echo "----- console -----"; cat "$tmp/out.console"; echo; echo "-------------------"
fi
[ -f "$tmp/out" ] && cat "$tmp/out"
if [ "$rc" -ge 124 ] || [ ! -s "$tmp/out" ]; then
    echo "explore: the VM run failed (kit exit $rc); console tail:" >&2
    tail -n 30 "$tmp/out.console" >&2 || true
    exit "$rc"
fi
status=$(sed -n 's/^\[exit status \([0-9]*\)\]$/\1/p' "$tmp/out" | tail -n 1)
exit "${status:-$rc}"
