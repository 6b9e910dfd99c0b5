# Sourced by the bench scripts: splits "$@" into the --smoke flag (anywhere among the arguments)
# and the positional arguments, in their order. Sets `smoke` (0 or 1) and the array `positional`.
smoke=0
positional=()
for argument in "$@"; do
  case "$argument" in
    --smoke) smoke=1 ;;
    *) positional+=("$argument") ;;
  esac
done
