#!/bin/bash
# Kernel test kit for the ipvsadm replacement.
#
# Boots a real Debian kernel (cloud flavour, series 6.1 and 6.12) under QEMU
# (TCG, no network device) with a small busybox initramfs that contains the
# reference ipvsadm (/ref/ipvsadm), our binary (/ours/ipvsadm) and a payload
# directory (/payload) whose main.sh is run as root inside the VM.
#
#   tests/vm/kit.sh fetch
#       Install missing host packages, download + unpack both kernels into the
#       kit directory (default target/vm-kit, override with IPVS_VM_KIT) and
#       build the cached base initramfs of each series. Idempotent and fast
#       when everything is present.
#
#   tests/vm/kit.sh run --kernel 6.1|6.12 [--ours BINARY] --payload DIR
#                       --out FILE [--timeout SECS] [--mem MB]
#       Boot the VM (MB of memory, default 512) and run /payload/main.sh
#       (DIR is copied to /payload).
#       Everything main.sh writes to its stdout lands byte-exact in FILE;
#       the serial console (kernel messages, main.sh's stderr) goes to
#       FILE.console and the completion record to FILE.status.
#       Exit status: main.sh's exit status when it completed; 124 when the VM
#       timed out; 125 when the VM stopped without main.sh reporting
#       completion (crash, panic, main.sh powered off without /kit/done);
#       2 on usage / kit errors.
#
#   tests/vm/kit.sh status     show what the kit contains
#
# Inside the VM:
#   - /ref/ipvsadm (reference 1.31), /ours/ipvsadm (ours, when --ours given);
#     neither is on the default PATH: use PATH=/ref:$PATH or PATH=/ours:$PATH.
#   - busybox everywhere (note: busybox sh runs its own applets before PATH,
#     so `ip` is busybox's; iproute2 is at /usr/sbin/ip: call it by full path).
#   - all IPVS modules loaded, plus dummy, veth, bridge, tunnels; module
#     autoload works (/sbin/modprobe is busybox, modules.dep present);
#     nf_tables and nft_* (nat, masq, ct, fib, reject) are shipped, with
#     /usr/sbin/nft and /usr/bin/socat (for examples/forwarding).
#   - lo up; dummy0 up with 192.0.2.1/24 198.51.100.1/24 203.0.113.1/24
#     2001:db8::1/64 2001:db8:1::1/64.
#   - /etc/hosts (full list in tests/vm/README.md): 192.0.2.1 vip1.example,
#     198.51.100.2 rs1.example, 198.51.100.3 rs2.example, 2001:db8::1 vip6.example.
#   - main.sh runs from /tmp with stdin /dev/null, stdout -> result channel,
#     stderr -> console. When it returns, init records its exit status and
#     powers off. A main.sh that powers off by itself must run /kit/done [RC]
#     first (it drains the result channel and records completion).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
KIT=${IPVS_VM_KIT:-$ROOT/target/vm-kit}
ALL_SERIES="6.1 6.12"
HOST_PKGS="qemu-system-x86 busybox-static ipvsadm xz-utils kmod cpio netbase iproute2 nftables socat"

# Modules shipped in the initramfs (with their dependencies). All of them are
# available to autoload; BOOT_MODULES are loaded at boot.
SHIP_MODULES="dummy veth bridge stp llc br_netfilter tunnel4 ip_tunnel ipip fou ip_gre gre
 ip6_tunnel ip6_gre fou6 tunnel6 sit nf_conntrack_sip nf_conntrack_ftp tun macvlan ipvlan
 vxlan geneve udp_tunnel ip6_udp_tunnel
 nf_tables nf_nat nft_chain_nat nft_nat nft_masq nft_ct nft_fib nft_fib_ipv4 nft_fib_ipv6
 nft_reject nft_reject_ipv4 nft_reject_ipv6 nft_redir nf_conntrack_netlink"
