import type { SynthResource } from "../../policy-pack/offline";

/**
 * What a stack says the cluster should be running, read from its offline synth: the pure input
 * of every live check. Nothing here talks to a cluster.
 */
export interface Expectations {
    stack: string;
    /** The kube context the stack's provider deploys to; absent when the stack uses a kubeconfig secret. */
    context?: string;
    namespaces: string[];
    releases: ReleaseExpectation[];
    workloads: { kind: "Deployment" | "Rollout"; namespace: string; name: string }[];
    certificates: { namespace: string; name: string; hosts: string[] }[];
    postgres: { namespace: string; name: string; instances: number }[];
    backups: { namespace: string; name: string; cluster: string; schedule: string }[];
    kafka: { kind: "Kafka" | "KafkaTopic" | "KafkaUser"; namespace: string; name: string }[];
    kyvernoPolicies: { kind: string; plural: string; name: string; validationActions: string[] }[];
    gatekeeperConstraints: { kind: string; plural: string; name: string; enforcementAction: string }[];
    /** Hosts the stack publishes through the edge's DNS (web records), each to be served over valid TLS. */
    publicHosts: string[];
}

export interface ReleaseExpectation {
    name: string;
    namespace: string;
    /** Chart name as the chart's own metadata spells it (last segment of an OCI reference). */
    chart: string;
    version: string;
}

interface Meta {
    name?: string;
    namespace?: string;
    annotations?: Record<string, string>;
}

const K8S = "kubernetes:";
const meta = (r: SynthResource) => (r.inputs.metadata ?? {}) as Meta;
const spec = (r: SynthResource) => (r.inputs.spec ?? {}) as Record<string, unknown>;
const ofType = (resources: SynthResource[], type: string) => resources.filter((r) => r.custom !== false && r.type === `${K8S}${type}`);
const named = (r: SynthResource) => ({ namespace: meta(r).namespace ?? "default", name: meta(r).name ?? r.name });

/** Kubernetes' plural for a kind, as CRDs and the built-in kinds here spell it (lowercase + s). */
export function pluralOf(kind: string): string {
    const lower = kind.toLowerCase();
    return lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

export function expectationsFromSynth(stack: string, resources: SynthResource[]): Expectations {
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes");
    const context = typeof provider?.inputs.context === "string" ? provider.inputs.context : undefined;
    return {
        stack,
        context,
        namespaces: ofType(resources, "core/v1:Namespace").map((r) => named(r).name),
        releases: releases(resources),
        workloads: [
            ...ofType(resources, "apps/v1:Deployment").map((r) => ({ kind: "Deployment" as const, ...named(r) })),
            ...ofType(resources, "argoproj.io/v1alpha1:Rollout").map((r) => ({ kind: "Rollout" as const, ...named(r) })),
        ],
        certificates: ingressCertificates(resources),
        postgres: ofType(resources, "postgresql.cnpg.io/v1:Cluster").map((r) => ({
            ...named(r),
            instances: Number(spec(r).instances ?? 1),
        })),
        backups: ofType(resources, "postgresql.cnpg.io/v1:ScheduledBackup").map((r) => ({
            ...named(r),
            cluster: String((spec(r).cluster as { name?: string } | undefined)?.name ?? ""),
            schedule: String(spec(r).schedule ?? ""),
        })),
        kafka: (["Kafka", "KafkaTopic", "KafkaUser"] as const).flatMap((kind) =>
            ofType(resources, `kafka.strimzi.io/v1:${kind}`).map((r) => ({ kind, ...named(r) })),
        ),
        kyvernoPolicies: resources
            .filter((r) => r.type.startsWith(`${K8S}policies.kyverno.io/`) && Array.isArray(spec(r).validationActions))
            .map((r) => ({
                kind: String(r.inputs.kind),
                plural: pluralOf(String(r.inputs.kind)),
                name: named(r).name,
                validationActions: (spec(r).validationActions as string[]).slice(),
            })),
        gatekeeperConstraints: resources
            .filter((r) => r.type.startsWith(`${K8S}constraints.gatekeeper.sh/`))
            .map((r) => ({
                kind: String(r.inputs.kind),
                // Gatekeeper names a constraint CRD's plural after the lowercased kind, nothing appended.
                plural: String(r.inputs.kind).toLowerCase(),
                name: named(r).name,
                // Gatekeeper's default when a constraint does not say.
                enforcementAction: String(spec(r).enforcementAction ?? "deny"),
            })),
        publicHosts: publicHosts(resources),
    };
}

function releases(resources: SynthResource[]): ReleaseExpectation[] {
    return ofType(resources, "helm.sh/v3:Release").map((r) => {
        const chart = String(r.inputs.chart ?? "");
        return {
            name: String(r.inputs.name ?? r.name),
            namespace: String(r.inputs.namespace ?? "default"),
            chart: chart.split("/").pop() ?? chart,
            version: String(r.inputs.version ?? ""),
        };
    });
}

/** cert-manager's ingress-shim makes one Certificate per TLS entry of an annotated Ingress, named after its secret. */
function ingressCertificates(resources: SynthResource[]): Expectations["certificates"] {
    return ofType(resources, "networking.k8s.io/v1:Ingress").flatMap((r) => {
        const annotations = meta(r).annotations ?? {};
        if (!annotations["cert-manager.io/cluster-issuer"] && !annotations["cert-manager.io/issuer"]) return [];
        const tls = (spec(r).tls ?? []) as { hosts?: string[]; secretName?: string }[];
        return tls.filter((t) => t.secretName).map((t) => ({ namespace: named(r).namespace, name: t.secretName!, hosts: t.hosts ?? [] }));
    });
}

function publicHosts(resources: SynthResource[]): string[] {
    const records = resources.filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord");
    const web = records.filter((r) => ["A", "AAAA", "CNAME"].includes(String(r.inputs.type)) && typeof r.inputs.name === "string");
    return [...new Set(web.map((r) => String(r.inputs.name)))].sort();
}
