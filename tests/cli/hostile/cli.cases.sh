# Hostile command lines: unknown commands and options, bad shard specifications and thread counts,
# output paths that cannot be written, and merges of shards that do not belong together.
tiny='{"name": "tiny", "precisions": ["double"], "seeds": [0], "budget": {"max_steps": 5},
       "problems": [{"name": "quadratic-ls", "params": {"m": 3, "n": 2}}],
       "solvers": [{"name": "sgd", "grid": {"lr": [0.1, 0.2]}}]}'
shards() {  # shards SUITE-TEXT DIR: the two shard files of a run of that suite, in $T/in/DIR
  input "$2.json" "$1"
  "$mb" run --suite "in/$2.json" --shard 1/2 --out "in/$2" --no-cache --quiet >/dev/null 2>&1 &&
    "$mb" run --suite "in/$2.json" --shard 2/2 --out "in/$2" --no-cache --quiet >/dev/null 2>&1 ||
    { echo "could not make shards of $2"; exit 1; }
}

case_no_command() { expect 2 "usage: muonbench <command>" -- ; }
case_unknown_command() { expect 2 "unknown command 'rn'.*run" -- rn --suite smoke; }
case_unknown_option() { expect 2 "run: unknown option '--suite-file'; valid options: .*--suite VALUE" -- run --suite-file smoke; }
case_option_missing_value() { expect 2 "run: option --suite needs a value" -- run --suite; }
case_flag_with_value() { expect 2 "run: option --quiet takes no value" -- run --suite smoke --quiet=yes --out out; }
case_unknown_suite_name() { expect 2 "unknown suite 'smok'.*smoke" -- run --suite smok --out out; }
case_shard_zero_of_zero() { expect 2 "--shard: expected 1 <= k <= N, got '0/0'" -- run --suite smoke --shard 0/0 --out out; }
case_shard_k_above_n() { expect 2 "--shard: expected 1 <= k <= N, got '3/2'" -- run --suite smoke --shard 3/2 --out out; }
case_shard_negative() { expect 2 "--shard: .*got '-1/2'" -- run --suite smoke --shard -1/2 --out out; }
case_shard_one_of_zero() { expect 2 "--shard: .*got '1/0'" -- run --suite smoke --shard 1/0 --out out; }
case_shard_words() { expect 2 "--shard: .*got 'a/b'" -- run --suite smoke --shard a/b --out out; }
case_shard_three_parts() { expect 2 "--shard: .*got '1/2/3'" -- run --suite smoke --shard 1/2/3 --out out; }
case_shard_huge() { expect 2 "--shard: .*got '1/99999999999999999999'" -- run --suite smoke --shard 1/99999999999999999999 --out out; }
case_threads_zero() { expect 2 "run: --threads must be in \[1, " -- run --suite smoke --threads 0 --out out; }
case_threads_negative() { expect 2 "run: --threads must be in \[1, " -- run --suite smoke --threads -2 --out out; }
case_threads_huge() { expect 2 "run: --threads must be in \[1, " -- run --suite smoke --threads 1000000000 --out out; }
case_threads_word() { expect 2 "run: --threads must be an integer, got 'two'" -- run --suite smoke --threads two --out out; }
case_cache_and_no_cache() { expect 2 "run: give --cache DIR or --no-cache, not both" -- run --suite smoke --cache c --no-cache --out out; }
case_check_unknown_claim() { expect 2 "unknown claim 'fenchel'.*fenchel-young" -- check --claim fenchel --out out.json; }
case_check_unknown_precision() { expect 2 "unknown claim precision 'double64' in --precision.*mp50" -- check --claim fenchel-young --precision double64 --out out.json; }
case_problems_unknown() { expect 2 "unknown problem 'kron'.*quadratic-kron" -- problems --describe kron; }
case_html_missing_input() { expect 2 "--in: cannot open 'in/nothing/leaderboard.json'" -- html --in in/nothing; }

