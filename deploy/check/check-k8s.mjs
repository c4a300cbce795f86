// Checks every manifest in a folder (deploy/k8s/) against the Kubernetes API's JSON schemas
// (kubernetes-models: the OpenAPI schemas compiled to validators; required fields, types,
// formats such as quantities and enums) and against what the schemas cannot see: selectors that
// match their pods, Services that select something, the ConfigMaps, Secrets and volumes that pods
// mount, container ports that probes name, every StatefulSet with a headless Service and volume
// claims. Unknown fields are NOT reported by the schemas (they allow extra properties).
// Usage: node check-k8s.mjs DIR [--flags-out FILE]
//   --flags-out: write "BINARY<TAB>FLAGFILE-LINE" for every flag a container passes and every
//   line of the ConfigMap flags files, for check-deploy.sh to hold against the binaries; and each
//   ConfigMap's shards.map as FILE.shards-N.map (check-deploy.sh runs `gradcap shards check` on it).
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import * as models from "kubernetes-models";

const args = process.argv.slice(2);
const dir = args[0];
const flagsOut = args.indexOf("--flags-out") >= 0 ? args[args.indexOf("--flags-out") + 1] : null;
if (!dir) { console.error("usage: check-k8s.mjs DIR [--flags-out FILE]"); process.exit(2); }

const problems = [];
const docs = [];
for (const f of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  let all;
  try { all = yaml.loadAll(fs.readFileSync(path.join(dir, f), "utf8")); }
  catch (e) { problems.push(`${f}: YAML: ${e.message}`); continue; }
  all.filter((d) => d != null).forEach((d, i) => docs.push({ file: f, index: i, doc: d }));
}
if (docs.length === 0) problems.push(`${dir}: no manifests`);

const CLASSES = {
  "v1/Namespace": models.v1.Namespace, "v1/ConfigMap": models.v1.ConfigMap,
  "v1/Service": models.v1.Service, "v1/Secret": models.v1.Secret,
  "apps/v1/StatefulSet": models.apps.v1.StatefulSet, "apps/v1/Deployment": models.apps.v1.Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": models.autoscaling.v2.HorizontalPodAutoscaler,
};
const where = (d) => `${d.file}#${d.index} ${d.doc.kind}/${d.doc.metadata?.name}`;
for (const d of docs) {
  const cls = CLASSES[`${d.doc.apiVersion}/${d.doc.kind}`];
  if (!cls) { problems.push(`${where(d)}: no schema for ${d.doc.apiVersion} ${d.doc.kind}`); continue; }
  try { new cls(d.doc).validate(); }
  catch (e) { problems.push(`${where(d)}: schema: ${e.message}`); }
}

const ns = (d) => d.doc.metadata?.namespace ?? "default";
const find = (kind, name, n) => docs.find((x) => x.doc.kind === kind && x.doc.metadata?.name === name && ns(x) === n);
const matches = (sel, labels) => Object.entries(sel ?? {}).every(([k, v]) => labels?.[k] === v);
const flagLines = [];
const shardMaps = [];
const ROLE_BINARY = { coordinator: "coordinator", validator: "validator", supervisor: "supervisor", booth: "booth-agent" };

