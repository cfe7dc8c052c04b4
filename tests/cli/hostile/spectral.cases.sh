# Hostile inputs of `muonbench spectral`: empty and degenerate matrices, NaN/Infinity, sizes past
# the limit, and finite entries near the top of the double range (the maps that are scale-invariant
# must still be computed correctly there: the input is rescaled by a power of two first).
spectral() { expect 2 "$1" -- spectral --precision "${PREC:-double}" --in in/m.json --out out.json "${@:2}"; }
# Checks on a correct result (Python, `doc` is the output document).
near='import math
def near(a, b, tol):
    assert len(a) == len(b) and all(len(r) == len(s) for r, s in zip(a, b)), (a, b)
    err = max(abs(float(x) - y) for r, s in zip(a, b) for x, y in zip(r, s))
    assert err <= tol, f"max error {err} > {tol}: {a}"
'

case_no_matrices_key() { input m.json '{}'; spectral "in.matrices: expected a non-empty list" --map polar; }
case_matrices_string() { input m.json '{"matrices": "I"}'; spectral "in.matrices: expected a non-empty list" --map polar; }
case_matrix_0x0() { input m.json '{"matrices": [[]]}'; spectral "in.matrices\[0\]: the matrix is empty" --map polar; }
case_matrix_1x0() { input m.json '{"matrices": [[[]]]}'; spectral "in.matrices\[0\]\[0\]: the row is empty" --map ns; }
case_matrix_row_not_list() { input m.json '{"matrices": [[1, 2]]}'; spectral "in.matrices\[0\]\[0\]: expected a row" --map polar; }
case_matrix_ragged() { input m.json '{"matrices": [[[1, 2], [3]]]}'; spectral "in.matrices\[0\]\[1\]: ragged matrix" --map polar; }
case_nan_string() { input m.json '{"matrices": [[[1, "NaN"], [3, 4]]]}'; spectral "in.matrices\[0\]\[0\]\[1\]" --map ns; }
case_infinity_string() { input m.json '{"matrices": [[[1, 2], ["-Infinity", 4]]]}'; spectral "in.matrices\[0\]\[1\]\[0\]" --map polar; }
case_nan_bare_token() { input m.json '{"matrices": [[[1, NaN], [3, 4]]]}'; spectral "in/m.json.*malformed JSON" --map polar; }
case_nan_in_second_matrix_mp50() { input m.json '{"matrices": [[[1]], [[2, "nan"]]]}'; PREC=mp50 spectral "in.matrices\[1\]\[0\]\[1\]" --map power --p 0.5; }
case_entry_overflow() { input m.json '{"matrices": [[[1e999]]]}'; spectral "in/m.json.*malformed JSON.*overflow" --map polar; }
case_entry_bool() { input m.json '{"matrices": [[[true]]]}'; spectral "in.matrices\[0\]\[0\]\[0\]: expected a number" --map polar; }
case_too_large_2000() {
  input_py m.json "'{\"matrices\": [[' + ','.join(['[' + ','.join(['1'] * 2000) + ']'] * 2000) + ']]}'"
  spectral "in.matrices\[0\]: 2000 x 2000 = 4000000 entries, more than --max-entries" --map polar
}
case_too_large_for_max_entries() {
  input m.json '{"matrices": [[[1, 2], [3, 4]]]}'
  spectral "in.matrices\[0\]: 2 x 2 = 4 entries, more than --max-entries 3" --map polar --max-entries 3
}
case_max_entries_zero() { input m.json '{"matrices": [[[1]]]}'; spectral "--max-entries must be" --map polar --max-entries 0; }
case_steps_negative() { input m.json '{"matrices": [[[1]]]}'; spectral "--steps must be a non-negative integer, got '-1'" --map ns --steps -1; }
case_steps_huge() { input m.json '{"matrices": [[[1]]]}'; spectral "steps must be in \[0, 1000\]" --map ns --steps 1000000000000; }
case_eps_negative() { input m.json '{"matrices": [[[1]]]}'; spectral "eps must be > 0" --map reg --eps -0.1; }
case_eps_nan() { input m.json '{"matrices": [[[1]]]}'; spectral "eps.*(not a decimal|not finite|NaN)" --map reg --eps nan; }
case_power_p_out_of_range() { input m.json '{"matrices": [[[1]]]}'; spectral "p must be in \[0, 1\]" --map power --p 1.5; }
case_unknown_map() { input m.json '{"matrices": [[[1]]]}'; spectral "unknown map 'svd'.*polar" --map svd; }
case_unknown_schedule() { input m.json '{"matrices": [[[1]]]}'; spectral "schedule must be one of jordan, .*got 'jordan5'" --map ns --schedule jordan5; }
case_bad_user_schedule() { input m.json '{"matrices": [[[1]]]}'; spectral "--schedule entry 2: a user schedule is 'a,b,c'" --map ns --schedule '3,-4.7,2;1,2'; }
case_divergent_schedule() {
  input m.json '{"matrices": [[[1, 2], [3, 4]]]}'
  expect 1 "in.matrices\[0\]: .*non-finite.*step [0-9]+" -- spectral --precision double --map ns --schedule '1e200,1e200,1e200' --steps 3 --norm none --in in/m.json --out out.json
}
case_out_is_directory() {
  input m.json '{"matrices": [[[1]]]}'
  mkdir -p "$T/in/outdir"
  expect 2 "--out: 'in/outdir' is a directory" -- spectral --precision double --map polar --in in/m.json --out in/outdir
}

