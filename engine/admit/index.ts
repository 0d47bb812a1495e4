import type { PlatformConfig } from "../../components/config";
import type { SynthResource } from "../../policy-pack/offline";
import { isKubernetesObject } from "../synth/write";
import { admitAll, admitExec, ClusterPolicies } from "./admission";
import { deriveFlows, FlowResult, judgeFlows, networkWorld } from "./flows";
import { GatekeeperEvaluator } from "./gatekeeper";
import { stackIntent } from "./intent";
import { KyvernoEvaluator, SignatureModel } from "./kyverno";
import { meshInjection } from "./models/istio";
import type { LimitRangeItem } from "./models/kubernetes";
import { chartPods } from "./models/platform-pods";
import { expand, Release } from "./pods";
import { matchesSelector } from "./selectors";
import { podUsage, QuotaFinding, quotaFit, QuotaUsage } from "./quota";
import { DuplicateScrape, duplicateScrapes, scrapeTargets, ScrapeTarget, unreadMonitors } from "./scrapes";
import type { Json, KubeObject, Refusal, Sourced } from "./types";

/**
 * The admission and network twin: everything the platform causes to run, admitted the way the
 * cluster would admit it, and every flow it needs or must never allow, judged against the
 * NetworkPolicies it installs. Pure: the inputs are a stack's synth (and optionally its rendered
 * charts) and its validated config.
 */

/** A chart object from `npm run render` (engine/render): the release it belongs to and the object. */
export interface ChartObject {
    release: string;
    object: Record<string, unknown>;
}

export interface AdmitInput {
    stack: string;
    resources: SynthResource[];
    config: PlatformConfig;
    rendered?: ChartObject[];
    /** Whether an image carries a valid signature (the twin cannot ask a registry). @default every image is signed */
    signatures?: SignatureModel;
}

export interface AdmitReport {
    stack: string;
    pods: { total: number; fromProgram: number; fromCharts: number; fromModels: number };
    refusals: Refusal[];
    audits: Refusal[];
    exec: { checked: number; refusals: Refusal[] };
    quota: { findings: QuotaFinding[]; usage: QuotaUsage[] };
    /** Requests and limits of every pod per namespace as the stack starts (what a cluster must offer). */
    initialUsage: QuotaUsage[];
    flows: FlowResult[];
    /** What Prometheus scrapes (every ServiceMonitor and PodMonitor over the twin's pods), and what it would scrape twice. */
    scrapes: { targets: ScrapeTarget[]; duplicates: DuplicateScrape[]; unread: string[] };
    /** Models read for other chart versions than the stack installs. */
    stale: string[];
    ok: boolean;
}

const systemNamespaces = ["kube-system", "kube-public", "kube-node-lease", "default"];

export function programObjects(resources: SynthResource[]): Sourced[] {
    return resources
        .filter(isKubernetesObject)
        .map((r) => ({ object: r.inputs as unknown as KubeObject, origin: { kind: "program", urn: r.urn } }));
}

export function releasesOf(resources: SynthResource[]): Release[] {
    return resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => ({
            name: String(r.inputs.name),
            namespace: String(r.inputs.namespace),
            chart: String(r.inputs.chart),
            version: String(r.inputs.version),
            values: (r.inputs.values ?? {}) as Json,
        }));
}

const clusterScoped = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "PriorityClass",
    "StorageClass",
    "IngressClass",
    "ClusterIssuer",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
]);

function chartObjects(rendered: ChartObject[], releases: Release[]): Sourced[] {
    return rendered.map(({ release, object }) => {
        const o = structuredClone(object) as unknown as KubeObject;
        o.metadata ??= { name: "" };
        const ns = releases.find((r) => r.name === release)?.namespace;
        if (!o.metadata.namespace && !clusterScoped.has(o.kind) && ns) o.metadata.namespace = ns;
        return { object: o, origin: { kind: "rendered chart", release } };
    });
}

