import type { ComplianceProfile } from "./policies/compliance";

/**
 * The floors: what staging and production must keep whatever their stack files say. The gate
 * holds a stack to the floor its policy config names (`platform-floor.floor`), so a weakening
 * edit of a stack file (a policy switched to Audit, a namespace excluded, the edge removed) is
 * refused even though the program would happily deploy it. Changing a floor is a change to the
 * policy pack, reviewed as such. Every item says why; the README lists them.
 */
export interface Floor {
    /** Admission control. */
    admission: {
        /** Kyverno ValidatingPolicies that must exist and deny (not only audit). */
        kyvernoPolicies: string[];
        /** Image signatures verified (ImageValidatingPolicy `verify-image-signatures`, denying). */
        verifyImageSignatures: boolean;
        /** kubectl exec/attach/port-forward/debug denied (`deny-exec-and-debug`). */
        denyExec: boolean;
        /** Gatekeeper constraints that must exist and deny. */
        gatekeeperConstraints: string[];
        /** Layers no admission controller may skip (their namespaces never in an exclusion list). */
        neverExcludedLayers: string[];
        /** Where the images admitted in the platform's namespaces may come from: the apps' registries and the operators' images. */
        imageSources: string[];
    };
    mesh: {
        /** Mesh-wide PeerAuthentication STRICT; no PeerAuthentication downgrading a workload (metrics ports excepted). */
        strictMtls: boolean;
        /** Layers whose namespaces must have sidecar injection on. */
        meshedLayers: string[];
    };
    /** Pod Security: `restricted` in every layered namespace except these, each with its reason. */
    podSecurityExceptions: Record<string, { level: "baseline" | "privileged"; reason: string }>;
    edge: {
        /** The stack runs behind Cloudflare at all. */
        required: boolean;
        /** Managed rulesets executed on every request (Cloudflare Managed, OWASP Core). */
        managedRulesets: boolean;
        /** Lowest OWASP paranoia level (paranoia levels above it may be disabled, not this one). */
        minOwaspParanoiaLevel: number;
        /** Paths that must be rate limited (per API host), with a blocking rule. */
        rateLimitedPaths: string[];
        /** HTTP DDoS sensitivities below the floor. */
        forbiddenDdosSensitivities: string[];
        /** Zone security levels below the floor. */
        forbiddenSecurityLevels: string[];
    };
    data: {
        /** PostgreSQL instances per cluster (a primary and its replicas). */
        minPostgresInstances: number;
        /** Compliance regimes production data is under, whatever the stack file declares: they set the retention floor. */
        complianceProfiles: ComplianceProfile[];
        /** Days of backups kept, at least (raised further by the profiles). */
        minRetentionDays: number;
        /** Kafka replication factor (cluster default and every topic). */
        minKafkaReplication: number;
        /** Kafka `min.insync.replicas` (cluster default and every topic). */
        minKafkaInSync: number;
    };
    alerting: {
        /** Critical alerts page someone: a PagerDuty receiver reached by `severity=critical` (platform:alerting). */
        pagingReceiver: boolean;
    };
    /** Policies of the pack that stay mandatory whatever the stack's policy config says. */
    mandatoryPolicies: string[];
    /** Policy parameters the config may raise but not lower. */
    minimums: { minimumReplicas: number };
}

/** Pod rules every enforcing stack keeps (components/guardrails/kyverno-policies.ts). */
const podRules = [
    "disallow-latest-tag",
    "require-resource-limits",
    "require-read-only-root-filesystem",
    "require-run-as-non-root",
    "require-drop-all-capabilities",
    "disallow-privileged-and-host-access",
    "require-sbom-annotation",
];

const workloadPolicies = [
    "no-latest-or-missing-tag",
    "allowed-image-registries",
    "cpu-and-memory-limits",
    "run-as-non-root",
    "read-only-root-filesystem",
    "drop-all-capabilities",
    "no-privileged-or-host-access",
    "no-unconfined-profiles",
    "no-external-services-in-app-namespaces",
    "required-labels",
    "no-plaintext-secrets",
    "secrets-from-pulumi-secrets",
    "helm-values-no-host-access",
    "helm-exact-chart-version",
    "helm-allowed-repositories",
    "app-namespaces-default-deny",
    "app-namespaces-pod-security",
    "dns-records-proxied",
    "zone-waf-and-rate-limits",
    "zone-tls-settings",
    "origin-locked-to-cloudflare",
    "ingress-hosts-proxied",
    "ingress-https-only",
    "cloudflare-zone-single-owner",
    "database-backups-meet-retention",
    "kafka-durability",
    "external-secrets-use-environment-store",
];