# Correct results where the input is legal but extreme.
case_one_by_one() {
  input m.json '{"matrices": [[[-3.5]]]}'
  expect_result out.json "$near
near(doc['results'][0], [[-1.0]], 0)" -- spectral --precision double --map polar --in in/m.json --out out.json
}
case_all_zero() {
  input m.json '{"matrices": [[[0, 0, 0], [0, 0, 0]]]}'
  expect_result out.json "$near
near(doc['results'][0], [[0, 0, 0], [0, 0, 0]], 0)" -- spectral --precision double --map ns --in in/m.json --out out.json
}
case_polar_near_overflow() {
  input m.json '{"matrices": [[[1e308, 1e308], [1e308, 1e308]]]}'
  expect_result out.json "$near
near(doc['results'][0], [[0.5, 0.5], [0.5, 0.5]], 1e-15)" -- spectral --precision double --map polar --in in/m.json --out out.json
}
case_ns_near_overflow() {
  input m.json '{"matrices": [[[1e308, 1e308], [1e308, 1e307]]]}'
  # Same result as the matrix divided by 2^1023 (Newton-Schulz with a norm pre-normalisation is
  # scale-invariant): compare with the run on the scaled input.
  input_py s.json "json.dumps({'matrices': [[[1e308 / 2**1023, 1e308 / 2**1023], [1e308 / 2**1023, 1e307 / 2**1023]]]})"
  "$mb" spectral --precision double --map ns --in in/s.json --out in/ref.json >/dev/null 2>&1
  expect_result out.json "ref = json.load(open('in/ref.json'))['results'][0]
got = doc['results'][0]
assert any(abs(float(x)) > 0.1 for r in got for x in r), got
assert all(abs(float(x) - float(y)) <= 1e-12 for r, s in zip(got, ref) for x, y in zip(r, s)), (got, ref)" \
    -- spectral --precision double --map ns --in in/m.json --out out.json
}
case_power_near_overflow() {
  input m.json '{"matrices": [[[1e308, 0], [0, 4e307]]]}'
  expect_result out.json "$near
import math
near([[float(x) / math.sqrt(1e308) for x in r] for r in doc['results'][0]], [[1.0, 0], [0, math.sqrt(0.4)]], 1e-14)" \
    -- spectral --precision double --map power --p 0.5 --in in/m.json --out out.json
}
case_reg_near_underflow() {
  # grad psi_eps(c M) = grad psi_{eps/c}(M): tiny entries and a tiny eps give the same map.
  input m.json '{"matrices": [[[3e-310, 0], [0, 4e-310]]]}'
  expect_result out.json "$near
near(doc['results'][0], [[0.6, 0], [0, 0.5 ** 0.5]], 1e-15)" -- spectral --precision double --map reg --eps 4e-310 --in in/m.json --out out.json
}
