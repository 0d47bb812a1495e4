import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";
import type { PlatformNamespace } from "./namespaces";

export interface MeshSecurityArgs {
    /** Istio's root namespace: a PeerAuthentication there applies mesh-wide. */
    rootNamespace: string;
    /** Mesh-wide mTLS mode. */
    mtlsMode: "STRICT" | "PERMISSIVE";
    /** Namespaces whose pods are in the mesh; each gets an allow-nothing default. */
    meshedNamespaces: PlatformNamespace[];
    /** Istio's CRDs and istiod, whose webhook validates every Istio resource. */
    dependsOn: pulumi.Resource[];
}

/**
 * Mesh-wide mutual TLS, and a deny-by-default authorization posture in every meshed namespace:
 * an AuthorizationPolicy with an empty spec allows nothing, so a workload accepts requests only
 * from the callers its own ALLOW policy names.
 */
export class MeshSecurity extends pulumi.ComponentResource {
    constructor(name: string, args: MeshSecurityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:MeshSecurity", name, {}, opts);
        const child = { parent: this, dependsOn: args.dependsOn };
        new k8s.apiextensions.CustomResource(
            `${name}-mesh-mtls`,
            {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
                metadata: { name: "default", namespace: args.rootNamespace, labels: managedBy },
                spec: { mtls: { mode: args.mtlsMode } },
            },
            child,
        );
        for (const ns of args.meshedNamespaces) {
            new k8s.apiextensions.CustomResource(
                `${name}-${ns.name}-allow-nothing`,
                {
                    apiVersion: "security.istio.io/v1",
                    kind: "AuthorizationPolicy",
                    metadata: { name: "allow-nothing", namespace: ns.resource.metadata.name, labels: managedBy },
                    spec: {},
                },
                child,
            );
        }
        this.registerOutputs({});
    }
}
