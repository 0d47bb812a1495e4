import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Floor, floors, isFloorName } from "../floors";
import { alerting } from "./alerting-floor";
import { requiredRetentionDays, retentionDays } from "./compliance";
import type { Props } from "./k8s";

/**
 * The floor: what a staging or production stack keeps whatever its stack file says (the floors
 * live in ../floors.ts, the stack's policy config names which one applies). Every finding
 * names the stack-file key that weakened it. The checks read effects, not presence: a policy
 * that only audits, a namespace a selector skips, a backup that is suspended, a ruleset that
 * never runs, all count as missing.
 */

type Report = (message: string, urn?: string) => void;

const of = (resources: PolicyResource[], type: string) => resources.filter((r) => r.type === type);
const name = (r: PolicyResource): string => r.props.metadata?.name ?? r.name;
const appOf = (r: PolicyResource): string | undefined => r.props.metadata?.labels?.["app.kubernetes.io/name"];

/** Namespaces the program manages for the platform's layers, with their labels. */
function layeredNamespaces(resources: PolicyResource[]): { name: string; layer: string; labels: Record<string, string>; urn: string }[] {
    return of(resources, "kubernetes:core/v1:Namespace")
        .filter((r) => r.props.metadata?.labels?.["platform.io/layer"])
        .map((r) => ({ name: name(r), layer: r.props.metadata.labels["platform.io/layer"], labels: r.props.metadata.labels, urn: r.urn }));
}

