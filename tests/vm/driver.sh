#!/bin/sh
# In-VM comparison driver (busybox sh). tests/kernel_compat.rs copies it to
# /payload/main.sh and the case files to /payload/cases/.
#
# Case file format: `### name` starts a case; every following non-blank line
# not starting with `#` is one step, run as `sh -c LINE`; `#` lines are
# comments.
#
# For each case (only those whose name or file name contains the text in
# /payload/filter, if that exists):
#   reset; run the steps with PATH=/ref:...   (phase "ref")
#   snapshot with the reference (tag ref/ref) and with ours (tag ref/ours)
#   reset; run the steps with PATH=/ours:...  (phase "ours")
#   snapshot with the reference (tag ours/ref)
# A snapshot is `ipvsadm -S -n`, `-L -n`, `-L -n --timeout`, `-L -n --daemon`.
#
# Output (stdout), one record per line, fields separated by one space:
#   H <b64 uname -r> <b64 reference version> <has_ours 0|1>
#   C <b64 file> <b64 case name> <number of steps>
#   S <phase> <index> <exit status>         one step ran
#   P <tag> <exit status>                   one snapshot listing ran
#   W <b64 text>                            warning (a reset failed)
#   D <sizes> <b64 blob>                    data of the case's S/P records
#   E                                       end of case
#   Z <number of cases run>                 the driver finished
# D comes once per case, after its S/P records: the blob is the concatenation
# of (command, stdout, stderr) of every S/P record of the case, in order;
# <sizes> lists their byte counts, comma-separated (3 per record). Batching
# saves ~50 ms of process creation per record under TCG.
# A step killed by the step timeout has exit status 143 (TERM) or 137 (KILL).

P=$(cd "$(dirname "$0")" && pwd)
BASEPATH=/sbin:/bin:/usr/sbin:/usr/bin
REF=/ref/ipvsadm
OURS=/ours/ipvsadm
STEP_TIMEOUT=20
[ -f "$P/step_timeout" ] && STEP_TIMEOUT=$(cat "$P/step_timeout")
FILTER=
[ -f "$P/filter" ] && FILTER=$(cat "$P/filter")
W=/tmp/work     # working directory of the steps (fresh for each run)
T=/tmp/driver   # driver's own files
C=$T/c          # data files of the current case
mkdir -p "$T" "$C"

enc() { printf '%s' "$1" | base64 -w 0; }

# ---------------------------------------------------------------- records

k=0
files=
new_record() { # COMMAND: allocates the data files of the next record
    k=$((k + 1))
    printf '%s' "$1" > "$C/$k.c"
    OUT=$C/$k.o
    ERR=$C/$k.e
    files="$files $C/$k.c $OUT $ERR"
}

flush_data() {
    [ -n "$files" ] || return 0
    sizes=
    set -- $(wc -c $files)
    while [ $# -ge 2 ]; do
        [ "$2" = total ] || sizes="$sizes${sizes:+,}$1"
        shift 2
    done
    printf 'D %s ' "$sizes"
    cat $files | base64 -w 0
    echo
    rm -f $files
    files=
    k=0
}

# ------------------------------------------------------------------ state

# Restore the kernel's default IPVS state: services, timeouts and sync
# daemons, each only when the last snapshot by the reference (taken just
# before every reset) showed it changed: every ipvsadm invocation costs
# ~50-100 ms under TCG.
DEFAULT_TIMEOUTS="Timeout (tcp tcpfin udp): 900 120 300"
need_set=0
need_stop=0
need_clear=1
reset_state() {
    set --
    [ "$need_clear" = 1 ] && set -- "-C"
    [ "$need_set" = 1 ] && set -- "$@" "--set 900 120 300"
    [ "$need_stop" = 1 ] && set -- "$@" "--stop-daemon master" "--stop-daemon backup"
    for c in "$@"; do
        if ! timeout -s KILL 20 $REF $c >"$T/ro" 2>&1 </dev/null; then
            case $c in
                --stop-daemon*) ;;  # fails when that daemon does not run
                *) echo "W $(enc "reset: ipvsadm $c failed: $(cat "$T/ro")")" ;;
            esac
        fi
    done
    need_set=0
    need_stop=0
    need_clear=1
    rm -rf "$W"
    mkdir -p "$W"
}

# run_cmd DIR_FIRST_IN_PATH COMMAND: runs COMMAND with sh -c in a session of
# its own, bounded by STEP_TIMEOUT; stdout/stderr go to $OUT/$ERR; sets rc.
# Whatever the command left running (its process group) is killed.
run_cmd() {
    ( cd "$W" && PATH="$1:$BASEPATH" exec timeout -k 5 -s TERM "$STEP_TIMEOUT" setsid sh -c "$2" ) \
        </dev/null >"$OUT" 2>"$ERR" &
    pid=$!
    wait $pid 2>/dev/null
    rc=$?
    kill -KILL -$pid 2>/dev/null
}

snapshot() { # TAG DIR_FIRST_IN_PATH
    for args in "-S -n" "-L -n" "-L -n --timeout" "-L -n --daemon"; do
        new_record "ipvsadm $args"
        run_cmd "$2" "ipvsadm $args"
        echo "P $1 $rc"
        if [ "$2" != /ref ]; then
            need_clear=1  # trust only the reference to leave the state alone
        else
            case $args in
                "-S -n") [ "$rc" = 0 ] && [ ! -s "$OUT" ] && need_clear=0 ;;
                *--timeout) [ "$rc" = 0 ] && [ "$(cat "$OUT")" = "$DEFAULT_TIMEOUTS" ] || need_set=1 ;;
                *--daemon) [ "$rc" = 0 ] && [ ! -s "$OUT" ] || need_stop=1 ;;
            esac
        fi
    done
}

run_steps() { # PHASE DIR_FIRST_IN_PATH
    i=0
    while IFS= read -r cmd; do
        i=$((i + 1))
        new_record "$cmd"
        run_cmd "$2" "$cmd"
        echo "S $1 $i $rc"
    done < "$T/steps"
}

ncases=0
run_case() { # FILE NAME
    [ -n "$2" ] || return 0
    case "$2" in
        *"$FILTER"*) ;;
        *) case "$1" in *"$FILTER"*) ;; *) return 0 ;; esac ;;
    esac
    ncases=$((ncases + 1))
    echo "C $(enc "$1") $(enc "$2") $(wc -l < "$T/steps")"
    reset_state
    run_steps ref /ref
    snapshot ref/ref /ref
    if [ -x "$OURS" ]; then
        snapshot ref/ours /ours
    fi
    reset_state
    if [ -x "$OURS" ]; then
        run_steps ours /ours
        snapshot ours/ref /ref
    fi
    flush_data
    echo "E"
}

# ------------------------------------------------------------------- main

has_ours=0
[ -x "$OURS" ] && has_ours=1
echo "H $(enc "$(uname -r)") $(enc "$($REF --version 2>&1)") $has_ours"

for f in "$P"/cases/*.cases; do
    [ -f "$f" ] || continue
    file=${f##*/}
    name=
    : > "$T/steps"
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            '###'*)
                run_case "$file" "$name"
                name=${line#'###'}
                name=${name# }
                : > "$T/steps"
                ;;
            '#'*) ;;
            *[![:space:]]*)
                [ -n "$name" ] && printf '%s\n' "$line" >> "$T/steps"
                ;;
        esac
    done < "$f"
    run_case "$file" "$name"
done
reset_state
echo "Z $ncases"