BOOT_MODULES_HEAD="libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack ip_vs"
BOOT_MODULES_TAIL="nf_conntrack_sip dummy veth bridge stp llc tunnel4 ip_tunnel ipip fou
 ip_gre gre ip6_tunnel ip6_gre fou6 tunnel6 sit"

say() { printf 'kit: %s\n' "$*" >&2; }
die() { printf 'kit: error: %s\n' "$*" >&2; exit 2; }

meta_pkg() {
    case $1 in
        6.1) echo linux-image-cloud-amd64 ;;
        6.12) echo linux-image-6.12-cloud-amd64 ;;
        *) die "unknown kernel series '$1' (want 6.1 or 6.12)" ;;
    esac
}

# Name of the current linux-image package of a series, from apt's lists.
resolve_pkg() {
    local meta pkg
    meta=$(meta_pkg "$1")
    pkg=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
    case "$1:$pkg" in
        6.1:linux-image-6.1.*|6.12:linux-image-6.12.*) echo "$pkg" ;;
        *) return 1 ;;
    esac
}

ensure_host_packages() {
    local missing="" p
    for p in $HOST_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    say "installing host packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends $missing >&2; then
        apt-get update >&2
        apt-get install -y --no-install-recommends $missing >&2
    fi
}

download_pkg() { # DIR PACKAGE
    rm -f "$1"/*.deb
    (cd "$1" && apt-get download "$2" 2>&1) | { grep -v 'Download is performed unsandboxed' || true; } >&2
    ls "$1"/*.deb >/dev/null 2>&1
}

fetch_series() {
    local s=$1 pkg ver dir tmp
    dir=$KIT/$s
    rm -rf "$KIT/.fetch-$s-"* "$KIT/.base-$s-"*   # leftovers of interrupted runs (we hold the lock)
    pkg=$(resolve_pkg "$s") || {
        say "apt-cache cannot resolve the $s kernel; running apt-get update"
        apt-get update >&2 || true
        pkg=$(resolve_pkg "$s") || {
            if [ -f "$dir/vmlinuz" ]; then
                say "WARNING: cannot resolve the $s kernel package; keeping $(cat "$dir/version")"
                return 0
            fi
            die "cannot resolve the $s kernel package ($(meta_pkg "$s"))"
        }
    }
    ver=${pkg#linux-image-}
    if [ -f "$dir/vmlinuz" ] && [ -f "$dir/version" ] && [ "$(cat "$dir/version")" = "$ver" ] \
        && [ -f "$dir/modules/lib/modules/$ver/modules.dep" ]; then
        say "$s: $ver present"
        return 0
    fi
    say "$s: fetching $pkg"
    mkdir -p "$KIT"
    tmp=$(mktemp -d "$KIT/.fetch-$s-XXXXXX")
    # _apt cannot write into root-only dirs; download as root in our tmp dir.
    chmod 755 "$tmp"
    if ! download_pkg "$tmp" "$pkg"; then
        # The mirror drops superseded kernels: refresh the lists, resolve again.
        say "$s: download of $pkg failed; running apt-get update and resolving again"
        apt-get update >&2 || true
        pkg=$(resolve_pkg "$s") || die "cannot resolve the $s kernel package"
        ver=${pkg#linux-image-}
        if [ -f "$dir/vmlinuz" ] && [ "$(cat "$dir/version" 2>/dev/null)" = "$ver" ] \
            && [ -f "$dir/modules/lib/modules/$ver/modules.dep" ]; then
            rm -rf "$tmp"
            say "$s: $ver present"
            return 0
        fi
        download_pkg "$tmp" "$pkg" || die "cannot download $pkg"
    fi
    mkdir -p "$tmp/x" "$tmp/new/modules/lib/modules"
    dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/x"
    [ -f "$tmp/x/boot/vmlinuz-$ver" ] || die "$pkg has no boot/vmlinuz-$ver"
    cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/new/vmlinuz"
    cp "$tmp/x/boot/config-$ver" "$tmp/new/config"
    if [ -d "$tmp/x/lib/modules/$ver" ]; then
        mv "$tmp/x/lib/modules/$ver" "$tmp/new/modules/lib/modules/$ver"
    elif [ -d "$tmp/x/usr/lib/modules/$ver" ]; then
        mv "$tmp/x/usr/lib/modules/$ver" "$tmp/new/modules/lib/modules/$ver"
    else
        die "$pkg has no modules tree"
    fi
    # Decompress compressed modules (6.12 ships .ko.xz) so that busybox
    # insmod/modprobe can load them.
    find "$tmp/new/modules" -name '*.ko.xz' -print0 | xargs -0 -r -P "$(nproc)" -n 64 xz -d
    if find "$tmp/new/modules" -name '*.ko.zst' | grep -q .; then
        command -v zstd >/dev/null || apt-get install -y --no-install-recommends zstd >&2
        find "$tmp/new/modules" -name '*.ko.zst' -print0 | xargs -0 -r -n 64 zstd -q -d --rm
    fi
    if find "$tmp/new/modules" -name '*.ko.gz' | grep -q .; then
        find "$tmp/new/modules" -name '*.ko.gz' -print0 | xargs -0 -r -n 64 gzip -d
    fi
    depmod -b "$tmp/new/modules" "$ver"
    echo "$ver" > "$tmp/new/version"
    echo "$pkg" > "$tmp/new/package"
    rm -rf "$dir.old"
    [ -d "$dir" ] && mv "$dir" "$dir.old"
    mv "$tmp/new" "$dir"
    rm -rf "$tmp" "$dir.old"
    say "$s: $ver ready in $dir"
}

# ---------------------------------------------------------------- base image

# Copy a host binary and the shared libraries it needs into a root dir,
# preserving the library paths that ldd reports.
copy_with_libs() { # ROOTDIR SRC DEST
    local root=$1 src=$2 dest=$3 lib
    mkdir -p "$root/$(dirname "$dest")"
    cp -L "$src" "$root/$dest"
    chmod 755 "$root/$dest"
    # ldd fails on static binaries and scripts: that's fine.
    for lib in $(ldd "$src" 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'); do
        [ -e "$root$lib" ] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}

base_key() {
    local s=$1
    {
        cat "$KIT/$s/version"
        echo "$SHIP_MODULES|$BOOT_MODULES_HEAD|$BOOT_MODULES_TAIL"
        sed -n '/^# ---- BASE IMAGE BEGIN/,/^# ---- BASE IMAGE END/p' "${BASH_SOURCE[0]}"
        sha256sum /bin/busybox /usr/sbin/ipvsadm /usr/sbin/ip /usr/sbin/nft /usr/bin/socat /etc/services /etc/protocols 2>/dev/null
    } | sha256sum | cut -d' ' -f1
}

# ---- BASE IMAGE BEGIN (changes in this block rebuild the cached base images)
BASE_FORMAT=3

module_closure() { # MODDIR NAME... -> relative paths of modules + deps
    local moddir=$1; shift
    awk -v want="$*" '
        BEGIN { n = split(want, w, /[ \t\n]+/); for (i = 1; i <= n; i++) if (w[i] != "") wanted[w[i]] = 1 }
        {
            path = $1; sub(/:$/, "", path)
            name = path; sub(/.*\//, "", name); sub(/\.ko(\.[a-z]+)?$/, "", name)
            gsub(/-/, "_", name)
            line[name] = $0
            if (name ~ /^ip_vs/) wanted[name] = 1
        }
        END {
            for (name in wanted) {
                if (!(name in line)) { print "MISSING " name; continue }
                m = split(line[name], f, /[ \t]+/)
                p = f[1]; sub(/:$/, "", p); print p
                for (i = 2; i <= m; i++) if (f[i] != "") print f[i]
            }
        }' "$moddir/modules.dep" | sort -u
}

write_init() { # ROOTDIR VERSION
    cat > "$1/init" <<'EOF'
#!/bin/sh
# init of the ipvsadm kernel test VM (generated by tests/vm/kit.sh)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
chmod 1777 /tmp
exec 0</dev/null
exec 1>/dev/console 2>/dev/console
echo /sbin/modprobe > /proc/sys/kernel/modprobe
hostname ipvs-vm

. /kit/config
for m in $BOOT_MODULES; do
    modprobe "$m" || echo "kit: WARNING: cannot load module $m"
done

IP=/usr/sbin/ip
[ -x $IP ] || IP="busybox ip"
$IP link set lo up
# (the dummy module creates dummy0 by itself when loaded with numdummies=1)
$IP link show dummy0 >/dev/null 2>&1 || $IP link add dummy0 type dummy
$IP link set dummy0 up
for a in 192.0.2.1/24 198.51.100.1/24 203.0.113.1/24; do
    $IP addr add $a dev dummy0
done
for a in 2001:db8::1/64 2001:db8:1::1/64; do
    $IP -6 addr add $a dev dummy0 nodad 2>/dev/null || $IP -6 addr add $a dev dummy0
done

echo "kit: booted $(uname -r), running /payload/main.sh"
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
rc=127
if [ -f /payload/main.sh ]; then
    chmod +x /payload/main.sh
    cd /tmp
    /payload/main.sh >/dev/ttyS1
    rc=$?
    cd /
else
    echo "kit: no /payload/main.sh"
fi
/kit/done $rc
echo "kit: main.sh exited with $rc, powering off"
poweroff -f
sleep 5
EOF
    chmod 755 "$1/init"
    mkdir -p "$1/kit"
    cat > "$1/kit/done" <<'EOF'
#!/bin/sh
# /kit/done [RC]: drain the result channel and record completion.
stty -F /dev/ttyS1 raw -echo 2>/dev/null  # TCSADRAIN: waits until sent
printf 'IPVS-KIT-DONE rc=%s\n' "${1:-0}" >/dev/ttyS2
stty -F /dev/ttyS2 raw -echo 2>/dev/null
EOF
    chmod 755 "$1/kit/done"
    {
        echo "BOOT_MODULES='$BOOT_MODULES_HEAD $(ls "$1/lib/modules/$2/kernel/net/netfilter/ipvs" | sed 's/\.ko$//' | grep -v '^ip_vs$' | tr '\n' ' ') $(echo $BOOT_MODULES_TAIL)'"
        echo "KERNEL_VERSION='$2'"
    } > "$1/kit/config"
}

build_base() { # SERIES
    local s=$1 dir ver tmp r f name mod rel
    dir=$KIT/$s
    ver=$(cat "$dir/version")
    tmp=$(mktemp -d "$KIT/.base-$s-XXXXXX")
    r=$tmp/root
    mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,run,tmp,root,ref,ours,payload,kit,mnt}
    mkdir -p "$r/var/tmp" "$r/var/lib"
    ln -s /run "$r/var/run"
    # busybox and its applets
    cp /bin/busybox "$r/bin/busybox"
    for f in $(/bin/busybox --list-full); do
        [ "$f" = bin/busybox ] && continue
        mkdir -p "$r/$(dirname "$f")"
        ln -sf /bin/busybox "$r/$f"
    done
    # reference ipvsadm and iproute2
    copy_with_libs "$r" /usr/sbin/ipvsadm /ref/ipvsadm
    # the distribution's ipvsadm-save/-restore wrapper scripts, to run with
    # busybox sh and find whichever ipvsadm comes first in the caller's PATH
    for f in ipvsadm-save ipvsadm-restore; do
        [ -f "/usr/sbin/$f" ] || continue
        sed -e '1s|^#!.*|#!/bin/sh|' -e 's|^PATH=.*|: keep the PATH of the caller|' "/usr/sbin/$f" > "$r/ref/$f"
        chmod 755 "$r/ref/$f"
    done
    [ -x /usr/sbin/ip ] && copy_with_libs "$r" /usr/sbin/ip /usr/sbin/ip
    # nft and socat for the forwarding scenarios (examples/forwarding)
    [ -x /usr/sbin/nft ] && copy_with_libs "$r" /usr/sbin/nft /usr/sbin/nft
    [ -x /usr/bin/socat ] && copy_with_libs "$r" /usr/bin/socat /usr/bin/socat
    # modules: ship the closure of the wanted ones, then depmod the subset
    local mods=$dir/modules/lib/modules/$ver
    module_closure "$mods" $SHIP_MODULES $BOOT_MODULES_HEAD $BOOT_MODULES_TAIL > "$tmp/mods"
    if grep -q '^MISSING ' "$tmp/mods"; then
        say "$s: modules not in this kernel: $(grep '^MISSING ' "$tmp/mods" | cut -d' ' -f2 | sort | tr '\n' ' ')"
    fi
    while read -r rel; do
        case $rel in MISSING*) continue ;; esac
        mkdir -p "$r/lib/modules/$ver/$(dirname "$rel")"
        cp "$mods/$rel" "$r/lib/modules/$ver/$rel"
    done < "$tmp/mods"
    for f in modules.order modules.builtin modules.builtin.modinfo; do
        [ -f "$mods/$f" ] && cp "$mods/$f" "$r/lib/modules/$ver/"
    done
    depmod -b "$r" "$ver"
    # configuration
    cat > "$r/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files
networks: files
services: files
protocols: files
EOF
    cat > "$r/etc/hosts" <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
192.0.2.1	vip1.example
192.0.2.2	vip2.example
198.51.100.1	gw.example
198.51.100.2	rs1.example
198.51.100.3	rs2.example
198.51.100.4	rs3.example
203.0.113.1	vip3.example
2001:db8::1	vip6.example
2001:db8::2	rs6a.example
2001:db8::3	rs6b.example
EOF
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
    echo ipvs-vm > "$r/etc/hostname"
    cp /etc/services /etc/protocols "$r/etc/"
    touch "$r/etc/fstab"
    write_init "$r" "$ver"
    (cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$tmp/base.cpio"
    mv "$tmp/base.cpio" "$dir/base.cpio"
    base_key "$s" > "$dir/base.key"
    say "$s: base image built ($(du -h "$dir/base.cpio" | cut -f1), $(wc -l < "$r/lib/modules/$ver/modules.dep") modules)"
    rm -rf "$tmp"
}
# ---- BASE IMAGE END

ensure_base() { # SERIES (under lock)
    local s=$1
    if [ -f "$KIT/$s/base.cpio" ] && [ -f "$KIT/$s/base.key" ] && [ "$(cat "$KIT/$s/base.key")" = "$(base_key "$s")" ]; then
        return 0
    fi
    build_base "$s"
}

with_lock() { # SERIES CMD...
    local s=$1; shift
    mkdir -p "$KIT"
    (
        flock 9
        "$@"
    ) 9>"$KIT/.lock-$s"
}

cmd_fetch() {
    local s
    [ "$(id -u)" = 0 ] || die "fetch needs root (apt-get)"
    ensure_host_packages
    for s in $ALL_SERIES; do
        with_lock "$s" fetch_series "$s"
        with_lock "$s" ensure_base "$s"
    done
}

cmd_status() {
    local s
    echo "kit dir: $KIT"
    for s in $ALL_SERIES; do
        if [ -f "$KIT/$s/vmlinuz" ]; then
            echo "$s: $(cat "$KIT/$s/version")$( [ -f "$KIT/$s/base.cpio" ] && echo ", base image $(du -h "$KIT/$s/base.cpio" | cut -f1)")"
        else
            echo "$s: missing (run tests/vm/kit.sh fetch)"
        fi
    done
    command -v qemu-system-x86_64 >/dev/null && echo "qemu: $(command -v qemu-system-x86_64)" || echo "qemu: missing"
}

cmd_run() {
    local series="" ours="" payload="" out="" timeout=600 mem=512
    while [ $# -gt 0 ]; do
        case $1 in
            --kernel) series=${2:?}; shift 2 ;;
            --ours) ours=${2:?}; shift 2 ;;
            --payload) payload=${2:?}; shift 2 ;;
            --out) out=${2:?}; shift 2 ;;
            --timeout) timeout=${2:?}; shift 2 ;;
            --mem) mem=${2:?}; shift 2 ;;
            *) die "run: unknown argument '$1'" ;;
        esac
    done
    [ -n "$series" ] || die "run: --kernel 6.1|6.12 is required"
    meta_pkg "$series" >/dev/null
    [ -n "$payload" ] && [ -d "$payload" ] || die "run: --payload DIR is required (a directory with main.sh)"
    [ -f "$payload/main.sh" ] || die "run: $payload/main.sh does not exist"
    [ -n "$out" ] || die "run: --out FILE is required"
    [ -z "$ours" ] || [ -f "$ours" ] || die "run: --ours $ours does not exist"
    [ -f "$KIT/$series/vmlinuz" ] || die "run: no kernel for $series in $KIT (run tests/vm/kit.sh fetch)"
    command -v qemu-system-x86_64 >/dev/null || die "run: qemu-system-x86_64 missing (run tests/vm/kit.sh fetch)"
    with_lock "$series" ensure_base "$series"

    local tmp
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipvs-vm-run.XXXXXX")
    RUN_TMP=$tmp
    trap 'rm -rf "$RUN_TMP"' EXIT
    mkdir -p "$tmp/stage/payload" "$tmp/stage/ours"
    cp -R "$payload/." "$tmp/stage/payload/"
    chmod 755 "$tmp/stage/payload/main.sh"
    if [ -n "$ours" ]; then
        copy_with_libs "$tmp/stage" "$ours" /ours/ipvsadm
        # ours acts as the save/restore wrappers when called by their names
        ln -s ipvsadm "$tmp/stage/ours/ipvsadm-save"
        ln -s ipvsadm "$tmp/stage/ours/ipvsadm-restore"
    fi
    (cd "$tmp/stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$tmp/payload.cpio"
    cat "$KIT/$series/base.cpio" "$tmp/payload.cpio" > "$tmp/initrd"
    : > "$tmp/out"; : > "$tmp/console"; : > "$tmp/status"

    local rc=0
    timeout -k 10 "$timeout" qemu-system-x86_64 \
        -accel tcg -cpu "${IPVS_VM_CPU:-max}" -m "$mem" -smp 1 \
        -nodefaults -nic none -display none -monitor none -no-reboot \
        -kernel "$KIT/$series/vmlinuz" -initrd "$tmp/initrd" \
        -append "console=ttyS0 quiet panic=-1 oops=panic no_timer_check ${IPVS_VM_APPEND:-}" \
        -chardev file,id=con,path="$tmp/console" -serial chardev:con \
        -chardev file,id=res,path="$tmp/out" -serial chardev:res \
        -chardev file,id=sts,path="$tmp/status" -serial chardev:sts \
        </dev/null >"$tmp/qemu.log" 2>&1 || rc=$?

    cp "$tmp/out" "$out"
    cat "$tmp/console" "$tmp/qemu.log" > "$out.console"
    cp "$tmp/status" "$out.status"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        say "run: VM on $series timed out after ${timeout}s (console: $out.console)"
        return 124
    fi
    local done_rc
    done_rc=$(sed -n 's/^IPVS-KIT-DONE rc=\([0-9]*\).*/\1/p' "$tmp/status" | tail -n 1)
    if [ -z "$done_rc" ]; then
        say "run: VM on $series stopped (qemu exit $rc) without main.sh reporting completion (console: $out.console)"
        return 125
    fi
    return "$done_rc"
}

case ${1:-} in
    fetch) shift; cmd_fetch "$@" ;;
    run) shift; cmd_run "$@" ;;
    status) shift; cmd_status "$@" ;;
    build-base) shift; for s in ${1:-$ALL_SERIES}; do with_lock "$s" build_base "$s"; done ;;
    *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac
