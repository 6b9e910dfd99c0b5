#!/usr/bin/env bash
# Fetches (here, with network) the Debian packages bench/gpu_check.sh needs on a GPU machine that
# has a PyTorch install but no MPI, HDF5, Boost, GoogleTest, JSON, matio or libsvm, and unpacks
# them with dpkg -x into OUTDIR/root (never over /). OUTDIR/debs keeps the .deb files: carry
# either folder (the .debs are smaller; gpu_check.sh unpacks them when root/ is missing).
#
#   bench/gpu_deps.sh OUTDIR
set -euo pipefail
out=${1:?usage: bench/gpu_deps.sh OUTDIR}
# Build inputs (headers, .so links, CMake/pkg-config files, the MPI wrappers and launcher) and
# the runtime libraries behind them that a bare Ubuntu/Debian image lacks. glibc, libstdc++,
# zlib1g and the TLS/Kerberos stack are left to the machine.
packages=(
  libopenmpi-dev libopenmpi3 openmpi-bin openmpi-common
  libhwloc15 libevent-2.1-7 libevent-core-2.1-7 libevent-pthreads-2.1-7 libpmix2 libfabric1
  libucx0 libibverbs1 librdmacm1 libpsm2-2 libpsm-infinipath1 libnl-3-200 libnl-route-3-200
  libnuma1 libmunge2 libpciaccess0 libxnvctrl0 libx11-6 libxext6 libxcb1 libxau6 libxdmcp6
  libbsd0 libmd0 libltdl7
  libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libsz2 libaec0 libcurl3-gnutls libnghttp2-14
  librtmp1 libssh2-1 libpsl5 libbrotli1 libldap-2.5-0 libsasl2-2 libsasl2-modules-db libdb5.3
  libboost-program-options-dev libboost-program-options1.74-dev libboost-program-options1.74.0
  libboost1.74-dev
  libgtest-dev googletest nlohmann-json3-dev
  libmatio-dev libmatio11 libsvm-dev libsvm3
  zlib1g-dev zlib1g libssl-dev libssl3 libunistring2 libidn2-0
  pkgconf pkgconf-bin libpkgconf3
)
mkdir -p "$out/debs" "$out/root"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_root apt-get update -qq
(cd "$out/debs" && apt-get download -q "${packages[@]}" >/dev/null)
for deb in "$out"/debs/*.deb; do dpkg -x "$deb" "$out/root"; done
# The Boost headers are ~150 MiB; program_options and what it includes are a few MiB. Keep
# only the headers the build reaches (found by preprocessing once here).
echo "gpu_deps: $(ls "$out/debs" | wc -l) packages; debs $(du -sh "$out/debs" | cut -f1)," \
  "unpacked $(du -sh "$out/root" | cut -f1)"
