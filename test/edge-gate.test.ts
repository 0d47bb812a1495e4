import { strict as assert } from "assert";
import * as fs from "fs";
import { parseStackConfig } from "../components/config";
import { isUnder } from "../components/config/hosts";
import { stackZones } from "../components/config/other-stacks";
import type { SynthResource } from "../policy-pack/offline";
import { gateConfig, runGate } from "../engine/gate";
import { runStackYaml, stackRun } from "../engine/synth/run-program";
import { cliConfigForStack, listStacks, stackConfig, stackFilePath, stacksDir } from "../engine/synth/stack-files";
import { toSynthResources } from "../engine/synth/write";

const edgeStacks = () => listStacks().filter((s) => stackConfig(s).cloudflare);
const mandatory = (stack: string, resources: SynthResource[]) =>
    runGate(stack, resources)
        .filter((v) => v.level === "mandatory")
        .map((v) => `${v.policy}: ${v.message}`);

const synths = new Map<string, SynthResource[]>();

/** A stack's synth with matching resources changed (or dropped when `edit` returns undefined). */
async function synthWith(stack: string, match: (r: SynthResource) => boolean, edit: (r: SynthResource) => SynthResource | undefined) {
    if (!synths.has(stack)) synths.set(stack, toSynthResources(await stackRun(stack)));
    return synths.get(stack)!.flatMap((r) => (match(r) ? [edit(r)].filter((x): x is SynthResource => !!x) : [r]));
}

describe("Cloudflare zones across stacks", () => {
    it("gives every stack its own zone (one owner, one declared plan per zone)", () => {
        const zones = edgeStacks().map((s) => ({ stack: s, ...stackConfig(s).cloudflare! }));
        assert.ok(zones.length >= 2, "staging and production both have an edge");
        assert.equal(new Set(zones.map((z) => z.zoneId)).size, zones.length, "zone IDs are distinct");
        assert.equal(new Set(zones.map((z) => z.zoneName)).size, zones.length, "zone names are distinct");
        for (const a of zones) {
            for (const b of zones.filter((z) => z !== a && isUnder(z.zoneName, a.zoneName))) {
                // A delegated subdomain zone ("subdomain setup") is available on Enterprise only.
                assert.equal(b.plan, "enterprise", `${b.stack}'s zone ${b.zoneName} is a subdomain zone of ${a.stack}'s`);
            }
        }
        assert.deepEqual(
            stackZones(stacksDir())
                .map((z) => [z.stack, z.zoneId])
                .sort(),
            zones.map((z) => [z.stack, z.zoneId]).sort(),
            "what the gate and the program read is what the stack files say",
        );
    });

    it("keeps account-wide notification policies with one stack per account", () => {
        const owners = edgeStacks().flatMap((s) => {
            const cf = stackConfig(s).cloudflare!;
            return cf.notifications ? [cf.accountId] : [];
        });
        assert.equal(new Set(owners).size, owners.length);
    });

    it("refuses at config time a stack declaring a zone another committed stack manages, naming the key and the owner", async () => {
        const production = stackConfig("production").cloudflare!;
        const parsed = parseStackConfig({
            ...cliConfigForStack("staging"),
            values: {
                ...cliConfigForStack("staging").values,
                "platform:cloudflare": JSON.stringify({ ...stackConfig("staging").cloudflare, zoneId: production.zoneId }),
            },
            source: "stacks/Pulumi.staging.yaml",
            otherStackZones: stackZones(stacksDir()).filter((z) => z.stack !== "staging"),
        });
        assert.ok(!parsed.ok);
        assert.ok(
            parsed.problems.includes(
                `stacks/Pulumi.staging.yaml: platform:cloudflare.zoneId: zone ${production.zoneId} is already managed by stack 'production' (stacks/Pulumi.production.yaml): ` +
                    "each zone has one owner (its entrypoint rulesets, settings and plan would be overwritten by whichever stack ran last); give this stack its own zone",
            ),
            parsed.problems.join("\n"),
        );
        // The program reads the other stack files itself: a new stack file on production's zone fails before registering anything.
        const text = fs
            .readFileSync(stackFilePath("staging"), "utf8")
            .replace(stackConfig("staging").cloudflare!.zoneId, production.zoneId);
        const run = await runStackYaml("qa", text);
        assert.match(String(run.error?.message), /platform:cloudflare\.zoneId: zone \w+ is already managed by stack 'production'/);
        assert.equal(run.resources.length, 0);
    });

    it("refuses at the gate a synth whose zone another committed stack manages", async () => {
        const production = stackConfig("production").cloudflare!.zoneId;
        const staging = stackConfig("staging").cloudflare!.zoneId;
        assert.deepEqual((gateConfig("staging")["cloudflare-zone-single-owner"] as { zonesOfOtherStacks: unknown }).zonesOfOtherStacks, {
            production: [production],
        });
        const resources = (
            await synthWith(
                "staging",
                () => true,
                (r) => r,
            )
        ).map((r) => (r.inputs.zoneId === staging ? { ...r, inputs: { ...r.inputs, zoneId: production } } : r));
        assert.ok(
            mandatory("staging", resources).includes(
                `cloudflare-zone-single-owner: zone ${production} is also managed by stack 'production': each zone has exactly one owning stack`,
            ),
        );
    });
});

describe("the gate refuses a proxied stack", () => {
    for (const stack of edgeStacks()) {
        it(`${stack}: with a load balancer open to any source`, async () => {
            const resources = await synthWith(
                stack,
                (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "ingress-nginx",
                (r) => {
                    const values = structuredClone(r.inputs.values) as { controller: { service: Record<string, unknown> } };
                    delete values.controller.service.loadBalancerSourceRanges;
                    return { ...r, inputs: { ...r.inputs, values } };
                },
            );
            assert.deepEqual(mandatory(stack, resources), [
                "origin-locked-to-cloudflare: the ingress load balancer admits any source: set controller.service.loadBalancerSourceRanges to Cloudflare's ranges",
            ]);
        });

        it(`${stack}: without Authenticated Origin Pulls, or with an Ingress that does not verify it`, async () => {
            const zoneId = stackConfig(stack).cloudflare!.zoneId;
            const noPulls = await synthWith(
                stack,
                (r) => r.type.endsWith(":AuthenticatedOriginPullsSettings"),
                () => undefined,
            );
            assert.deepEqual(mandatory(stack, noPulls), [
                `origin-locked-to-cloudflare: zone ${zoneId} does not enable Authenticated Origin Pulls with its own certificate`,
            ]);
            const unverified = await synthWith(
                stack,
                (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" && r.name === "apps-backend-ingress",
                (r) => {
                    const metadata = structuredClone(r.inputs.metadata) as { annotations: Record<string, string> };
                    delete metadata.annotations["nginx.ingress.kubernetes.io/auth-tls-verify-client"];
                    return { ...r, inputs: { ...r.inputs, metadata } };
                },
            );
            assert.deepEqual(mandatory(stack, unverified), [
                "origin-locked-to-cloudflare: Ingress core/backend does not verify Cloudflare's client certificate (auth-tls-* annotations)",
            ]);
        });

        it(`${stack}: with an app host that has no proxied record`, async () => {
            const host = stackConfig(stack).apps.find((a) => a.name === "backend")!.ingress!.host;
            const resources = await synthWith(
                stack,
                (r) => r.type === "cloudflare:index/dnsRecord:DnsRecord" && r.inputs.name === host,
                () => undefined,
            );
            assert.deepEqual(mandatory(stack, resources), [`ingress-hosts-proxied: host ${host} has no proxied DNS record`]);
        });
    }
});
