#!/usr/bin/env bash
# Builds the real Kubernetes control plane the tests run against: kube-apiserver from the
# k8s.io/kubernetes Go module pinned in k8s/go.mod, and etcd from go.etcd.io/etcd pinned in
# etcd/go.mod. Binaries go to a cache outside git, keyed by the Kubernetes version:
#
#   ${PRINTQ_CACHE:-$HOME/.cache/printq}/k8s-<version>/{etcd,kube-apiserver,kube-controller-manager}
#
# kube-controller-manager runs the few controllers that make namespaces, ServiceAccounts and
# Deployments behave as in a real cluster (pods never run: there is no kubelet).
#
# Idempotent: when the cache already holds binaries built from the same pins it only prints
# where they are. Uses the default Go module and build caches (`go env GOMODCACHE GOCACHE`),
# so a rebuild on the same machine is fast too.
#
# Prints the cache directory as its last line of output (test/harness/control-plane.ts finds
# the binaries the same way).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
for arg in "$@"; do
  case "$arg" in
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

command -v go >/dev/null 2>&1 || {
  echo "build.sh: needs the Go toolchain (>= the 'go' line of k8s/go.mod) on PATH" >&2
  exit 1
}

module_version() { # <go.mod> <module path>
  awk -v mod="$2" '($1 == mod && $2 ~ /^v/) { print $2; exit } ($1 == "require" && $2 == mod) { print $3; exit }' "$1"
}

k8s_version=$(module_version "$here/k8s/go.mod" k8s.io/kubernetes)
etcd_version=$(module_version "$here/etcd/go.mod" go.etcd.io/etcd/server/v3)
[[ -n "$k8s_version" && -n "$etcd_version" ]] || { echo "build.sh: cannot read pinned versions from k8s/go.mod and etcd/go.mod" >&2; exit 1; }

cache_dir="${PRINTQ_CACHE:-$HOME/.cache/printq}/k8s-${k8s_version}"
mkdir -p "$cache_dir"

# Two test runs building at once would waste the two cores and race on the rename.
exec 9>"$cache_dir/.build.lock"
flock 9

# A stamp per binary records the pins it was built from (hash of go.mod + go.sum), so editing a pin
# rebuilds while an unchanged tree never does.
stamp_of() { # <module dir>
  echo "$(basename "$1") $(sha256sum "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-16)"
}

build_one() { # <module dir> <package> <binary name> <extra ldflags>
  local module_dir=$1 package=$2 binary=$3 ldflags=$4
  local target="$cache_dir/$binary" stamp_file="$cache_dir/.$binary.stamp"
  local stamp
  stamp=$(stamp_of "$module_dir")
  if [[ -x "$target" && -f "$stamp_file" && "$(cat "$stamp_file")" == "$stamp" ]]; then
    echo "build.sh: $binary is cached ($target)"
    return
  fi
  local started=$SECONDS
  echo "build.sh: building $binary from $package ..."
  (cd "$module_dir" && go build -buildvcs=false -ldflags "-s -w $ldflags" -o "$target.tmp" "$package")
  mv -f "$target.tmp" "$target"
  echo "$stamp" >"$stamp_file"
  echo "build.sh: built $binary in $((SECONDS - started))s"
}

total_started=$SECONDS
echo "build.sh: Kubernetes ${k8s_version}, etcd ${etcd_version}, $(go version | cut -d' ' -f3), cache ${cache_dir}"

# Without these, the binaries report v0.0.0-master, which clients print in skew warnings.
k8s_ldflags="-X k8s.io/component-base/version.gitVersion=${k8s_version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2)"

build_one "$here/etcd" go.etcd.io/etcd/server/v3 etcd ""
build_one "$here/k8s" k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$k8s_ldflags"
build_one "$here/k8s" k8s.io/kubernetes/cmd/kube-controller-manager kube-controller-manager "$k8s_ldflags"

echo "build.sh: done in $((SECONDS - total_started))s"
echo "$cache_dir"
