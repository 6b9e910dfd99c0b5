# Sourced by the bench scripts that run a PyTorch side beside ours: installs Debian's
# python3-torch when missing, and defines `figure KEY NAME`, which prints the value of KEY= on the
# RESULT line read from standard input, or fails naming the program NAME that printed none (so a
# side without a figure fails the script here rather than in compare_medians.py).
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi
figure() {
  local value
  value=$(sed -n "s/^RESULT .*$1=//p")
  [ -n "$value" ] || { echo "${0##*/}: $2 printed no RESULT line" >&2; return 1; }
  echo "$value"
}
