import type { SynthResource } from "../../policy-pack/offline";
import { ChartSource, chartSourceOf } from "./charts";

/** Pulumi's type token for a Helm release (`kubernetes.helm.v3.Release`). */
export const helmReleaseType = "kubernetes:helm.sh/v3:Release";

/** A Helm release exactly as the program passes it to Pulumi, from the stack's synth. */
export interface ReleaseSpec {
    /** The Pulumi resource's URN (the parent of its rendered objects). */
    urn: string;
    /** Helm release name. */
    name: string;
    namespace: string;
    chart: ChartSource;
    /** The values the program passes (secrets as the "[secret]" placeholder). */
    values: Record<string, unknown>;
    /** `skipCrds`: render without `--include-crds`. */
    skipCrds: boolean;
}

/** Every Helm release of a stack's synth, ordered by release name; refuses two releases of one name. */
export function releasesOf(resources: SynthResource[]): ReleaseSpec[] {
    const specs = resources
        .filter((r) => r.type === helmReleaseType)
        .map((r): ReleaseSpec => {
            const inputs = r.inputs as {
                name?: string;
                namespace?: string;
                values?: Record<string, unknown>;
                skipCrds?: boolean;
                chart?: string;
                version?: string;
                repositoryOpts?: { repo?: string };
            };
            return {
                urn: r.urn,
                name: String(inputs.name ?? r.name),
                namespace: String(inputs.namespace ?? "default"),
                chart: chartSourceOf(inputs),
                values: inputs.values ?? {},
                skipCrds: inputs.skipCrds === true,
            };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    for (let i = 1; i < specs.length; i++) {
        if (specs[i].name === specs[i - 1].name) {
            throw new Error(
                `two Helm releases are named '${specs[i].name}' (${specs[i - 1].urn}, ${specs[i].urn}): rendered output is per release name`,
            );
        }
    }
    return specs;
}
