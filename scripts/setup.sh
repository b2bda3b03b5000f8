#!/usr/bin/env bash
# Sets up a fresh machine for dbgremote: the Debian packages it drives and
# tests with, then the npm packages (Deno, Bun, libraries) from the lockfile.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v gdb >/dev/null 2>&1 || need+=(gdb)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
command -v pgrep >/dev/null 2>&1 || need+=(procps)
command -v socat >/dev/null 2>&1 || need+=(socat) # serial-line (com:) tests use pty pairs
command -v stty >/dev/null 2>&1 || need+=(coreutils)
command -v ip >/dev/null 2>&1 || need+=(iproute2)          # lab tests: hosts in network namespaces
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || need+=(openssh-server) # `ship` tests
command -v ssh >/dev/null 2>&1 || need+=(openssh-client)   # `ship` copies over ssh/scp
[ -x /usr/bin/chromium ] || need+=(chromium)               # browser-client tests (playwright-core)
command -v lldb-dap-19 >/dev/null 2>&1 || need+=(lldb-19)  # the lldb engine drives lldb-dap-19
# The Python engine runs debugpy's adapter; Debian's package serves /usr/bin/python3.
/usr/bin/python3 -c 'import debugpy' >/dev/null 2>&1 || need+=(python3-debugpy)
if ((${#need[@]})); then
  echo "setup: installing Debian packages: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
fi

if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "setup: ready ($(node_modules/.bin/deno --version | head -1), bun $(node_modules/.bin/bun --version), $(gdb --version | head -1), $(lldb-19 --version | head -1), debugpy $(/usr/bin/python3 -c 'import debugpy; print(debugpy.__version__)'))"
