#!/usr/bin/env bash
# The tools the test suite runs besides Node, made ready as on a new machine:
#   redis-server   Debian's packages (with nginx-light, which checks the ingress microcache
#                  config, openssl and unzip: installed with apt-get when missing, as root)
#   control plane  kube-apiserver, etcd, kube-controller-manager built from Go modules
#                  (test/harness/build.sh, cached by version)
#   python tools   checkov, kubernetes-validate, Celery, RQ (test/requirements.txt) in a
#                  virtualenv cached by the requirements' hash
#
#   scripts/test-tools.sh setup        install/build what is missing (npm runs it as `pretest`)
#   scripts/test-tools.sh exec CMD...  run CMD with the python tools on PATH
#
# Everything is cached under ${PRINTQ_CACHE:-$HOME/.cache/printq}; a second run only checks.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${PRINTQ_CACHE:-$HOME/.cache/printq}
venv="$cache/venv-$(sha256sum "$root/test/requirements.txt" | cut -c1-12)"

die() { echo "test-tools: $*" >&2; exit 1; }

setup_system_packages() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  command -v unzip >/dev/null 2>&1 || missing+=(unzip)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  ((${#missing[@]} == 0)) && return
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}: run 'sudo apt-get install ${missing[*]}' and retry"
  echo "test-tools: installing ${missing[*]} from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

setup_python_tools() {
  [[ -x "$venv/bin/checkov" ]] && return
  command -v python3 >/dev/null 2>&1 || die "python3 is needed for checkov and kubernetes-validate"
  echo "test-tools: installing $(grep -cv '^#' "$root/test/requirements.txt") Python packages into $venv"
  rm -rf "$venv.tmp"
  python3 -m venv "$venv.tmp"
  "$venv.tmp/bin/pip" install -q --disable-pip-version-check -r "$root/test/requirements.txt"
  mv "$venv.tmp" "$venv"
}

case "${1:-}" in
  setup)
    mkdir -p "$cache"
    setup_system_packages
    setup_python_tools
    bash "$root/test/harness/build.sh" | sed "s/^/test-tools: /"
    ;;
  exec)
    shift
    [[ -d "$venv" ]] && export PATH="$venv/bin:$PATH" PRINTQ_QUEUE_PYTHON="${PRINTQ_QUEUE_PYTHON:-$venv/bin/python}"
    exec "$@"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
