import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";

/**
 * Kyverno admission policies as CEL `ValidatingPolicy` and `ImageValidatingPolicy` objects
 * (`policies.kyverno.io/v1`; the `kyverno.io/v1` ClusterPolicy is deprecated since Kyverno 1.17).
 * Each checks pods, so every workload kind is covered whatever created it.
 */
export const kyvernoApiVersion = "policies.kyverno.io/v1";

/** The pod's regular and init containers (the ones that carry resources). */
const runtimeContainers = "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])";
/** Every container of a pod: regular, init and ephemeral. */
const containers = "variables.runtimeContainers + (has(object.spec.ephemeralContainers) ? object.spec.ephemeralContainers : [])";

interface Validation {
    expression: string;
    message: string;
}

/**
 * The SBOM rule applies to pods running images the platform builds itself (its signed
 * registries): those carry a reference to their SBOM. Operator images (CloudNativePG, Strimzi,
 * Istio's proxy, cert-manager's solver) come from the pinned upstream releases and are gated by
 * the allowed-registries constraint and the signature policy instead. The scope is the image,
 * which a pod cannot fake, never a label it could set (a label-based exemption let any pod that
 * set `cnpg.io/cluster` skip the rule).
 */
export const ownImagesExpression = (registries: string[]) =>
    `variables.containers.exists(c, ${registries.map((r) => `c.image.startsWith('${r}')`).join(" || ") || "false"})`;

/** The pod rules the platform enforces, by policy name. Exported for tests. */
export const podRules: Readonly<Record<string, { description: string; validations: Validation[]; ownImagesOnly?: boolean }>> = {
    "disallow-latest-tag": {
        description: "Images are pinned to a version tag or digest; `latest` and untagged images are refused.",
        validations: [
            {
                expression:
                    "variables.containers.all(c, c.image.contains('@') || " +
                    "(c.image.split('/')[size(c.image.split('/')) - 1].contains(':') && !c.image.endsWith(':latest')))",
                message: "every image must be pinned to a version tag or a digest; 'latest' and untagged images are not allowed",
            },
        ],
    },
    "require-resource-limits": {
        description: "Every container declares CPU and memory limits.",
        validations: [
            {
                expression:
                    "variables.runtimeContainers.all(c, " +
                    "has(c.resources) && has(c.resources.limits) && 'cpu' in c.resources.limits && 'memory' in c.resources.limits)",
                message: "every container must set CPU and memory limits",
            },
        ],
    },
    "require-read-only-root-filesystem": {
        description: "Containers mount their root filesystem read-only.",
        validations: [
            {
                expression:
                    "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.readOnlyRootFilesystem) && c.securityContext.readOnlyRootFilesystem == true)",
                message: "every container must set securityContext.readOnlyRootFilesystem: true",
            },
        ],
    },
    "require-run-as-non-root": {
        description: "Containers run as a non-root user.",
        validations: [
            {
                expression:
                    "variables.containers.all(c, (has(c.securityContext) && has(c.securityContext.runAsNonRoot)) ? c.securityContext.runAsNonRoot == true : " +
                    "(has(object.spec.securityContext) && has(object.spec.securityContext.runAsNonRoot) && object.spec.securityContext.runAsNonRoot == true))",
                message: "every container must run with runAsNonRoot: true (pod or container security context)",
            },
        ],
    },
    "require-drop-all-capabilities": {
        description: "Containers drop all Linux capabilities and cannot escalate privileges.",
        validations: [
            {
                expression:
                    "variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && " +
                    "has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop && " +
                    "has(c.securityContext.allowPrivilegeEscalation) && c.securityContext.allowPrivilegeEscalation == false)",
                message: "every container must drop ALL capabilities and set allowPrivilegeEscalation: false",
            },
            {
                // Dropping ALL means nothing unless nothing is added back (NET_BIND_SERVICE alone is harmless).
                expression:
                    "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.capabilities) || " +
                    "!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE'))",
                message: "containers may add back no capability but NET_BIND_SERVICE",
            },
        ],
    },
    "disallow-privileged-and-host-access": {
        description: "No privileged containers, host namespaces or hostPath volumes.",
        validations: [
            {
                expression:
                    "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)",
                message: "privileged containers are not allowed",
            },
            {
                expression:
                    "!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && !(has(object.spec.hostPID) && object.spec.hostPID) && " +
                    "!(has(object.spec.hostIPC) && object.spec.hostIPC)",
                message: "host network, PID and IPC namespaces are not allowed",
            },
            {
                expression: "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))",
                message: "hostPath volumes are not allowed",
            },
        ],
    },
    "require-sbom-annotation": {
        description: "Pods running the platform's own images reference their SBOM in the platform.io/sbom annotation.",
        ownImagesOnly: true,
        validations: [
            {
                expression:
                    "has(object.metadata.annotations) && 'platform.io/sbom' in object.metadata.annotations && object.metadata.annotations['platform.io/sbom'] != ''",
                message: "pods must carry the platform.io/sbom annotation referencing the image's SBOM",
            },
        ],
    },
};

