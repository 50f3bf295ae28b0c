#!/bin/bash
# End-to-end check of the Slurm scripts on a real, private, single-node Slurm cluster.
#
#   deploy/slurm/selftest.sh            # as root, on Debian or Ubuntu
#   INFLUENCE=/path/to/influence deploy/slurm/selftest.sh
#
# It installs Debian's slurm-wlm and munge if they are missing, then starts its own munged,
# slurmctld and slurmd: one node (this machine, all its cores, its memory less a margin), on
# ports it finds free, with a munge socket, key, configuration, state, spool, logs and pid
# files all in a temporary directory of its own. It submits a 4-shard study of the embedded
# scenario through submit.sh, waits for the shard array and the merge job, and checks the
# merged study against a plain `influence run` of the same runs and seed: the same files,
# every one byte for byte but summary.json, which must be equal once timing, threads and
# the list of shards are taken out.
#
# Whatever happens, it stops the daemons it started (by their pid files), ends every process
# that descends from its cluster, and removes its temporary directory: it leaves nothing
# running and can be run again at once. A Slurm or munge already on the machine is not
# touched: nothing here reads or writes /etc/slurm, /etc/munge or the default ports.
#
# Environment: INFLUENCE (the binary; default target/release/influence, built with cargo
# when INFLUENCE is not set), SELFTEST_RUNS (default 2000), SELFTEST_SEED (default 7),
# SELFTEST_TIMEOUT (seconds to wait for the jobs, default 300), SELFTEST_KEEP=1 (keep the
# temporary directory for inspection; the daemons are stopped all the same).
# Exit code 0 when every check passed, 1 otherwise.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runs=${SELFTEST_RUNS:-2000}
seed=${SELFTEST_SEED:-7}
shards=4
timeout=${SELFTEST_TIMEOUT:-300}
started=$SECONDS

