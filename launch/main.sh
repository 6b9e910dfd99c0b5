#!/usr/bin/env bash
# README's main command: set up what is missing, then run the shipped campaign on the built-in
# default (launch/campaigns/fashion-mnist-default.json: Fashion-MNIST, resnet20s, dense and OMP
# 95 %, class-wise forgetting, retrain / FT / GA / FF / IU / l1-sparse) with the local runner and
# print the paper's table. Rerunning skips every finished task; an interrupted run resumes.
#
# Environment: BUILD_DIR, DATA_DIR (as launch/setup.sh), CAMPAIGN (another spec),
# CAMPAIGN_ROOT (default runs/default).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/launch/setup.sh" --programs
build_dir=${BUILD_DIR:-$root/build}
spec=${CAMPAIGN:-$root/launch/campaigns/fashion-mnist-default.json}
campaign_root=${CAMPAIGN_ROOT:-$root/runs/default}
started=$(date +%s)
"$build_dir/bin/mu-campaign" run "$spec" --root "$campaign_root"
"$build_dir/bin/mu-campaign" report "$spec" --root "$campaign_root"
echo "main: campaign wall time $(($(date +%s) - started)) s; run tree $campaign_root"
