#!/usr/bin/env bash
# A clone alone must build, run and pass its tests: no file of the repository may read or cite a
# path outside it (a folder beside the clone, a machine-specific absolute path, a document that
# ships elsewhere). Scans every tracked file (every file, build trees aside, outside a git checkout)
# and names each offending line.
# ctest-labels: sanitize
set -u
mb=$1
src=$2
cd "$src" || exit 1

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files)
else
  mapfile -t files < <(find . -type f -not -path './build*' -not -path './.git/*' -not -path './runs/*' | sed 's#^\./##')
fi
# Reference data are numbers recorded elsewhere; their own `how` fields may name other tools.
skip='^(tests/data/.*\.json|tests/cli/self_contained\.sh)$'

patterns=(
  '\.\./shared'                    # the folder that sits beside the clone in CI, never in a user's
  'MUONBENCH_SHARE[D]'             # the variable that once pointed there (bracket: not a match itself)
  'THEORY\.md'                     # the theory page lives at docs/theory.md
  'PEERS\.md'
  'ARCHITECTURE\.md'               # docs/architecture.md is lower case
  '/work/'                         # a development machine's absolute paths
  '\$\{?src\}?/\.\.'               # test scripts stepping out of the source tree
  'CMAKE_(CURRENT_)?SOURCE_DIR\}/\.\.'
)
fail=0
checked=0
for f in "${files[@]}"; do
  [[ -f $f ]] || continue
  [[ $f =~ $skip ]] && continue
  checked=$((checked + 1))
  for p in "${patterns[@]}"; do
    if hits=$(grep -nE -- "$p" "$f" 2>/dev/null); then
      while IFS= read -r line; do
        echo "FAIL $f:${line%%:*}: refers outside the repository (/$p/): ${line#*:}"
      done <<<"$hits"
      fail=1
    fi
  done
done
((checked > 50)) || { echo "FAIL only $checked files scanned: is '$src' the source tree?"; exit 1; }
[[ $fail -eq 0 ]] && echo "ok   $checked files, none refers to a path outside the repository"
exit $fail
