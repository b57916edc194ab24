#!/usr/bin/env bash
# Install the Go tools the project needs into $(go env GOPATH)/bin, unless the
# right version is already there. Idempotent.
set -euo pipefail

export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null || { echo "install-tools: go not found (expected /usr/local/go/bin)" >&2; exit 1; }
GOBIN="$(go env GOPATH)/bin"
export GOBIN

# install NAME MODULE@VERSION: go install unless $GOBIN/NAME was built from it.
install() {
  local name=$1 pkg=$2 version=${2##*@} have=
  if [[ -x $GOBIN/$name ]]; then
    # The module version recorded in the binary by the Go toolchain.
    have=$(go version -m "$GOBIN/$name" 2>/dev/null | awk '$1 == "mod" {print $3; exit}')
  fi
  if [[ $have == "$version" ]]; then
    echo "install-tools: $name $version present"
    return
  fi
  echo "install-tools: go install $pkg"
  go install "$pkg"
}

install staticcheck honnef.co/go/tools/cmd/staticcheck@v0.8.2
