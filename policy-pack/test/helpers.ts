import type { PlatformPolicy } from "../policies";
import { evaluatePolicies, PolicyPackConfig, SynthResource, Violation } from "../offline";

/** Builds a resource the way the synth (and CrossGuard) presents it. */
export function resource(type: string, inputs: Record<string, unknown>, opts: Partial<SynthResource> = {}): SynthResource {
    const name = String((inputs.metadata as { name?: string } | undefined)?.name ?? inputs.name ?? "r");
    return {
        urn: `urn:pulumi:test::platform::${type}::${name}`,
        type,
        name,
        parent: null,
        dependsOn: [],
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        inputs,
        ...opts,
    };
}

/** Runs one policy (mandatory unless the config says otherwise) and returns its violations. */
export function check(policy: PlatformPolicy, resources: SynthResource[], config: PolicyPackConfig = {}): Violation[] {
    return evaluatePolicies([policy], resources, config);
}

const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

/** A Deployment that passes every workload policy; tests break one thing at a time. */
export function goodDeployment(
    overrides: {
        container?: Record<string, unknown>;
        pod?: Record<string, unknown>;
        spec?: Record<string, unknown>;
        labels?: Record<string, string>;
    } = {},
): Record<string, unknown> {
    const labels = overrides.labels ?? {
        "app.kubernetes.io/name": "api",
        "app.kubernetes.io/part-of": "shop",
        "platform.io/team": "payments",
    };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "api", namespace: "core", labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            template: {
                metadata: { labels },
                spec: {
                    securityContext: { runAsNonRoot: true, runAsUser: 10001 },
                    containers: [
                        {
                            name: "api",
                            image: "ghcr.io/acme/api:1.2.3@sha256:" + "a".repeat(64),
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
                            securityContext: restricted,
                            livenessProbe: { httpGet: { path: "/healthz", port: "http" } },
                            readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
                            ...overrides.container,
                        },
                    ],
                    ...overrides.pod,
                },
            },
            ...overrides.spec,
        },
    };
}
