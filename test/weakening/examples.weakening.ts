import { strict as assert } from "assert";
import { Config, productionFile, refusals } from "../harness/weakening";

/**
 * The weakening edits of production's stack file that a review found passing validation and the
 * gate: each is refused now, and the refusal names the stack-file key that weakened it.
 */

const app = (config: Config, name: string) => (config.apps as Config[]).find((a) => a.name === name)!;

describe("the production floor holds against the weakening edits a review found", () => {
    const cases: [string, (c: Config) => string[] | void, RegExp][] = [
        [
            "a public LoadBalancer for Argo CD through its raw values, which no config names",
            (c) =>
                void ((c.components as Config).argocd = {
                    ...((c.components as Config).argocd as Config),
                    values: { server: { service: { type: "LoadBalancer" } } },
                }),
            /no-unnamed-public-load-balancer: release argocd: values set server\.service\.type: a public LoadBalancer.*\(stack file: platform:components\.argocd\.values\)/,
        ],
        [
            "Kyverno switched to Audit",
            (c) => void ((c.guardrails as Config).policyMode = "Audit"),
            /Kyverno policy '.*' does not deny.*platform:guardrails\.policyMode/,
        ],
        [
            "mesh-wide mTLS PERMISSIVE",
            (c) => void ((c.guardrails as Config).mtlsMode = "PERMISSIVE"),
            /mesh-wide mTLS is PERMISSIVE, not STRICT \(stack file: platform:guardrails\.mtlsMode\)/,
        ],
        [
            "Kyverno disabled",
            (c) => void ((c.components as Config).kyverno = { enabled: false }),
            /Kyverno policy 'disallow-latest-tag' is missing/,
        ],
        [
            "Gatekeeper disabled",
            (c) => void ((c.components as Config).gatekeeper = { enabled: false }),
            /Gatekeeper constraint 'images-from-allowed-registries' is missing/,
        ],
        [
            "excludedNamespaces swallowing the app namespaces",
            (c) => void ((c.guardrails as Config).excludedNamespaces as string[]).push("core", "memory"),
            /skips namespace\(s\) core, memory \(stack file: platform:guardrails\.excludedNamespaces\)/,
        ],
        [
            "deny-exec off",
            (c) => void ((c.guardrails as Config).denyExec = false),
            /Kyverno policy 'deny-exec-and-debug' is missing \(stack file: platform:guardrails\.denyExec\)/,
        ],
        [
            "the whole cloudflare section removed",
            (c) => void delete c.cloudflare,
            /no Cloudflare edge.*\(stack file: platform:cloudflare\)/,
        ],
        [
            "DDoS sensitivity turned off",
            (c) => void ((c.cloudflare as Config).ddosSensitivity = "eoff"),
            /DDoS protection is turned down to 'eoff' \(stack file: platform:cloudflare\.ddosSensitivity\)/,
        ],
        [
            "security level off",
            (c) => void ((c.cloudflare as Config).securityLevel = "off"),
            /security level is 'off' \(stack file: platform:cloudflare\.securityLevel\)/,
        ],
        [
            "an app namespace given a privileged Pod Security exception",
            (c) =>
                void ((c.namespaces as Config).core = {
                    ...((c.namespaces as Config).core as Config),
                    podSecurity: { level: "privileged", reason: "a quick fix for a debugging session" },
                }),
            /namespace 'core' enforces Pod Security 'privileged'.*platform:namespaces\.core\.podSecurity/,
        ],
        [
            "a namespace taken out of the mesh",
            (c) => void ((c.namespaces as Config).core = { ...((c.namespaces as Config).core as Config), mesh: "none" }),
            /namespace 'core' \(core layer\) is not in the mesh \(stack file: platform:namespaces\.core\.mesh\)/,
        ],
        [
            "single-instance production Postgres",
            (c) => void (app(c, "backend").postgres = { ...(app(c, "backend").postgres as Config), instances: 1 }),
            /database backend-db runs 1 instance\(s\), fewer than 3 \(stack file: platform:apps\[backend\]\.postgres\.instances\)/,
        ],
        [
            "a KafkaTopic with one replica",
            (c) => {
                const kafka = app(c, "event-ingest").kafka as { topics: Config[] };
                kafka.topics[0] = { ...kafka.topics[0], replicas: 1 };
            },
            /Kafka topic events\.raw has 1 replica\(s\).*platform:apps\[event-ingest\]\.kafka\.topics\[events\.raw\]\.replicas/,
        ],
        [
            "an AWS secret key as a plain env value",
            (c) =>
                void (app(c, "backend").env = {
                    ...(app(c, "backend").env as Config),
                    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                }),
            /platform:apps\[backend\]\.env\.AWS_SECRET_ACCESS_KEY/,
        ],
        [
            "hostNetwork through an ingress-nginx raw values override",
            (c) => void ((c.components as Config).ingressNginx = { values: { controller: { hostNetwork: true } } }),
            /helm-values-no-host-access: release 'ingress-nginx\/ingress-nginx': values set controller\.hostNetwork \(stack file: platform:components\.ingressNginx\.values\)/,
        ],
        [
            "critical alerts routed to Slack only (the PagerDuty route dropped)",
            (c) => {
                const alerting = c.alerting as { routes: Config[] };
                alerting.routes = alerting.routes.filter((r) => r.receiver !== "platform-pager");
            },
            /no PagerDuty receiver that critical alerts reach.*\(stack file: platform:alerting\)/,
        ],
        [
            "the paging route narrowed to a team no alert carries",
            (c) => {
                const alerting = c.alerting as { routes: Config[] };
                alerting.routes = alerting.routes.map((r) => (r.receiver === "platform-pager" ? { ...r, team: ["nobody"] } : r));
            },
            /no PagerDuty receiver that critical alerts reach/,
        ],
    ];
    for (const [what, edit, expected] of cases) {
        it(`refuses: ${what}`, async () => {
            const config = productionFile();
            const removed = edit(config) ?? [];
            for (const key of removed) delete config[key];
            const found = await refusals(config);
            assert.ok(
                found.some((f) => expected.test(f)),
                `expected ${expected}, got:\n  ${found.join("\n  ") || "(nothing refused)"}`,
            );
        });
    }
});