/** The images the platform's operators run beside the apps (components: cloudnative-pg, strimzi, istio, cert-manager). */
const operatorImages = [
    "ghcr.io/cloudnative-pg/",
    "quay.io/strimzi/",
    "docker.io/istio/proxyv2:",
    "quay.io/jetstack/cert-manager-acmesolver:",
];

const monitoringException = {
    monitoring: {
        level: "privileged" as const,
        reason: "prometheus-node-exporter reads the host's /proc, /sys and root filesystem in the host network and PID namespaces",
    },
};

export const floors: Readonly<Record<"staging" | "production", Floor>> = {
    production: {
        admission: {
            kyvernoPolicies: podRules,
            verifyImageSignatures: true,
            denyExec: true,
            gatekeeperConstraints: ["images-from-allowed-registries", "workloads-have-required-labels"],
            neverExcludedLayers: ["core", "security", "data", "amplifier", "system"],
            // Production runs only the platform's own signed builds and the operators' images.
            imageSources: ["ghcr.io/acme-platform/", ...operatorImages],
        },
        mesh: { strictMtls: true, meshedLayers: ["core", "security"] },
        podSecurityExceptions: monitoringException,
        edge: {
            required: true,
            managedRulesets: true,
            minOwaspParanoiaLevel: 2,
            rateLimitedPaths: ["/api/", "/api/auth/login", "/api/auth/signup"],
            forbiddenDdosSensitivities: ["low", "eoff"],
            forbiddenSecurityLevels: ["off", "essentially_off"],
        },
        data: {
            minPostgresInstances: 3,
            complianceProfiles: ["GDPR", "SOX"],
            minRetentionDays: 35,
            minKafkaReplication: 3,
            minKafkaInSync: 2,
        },
        alerting: { pagingReceiver: true },
        mandatoryPolicies: [
            ...workloadPolicies,
            "images-pinned-by-digest",
            "probes-on-long-running-containers",
            "pdb-for-replicated-workloads",
            "pdbs-leave-pods-evictable",
            "no-unnamed-public-load-balancer",
            "minimum-replicas",
            "protect-stateful-data",
            "helm-atomic",
            "helm-no-downgrade",
        ],
        minimums: { minimumReplicas: 2 },
    },
    // Staging enforces what production enforces (anything production would refuse is refused
    // here first), at smaller scale and without production's shell lockdown and signatures.
    staging: {
        admission: {
            kyvernoPolicies: podRules,
            verifyImageSignatures: false,
            denyExec: false,
            gatekeeperConstraints: ["images-from-allowed-registries", "workloads-have-required-labels"],
            neverExcludedLayers: ["core", "security", "data", "amplifier", "system"],
            // Staging may also run official Docker Hub images for trying things out.
            imageSources: ["ghcr.io/acme-platform/", "docker.io/library/", ...operatorImages],
        },
        mesh: { strictMtls: true, meshedLayers: ["core", "security"] },
        podSecurityExceptions: monitoringException,
        edge: {
            required: true,
            managedRulesets: true,
            minOwaspParanoiaLevel: 1,
            rateLimitedPaths: ["/api/"],
            forbiddenDdosSensitivities: ["eoff"],
            forbiddenSecurityLevels: ["off", "essentially_off"],
        },
        data: { minPostgresInstances: 2, complianceProfiles: ["GDPR"], minRetentionDays: 14, minKafkaReplication: 2, minKafkaInSync: 1 },
        // Staging alerts go to chat; nobody is woken for it.
        alerting: { pagingReceiver: false },
        mandatoryPolicies: [...workloadPolicies, "pdbs-leave-pods-evictable", "no-unnamed-public-load-balancer"],
        minimums: { minimumReplicas: 1 },
    },
};

export type FloorName = keyof typeof floors;
export const isFloorName = (name: unknown): name is FloorName => typeof name === "string" && name in floors;