export function admitStack(input: AdmitInput): AdmitReport {
    const releases = releasesOf(input.resources);
    const program = programObjects(input.resources);
    const charts = input.rendered ? chartObjects(input.rendered, releases) : [];
    const objects = [...program, ...charts];
    const intent = stackIntent(input.stack, input.config);

    const namespaces = new Map<string, Record<string, string>>();
    for (const name of systemNamespaces) namespaces.set(name, { "kubernetes.io/metadata.name": name });
    for (const { object } of objects.filter((s) => s.object.kind === "Namespace")) {
        namespaces.set(object.metadata.name, { ...(object.metadata.labels ?? {}), "kubernetes.io/metadata.name": object.metadata.name });
    }
    const limitRanges = new Map<string, LimitRangeItem[]>();
    for (const { object } of objects.filter((s) => s.object.kind === "LimitRange")) {
        const ns = object.metadata.namespace!;
        limitRanges.set(ns, [...(limitRanges.get(ns) ?? []), ...(((object.spec as Json).limits as LimitRangeItem[]) ?? [])]);
    }
    const kyvernoPolicies = program
        .map((s) => s.object)
        .filter(
            (o) => o.apiVersion.startsWith("policies.kyverno.io/") && (o.kind === "ValidatingPolicy" || o.kind === "ImageValidatingPolicy"),
        )
        .map((o) => ({ name: o.metadata.name, kind: o.kind, spec: o.spec as Json }));
    const templates = program.map((s) => s.object).filter((o) => o.kind === "ConstraintTemplate") as unknown as Json[];
    const constraints = program
        .map((s) => s.object)
        .filter((o) => o.apiVersion.startsWith("constraints.gatekeeper.sh/")) as unknown as Json[];
    const istiod = releases.find((r) => r.chart.split("/").pop() === "istiod");
    const gatekeeperRelease = releases.find((r) => r.chart.split("/").pop() === "gatekeeper");
    const policies: ClusterPolicies = {
        namespaceLabels: (ns) => namespaces.get(ns) ?? { "kubernetes.io/metadata.name": ns },
        limitRanges: (ns) => limitRanges.get(ns) ?? [],
        kyverno: new KyvernoEvaluator(kyvernoPolicies),
        gatekeeper: new GatekeeperEvaluator(templates, constraints, gatekeeperRelease?.namespace),
        mesh: istiod ? meshInjection(istiod.values, istiod.version, intent.kubernetesMinor) : undefined,
        signatures: input.signatures ?? (() => true),
    };

    const expansion = expand(objects, releases);
    const admission = admitAll(expansion.candidates, policies);
    const exec = admitExec(expansion.exec, policies);
    const quotas = objects.filter((s) => s.object.kind === "ResourceQuota").map((s) => s.object);
    const quota = quotaFit(admission.admitted, quotas);

    const releaseNamespaces = new Map(releases.map((r) => [r.chart.split("/").pop()!, r.namespace]));
    const world = networkWorld(
        admission.admitted,
        [...objects, ...expansion.modelObjects],
        namespaces,
        releaseNamespaces,
        input.rendered !== undefined,
    );
    const flows = judgeFlows(world, deriveFlows(world, [...objects, ...expansion.modelObjects], intent, releaseNamespaces));

    const targets = scrapeTargets([...objects, ...expansion.modelObjects], world.pods);
    const scrapes = { targets, duplicates: duplicateScrapes(targets), unread: unreadMonitors([...objects, ...expansion.modelObjects]) };

    const pods = expansion.candidates.filter((c) => c.object.kind === "Pod");
    const unevaluable = policies.gatekeeper
        .unevaluable()
        .map((k) => `Gatekeeper constraint kind ${k} has no K8sNativeValidation (CEL) code: the twin cannot evaluate it`);
    // With the charts rendered, the stand-ins must still describe their pods (a chart bump may relabel them).
    const staleStandIns = input.rendered
        ? chartPods
              .filter((p) => releaseNamespaces.has(p.chart) && p.chart !== "kube-prometheus-stack")
              .filter(
                  (p) =>
                      !world.pods.some(
                          (w) => w.namespace === releaseNamespaces.get(p.chart) && matchesSelector({ matchLabels: p.labels }, w.labels),
                      ),
              )
              .map(
                  (p) => `no rendered ${p.chart} pod carries the stand-in labels of ${p.name}: update engine/admit/models/platform-pods.ts`,
              )
        : [];
    const stale = [...expansion.stale, ...unevaluable, ...staleStandIns];
    return {
        stack: input.stack,
        pods: {
            total: pods.length,
            fromProgram: pods.filter((c) => c.origin.kind === "program").length,
            fromCharts: pods.filter((c) => c.origin.kind === "rendered chart").length,
            fromModels: pods.filter((c) => c.origin.kind === "model").length,
        },
        refusals: admission.refusals,
        audits: admission.audits,
        exec: { checked: expansion.exec.length, refusals: exec.refusals },
        quota,
        initialUsage: [...podUsage(admission.admitted, "initial")].map(([namespace, used]) => ({ namespace, used })),
        flows,
        scrapes,
        stale,
        ok:
            admission.refusals.length === 0 &&
            exec.refusals.length === 0 &&
            quota.findings.length === 0 &&
            flows.every((f) => f.ok) &&
            scrapes.duplicates.length === 0 &&
            scrapes.unread.length === 0 &&
            stale.length === 0,
    };
}
