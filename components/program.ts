import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./config";
import { Namespaces } from "./guardrails/namespaces";

/**
 * Builds the whole platform from a validated config. This is the program; `index.ts` only
 * loads the config and exports what this returns as stack outputs.
 */
export function buildPlatform(config: PlatformConfig): Record<string, pulumi.Input<unknown>> {
    const cluster = new k8s.Provider("cluster", {
        context: config.cluster.context,
        kubeconfig: config.secrets.kubeconfig,
    });
    const namespaces = new Namespaces(
        "namespaces",
        {
            environment: config.environment,
            namespaces: config.namespaces,
            meshEnabled: config.components.istio.enabled !== false,
            defaultDataplane: config.components.istio.dataplane,
        },
        { providers: [cluster] },
    );
    return {
        environment: config.environment,
        namespaces: Object.keys(namespaces.all),
    };
}
