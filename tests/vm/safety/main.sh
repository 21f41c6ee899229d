#!/bin/sh
# In-VM script of tests/kernel_safety.rs (busybox sh; becomes
# /payload/main.sh). It runs OUR ipvsadm (/ours/ipvsadm) on the safety
# scenarios of project issue 5 and prints a report that the test compares
# with tests/vm/safety/expected.txt, lines starting with `measure:` aside
# (times and memory, which vary). The reference (/ref/ipvsadm) resets and
# lists the state, and gives the wording ours must share.
#
# Payload files (written by tests/kernel_safety.rs):
#   lines            number of lines of the large restore file
#   big-ipvsadm      (optional) an optimized build of ours for that file
#   workers          number of parallel writers
#   w<N>_<K>.rules   restore files of writer N, run in order K = 1, 2, 3
#   w<N>_single      one command a line, each run as its own process
#   expected.rules   the table the writers' operations imply
#   operations       how many operations the writers' files hold
#   corpus_args.sh   (optional) the fuzz corpus of arguments, one call of
#                    `a ARGS...` a line, shell-quoted
#   corpus/restore/* (optional) the fuzz corpus of restore inputs
#
# Every run of ours is bounded by `timeout`; an exit status of 124 or
# more than 128 shows a hang or a signal (the report shows it).

P=$(cd "$(dirname "$0")" && pwd)
OURS=/ours/ipvsadm
REF=/ref/ipvsadm
T=/tmp/safety
LIMIT=120
mkdir -p "$T" && cd "$T" || exit 1

sec() { echo; echo "### $*"; }

# show LABEL FILE: the file's lines, indented, when it is not empty
show() {
    if [ -s "$2" ]; then
        echo "$1:"
        sed 's/^/  /' "$2"
    fi
}

reset() { $REF -C; }

# restore NAME INPUT [nostdout]: ours -R < INPUT from an empty table; shows
# the exit status, stderr, stdout and the table left (listed by the reference).
restore() {
    sec "$1"
    reset
    timeout -s KILL $LIMIT $OURS -R < "$2" > out 2> err
    echo "rc=$?"
    show stderr err
    [ "$3" = nostdout ] || show stdout out
    $REF -S -n > table
    show table table
}

# like_ref INPUT: the same input to the reference from an empty table;
# says whether its stderr and stdout are ours (the files err and out).
like_ref() {
    reset
    timeout -s KILL $LIMIT $REF -R < "$1" > ref.out 2> ref.err
    if cmp -s err ref.err; then echo "stderr as the reference's: yes"; else echo "stderr as the reference's: NO"; show reference ref.err; fi
    if cmp -s out ref.out; then echo "stdout as the reference's: yes"; else echo "stdout as the reference's: NO"; show reference ref.out; fi
}

echo "kernel: $(uname -r)" | sed 's/^/measure: /'

# --------------------------------------------------------- 1. rule files

printf '%s\n' '-A -t 192.0.2.1:80 -s rr' '-a -t 192.0.2.1:80 -r 198.51.100.2 -m' \
    '-a -t 192.0.2.1:80 -r 198.51.100.3 -m -w x' '-A -t 192.0.2.2:80' > in
restore "a line the grammar rejects: nothing applied, the line named" in

printf '%s\n' '-A -t 192.0.2.1:80' '-A -t 192.0.2.2:80 --bogus' '-A -t 192.0.2.3:80' > in
restore "an option-library error (ipvsadm goes on): nothing applied" in

printf '%s\n' '# saved by hand' '-A -t 192.0.2.1:80' > in
restore "a comment line: nothing applied" in

seq 1 799 | sed 's/.*/-A -t 192.0.2.1:&/' > in
echo '-a -t 192.0.2.1:1 -r 198.51.100.2 -m -w 1O' >> in
seq 801 900 | sed 's/.*/-A -t 192.0.2.1:&/' >> in
restore "a typo on line 800 of 900: nothing applied" in

printf '%s\n' '-A -t 192.0.2.1:80' '-A -t 192.0.2.1:80' '-a -t 192.0.2.9:80 -r 198.51.100.2' \
    '-A -t 192.0.2.2:80 -s nosuch' '-A -t 192.0.2.3:80' > in