say() { printf '[selftest %3ds] %s\n' "$((SECONDS - started))" "$*"; }
die() {
    printf '[selftest %3ds] FAILED: %s\n' "$((SECONDS - started))" "$*" >&2
    exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root: it installs packages and runs the Slurm daemons as root"

# --- packages -----------------------------------------------------------------------------

missing=()
for tool in munged munge slurmctld slurmd sbatch squeue scontrol sinfo; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing slurm-wlm and munge (missing: ${missing[*]})"
    # Package scripts must not start the system's own munge or Slurm services: a policy-rc.d
    # that refuses every start, for the length of the install, when there is none already.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
    fi
    install_ok=1
    apt-get update -qq || install_ok=0
    if [ "$install_ok" -eq 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            slurm-wlm munge >/dev/null || install_ok=0
    fi
    [ "$own_policy" -eq 0 ] || rm -f "$policy"
    [ "$install_ok" -eq 1 ] || die "apt-get could not install slurm-wlm and munge"
fi
say "using $(slurmctld -V) and $(munged --version 2>&1 | head -n 1)"

# --- the influence binary -----------------------------------------------------------------

if [ -z "${INFLUENCE:-}" ]; then
    say "building target/release/influence (cargo build --release --locked)"
    (cd "$repo" && cargo build --release --locked --quiet) || die "cargo build failed"
    INFLUENCE="$repo/target/release/influence"
fi
[ -x "$INFLUENCE" ] || die "INFLUENCE=$INFLUENCE is not an executable"
INFLUENCE=$(realpath "$INFLUENCE")
"$INFLUENCE" merge --help >/dev/null 2>&1 ||
    die "$INFLUENCE has no 'merge' command: it predates sharded studies"

# --- a private directory, and cleanup on every exit ---------------------------------------

tmp=$(mktemp -d -t influence-slurm-selftest.XXXXXX)
# Others may pass through (munged wants its socket reachable) but not list or read: the
# munge key stays in a directory of its own that only root can enter.
chmod 711 "$tmp"
etc=$tmp/etc run=$tmp/run logs=$tmp/log munge_dir=$tmp/munge
mkdir -p "$etc" "$run" "$logs" "$tmp/state" "$tmp/spool" "$tmp/jobtmp"
mkdir -m 700 "$munge_dir"
conf=$etc/slurm.conf
socket=$run/munge.socket
# Every process of this cluster carries this variable (the daemons, their job steps and the
# jobs' own processes): how the cleanup finds what the pid files do not name.
tag="INFLUENCE_SLURM_SELFTEST=$tmp"

# Runs a command against this cluster only.
cluster() {
    env "$tag" SLURM_CONF="$conf" "$@"
}

print_logs() {
    local f
    for f in "$logs"/slurmctld.log "$logs"/slurmd.log "$munge_dir"/munged.log \
        "$tmp"/study.slurm/logs/*.out; do
        [ -f "$f" ] || continue
        echo "----- $f (last 60 lines) -----" >&2
        tail -n 60 "$f" >&2
    done
}

# Stops the daemon whose pid file is $2 if that pid is still the program $1 (a pid file can
# outlive its process and the pid be reused).
stop_daemon() {
    local name=$1 file=$2 pid
    [ -s "$file" ] || return 0
    pid=$(tr -dc '0-9' <"$file")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    say "$name (pid $pid) ignored SIGTERM for 10 s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
}

# Every process whose environment holds $tag (this script's own does not).
tagged_processes() {
    grep -lzxF -- "$tag" /proc/[0-9]*/environ 2>/dev/null | sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p'
    return 0
}

cleanup() {
    local status=$? pids
    trap - EXIT INT TERM
    set +e
    if [ "$status" -ne 0 ]; then
        print_logs
    fi
    say "stopping the daemons"
    if [ -s "$run/slurmctld.pid" ]; then
        cluster scancel --quiet --user=root >/dev/null 2>&1
    fi
    stop_daemon slurmd "$run/slurmd.pid"
    stop_daemon slurmctld "$run/slurmctld.pid"
    stop_daemon munged "$munge_dir/munged.pid"
    # Job steps outlive slurmd by design; end whatever is left of this cluster.
    pids=$(tagged_processes)
    if [ -n "$pids" ]; then
        # shellcheck disable=SC2086 # one pid a word
        kill -KILL $pids 2>/dev/null
        sleep 0.5
    fi
    pids=$(tagged_processes)
    if [ -n "$pids" ]; then
        echo "selftest: processes left running: $pids" >&2
        status=1
    fi
    if [ "${SELFTEST_KEEP:-0}" = 1 ]; then
        say "kept $tmp"
    else
        rm -rf "$tmp"
    fi
    if [ "$status" -eq 0 ]; then
        say "PASSED in $((SECONDS - started)) s; daemons stopped, nothing left running"
    else
        say "FAILED (exit $status); daemons stopped"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- munge --------------------------------------------------------------------------------

say "starting munged on $socket"
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$munge_dir/munge.key" >/dev/null
else
    dd if=/dev/urandom of="$munge_dir/munge.key" bs=1024 count=1 status=none
fi
chmod 400 "$munge_dir/munge.key"
# --force: munged refuses to run as root without it; this cluster's daemons all run as root.
env "$tag" munged --force --socket="$socket" --key-file="$munge_dir/munge.key" \
    --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
    --seed-file="$munge_dir/munged.seed" ||
    die "munged did not start"
munge --no-input --socket="$socket" | unmunge --socket="$socket" >/dev/null ||
    die "munge credentials do not round-trip through $socket"

# --- slurm.conf ---------------------------------------------------------------------------

# Two consecutive ports that nothing listens on (SO_REUSEADDR, as the daemons bind them).
ports=$(python3 - <<'EOF'
import socket
def free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("0.0.0.0", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
for p in range(16817, 17817, 2):
    if free(p) and free(p + 1):
        print(p, p + 1)
        break
EOF
)
[ -n "$ports" ] || die "no two free ports between 16817 and 17817"
read -r ctld_port slurmd_port <<<"$ports"

node=$(hostname -s)
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024); exit}' /proc/meminfo)
# slurmd drains a node that has less memory than configured; leave 10% and at least
# 256 MB for what the kernel reports differently.
margin=$((mem_mb / 10 > 256 ? mem_mb / 10 : 256))
real_mem=$((mem_mb - margin))
[ "$real_mem" -gt 0 ] || die "could not read the memory size from /proc/meminfo"

: >"$etc/plugstack.conf"
cat >"$conf" <<EOF
# Written by deploy/slurm/selftest.sh for a private single-node cluster; removed on exit.
ClusterName=influence-selftest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$etc/plugstack.conf
TmpFS=$tmp/jobtmp
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
# Start a job as soon as its CPUs or its dependency allow, not up to 3 s later (the default).
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
InactiveLimit=0
KillWait=5
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mem State=UNKNOWN
PartitionName=selftest Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

# --- slurmctld and slurmd -----------------------------------------------------------------

say "starting slurmctld (port $ctld_port) and slurmd (port $slurmd_port) for node $node: $cpus CPUs, $real_mem MB"
cluster slurmctld -f "$conf" || die "slurmctld did not start"
cluster slurmd -f "$conf" || die "slurmd did not start"

state=""
for _ in $(seq 60); do
    state=$(cluster sinfo -h -N -n "$node" -o '%T' 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || die "node $node is '${state:-unknown}' after 60 s, not idle"
say "node $node is idle"

# --- the study ----------------------------------------------------------------------------

out=$tmp/study
say "submitting $shards shards of $runs runs (seed $seed) and the merge through submit.sh"
ids=$(cd "$tmp" && cluster INFLUENCE="$INFLUENCE" "$here/submit.sh" default "$runs" "$seed" "$shards" "$out") ||
    die "submit.sh failed"
read -r array_id merge_id <<<"$ids"
[ -n "${merge_id:-}" ] || die "submit.sh printed '$ids', not two job ids"
say "shard array job $array_id, merge job $merge_id"

# The state of every task of a job, one a line: an array job's pending tasks share one
# record (ArrayTaskId=2-3), which counts for as many tasks as it names.
job_states() {
    cluster scontrol -o show job "$1" 2>/dev/null | awk '{
        state = ""; tasks = 1
        for (i = 1; i <= NF; i++) {
            if ($i ~ /^JobState=/) state = substr($i, 10)
            if ($i ~ /^ArrayTaskId=/) {
                ids = substr($i, 13); sub(/%.*/, "", ids); tasks = 0
                n = split(ids, piece, ",")
                for (j = 1; j <= n; j++) {
                    step = 1
                    if (split(piece[j], st, ":") == 2) { piece[j] = st[1]; step = st[2] }
                    if (split(piece[j], ab, "-") == 2) tasks += int((ab[2] - ab[1]) / step) + 1
                    else tasks += 1
                }
            }
        }
        for (j = 0; j < tasks; j++) print state
    }'
}
terminal='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$'

deadline=$((SECONDS + timeout))
last=""
while :; do
    shard_states=$(job_states "$array_id" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
    merge_state=$(job_states "$merge_id")
    now="shards: ${shard_states:-?}; merge: ${merge_state:-?}"
    [ "$now" = "$last" ] || say "$now"
    last=$now
    if [[ $merge_state =~ $terminal ]]; then
        break
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "the jobs did not finish within $timeout s"
    sleep 1
done

bad_shards=$(job_states "$array_id" | grep -vcx COMPLETED || true)
[ "$bad_shards" -eq 0 ] || die "$bad_shards shard task(s) did not complete"
[ "$merge_state" = COMPLETED ] || die "the merge job ended $merge_state"
[ "$(job_states "$array_id" | wc -l)" -eq "$shards" ] ||
    die "the array job has $(job_states "$array_id" | wc -l) tasks, not $shards"
[ -d "$out" ] || die "the merge job completed but $out does not exist"
for k in $(seq 0 $((shards - 1))); do
    [ -s "$out.slurm/logs/shard-$k.out" ] || die "no log of shard $k in $out.slurm/logs/"
done
[ -s "$out.slurm/logs/merge.out" ] || die "no log of the merge in $out.slurm/logs/"

# --- compare with one machine's study -----------------------------------------------------

say "running the same study unsharded: influence run --runs $runs --seed $seed"
"$INFLUENCE" run --runs "$runs" --seed "$seed" --out "$tmp/reference" --quiet ||
    die "the unsharded influence run failed"

merged_files=$(cd "$out" && find . -type f | LC_ALL=C sort)
reference_files=$(cd "$tmp/reference" && find . -type f | LC_ALL=C sort)
if [ "$merged_files" != "$reference_files" ]; then
    diff <(echo "$reference_files") <(echo "$merged_files") >&2 || true
    die "the merged study and the unsharded one hold different files (above: < unsharded, > merged)"
fi
compared=0
while IFS= read -r f; do
    [ "$f" != ./summary.json ] || continue
    cmp -s "$out/$f" "$tmp/reference/$f" || die "$f differs between the merged and the unsharded study"
    compared=$((compared + 1))
done <<<"$merged_files"
python3 - "$out/summary.json" "$tmp/reference/summary.json" <<'EOF' ||
import json, sys
VARYING = {"elapsed_s", "threads", "shards"}
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in VARYING}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
merged, reference = (strip(json.load(open(p))) for p in sys.argv[1:3])
if merged != reference:
    for key in sorted(set(merged) | set(reference)):
        if merged.get(key) != reference.get(key):
            print(f"summary.json differs at {key!r}", file=sys.stderr)
    sys.exit(1)
EOF
    die "summary.json differs beyond elapsed_s, threads and shards"
say "merged study equals the unsharded one: $compared files byte for byte, summary.json up to timing"
