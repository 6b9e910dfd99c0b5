# Sourced by the bench scripts that run the stage programs, after smoke_arguments.sh: sets `build`
# (the build folder: the first positional argument, default build/), `bin` (its programs) and
# `work` (a temporary folder, removed on exit), and lets mpirun run as root.
build=$(cd "${positional[0]:-$root/build}" && pwd)
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