for (const d of docs) {
  const o = d.doc;
  if (o.metadata?.namespace === undefined && o.kind !== "Namespace") problems.push(`${where(d)}: no namespace`);
  if (o.kind === "Namespace") continue;
  if (o.metadata?.namespace && !find("Namespace", o.metadata.namespace, "default"))
    problems.push(`${where(d)}: namespace ${o.metadata.namespace} is not defined here`);
  if (o.kind === "ConfigMap") {
    for (const [key, text] of Object.entries(o.data ?? {})) {
      if (key === "shards.map") { shardMaps.push(text); continue; }  // checked by `gradcap shards check`
      const role = key.replace(/\.flags$/, "");
      if (!key.endsWith(".flags") || !ROLE_BINARY[role]) { problems.push(`${where(d)}: ${key} is not ROLE.flags`); continue; }
      for (const line of text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")))
        flagLines.push(`${ROLE_BINARY[role]}\t${line}`);
    }
  }
  if (o.kind === "Service" && o.spec?.selector) {
    const pods = docs.filter((x) => ["Deployment", "StatefulSet"].includes(x.doc.kind) && ns(x) === ns(d));
    const sel = o.spec.selector;
    const podName = sel["statefulset.kubernetes.io/pod-name"];
    const ok = podName
      ? pods.some((x) => x.doc.kind === "StatefulSet" && podName.startsWith(`${x.doc.metadata.name}-`) &&
          Number(podName.slice(x.doc.metadata.name.length + 1)) < (x.doc.spec.replicas ?? 1))
      : pods.some((x) => matches(sel, x.doc.spec.template?.metadata?.labels));
    if (!ok) problems.push(`${where(d)}: selects no pod here`);
    for (const p of o.spec.ports ?? []) {
      if (typeof p.targetPort !== "string") continue;
      const named = pods.filter((x) => matches(sel, x.doc.spec.template?.metadata?.labels))
        .some((x) => x.doc.spec.template.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)));
      if (!named) problems.push(`${where(d)}: targetPort ${p.targetPort} names no container port`);
    }
  }
  if (o.kind === "HorizontalPodAutoscaler") {
    const t = o.spec.scaleTargetRef;
    if (!find(t.kind, t.name, ns(d))) problems.push(`${where(d)}: scales ${t.kind}/${t.name}, not defined here`);
    const tgt = find(t.kind, t.name, ns(d));
    if (tgt && !tgt.doc.spec.template.spec.containers.every((c) => c.resources?.requests?.cpu))
      problems.push(`${where(d)}: CPU utilisation needs cpu requests on every container of ${t.name}`);
  }
  if (o.kind === "Deployment" || o.kind === "StatefulSet") {
    const spec = o.spec, pod = spec.template.spec;
    if (!matches(spec.selector?.matchLabels, spec.template.metadata?.labels))
      problems.push(`${where(d)}: selector does not match the pod template's labels`);
    if (o.kind === "StatefulSet") {
      const svc = find("Service", spec.serviceName, ns(d));
      if (!svc) problems.push(`${where(d)}: serviceName ${spec.serviceName} is not defined here`);
      else if (svc.doc.spec.clusterIP !== "None") problems.push(`${where(d)}: Service ${spec.serviceName} is not headless`);
      if (!(spec.volumeClaimTemplates ?? []).length) problems.push(`${where(d)}: no volumeClaimTemplates`);
    }
    const volumes = new Set([...(pod.volumes ?? []).map((v) => v.name), ...(spec.volumeClaimTemplates ?? []).map((v) => v.metadata.name)]);
    for (const v of pod.volumes ?? []) {
      if (v.configMap && !find("ConfigMap", v.configMap.name, ns(d)))
        problems.push(`${where(d)}: volume ${v.name}: ConfigMap ${v.configMap.name} is not defined here`);
      if (v.secret && find("Secret", v.secret.secretName, ns(d)) === undefined && !/^gradcap-[a-z]+-(keys|users)$/.test(v.secret.secretName))
        problems.push(`${where(d)}: volume ${v.name}: Secret ${v.secret.secretName} is neither defined nor a documented gradcap-ROLE-keys/users`);
    }
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const m of c.volumeMounts ?? [])
        if (!volumes.has(m.name)) problems.push(`${where(d)}: container ${c.name} mounts unknown volume ${m.name}`);
      if (!c.resources?.requests || !c.resources?.limits) problems.push(`${where(d)}: container ${c.name} lacks resource requests/limits`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where(d)}: container ${c.name} allows privilege escalation`);
      const ports = new Set((c.ports ?? []).map((p) => p.name));
      for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
        const port = c[probe]?.httpGet?.port ?? c[probe]?.tcpSocket?.port;
        if (typeof port === "string" && !ports.has(port)) problems.push(`${where(d)}: ${c.name} ${probe} names port ${port}, not a container port`);
      }
      const bin = path.basename((c.command ?? [])[0] ?? "");
      if (Object.values(ROLE_BINARY).includes(bin)) {
        for (const a of [...(c.command ?? []).slice(1), ...(c.args ?? [])]) {
          const ff = /^--flagfile=\/etc\/gradcap\/flags\/(.+)$/.exec(a);
          if (ff) {
            const cm = (pod.volumes ?? []).filter((v) => v.configMap).map((v) => find("ConfigMap", v.configMap.name, ns(d))).filter(Boolean);
            if (!cm.some((m) => m.doc.data?.[ff[1]] !== undefined)) problems.push(`${where(d)}: ${c.name} reads ${ff[1]}, in no mounted ConfigMap`);
          } else if (a.startsWith("--")) {
            // $(VAR) is the pod's environment (Kubernetes expands it): it must be defined there.
            for (const m of a.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g))
              if (!(c.env ?? []).some((e) => e.name === m[1])) problems.push(`${where(d)}: ${c.name} passes ${a}, but ${m[1]} is not in its env`);
            flagLines.push(`${bin}\t${a.replace(/\$\([A-Za-z_][A-Za-z0-9_]*\)/g, "0")}`);
          }
        }
      }
    }
  }
}

if (flagsOut) {
  fs.writeFileSync(flagsOut, flagLines.join("\n") + "\n");
  shardMaps.forEach((text, i) => fs.writeFileSync(`${flagsOut}.shards-${i}.map`, text));
}
for (const p of problems) console.log(`k8s: ${p}`);
console.log(`k8s: ${docs.length} objects in ${dir}, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
