#!/bin/bash
# Captures the probe's `netns` section (the fp_netns function of ProbeScript+Functions.swift,
# exactly as the probe runs it) on lab host 6, whose container fleetlab.py makes, as root and as
# fpuser, plus the container's tcp table read through its reader pid. Run under the lab:
#   lab/with-lab.sh 8 -- Tests/FleetPortsCoreTests/Fixtures/containers/capture.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
fn=$(python3 - "$root/Sources/FleetPortsCore/Probe/ProbeScript+Functions.swift" <<'PY'
import sys, textwrap
src = open(sys.argv[1]).read().splitlines()
start = src.index("    fp_netns() {")
end = next(i for i in range(start, len(src)) if src[i] == "    }")
print(textwrap.dedent("\n".join(src[start:end + 1])))
PY
)
cfg="$root/lab/run/ssh_config"
ssh -F "$cfg" lab-006 "$fn"'
fp_netns' >"$here/lab-006-netns-root.out"
ssh -F "$cfg" -l fpuser lab-006 "$fn"'
fp_netns' >"$here/lab-006-netns-fpuser.out"
reader=$(awk '$1 == "pid" && $2 == $3 {print $2; exit}' "$here/lab-006-netns-root.out")
ssh -F "$cfg" lab-006 "cat /proc/$reader/net/tcp" >"$here/lab-006-netns-reader-tcp.out"
echo "captured: reader pid $reader" >&2
