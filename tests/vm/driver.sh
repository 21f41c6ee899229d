#!/bin/sh
# In-VM comparison driver (busybox sh). tests/kernel_compat.rs copies it to
# /payload/main.sh and the case files to /payload/cases/.
#
# Case file format: `### name` starts a case; every following non-blank line
# not starting with `#` is one step, run as `sh -c LINE`; `#` lines are
# comments. Special lines (see tests/cases/basic.cases):
#   @net         not a step: the case runs in network namespaces of its own
#                with live traffic available (/payload/net.sh): before each
#                run `net.sh up`, every step and snapshot inside the
#                director namespace "lb", after it `net.sh down`
#   @same CMD    in the reference's run only: CMD with the reference, with
#                ours, and with the reference again, back to back on the
#                same state (up to 3 tries until ours lies between the two:
#                see `between` in kernel_compat.rs); in ours' run a
#                placeholder (not run)
#   @quiet CMD   run in both runs; only the exit statuses are compared (the
#                checker also wants the reference's to be 0)
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
#   S <phase> <index> <exit status>         one step ran; phase ref or ours,
#                                           or for @same: same (ours) and
#                                           after (the reference again)
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
NET=$P/net.sh
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

# The network of an @net case: made before each of its runs, removed after.
# WRAP runs a command in its director namespace (empty for other cases).
WRAP=
net_up() {
    net_down
    if ! sh "$NET" up >"$T/no" 2>&1; then
        echo "W $(enc "net.sh up failed: $(cat "$T/no")")"
    fi
    WRAP="nsenter --net=/run/netns/lb --"
}
net_down() {
    WRAP=
    sh "$NET" down >"$T/no" 2>&1 || echo "W $(enc "net.sh down failed: $(cat "$T/no")")"
}

# run_cmd DIR_FIRST_IN_PATH COMMAND: runs COMMAND with sh -c in a session of
# its own, bounded by STEP_TIMEOUT; stdout/stderr go to $OUT/$ERR; sets rc.
# Whatever the command left running (its process group) is killed.
run_cmd() {
    ( cd "$W" && PATH="$1:$BASEPATH" exec timeout -k 5 -s TERM "$STEP_TIMEOUT" setsid $WRAP sh -c "$2" ) \
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
        if [ -n "$WRAP" ]; then
            :  # an @net case: its state goes with its namespace
        elif [ "$2" != /ref ]; then
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

# Whether two runs printed the same and ended with the same status.
same_out() { # OUT1 ERR1 RC1 OUT2 ERR2 RC2
    [ "$3" = "$6" ] && cmp -s "$1" "$4" && cmp -s "$2" "$5"
}

# Whether each line of OURS is the same line of BEFORE or of AFTER (all
# three with as many lines); the checker's rule for entries that change at
# different moments, such as the expiry of connections.
lines_between() { # BEFORE OURS AFTER
    awk 'FILENAME == ARGV[1] { b[FNR] = $0; nb = FNR; next }
         FILENAME == ARGV[2] { o[FNR] = $0; no = FNR; next }
         { a[FNR] = $0; na = FNR }
         END {
             if (nb != no || na != no) exit 1
             for (i = 1; i <= no; i++) if (o[i] != b[i] && o[i] != a[i]) exit 1
         }' "$1" "$2" "$3"
}

# @same: the reference, ours, the reference again, on the same state.
run_same() { # INDEX COMMAND
    new_record "@same $2"; o1=$OUT e1=$ERR
    new_record "@same $2"; o2=$OUT e2=$ERR
    new_record "@same $2"; o3=$OUT e3=$ERR
    for try in 1 2 3; do
        OUT=$o1 ERR=$e1; run_cmd /ref "$2"; rc1=$rc
        OUT=$o2 ERR=$e2; run_cmd /ours "$2"; rc2=$rc
        OUT=$o3 ERR=$e3; run_cmd /ref "$2"; rc3=$rc
        same_out "$o1" "$e1" "$rc1" "$o2" "$e2" "$rc2" && break
        same_out "$o3" "$e3" "$rc3" "$o2" "$e2" "$rc2" && break
        [ "$rc1" = "$rc2" ] && cmp -s "$e1" "$e2" && lines_between "$o1" "$o2" "$o3" && break
    done
    echo "S ref $1 $rc1"
    echo "S same $1 $rc2"
    echo "S after $1 $rc3"
}

run_steps() { # PHASE DIR_FIRST_IN_PATH
    i=0
    while IFS= read -r cmd; do
        i=$((i + 1))
        case $cmd in
            "@same "*)
                if [ "$1" = ref ]; then
                    run_same $i "${cmd#@same }"
                else
                    new_record "$cmd"
                    : > "$OUT"
                    : > "$ERR"
                    echo "S $1 $i 0"
                fi
                ;;
            "@quiet "*)
                new_record "$cmd"
                run_cmd "$2" "${cmd#@quiet }"
                echo "S $1 $i $rc"
                ;;
            *)
                new_record "$cmd"
                run_cmd "$2" "$cmd"
                echo "S $1 $i $rc"
                ;;
        esac
    done < "$T/steps"
}

ncases=0
run_case() { # FILE NAME NET(0|1)
    [ -n "$2" ] || return 0
    case "$2" in
        *"$FILTER"*) ;;
        *) case "$1" in *"$FILTER"*) ;; *) return 0 ;; esac ;;
    esac
    ncases=$((ncases + 1))
    echo "C $(enc "$1") $(enc "$2") $(wc -l < "$T/steps")"
    reset_state
    [ "$3" = 1 ] && net_up
    run_steps ref /ref
    snapshot ref/ref /ref
    if [ -x "$OURS" ]; then
        snapshot ref/ours /ours
    fi
    [ "$3" = 1 ] && net_down
    reset_state
    if [ -x "$OURS" ]; then
        [ "$3" = 1 ] && net_up
        run_steps ours /ours
        snapshot ours/ref /ref
        [ "$3" = 1 ] && net_down
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
    net=0
    : > "$T/steps"
    while IFS= read -r line || [ -n "$line" ]; do
        case $line in
            '###'*)
                run_case "$file" "$name" $net
                name=${line#'###'}
                name=${name# }
                net=0
                : > "$T/steps"
                ;;
            '#'*) ;;
            '@net') net=1 ;;
            *[![:space:]]*)
                [ -n "$name" ] && printf '%s\n' "$line" >> "$T/steps"
                ;;
        esac
    done < "$f"
    run_case "$file" "$name" $net
done
reset_state
echo "Z $ncases"