/** Names a NotIn namespace selector skips. */
const skippedBy = (selector: Props | undefined): string[] =>
    (selector?.matchExpressions ?? [])
        .filter((e: Props) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn")
        .flatMap((e: Props) => e.values ?? []);

function admission(resources: PolicyResource[], floor: Floor, report: Report): void {
    const protectedNs = layeredNamespaces(resources).filter((n) => floor.admission.neverExcludedLayers.includes(n.layer));
    const kyverno = [
        ...of(resources, "kubernetes:policies.kyverno.io/v1:ValidatingPolicy"),
        ...of(resources, "kubernetes:policies.kyverno.io/v1:ImageValidatingPolicy"),
    ];
    const wanted = [
        ...floor.admission.kyvernoPolicies.map((p) => [p, "platform:components.kyverno.enabled"]),
        ...(floor.admission.verifyImageSignatures ? [["verify-image-signatures", "platform:guardrails.cosignPublicKey"]] : []),
        ...(floor.admission.denyExec ? [["deny-exec-and-debug", "platform:guardrails.denyExec"]] : []),
    ];
    for (const [policyName, key] of wanted) {
        const p = kyverno.find((r) => name(r) === policyName);
        if (!p) {
            report(`Kyverno policy '${policyName}' is missing (stack file: ${key})`);
            continue;
        }
        if (!(p.props.spec?.validationActions ?? ["Deny"]).includes("Deny"))
            report(
                `Kyverno policy '${policyName}' does not deny, it only ${p.props.spec.validationActions.join("/")}s (stack file: platform:guardrails.policyMode)`,
                p.urn,
            );
        const skipped = skippedBy(p.props.spec?.matchConstraints?.namespaceSelector).filter((n) => protectedNs.some((x) => x.name === n));
        if (skipped.length > 0)
            report(
                `Kyverno policy '${policyName}' skips namespace(s) ${skipped.join(", ")} (stack file: platform:guardrails.excludedNamespaces)`,
                p.urn,
            );
        if (p.props.spec?.evaluation?.admission?.enabled === false)
            report(`Kyverno policy '${policyName}' is switched off at admission (evaluation.admission.enabled: false)`, p.urn);
    }
    const constraints = resources.filter((r) => r.type.startsWith("kubernetes:constraints.gatekeeper.sh/"));
    for (const constraintName of floor.admission.gatekeeperConstraints) {
        const c = constraints.find((r) => name(r) === constraintName);
        if (!c) {
            report(`Gatekeeper constraint '${constraintName}' is missing (stack file: platform:components.gatekeeper.enabled)`);
            continue;
        }
        if ((c.props.spec?.enforcementAction ?? "deny") !== "deny")
            report(
                `Gatekeeper constraint '${constraintName}' is '${c.props.spec.enforcementAction}', not deny (stack file: platform:guardrails.policyMode)`,
                c.urn,
            );
        const excluded = (c.props.spec?.match?.excludedNamespaces ?? []).filter((n: string) => protectedNs.some((x) => x.name === n));
        if (c.props.kind === "K8sAllowedRepos" || c.type.endsWith(":K8sAllowedRepos")) {
            const wider = (c.props.spec?.parameters?.repos ?? []).filter(
                (r: string) => !floor.admission.imageSources.some((s) => r.startsWith(s)),
            );
            if (wider.length > 0)
                report(
                    `Gatekeeper admits images from ${wider.join(", ")}, outside the floor's sources (stack file: platform:guardrails.allowedRegistries)`,
                    c.urn,
                );
        }
        if (excluded.length > 0)
            report(
                `Gatekeeper constraint '${constraintName}' excludes ${excluded.join(", ")} (stack file: platform:guardrails.excludedNamespaces)`,
                c.urn,
            );
    }
}

/** The app's metrics port: what Prometheus scrapes in plain text (a Service port named `http-metrics`). */
function metricsPorts(resources: PolicyResource[], namespace: string, app: string): Set<string> {
    return new Set(
        of(resources, "kubernetes:core/v1:Service")
            .filter((s) => s.props.metadata?.namespace === namespace && s.props.spec?.selector?.["app.kubernetes.io/name"] === app)
            .flatMap((s) => (s.props.spec?.ports ?? []).filter((p: Props) => p.name === "http-metrics").map((p: Props) => String(p.port))),
    );
}

function mesh(resources: PolicyResource[], floor: Floor, report: Report): void {
    if (!floor.mesh.strictMtls) return;
    const peers = of(resources, "kubernetes:security.istio.io/v1:PeerAuthentication");
    const meshWide = peers.find((p) => name(p) === "default" && p.props.metadata?.namespace === "istio-system");
    if (!meshWide) report("no mesh-wide PeerAuthentication: mTLS is not enforced (stack file: platform:components.istio.enabled)");
    else if (meshWide.props.spec?.mtls?.mode !== "STRICT")
        report(
            `mesh-wide mTLS is ${meshWide.props.spec?.mtls?.mode ?? "unset"}, not STRICT (stack file: platform:guardrails.mtlsMode)`,
            meshWide.urn,
        );
    for (const p of peers.filter((x) => x !== meshWide)) {
        const mode = p.props.spec?.mtls?.mode;
        if (mode && mode !== "STRICT" && mode !== "UNSET")
            report(`PeerAuthentication ${p.props.metadata?.namespace}/${name(p)} downgrades mTLS to ${mode}`, p.urn);
        const app = p.props.spec?.selector?.matchLabels?.["app.kubernetes.io/name"];
        const allowed = app ? metricsPorts(resources, p.props.metadata?.namespace, app) : new Set<string>();
        for (const [port, setting] of Object.entries((p.props.spec?.portLevelMtls ?? {}) as Record<string, { mode?: string }>)) {
            if (setting.mode !== "STRICT" && !allowed.has(port))
                report(
                    `PeerAuthentication ${p.props.metadata?.namespace}/${name(p)} downgrades port ${port} (not a metrics port) to ${setting.mode}`,
                    p.urn,
                );
        }
    }
    for (const ns of layeredNamespaces(resources).filter((n) => floor.mesh.meshedLayers.includes(n.layer))) {
        if (ns.labels["istio-injection"] !== "enabled")
            report(
                `namespace '${ns.name}' (${ns.layer} layer) is not in the mesh (stack file: platform:namespaces.${ns.name}.mesh)`,
                ns.urn,
            );
    }
}

function podSecurity(resources: PolicyResource[], floor: Floor, report: Report): void {
    for (const ns of layeredNamespaces(resources)) {
        const level = ns.labels["pod-security.kubernetes.io/enforce"];
        const exception = floor.podSecurityExceptions[ns.name];
        if (level === "restricted" || (exception && exception.level === level)) continue;
        report(
            `namespace '${ns.name}' enforces Pod Security '${level ?? "nothing"}', not restricted, and the floor lists no such exception (stack file: platform:namespaces.${ns.name}.podSecurity)`,
            ns.urn,
        );
    }
}

const rulesetType = "cloudflare:index/ruleset:Ruleset";

/** Rules of a phase that can act: enabled, not log-only, with an expression that is not constant false. */
function activeRules(resources: PolicyResource[], phase: string): Props[] {
    return of(resources, rulesetType)
        .filter((r) => r.props.phase === phase)
        .flatMap((r) => r.props.rules ?? [])
        .filter(
            (rule: Props) =>
                rule.enabled !== false && rule.action !== "log" && !/^\s*(false|not\s+true)\s*$/.test(String(rule.expression ?? "")),
        );
}

function edge(resources: PolicyResource[], floor: Floor, report: Report): void {
    const zones = resources.filter((r) => r.type.startsWith("cloudflare:") && typeof r.props.zoneId === "string");
    if (zones.length === 0) {
        if (floor.edge.required)
            report("no Cloudflare edge: no WAF, rate limits or DDoS protection in front of the platform (stack file: platform:cloudflare)");
        return;
    }
    const managed = activeRules(resources, "http_request_firewall_managed").filter(
        (r) => r.action === "execute" && String(r.expression).trim() === "true",
    );
    if (floor.edge.managedRulesets) {
        for (const [label, id] of [
            ["Cloudflare Managed", "efb7b8c949ac4650a09736fc376e9aee"],
            ["OWASP Core", "4814384a9e5d4991b9815dcfc25d2f1f"],
        ]) {
            const rule = managed.find((r) => r.actionParameters?.id === id);
            const overrides = rule?.actionParameters?.overrides;
            if (!rule) report(`the ${label} ruleset is not executed on every request (stack file: platform:cloudflare.waf)`);
            else if (overrides?.enabled === false || overrides?.action === "log")
                report(
                    `the ${label} ruleset is overridden to ${overrides.enabled === false ? "disabled" : "log only"} (stack file: platform:cloudflare.waf)`,
                );
        }
        const owasp = managed.find((r) => r.actionParameters?.id === "4814384a9e5d4991b9815dcfc25d2f1f");
        for (const c of owasp?.actionParameters?.overrides?.categories ?? []) {
            const level = Number(/^paranoia-level-(\d)$/.exec(String(c.category))?.[1]);
            if (level && level <= floor.edge.minOwaspParanoiaLevel && c.enabled === false)
                report(
                    `OWASP paranoia level ${level} is disabled; the floor is level ${floor.edge.minOwaspParanoiaLevel} (stack file: platform:cloudflare.waf.owaspParanoiaLevel)`,
                );
        }
    }
    const limits = activeRules(resources, "http_ratelimit").filter((r) => r.action === "block");
    for (const path of floor.edge.rateLimitedPaths) {
        if (!limits.some((r) => String(r.expression).includes(`"${path}"`)))
            report(`no blocking rate limit counts '${path}' (stack file: platform:cloudflare.rateLimits)`);
    }
    for (const r of of(resources, rulesetType).filter((x) => x.props.phase === "ddos_l7")) {
        for (const rule of r.props.rules ?? []) {
            const level = rule.actionParameters?.overrides?.sensitivityLevel;
            if (floor.edge.forbiddenDdosSensitivities.includes(level) || rule.enabled === false)
                report(
                    `HTTP DDoS protection is turned down to '${rule.enabled === false ? "disabled" : level}' (stack file: platform:cloudflare.ddosSensitivity)`,
                    r.urn,
                );
        }
    }
    for (const s of of(resources, "cloudflare:index/zoneSetting:ZoneSetting").filter((x) => x.props.settingId === "security_level")) {
        if (floor.edge.forbiddenSecurityLevels.includes(s.props.value))
            report(`the zone's security level is '${s.props.value}' (stack file: platform:cloudflare.securityLevel)`, s.urn);
    }
}

function data(resources: PolicyResource[], floor: Floor, report: Report): void {
    const minRetention = Math.max(floor.data.minRetentionDays, requiredRetentionDays(floor.data.complianceProfiles));
    for (const c of of(resources, "kubernetes:postgresql.cnpg.io/v1:Cluster")) {
        const app = appOf(c) ?? name(c);
        const instances = Number(c.props.spec?.instances ?? 1);
        if (instances < floor.data.minPostgresInstances)
            report(
                `database ${name(c)} runs ${instances} instance(s), fewer than ${floor.data.minPostgresInstances} (stack file: platform:apps[${app}].postgres.instances)`,
                c.urn,
            );
        const ns = c.props.metadata?.namespace;
        const active = of(resources, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup").filter(
            (b) => b.props.metadata?.namespace === ns && b.props.spec?.cluster?.name === name(c) && b.props.spec?.suspend !== true,
        );
        if (active.length === 0) report(`database ${name(c)} has no active scheduled backup (stack file: platform:backup)`, c.urn);
        const archiver = (c.props.spec?.plugins ?? []).find((p: Props) => p.isWALArchiver && p.enabled !== false);
        const store = of(resources, "kubernetes:barmancloud.cnpg.io/v1:ObjectStore").find(
            (s) => s.props.metadata?.namespace === ns && name(s) === archiver?.parameters?.barmanObjectName,
        );
        const days = retentionDays(store?.props.spec?.retentionPolicy);
        if (!archiver || !store) report(`database ${name(c)} archives no WAL to an object store (stack file: platform:backup)`, c.urn);
        else if (days === undefined || days < minRetention)
            report(
                `database ${name(c)} keeps backups ${store.props.spec?.retentionPolicy ?? "(unset)"}, less than the floor's ${minRetention} days (${floor.data.complianceProfiles.join(", ")}) (stack file: platform:apps[${app}].postgres.retentionDays)`,
                store.urn,
            );
    }
    for (const k of of(resources, "kubernetes:kafka.strimzi.io/v1:Kafka")) {
        const config = k.props.spec?.kafka?.config ?? {};
        const app = appOf(k) ?? name(k);
        if (
            Number(config["default.replication.factor"] ?? 1) < floor.data.minKafkaReplication ||
            Number(config["min.insync.replicas"] ?? 1) < floor.data.minKafkaInSync
        )
            report(
                `Kafka ${name(k)} replicates ${config["default.replication.factor"] ?? 1}x with min.insync.replicas ${config["min.insync.replicas"] ?? 1}; the floor is ${floor.data.minKafkaReplication}x and ${floor.data.minKafkaInSync} (stack file: platform:apps[${app}].kafka.cluster.brokers)`,
                k.urn,
            );
    }
    for (const t of of(resources, "kubernetes:kafka.strimzi.io/v1:KafkaTopic")) {
        const replicas = Number(t.props.spec?.replicas ?? 1);
        const isr = Number(t.props.spec?.config?.["min.insync.replicas"] ?? 1);
        const topic = t.props.spec?.topicName ?? name(t);
        if (replicas < floor.data.minKafkaReplication || isr < floor.data.minKafkaInSync)
            report(
                `Kafka topic ${topic} has ${replicas} replica(s) and min.insync.replicas ${isr}; the floor is ${floor.data.minKafkaReplication} and ${floor.data.minKafkaInSync} (stack file: platform:apps[${appOf(t) ?? "?"}].kafka.topics[${topic}].replicas)`,
                t.urn,
            );
    }
}

export const platformFloor: StackValidationPolicy = {
    name: "platform-floor",
    description:
        "A staging or production stack keeps its floor (policy-pack/floors.ts) whatever its stack file says: admission enforcing everywhere, strict mTLS, restricted Pod Security, the Cloudflare edge with managed WAF, rate limits and DDoS protection, replicated and backed-up data, critical alerts that page.",
    configSchema: { properties: { floor: { type: "string", default: "" } } },
    validateStack: (args, reportViolation) => {
        const { floor } = args.getConfig<{ floor: string }>();
        if (floor === "none") return;
        if (!isFloorName(floor)) {
            reportViolation(`the stack's policy config names no floor ('platform-floor': { floor: 'production' | 'staging' | 'none' })`);
            return;
        }
        const report: Report = (m, urn) => reportViolation(`${floor} floor: ${m}`, urn);
        for (const check of [admission, mesh, podSecurity, edge, data, alerting]) check(args.resources, floors[floor], report);
    },
};