# Output paths that cannot be written.
case_out_is_a_file() {
  input file.txt 'x'
  expect 2 "--out: 'in/file.txt' exists and is not a directory" -- run --suite smoke --out in/file.txt
}
case_out_under_a_file() {
  input file.txt 'x'
  expect 2 "--out: cannot create directory 'in/file.txt/sub'" -- run --suite smoke --out in/file.txt/sub
}
case_out_read_only() {
  # A folder this process cannot write to: a mode-0555 directory for an ordinary user; for root
  # (which ignores modes) a directory of the read-only /proc file system.
  local ro=$T/in/ro
  mkdir -p "$ro" && chmod 0555 "$ro"
  if touch "$ro/probe" 2>/dev/null; then rm -f "$ro/probe"; ro=/proc/self/fdinfo; fi
  expect 2 "--out: cannot create directory '$ro/out'" -- run --suite smoke --out "$ro/out"
}
case_spectral_out_read_only() {
  input m.json '{"matrices": [[[1]]]}'
  expect 2 "--out: cannot write '/proc/self/fdinfo/out.json'" -- spectral --precision double --map polar --in in/m.json --out /proc/self/fdinfo/out.json
}
case_replay_out_missing_folder() {
  input t.json '{"w0": [[1]], "grads": [[[1]]]}'
  expect 2 "--out: cannot write 'in/no/such/dir/out.json'.*(No such file|directory)" -- replay --solver sgd --config '{"lr": 0.1}' --in in/t.json --out in/no/such/dir/out.json
}
case_check_out_is_directory() {
  mkdir -p "$T/in/d"
  expect 2 "--out: 'in/d' is a directory" -- check --claim fenchel-young --precision double --out in/d
}

# Merging shards that do not belong together.
case_merge_different_suites() {
  shards "$tiny" a
  shards "${tiny/\"tiny\"/\"tiny2\"}" b
  expect 2 "merge: in/b/shard-2-of-2.json is from another suite" -- merge --out out in/a/shard-1-of-2.json in/b/shard-2-of-2.json
}
case_merge_different_commits() {
  shards "$tiny" a
  /usr/bin/python3 - "$T/in/a/shard-2-of-2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["build"] = "0.1.0 0123456789ab 0000000000000000"  # the fingerprint: version, commit, binary hash
json.dump(d, open(sys.argv[1], "w"))
PY
  expect 2 "merge: in/a/shard-2-of-2.json was produced by another build" -- merge --out out in/a/shard-1-of-2.json in/a/shard-2-of-2.json
}
case_merge_shard_twice() {
  shards "$tiny" a
  expect 2 "merge: shard 1 given twice" -- merge --out out in/a/shard-1-of-2.json in/a/shard-1-of-2.json
}
case_merge_missing_shard() {
  shards "$tiny" a
  expect 2 "merge: missing shard\(s\) 2" -- merge --out out in/a/shard-1-of-2.json
}
case_merge_not_a_shard() {
  input x.json '{"schema": "muonbench.report"}'
  expect 2 "merge: in/x.json is not a muonbench shard file" -- merge --out out in/x.json
}
case_merge_malformed_shard() {
  input x.json '{"schema": "muonbench.shard",'
  expect 2 "in/x.json.*malformed JSON" -- merge --out out in/x.json
}
case_merge_truncated_shard() {
  shards "$tiny" a
  head -c 300 "$T/in/a/shard-2-of-2.json" > "$T/in/a/cut.json"
  expect 2 "in/a/cut.json.*malformed JSON" -- merge --out out in/a/shard-1-of-2.json in/a/cut.json
}
case_merge_tampered_shard() {
  shards "$tiny" a
  /usr/bin/python3 - "$T/in/a/shard-2-of-2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["suite"]["spec"]["seeds"] = [5]
json.dump(d, open(sys.argv[1], "w"))
PY
  expect 2 "merge: in/a/shard-2-of-2.json: the suite's hash does not match its spec" -- merge --out out in/a/shard-1-of-2.json in/a/shard-2-of-2.json
}
case_merge_empty_directory() { mkdir -p "$T/in/empty"; expect 2 "merge: no shard-\*-of-\*.json file in directory 'in/empty'" -- merge --out out in/empty; }
case_reproducible_gemm_threads() { expect 2 "run: --reproducible runs every product on one thread; drop --gemm-threads 2" -- run --suite smoke --reproducible --gemm-threads 2 --out out; }