restore "kernel errors: reported as ipvsadm does, the restore goes on, status non-zero" in
like_ref in

printf '%s\n' '-A -t 192.0.2.1:80' '-D -t 192.0.2.9:80' '-L -n' '-a -t 192.0.2.1:80 -r 198.51.100.2 -m' '-S -n' > in
restore "listings in a restore see the lines before them" in
like_ref in

printf '%s\n' '-A -t 192.0.2.1:80' '-L -n -t 192.0.2.9:80' '-A -t 192.0.2.2:80' > in
restore "a listing error ends the restore, as in ipvsadm" in
like_ref in

printf '%s\n' '-A -t 192.0.2.1:80' '-h' '-A -t 192.0.2.2:80' > in
restore "help ends the restore with status 0, the lines before applied" in nostdout

printf '%s\n' '-D -t 192.0.2.9:80' '-A -t 192.0.2.1:80' '-v' > in
restore "help or version after a failed line: the failure's status" in nostdout

{ echo '-A -t 192.0.2.1:80'; printf -- '-A -t 192.0.2.2:80 -s '; head -c 5000 /dev/zero | tr '\0' x; echo; } > in
restore "a line too long: nothing applied" in

printf -- '-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80\000\n' > in
restore "a NUL byte: nothing applied" in

printf -- '-A -t 192.0.2.1:80\n-A -t 192.0.2.2:80 -s \377\n' > in
restore "invalid UTF-8: nothing applied" in

: > in
restore "an empty input" in

restore "standard input is a directory" /

# ipvsadm-restore (ours under that name): it replaces the table, but only
# after the whole input passed; comment lines are dropped, as by the
# distribution's script.
mkdir -p bin && ln -sf $OURS bin/ipvsadm-restore
printf '%s\n' '# rules' '-A -t 192.0.2.2:80 -s rr' '-a -t 192.0.2.2:80 -r 198.51.100.2 -m -w x' > in
sec "ipvsadm-restore with a bad line: the table as it was"
reset
$REF -A -t 192.0.2.1:80 -s wlc
timeout -s KILL $LIMIT bin/ipvsadm-restore < in > out 2> err; echo "rc=$?"
show stderr err
$REF -S -n > table
show table table
printf '%s\n' '# rules' '-A -t 192.0.2.2:80 -s rr' '-a -t 192.0.2.2:80 -r 198.51.100.2 -m -w 2' > in
sec "ipvsadm-restore with good lines: the table replaced"
timeout -s KILL $LIMIT bin/ipvsadm-restore < in > out 2> err; echo "rc=$?"
show stderr err
$REF -S -n > table
show table table

# A table saved and restored: the same table.
{
    seq 1 100 | sed 's/.*/-A -t 192.0.2.2:& -s wrr/'
    for d in $(seq 1 20); do seq 1 100 | sed "s/.*/-a -t 192.0.2.2:& -r 198.51.100.$d:& -m -w $d/"; done
} > in
sec "a table of 2100 lines saved and restored"
reset
timeout -s KILL $LIMIT $OURS -R < in; echo "rc=$?"
$REF -S -n > saved
reset
timeout -s KILL $LIMIT $OURS -R < saved; echo "rc=$?"
$REF -S -n > again
echo "lines saved: $(wc -l < saved)"
cmp -s saved again && echo "restored table as saved: yes" || echo "restored table as saved: NO"

