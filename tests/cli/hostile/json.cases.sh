# Hostile JSON texts given as a suite file (the same parser reads every JSON input: suites, traces,
# spectral inputs, shards, --config). Each must be refused with exit 2 and a message naming the
# file and, where the text has one, the line and column. See run_case.sh for what is checked.
ok='{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
run_suite() { expect 2 "$1" -- run --suite in/s.json --out out; }

case_truncated() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sg'
  run_suite "in/s.json.*malformed JSON.*line 1"
}
case_truncated_after_key() {
  input s.json '{"name": '
  run_suite "in/s.json.*malformed JSON"
}
case_empty_file() {
  input s.json ''
  run_suite "in/s.json.*malformed JSON.*(empty|end of input)"
}
case_whitespace_only() {
  input s.json $'  \n\t \n'
  run_suite "in/s.json.*malformed JSON"
}
case_trailing_comma_object() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}],}'
  run_suite "in/s.json.*malformed JSON.*line 1"
}
case_trailing_comma_array() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"},], "solvers": [{"name": "sgd"}]}'
  run_suite "in/s.json.*malformed JSON"
}
case_trailing_garbage() {
  input s.json "$ok garbage"
  run_suite "in/s.json.*malformed JSON"
}
case_two_documents() {
  input s.json "$ok $ok"
  run_suite "in/s.json.*malformed JSON"
}
case_byte_order_mark() {
  input_py s.json "b'\\xef\\xbb\\xbf' + b'$ok'"
  run_suite "in/s.json.*byte-order mark"
}
case_utf16_text() {
  input_py s.json "'$ok'.encode('utf-16')"
  run_suite "in/s.json.*(byte-order mark|malformed JSON)"
}
case_duplicate_top_key() {
  input s.json '{"name": "x", "name": "y", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
  run_suite "in/s.json.*duplicate key 'name'"
}
case_duplicate_nested_key() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": 0.1, "lr": 5}}]}'
  run_suite "in/s.json.*duplicate key 'lr'.*solvers\[0\].hyper"
}
case_deep_array_nesting() {
  input_py s.json "'[' * 100000 + ']' * 100000"
  run_suite "in/s.json.*nest(ed|ing).*deep"
}
case_deep_object_nesting() {
  input_py s.json "'{\"a\":' * 100000 + '1' + '}' * 100000"
  run_suite "in/s.json.*nest(ed|ing).*deep"
}
case_deep_unclosed_nesting() {
  input_py s.json "'[' * 100000"
  run_suite "in/s.json.*(nest(ed|ing).*deep|malformed JSON)"
}
case_invalid_utf8_in_string() {
  input_py s.json "b'{\"name\": \"x\\xff\\xfe\", \"problems\": [{\"name\": \"quadratic-ls\"}], \"solvers\": [{\"name\": \"sgd\"}]}'"
  run_suite "in/s.json.*malformed JSON.*UTF-8"
}
case_overlong_utf8() {
  input_py s.json "b'{\"name\": \"\\xc0\\xaf\", \"problems\": [{\"name\": \"quadratic-ls\"}], \"solvers\": [{\"name\": \"sgd\"}]}'"
  run_suite "in/s.json.*malformed JSON"
}
case_invalid_byte_outside_string() {
  input_py s.json "b'{\"name\": \"x\"\\x80, \"problems\": []}'"
  run_suite "in/s.json.*malformed JSON"
}
case_nul_byte() {
  input_py s.json "b'{\"name\": \"x\\x00\", \"problems\": [{\"name\": \"quadratic-ls\"}], \"solvers\": [{\"name\": \"sgd\"}]}'"
  run_suite "in/s.json.*malformed JSON"
}
case_control_character_in_string() {
  input_py s.json "b'{\"name\": \"a\\nb\", \"problems\": [{\"name\": \"quadratic-ls\"}], \"solvers\": [{\"name\": \"sgd\"}]}'"
  run_suite "in/s.json.*malformed JSON"
}
case_lone_surrogate_escape() {
  input s.json '{"name": "\ud800", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
  run_suite "in/s.json.*malformed JSON.*surrogate"
}
case_comment() {
  input s.json $'// my suite\n'"$ok"
  run_suite "in/s.json.*malformed JSON.*line 1"
}
case_single_quotes() {
  input s.json "{'name': 'x'}"
  run_suite "in/s.json.*malformed JSON"
}
case_bare_nan_token() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": NaN}}]}'
  run_suite "in/s.json.*malformed JSON"
}
case_bare_infinity_token() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": Infinity}}]}'
  run_suite "in/s.json.*malformed JSON"
}
case_bare_negative_infinity_token() {
  input s.json '{"name": "x", "targets": [-Infinity], "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
  run_suite "in/s.json.*malformed JSON"
}
case_number_overflow() {
  input s.json '{"name": "x", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd", "hyper": {"lr": 1e999}}]}'
  run_suite "in/s.json.*malformed JSON.*overflow"
}
case_top_level_array() {
  input s.json "[$ok]"
  run_suite "suite: expected a JSON object"
}
case_top_level_string() {
  input s.json '"default"'
  run_suite "suite: expected a JSON object"
}
case_top_level_null() {
  input s.json 'null'
  run_suite "suite: expected a JSON object"
}
case_name_path_traversal() {
  input s.json '{"name": "../../escape", "problems": [{"name": "quadratic-ls"}], "solvers": [{"name": "sgd"}]}'
  expect 2 "suite.name: .*letters, digits" -- run --suite in/s.json
}
case_name_too_long() {
  input_py s.json "'{\"name\": \"' + 'x' * 3000000 + '\", \"problems\": [{\"name\": \"quadratic-ls\"}], \"solvers\": [{\"name\": \"sgd\"}]}'"
  run_suite "suite.name: .*(at most|too long)"
}
case_suite_is_directory() {
  mkdir -p "$T/in/dir.json"
  expect 2 "--suite: .*in/dir.json.*(directory|not a file)" -- run --suite in/dir.json --out out
}
case_suite_missing_file() {
  expect 2 "--suite: no such file 'in/missing.json'" -- run --suite in/missing.json --out out
}
case_config_malformed() {
  input trace.json '{"w0": [[1, 2], [3, 4]], "grads": [[[0.1, 0.2], [0.3, 0.4]]]}'
  expect 2 "--config.*malformed JSON" -- replay --solver sgd --config '{"lr": 0.1,' --in in/trace.json --out out.json
}
case_config_duplicate_key() {
  input trace.json '{"w0": [[1, 2], [3, 4]], "grads": [[[0.1, 0.2], [0.3, 0.4]]]}'
  expect 2 "--config.*duplicate key 'lr'" -- replay --solver sgd --config '{"lr": 0.1, "lr": 0.2}' --in in/trace.json --out out.json
}
