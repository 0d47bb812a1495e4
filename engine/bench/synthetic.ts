import { cliConfigForStack } from "../synth/stack-files";

/** A stack's own `platform:apps` as written in its stack file (raw config, before validation). */
export function committedApps(stack: string): Record<string, unknown>[] {
    const raw = cliConfigForStack(stack).values["platform:apps"];
    return raw ? (JSON.parse(raw) as Record<string, unknown>[]) : [];
}

/**
 * `count` microservices shaped like the seed apps (HPA, PDB, an ingress on every fifth, each
 * called by the one before), in raw config form, to add to a stack's own apps.
 */
export function syntheticApps(count: number): Record<string, unknown>[] {
    return Array.from({ length: count }, (_, i) => {
        const name = `svc-${String(i).padStart(3, "0")}`;
        const digest = `sha256:${(i + 1).toString(16).padStart(64, "0")}`;
        return {
            name,
            namespace: "core",
            team: `team-${i % 7}`,
            partOf: `system-${i % 11}`,
            image: { repository: `ghcr.io/acme-platform/${name}`, tag: "1.0.0", digest },
            sbom: `https://sbom.acme.example/${name}/1.0.0.spdx.json`,
            port: 8080,
            replicas: 3,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            autoscaling: { kind: "hpa", minReplicas: 2, maxReplicas: 6, cpuUtilization: 70 },
            callers: i > 0 ? [`svc-${String(i - 1).padStart(3, "0")}`] : [],
            ...(i % 5 === 0 ? { ingress: { host: `${name}.platform.example.com` } } : {}),
        };
    });
}