# One bad line, alone: the reference applies nothing either, and says why
# in the words ours must use after naming the line, with the same status.
# Both run as `ipvsadm` (first in PATH), as their messages name argv[0].
why_like_ref() { # INPUT
    reset
    ( PATH=/ref:$PATH; timeout -s KILL 20 ipvsadm -R < "$1" > /dev/null 2> ref.err ); ref_rc=$?
    reset
    ( PATH=/ours:$PATH; timeout -s KILL 20 ipvsadm -R < "$1" > /dev/null 2> err ); rc=$?
    why=$(grep -v '^$' ref.err | tr '\n' ' ' | sed 's/ $//')
    sed 's/^/  /' err
    case "$(cat err)" in
        *": $why (nothing applied)") echo "    why and status as the reference's: $( [ $rc = $ref_rc ] && echo yes || echo "NO (status $rc, reference $ref_rc)")" ;;
        *) echo "    why as the reference's: NO"; sed 's/^/    reference: /' ref.err ;;
    esac
}
sec "one bad line: the why in ipvsadm's words"
for l in '-A -t 192.0.2.2:80 -w 3' '-A -t 192.0.2.4:80 foo' '-A -t 192.0.2.6' '--set 1 2' \
    '-A -t "192.0.2.9:80"' '# a comment' '-A -t 192.0.2.3:80 # a comment' '-R' \
    'IPVSADM -A -t 192.0.2.6:80' '--start-daemon' '-A -t 192.0.2.1:80 -Q' '-A -t 192.0.2.3:80 -s' \
    '-A -t 192.0.2.4:80 --bogus' '-Lx' '-A -t 192.0.2.5:80 -n=1' '-A -t ipvsadm' '-L -n -c --stats' \
    '-a -t 192.0.2.5:80 -r 198.51.100.9 -w x' '-A -t 192.0.2.1:80 -6' \
    '-a -t 192.0.2.1:80 -r 2001:db8::2 -m'; do
    printf '%s\n' "$l" > in
    why_like_ref in
done
printf -- '-A -t 192.0.2.10:80\f-s rr\n' > in
why_like_ref in

# -------------------------------------------------- 2. a large rule file

LINES=$(cat "$P/lines" 2>/dev/null || echo 1000000)
BIG=$OURS
if [ -x "$P/big-ipvsadm" ]; then BIG=$P/big-ipvsadm; echo "measure: large file run by an optimized build"; fi
sec "a large rule file"
reset
$REF -A -t 192.0.2.1:80 -s rr
$REF -a -t 192.0.2.1:80 -r 198.51.100.2 -m
seq 1 "$LINES" | sed 's/.*/-e -t 192.0.2.1:80 -r 198.51.100.2 -m -w &/' > big
bytes=$(wc -c < big)
echo "measure: file: $LINES lines, $bytes bytes"
cp big bigbad && echo '-e -t 192.0.2.1:80 -r 198.51.100.2 -m -w 7x' >> bigbad
# busybox's time reports the maximum resident set size 4 times too large
# (it multiplies kilobytes by the page size in kilobytes).
big_run() { # LABEL INPUT
    busybox time -f '%e %M' -o tm timeout -s KILL 900 $BIG -R < "$2" > out 2> err
    rc=$?
    # (tm starts with "Command exited with non-zero status N" when it did)
    set -- "$1" $(tail -1 tm)
    rss=$(( $3 / 4 ))
    r=$(( rss * 1024 * 100 / bytes ))
    echo "measure: $1: $2 s, max RSS $rss KiB ($((r / 100)).$(printf %02d $((r % 100))) x the file)"
    # Memory proportional to the file: at most 4 times its size, plus 16 MiB.
    if [ $(( rss * 1024 )) -le $(( 4 * bytes + 16777216 )) ]; then echo "memory within 4 x the file: yes"; else echo "memory within 4 x the file: NO ($rss KiB)"; fi
}
big_run "typo on the last line" bigbad
echo "rc=$rc"
rm -f bigbad
sed "s/restore line $((LINES + 1)) /restore line LAST /; s|^$BIG:|$OURS:|" err > err2
show stderr err2
$REF -L -n | tail -1 | awk '{ print "weight of the real server:", $4 }'
big_run "applied" big
echo "rc=$rc"
show stderr err
$REF -L -n | tail -1 | awk -v n="$LINES" '{ print "weight of the real server:", ($4 == n ? "LINES" : $4) }'
rm -f big

# ------------------------------------------------- 3. parallel writers

