# Hostile uses of external solvers and plugins (docs/plugins.md): nobody runs code they did not ask
# for, and every refusal names the program, the flag or the field.
ext_suite() {  # ext_suite PRECISIONS-JSON HYPER-JSON: a one-cell suite with an external solver
  input ext.json "{\"name\": \"ext\", \"precisions\": $1, \"seeds\": [0], \"budget\": {\"max_steps\": 3},
    \"problems\": [{\"name\": \"quadratic-ls\", \"params\": {\"m\": 3, \"n\": 2}}],
    \"solvers\": [{\"name\": \"external\", \"hyper\": $2}]}"
}
case_external_not_allowed() {
  ext_suite '["double"]' '{"command": ["/bin/true", "my_opt.py"]}'
  expect 2 "runs external program\(s\) as solvers:.*/bin/true my_opt.py.*--allow-external" -- run --suite in/ext.json --out out
}
case_external_mp50() {
  ext_suite '["double", "mp50"]' '{"command": ["/bin/true"]}'
  expect 2 "is external and problem .* runs in mp50: an external solver exchanges float64 or float32" -- run --suite in/ext.json --allow-external --out out
}
case_external_no_command() {
  ext_suite '["double"]' '{"lr": 0.1}'
  expect 2 "solvers\[0\].*command: required" -- run --suite in/ext.json --allow-external --out out
}
case_external_command_not_list() {
  ext_suite '["double"]' '{"command": "python3 my_opt.py"}'
  expect 2 "command: expected a non-empty list of strings" -- run --suite in/ext.json --allow-external --out out
}
case_external_command_empty_arg() {
  ext_suite '["double"]' '{"command": ["python3", ""]}'
  expect 2 "command\[1\]: expected a non-empty string" -- run --suite in/ext.json --allow-external --out out
}
case_external_digest_given() {
  ext_suite '["double"]' '{"command": ["/bin/true"], "program_digest": "0"}'
  expect 2 "program_digest: set by muonbench" -- run --suite in/ext.json --allow-external --out out
}
case_suite_loads_plugin() {
  input p.json '{"name": "p", "precisions": ["double"], "seeds": [0], "plugins": ["evil.so"],
    "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
  expect 2 "suite.plugins: a suite cannot load plugins.*--plugin PATH" -- run --suite in/p.json --out out
}
case_check_external_from_file() {
  input h.json '{"command": ["/bin/true"]}'
  expect 2 "--solver-hyper: file 'in/h.json' makes solver 'external' run .*/bin/true.*--allow-external" -- check --solver external --solver-hyper in/h.json --out out.json
}
case_check_external_mp50() {
  expect 2 "not available in mp50: an external solver exchanges float64 or float32" -- check --solver external --solver-hyper '{"command": ["/bin/true"]}' --precision mp50 --out out.json
}
case_check_solver_claim_without_one() {
  expect 2 "--solver: claim 'fenchel-young' is not about a solver; the claims that take one: .*gd-pl-rate" -- check --claim fenchel-young --solver sgd --out out.json
}
case_check_unknown_solver() {
  expect 2 "unknown solver 'sdg'.*external.*sgd" -- check --solver sdg --out out.json
}
case_check_solver_hyper_alone() {
  expect 2 "--solver-hyper: give --solver NAME too" -- check --solver-hyper '{}' --out out.json
}
case_replay_external_from_file() {
  input h.json '{"command": ["/bin/true"]}'
  input trace.json '{}'
  expect 2 "--config: file 'in/h.json' makes solver 'external' run .*--allow-external" -- replay --solver external --config in/h.json --in in/trace.json --out out.json
}
case_plugin_missing() { expect 2 "--plugin in/nothing.so: no such file" -- --plugin in/nothing.so list; }
case_plugin_without_path() { expect 2 "--plugin: expected the path of a plugin library" -- list --plugin; }
case_plugin_not_a_library() {
  input fake.so 'not an ELF file'
  expect 2 "--plugin in/fake.so: cannot load it: .*(invalid ELF header|file too short)" -- --plugin in/fake.so list
}
case_plugin_not_a_plugin() {
  # A real shared library with no muonbench entry points (zlib: every build links it).
  lib=$(ldconfig -p | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')
  cp "$lib" in/libz.so
  expect 2 "--plugin in/libz.so: not a muonbench plugin .*muonbench_add_plugin" -- --plugin in/libz.so list
}
case_plugin_env_missing() {
  export MUONBENCH_PLUGINS=in/gone.so
  expect 2 "--plugin in/gone.so: no such file" -- list
}
case_external_bad_transport() {
  ext_suite '["double"]' '{"command": ["/bin/true"], "transport": "mmap"}'
  expect 2 "transport: expected \"pipe\" .* or \"shm\"" -- run --suite in/ext.json --allow-external --out out
}
