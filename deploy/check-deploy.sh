#!/usr/bin/env bash
# Checks the deployment files in deploy/:
#  1. systemd units (deploy/systemd/): `systemd-analyze verify` on a temporary copy whose
#     /opt/gradcap/bin/ paths point at real binaries (templates verified as an instance too);
#     any message at all is a failure.
#  2. the flags in the units' ExecStart lines and in deploy/config/ROLE.flags: each binary parses
#     them (`BIN --flagfile=F --help=…` names an unknown flag with "ERROR:").
#  3. Kubernetes manifests (deploy/k8s/): deploy/check/check-k8s.mjs (kubernetes-models' API
#     schemas plus cross-references), and every flag they pass, parsed by the binaries as in 2.
#  The shard maps (deploy/config/shards.map, the ConfigMap's shards.map): `gradcap shards check`.
# Usage: deploy/check-deploy.sh [BUILD_DIR]   (BUILD_DIR: where coordinator/coordinator,
#   validator/validator, supervisor/supervisor, booth-agent/booth-agent are; default build/).
# Exit 0: all good; 1: a problem (printed); 77: a required tool is absent (systemd-analyze, node,
# or deploy/check/node_modules — `deploy/install-deps.sh` installs them) or the binaries are not built.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build}"
skip() { echo "check-deploy: SKIP: $*"; exit 77; }
command -v systemd-analyze >/dev/null || skip "systemd-analyze not found (package systemd)"
command -v node >/dev/null || skip "node not found (package nodejs)"
[ -d "$here/check/node_modules/kubernetes-models" ] || skip "deploy/check/node_modules missing (deploy/install-deps.sh runs npm ci there)"
declare -A BIN=(
  [coordinator]="$build/coordinator/coordinator" [validator]="$build/validator/validator"
  [supervisor]="$build/supervisor/supervisor" [booth-agent]="$build/booth-agent/booth-agent")
for b in "${!BIN[@]}"; do [ -x "${BIN[$b]}" ] || skip "${BIN[$b]} not built"; done
gradcap="$build/admin/gradcap"
[ -x "$gradcap" ] || skip "$gradcap not built"

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "check-deploy: FAIL: $*"; failed=1; }

# Does BIN parse the flags in FILE? (absl reads the flagfile, then --help=<no match> exits.)
check_flags() {  # BINARY-NAME FILE WHAT
  local out
  out="$("${BIN[$1]}" --flagfile="$2" --help=zz-no-such-flag-zz 2>&1 >/dev/null)"
  if grep -q "ERROR" <<<"$out"; then fail "$3: $(grep ERROR <<<"$out")"; else echo "check-deploy: ok: $3 ($1 parses it)"; fi
}

# 1 + 2: systemd units.
mkdir -p "$tmp/units" "$tmp/bin"
for b in "${!BIN[@]}"; do ln -s "$(readlink -f "${BIN[$b]}")" "$tmp/bin/$b"; done
units=()
for f in "$here"/systemd/*.service; do
  name="$(basename "$f")"
  sed "s#/opt/gradcap/bin/#$tmp/bin/#g" "$f" >"$tmp/units/$name"
  units+=("$name")
  if [[ "$name" == *@.service ]]; then
    inst="${name/@.service/@check1.service}"
    cp "$tmp/units/$name" "$tmp/units/$inst"; units+=("$inst")
  fi
  # The flags on the ExecStart line (instance specifiers filled in), one per line.
  line="$(sed -n 's/^ExecStart=[^ ]*\/\([a-z-]*\) \(.*\)$/\1 \2/p' "$f")"
  bin="${line%% *}"
  [ -n "$line" ] && [ -n "${BIN[$bin]:-}" ] || { fail "$name: no ExecStart of a gradcap binary"; continue; }
  tr ' ' '\n' <<<"${line#* }" | grep -v '^--flagfile=' | sed 's/%i/check1/g' >"$tmp/$name.flags"
  check_flags "$bin" "$tmp/$name.flags" "systemd/$name ExecStart flags"
done
out="$(cd "$tmp/units" && systemd-analyze verify --man=no "${units[@]}" 2>&1)"; rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then fail "systemd-analyze verify (rc $rc):"; echo "$out" | sed "s#$tmp/[a-z]*/##g"
else echo "check-deploy: ok: systemd-analyze verify ${units[*]}"; fi

# 2: the config examples.
declare -A ROLE=([coordinator]=coordinator [validator]=validator [supervisor]=supervisor [booth]=booth-agent)
for role in "${!ROLE[@]}"; do
  f="$here/config/$role.flags"
  [ -f "$f" ] || { fail "config/$role.flags missing"; continue; }
  check_flags "${ROLE[$role]}" "$f" "config/$role.flags"
done

# The shard map example, read as every process reads it.
check_shards() {  # FILE WHAT
  local out
  if out="$("$gradcap" shards check --shard_map "$1" 2>&1)"; then echo "check-deploy: ok: $2 (gradcap shards check)"; else fail "$2: $out"; fi
}
check_shards "$here/config/shards.map" "config/shards.map"

# 3: Kubernetes.
if node "$here/check/check-k8s.mjs" "$here/k8s" --flags-out "$tmp/k8s-flags.tsv"; then
  for b in "${!BIN[@]}"; do
    grep -P "^$b\t" "$tmp/k8s-flags.tsv" | cut -f2- >"$tmp/k8s-$b.flags"
    [ -s "$tmp/k8s-$b.flags" ] && check_flags "$b" "$tmp/k8s-$b.flags" "k8s flags of $b"
  done
  for m in "$tmp"/k8s-flags.tsv.shards-*.map; do
    [ -e "$m" ] && check_shards "$m" "k8s ConfigMap shards.map"
  done
else
  fail "deploy/k8s (above)"
fi

if [ $failed -ne 0 ]; then echo "check-deploy: FAILED"; exit 1; fi
echo "check-deploy: all deploy files pass"