W=$(cat "$P/workers" 2>/dev/null || echo 0)
if [ "$W" -gt 0 ]; then
    sec "parallel writers"
    reset
    echo "workers: $W, operations: $(cat "$P/operations")"
    timeout -s KILL $LIMIT $OURS -A -t 192.0.2.100:80 -s wlc
    start=$(date +%s)
    pids=
    for w in $(seq 0 $((W - 1))); do
        (
            for k in 1 2; do
                timeout -s KILL $LIMIT $OURS -R < "$P/w${w}_$k.rules" > /dev/null 2> "w$w.err$k"
                echo "$?" > "w$w.rc$k"
            done
            n=0
            while read -r line; do
                n=$((n + 1))
                timeout -s KILL $LIMIT $OURS $line > /dev/null 2> "w$w.errs$n"
                echo "$?" > "w$w.rcs$n"
            done < "$P/w${w}_single"
            timeout -s KILL $LIMIT $OURS -R < "$P/w${w}_3.rules" > /dev/null 2> "w$w.err3"
            echo "$?" > "w$w.rc3"
        ) &
        pids="$pids $!"
    done
    # Listings all along, by ours, must all succeed.
    (
        runs=0; bad=0
        while [ ! -f writers.done ]; do
            timeout -s KILL $LIMIT $OURS -L -n > /dev/null 2> l.err || bad=$((bad + 1))
            [ -s l.err ] && cat l.err >> lister.err
            timeout -s KILL $LIMIT $OURS -S -n > /dev/null 2> l.err || bad=$((bad + 1))
            [ -s l.err ] && cat l.err >> lister.err
            runs=$((runs + 2))
        done
        echo "$runs $bad" > lister.result
    ) &
    lister=$!
    wait $pids
    touch writers.done
    wait $lister
    end=$(date +%s)
    echo "measure: parallel writers: $((end - start)) s, $(cut -d' ' -f1 lister.result) listings meanwhile"
    bad=0
    for f in w*.rc*; do
        rc=$(cat "$f")
        if [ "$rc" != 0 ]; then bad=$((bad + 1)); echo "$f: exit status $rc"; fi
    done
    echo "writer runs that failed: $bad"
    cat w*.err* > writers.err
    show "writers' stderr" writers.err
    echo "listings that failed: $(cut -d' ' -f2 lister.result)"
    show "listings' stderr" lister.err
    $OURS -S -n | sort > got.ours
    $REF -S -n | sort > got
    cmp -s got got.ours && echo "ours lists the table as the reference: yes" || echo "ours lists the table as the reference: NO"
    reset
    $REF -R < "$P/expected.rules"
    $REF -S -n | sort > want
    echo "lines in the final table: $(wc -l < want)"
    if cmp -s got want; then
        echo "final table as the operations imply: yes"
    else
        echo "final table as the operations imply: NO"
        diff want got | head -40
    fi
    rm -f w*.rc* w*.err*
fi

# ------------------------------------------ 4. the fuzz corpus, as commands

# crashed STATUS: a signal, a kill by timeout, or the shell's own failures
# (ipvsadm's statuses are 0, 1, 2 and 255).
crashed() { [ "$1" -ge 124 ] && [ "$1" -le 254 ]; }

if [ -f "$P/corpus_args.sh" ]; then
    sec "fuzz corpus through ours"
    reset
    n=0; bad=0
    a() {
        n=$((n + 1))
        timeout -s KILL 20 $OURS "$@" < /dev/null > /dev/null 2> e
        rc=$?
        if crashed $rc || grep -q panicked e; then bad=$((bad + 1)); echo "args #$n: status $rc"; head -3 e; fi
    }
    . "$P/corpus_args.sh"
    $REF -C; $REF --stop-daemon master 2>/dev/null; $REF --stop-daemon backup 2>/dev/null
    for f in "$P"/corpus/restore/*; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        timeout -s KILL 20 $OURS -R < "$f" > /dev/null 2> e
        rc=$?
        if crashed $rc || grep -q panicked e; then bad=$((bad + 1)); echo "restore $(basename "$f"): status $rc"; head -3 e; fi
    done
    $REF -C; $REF --stop-daemon master 2>/dev/null; $REF --stop-daemon backup 2>/dev/null
    $REF --set 900 120 300
    echo "measure: corpus inputs run: $n"
    echo "corpus inputs that crashed or hung: $bad"
fi

sec end
