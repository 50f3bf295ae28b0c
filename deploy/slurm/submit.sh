#!/bin/bash
# Submits a sharded `influence` study to Slurm: an array of N shard tasks, then a merge job
# that starts only once every shard has succeeded.
#
#   deploy/slurm/submit.sh SCENARIO RUNS SEED N [OUT]
#
# SCENARIO  a scenario file, or `default` for the embedded South Caucasus scenario
# RUNS      runs of the whole study (at least N)
# SEED      master seed
# N         number of shards (array tasks)
# OUT       the study's output directory (default: outputs/<scenario file stem>); it must not
#           exist yet. Parts, logs and a copy of the scenario go to OUT.slurm/ beside it.
#
# Writes OUT.slurm/sbatch-commands.txt: the two sbatch commands as submitted, and the merge's
# without its dependency, for submitting it again by hand.
#
# Environment:
#   INFLUENCE          the influence binary, on a file system every node sees (default: the
#                      one on PATH)
#   INFLUENCE_THREADS  CPUs (and threads) per shard task (default 1)
#   SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, SBATCH_QOS, ...  read by sbatch itself
#
# Prints what it submitted on standard error, and on standard output one line with the two
# job ids, the array's then the merge's. Exit codes: 0 submitted, 1 sbatch failed, 2 bad input.
#
# The scenario is copied at submission, so editing the file while jobs wait in the queue
# cannot give shards of different scenarios (which `influence merge` would refuse anyway).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat >&2 <<'EOF'
usage: submit.sh SCENARIO RUNS SEED N [OUT]
  SCENARIO  scenario file, or `default` for the embedded scenario
  RUNS      runs of the whole study, a whole number >= N
  SEED      master seed, a whole number from 0 to 18446744073709551615
  N         number of shards (Slurm array tasks), a whole number >= 1
  OUT       output directory (default outputs/<scenario file stem>); must not exist
environment: INFLUENCE (binary, default: influence on PATH), INFLUENCE_THREADS (CPUs per shard, default 1)
EOF
}

bad() {
    echo "submit.sh: $1" >&2
    usage
    exit 2
}

# Whether $1 is a whole number from $2 (0 or 1) to $3, all given as digits; compared as text
# so that bash's signed 64-bit arithmetic cannot overflow.
whole_in() {
    local value=$1 min=$2 max=$3
    [[ $value =~ ^[0-9]+$ ]] || return 1
    value=$(printf '%s' "$value" | sed 's/^0*//')
    value=${value:-0}
    if [ "$min" -eq 1 ] && [ "$value" = 0 ]; then
        return 1
    fi
    if [ "${#value}" -ne "${#max}" ]; then
        [ "${#value}" -lt "${#max}" ]
    else
        [[ ! $value > $max ]]
    fi
}

[ "$#" -eq 4 ] || [ "$#" -eq 5 ] || bad "expected 4 or 5 arguments, got $#"
scenario=$1 runs=$2 seed=$3 shards=$4 out=${5:-}

u64_max=18446744073709551615
# Bash arithmetic is signed 64-bit; run and shard counts beyond 10^18 are not a study.
count_max=999999999999999999
whole_in "$runs" 1 "$count_max" || bad "RUNS must be a whole number from 1 to $count_max, got '$runs'"
whole_in "$seed" 0 "$u64_max" || bad "SEED must be a whole number from 0 to $u64_max, got '$seed'"
whole_in "$shards" 1 "$count_max" || bad "N must be a whole number from 1 to $count_max, got '$shards'"
runs=$((10#$runs))
shards=$((10#$shards))
seed=$(printf '%s' "$seed" | sed 's/^0*//')
seed=${seed:-0}
[ "$shards" -le "$runs" ] || bad "N ($shards shards) must not exceed RUNS ($runs): a shard would be empty"

threads=${INFLUENCE_THREADS:-1}
whole_in "$threads" 1 1024 || bad "INFLUENCE_THREADS must be a whole number from 1 to 1024, got '$threads'"
threads=$((10#$threads))

if [ "$scenario" = default ]; then
    stem=south_caucasus
else
    if [ ! -f "$scenario" ] || [ ! -r "$scenario" ]; then
        bad "scenario file '$scenario' is not a readable file"
    fi
    stem=$(basename "$scenario")
    stem=${stem%.*}
fi
out=$(realpath -m -- "${out:-outputs/$stem}")
work="$out.slurm"
[ ! -e "$out" ] || bad "the output directory '$out' exists: remove it or give another OUT"
[ ! -e "$work" ] || bad "'$work' exists (parts and logs of an earlier submission): remove it or give another OUT"

influence=${INFLUENCE:-influence}
influence_path=$(command -v -- "$influence" || true)
if [ -z "$influence_path" ] || [ ! -x "$influence_path" ]; then
    bad "the influence binary '$influence' is not an executable (set INFLUENCE)"
fi
influence=$(realpath -- "$influence_path")
command -v sbatch >/dev/null || { echo "submit.sh: sbatch is not on PATH" >&2; exit 1; }

# Check the scenario here, where an error is seen at once, not in N task logs later.
scenario_args=()
if [ "$scenario" != default ]; then
    scenario_args=("$scenario")
fi
if ! "$influence" validate ${scenario_args[@]+"${scenario_args[@]}"} >/dev/null; then
    echo "submit.sh: the scenario does not check (above); nothing submitted" >&2
    exit 2
fi

mkdir -p "$work/parts" "$work/logs" "$(dirname "$out")"
if [ "$scenario" != default ]; then
    cp -- "$scenario" "$work/scenario.toml"
    scenario="$work/scenario.toml"
fi

job_id() { # `sbatch --parsable` prints "id" or "id;cluster"
    printf '%s\n' "${1%%;*}"
}

shard_cmd=(sbatch --parsable --array="0-$((shards - 1))" --cpus-per-task="$threads"
    --output="$work/logs/shard-%a.out"
    "$here/study.sbatch" "$influence" "$scenario" "$runs" "$seed" "$work/parts")
array=$("${shard_cmd[@]}") || {
    echo "submit.sh: sbatch refused the shard array; nothing submitted" >&2
    rm -rf -- "$work"
    exit 1
}
array=$(job_id "$array")

merge_cmd=(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes
    --output="$work/logs/merge.out"
    "$here/merge.sbatch" "$influence" "$work/parts" "$out")
merge=$("${merge_cmd[@]}") || {
    echo "submit.sh: sbatch refused the merge job; cancelling the shard array $array" >&2
    scancel "$array" || true
    exit 1
}
merge=$(job_id "$merge")

# The commands as submitted, and the merge without its dependency: after a failed shard has
# been requeued and completed, the array's afterok can no longer be met (Slurm remembers
# the failure), so the merge is then submitted on its own.
{
    echo "# shard array: job $array"
    printf '%q ' "${shard_cmd[@]}"
    printf '\n# merge: job %s, after every shard of the array succeeded\n' "$merge"
    printf '%q ' "${merge_cmd[@]}"
    printf '\n# merge again by hand, once every shard has completed\n'
    printf '%q ' sbatch --parsable --output="$work/logs/merge.out" \
        "$here/merge.sbatch" "$influence" "$work/parts" "$out"
    echo
} >"$work/sbatch-commands.txt"

echo "submitted $shards shards of $runs runs (seed $seed) as array job $array, logs in $work/logs/" >&2
echo "merge job $merge runs after every shard succeeds and writes $out" >&2
echo "$array $merge"
