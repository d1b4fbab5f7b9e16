#!/usr/bin/env bash
# Starts a local etcd cluster for trying ResChat on a real distributed store, and prints its store spec.
#
#   scripts/etcd-cluster.sh [MEMBERS] [DATA_DIR]
#
# MEMBERS defaults to 3. Without DATA_DIR the data goes to a new temporary directory, deleted on exit.
# Every member listens on 127.0.0.1 only, on free ports. Ctrl-C (or end of input) stops them all.
# Example, in another terminal:  ./reschat --store "$(cat spec.txt)" store check
# (start it with:  scripts/etcd-cluster.sh > spec.txt)
#
# The cluster is the same helper the tests use (org.reschat.kv.testing.EtcdCluster), run with Java's
# single-file source launcher: it needs only a JDK and etcd (apt-get install etcd-server).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v etcd >/dev/null 2>&1; then
  echo "etcd is not on PATH: install it with apt-get install etcd-server" >&2
  exit 1
fi
exec java "$here/kv-adapter/src/test/java/org/reschat/kv/testing/EtcdCluster.java" "$@"