export interface KyvernoPoliciesArgs {
    /** Audit reports violations; Enforce denies them at admission. */
    mode: "Audit" | "Enforce";
    /** Namespaces no policy applies to: exactly the stack's list. */
    excludedNamespaces: string[];
    /** Cosign public key images must be signed with; no signature policy without it. */
    cosignPublicKey?: string;
    /** Registries whose images must be signed (the stack's allowed registries). */
    signedRegistries: string[];
    /**
     * Whether images of the signed registries must carry a digest (Kyverno's `verifyDigest`); set
     * where config validation requires app images by digest. @default false
     */
    requireDigest?: boolean;
    /** Deny `kubectl exec`, `attach`, `port-forward` and ephemeral debug containers. */
    denyExec: boolean;
    /** Service account users of operators that must exec into their pods (CloudNativePG's backups). */
    execOperators: string[];
    /** The Kyverno release (CRDs) and every other release, which policies must not block mid-install. */
    dependsOn: pulumi.Resource[];
}

/** `validationActions` for the stack's mode. */
export const validationActions = (mode: KyvernoPoliciesArgs["mode"]) => (mode === "Enforce" ? ["Deny"] : ["Audit"]);

/** Match every namespace but the excluded ones, by their immutable name label. Exported for tests. */
export function namespaceSelector(excluded: string[]): Record<string, unknown> {
    return { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: excluded }] };
}

const podsOn = (operations: string[]) => ({ apiGroups: [""], apiVersions: ["v1"], operations, resources: ["pods"] });

/** Kyverno's platform policies for pods, image signatures and shell access. */
export class KyvernoPolicies extends pulumi.ComponentResource {
    readonly names: string[] = [];

    constructor(name: string, args: KyvernoPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:KyvernoPolicies", name, {}, opts);
        const child = { parent: this, dependsOn: args.dependsOn };
        const actions = validationActions(args.mode);
        const policy = (policyName: string, kind: string, spec: Record<string, unknown>, description: string) => {
            this.names.push(policyName);
            return new k8s.apiextensions.CustomResource(
                `${name}-${policyName}`,
                {
                    apiVersion: kyvernoApiVersion,
                    kind,
                    metadata: { name: policyName, labels: managedBy, annotations: { "policies.kyverno.io/description": description } },
                    spec: { validationActions: actions, ...spec },
                },
                child,
            );
        };

        for (const [policyName, rule] of Object.entries(podRules)) {
            policy(
                policyName,
                "ValidatingPolicy",
                {
                    evaluation: { background: { enabled: true } },
                    matchConstraints: {
                        resourceRules: [podsOn(["CREATE", "UPDATE"])],
                        namespaceSelector: namespaceSelector(args.excludedNamespaces),
                    },
                    variables: [
                        { name: "runtimeContainers", expression: runtimeContainers },
                        { name: "containers", expression: containers },
                    ],
                    validations: rule.ownImagesOnly
                        ? rule.validations.map((v) => ({
                              ...v,
                              expression: `!(${ownImagesExpression(args.signedRegistries)}) || (${v.expression})`,
                          }))
                        : rule.validations,
                },
                rule.description,
            );
        }

        if (args.cosignPublicKey) {
            policy(
                "verify-image-signatures",
                "ImageValidatingPolicy",
                {
                    matchConstraints: {
                        resourceRules: [podsOn(["CREATE", "UPDATE"])],
                        namespaceSelector: namespaceSelector(args.excludedNamespaces),
                    },
                    matchImageReferences: args.signedRegistries.map((registry) => ({ glob: `${registry}*` })),
                    attestors: [{ name: "platform", cosign: { key: { data: args.cosignPublicKey } } }],
                    // Kyverno must not pin tags to digests itself (mutateDigest defaults to true): it would
                    // rewrite the pod templates of the Deployments and CronJobs the program manages, which
                    // `pulumi refresh` then reports as drift. Digests are required where config requires them.
                    validationConfigurations: { mutateDigest: false, verifyDigest: args.requireDigest ?? false, required: true },
                    validations: [
                        {
                            // Every category Kyverno extracts: init and ephemeral containers run code too.
                            expression:
                                "(images.containers + images.initContainers + images.ephemeralContainers)" +
                                ".map(image, verifyImageSignatures(image, [attestors.platform])).all(e, e > 0)",
                            message:
                                "every image (containers, init and ephemeral containers) must carry a Cosign signature made with the platform's key",
                        },
                    ],
                },
                "Images from the platform's registries are signed with its Cosign key.",
            );
        }

        if (args.denyExec) {
            policy(
                "deny-exec-and-debug",
                "ValidatingPolicy",
                {
                    matchConstraints: {
                        resourceRules: [
                            {
                                apiGroups: [""],
                                apiVersions: ["v1"],
                                operations: ["CONNECT"],
                                resources: ["pods/exec", "pods/attach", "pods/portforward"],
                            },
                            { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
                        ],
                        namespaceSelector: namespaceSelector(args.excludedNamespaces),
                    },
                    // Operators that work through exec (CloudNativePG starts every backup with an exec into
                    // the instance) are exempt by identity, which a user cannot assume.
                    ...(args.execOperators.length > 0
                        ? {
                              matchConditions: [
                                  {
                                      name: "not-an-operator",
                                      expression: `!(request.userInfo.username in [${args.execOperators.map((u) => `'${u}'`).join(", ")}])`,
                                  },
                              ],
                          }
                        : {}),
                    validations: [
                        { expression: "false", message: "shell access to pods is disabled here: debug through logs, metrics and traces" },
                    ],
                },
                "No kubectl exec, attach, port-forward or ephemeral debug containers (operators that need exec are exempt by identity).",
            );
        }
        this.registerOutputs({ names: this.names });
    }
}
