import { strict as assert } from "assert";
import fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../components/config";
import { runStackYaml } from "../engine/synth/run-program";
import { cliConfigForStack, cliConfigFromYaml, escConfigKeys, listStacks, readProject, repoRoot } from "../engine/synth/stack-files";

const fixtures = path.join(repoRoot, "test", "fixtures", "config");
const read = (rel: string) => fs.readFileSync(path.join(fixtures, rel), "utf8");
const source = "stacks/Pulumi.fixture.yaml";
const parseYaml = (text: string) => parseStackConfig({ ...cliConfigFromYaml(text), source });
const minimal = read("valid/minimal.yaml");
const problemFormat = /^stacks\/Pulumi\.fixture\.yaml: platform:[A-Za-z].*: \S/s;

describe("stack config validation", () => {
    for (const stack of listStacks()) {
        it(`accepts stacks/Pulumi.${stack}.yaml`, () => {
            const result = parseStackConfig({ ...cliConfigForStack(stack), source: `stacks/Pulumi.${stack}.yaml` });
            assert.deepEqual(result.ok ? [] : result.problems, []);
        });
    }

    it("accepts the minimal stack file and fills documented defaults", () => {
        const result = parseYaml(minimal);
        assert.ok(result.ok, result.ok ? "" : result.problems.join("\n"));
        assert.equal(result.config.logLevel, "info"); // Pulumi.yaml default
        assert.deepEqual(result.config.apps, []);
        assert.equal(result.config.guardrails.mtlsMode, "STRICT");
        assert.equal(result.config.components.kyverno.enabled, undefined);
    });

    for (const file of fs.readdirSync(path.join(fixtures, "invalid")).sort()) {
        const rule = file.replace(/\.yaml$/, "");
        it(`refuses ${rule} with a message naming the file and key`, () => {
            const text = read(`invalid/${file}`);
            const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
            assert.ok(expected.length > 0, `${file} declares no '# expect:' line`);
            const result = parseYaml(text);
            assert.equal(result.ok, false, `${file} was accepted`);
            const problems = result.ok ? [] : result.problems;
            for (const e of expected) {
                assert.ok(
                    problems.some((p) => p.startsWith(`${source}: ${e}`)),
                    `expected a problem starting '${e}', got:\n  ${problems.join("\n  ")}`,
                );
            }
            for (const p of problems) assert.match(p, problemFormat);
        });
    }

    it("reports every problem of a file at once", () => {
        const result = parseYaml(read("invalid/many-problems-at-once.yaml"));
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.problems.length >= 5, `only ${result.ok ? 0 : result.problems.length} problems`);
    });

    it("registers no resource at all when the config is invalid", async () => {
        const run = await runStackYaml("fixture", read("invalid/many-problems-at-once.yaml"));
        assert.ok(run.error, "the program did not fail");
        assert.ok(run.error instanceof pulumi.RunError, `expected a RunError, got ${run.error}`);
        assert.match(run.error.message, /stacks\/Pulumi\.fixture\.yaml: platform:replicas: unknown key/);
        assert.deepEqual(
            run.resources.map((r) => r.urn),
            [],
        );
    });

    it("never echoes a secret value in a message", () => {
        const text = `${minimal}  platform:kubeconfig: "apiVersion: v1 TOP-SECRET-TOKEN"\n`;
        const result = parseYaml(text);
        assert.equal(result.ok, false);
        assert.ok(!result.ok && result.problems.every((p) => !p.includes("TOP-SECRET-TOKEN")));
    });

    it("hands secrets to components as secret Outputs", async () => {
        const text = minimal.replace(
            "platform:cluster: { context: kind-minimal }",
            "platform:cluster: {}\n  platform:kubeconfig: { secure: AAABAOpaque== }",
        );
        const result = parseYaml(text);
        assert.ok(result.ok, result.ok ? "" : result.problems.join("\n"));
        assert.equal(await pulumi.isSecret(result.config.secrets.kubeconfig!), true);
    });
});

describe("stack secrets from Pulumi ESC", () => {
    const escKeys = [
        "platform:kubeconfig",
        "platform:cloudflareApiToken",
        "platform:cloudflareDnsApiToken",
        "platform:backupAccessKeyId",
        "platform:backupSecretAccessKey",
    ];

    it("takes production's secrets from its imported environment, offline as secret placeholders", async () => {
        const text = fs.readFileSync(path.join(repoRoot, "stacks", "Pulumi.production.yaml"), "utf8");
        assert.doesNotMatch(text, /secure:/, "nothing secret in the stack file");
        assert.deepEqual(escConfigKeys("platform/production", { file: "x", line: 0, column: 0 }).sort(), [...escKeys].sort());
        const cli = cliConfigForStack("production");
        for (const key of escKeys) {
            assert.ok(cli.secretKeys.includes(key), `${key} is secret`);
            assert.match(cli.values[key], /^\[secure placeholder for /);
        }
        const result = parseStackConfig({ ...cli, source: "stacks/Pulumi.production.yaml" });
        assert.ok(result.ok, result.ok ? "" : result.problems.join("\n"));
        assert.equal(await pulumi.isSecret(result.config.secrets.kubeconfig!), true);
    });

    it("keeps the other way working: staging's secure: values in the stack file", () => {
        const cli = cliConfigForStack("staging");
        assert.ok(cli.secretKeys.includes("platform:cloudflareApiToken"));
        assert.equal(cli.values["platform:kubeconfig"], undefined);
    });

    it("refuses an imported environment without a committed definition, naming the file, line and column", () => {
        const text = `environment:\n  - platform/nowhere\n${minimal}`;
        assert.throws(
            () => cliConfigFromYaml(text, readProject(), "stacks/Pulumi.fixture.yaml"),
            /^YamlFileError: stacks\/Pulumi\.fixture\.yaml:2:5: imports ESC environment 'platform\/nowhere', but esc\/platform\/nowhere\.yaml does not exist/,
        );
    });

    it("refuses a secret set both in the stack file and by the environment", () => {
        const text = `environment: [platform/production]\n${minimal}  platform:kubeconfig: { secure: AAAB }\n`;
        assert.throws(
            () => cliConfigFromYaml(text, readProject(), "stacks/Pulumi.fixture.yaml"),
            /platform:kubeconfig is also provided by ESC environment 'platform\/production': set it in one place/,
        );
    });
});

describe("stack config validation (properties)", () => {
    const base = cliConfigFromYaml(minimal);
    const json = fc.jsonValue({ maxDepth: 3 });
    const topKeys = ["environment", "cluster", "domain", "logLevel", "namespaces", "components", "guardrails", "apps", "kubeconfig"];

    it("any value at any top-level key yields ok or clear problems, never a crash", () => {
        fc.assert(
            fc.property(fc.constantFrom(...topKeys), json, (key, value) => {
                const values = { ...base.values, [`platform:${key}`]: typeof value === "string" ? value : JSON.stringify(value) };
                const result = parseStackConfig({ values, secretKeys: [], source });
                if (!result.ok) {
                    assert.ok(result.problems.length > 0);
                    for (const p of result.problems) assert.match(p, problemFormat);
                }
            }),
            { numRuns: 300 },
        );
    });

    it("an unknown key anywhere in the platform namespace is always reported", () => {
        const known = new Set(topKeys.concat(["cluster", "namespaces"]));
        fc.assert(
            fc.property(
                fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,15}$/).filter((k) => !known.has(k)),
                json,
                (key, value) => {
                    const values = { ...base.values, [`platform:${key}`]: JSON.stringify(value) };
                    const result = parseStackConfig({ values, secretKeys: [], source });
                    assert.equal(result.ok, false);
                    assert.ok(!result.ok && result.problems.some((p) => p.startsWith(`${source}: platform:${key}: unknown key`)));
                },
            ),
            { numRuns: 200 },
        );
    });

    it("replica counts are accepted exactly when they are whole numbers from 1 to 100", () => {
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true }), fc.string()), (replicas) => {
                const values = { ...base.values, "platform:components": JSON.stringify({ kyverno: { replicas } }) };
                const result = parseStackConfig({ values, secretKeys: [], source });
                const valid = typeof replicas === "number" && Number.isInteger(replicas) && replicas >= 1 && replicas <= 100;
                assert.equal(result.ok, valid, `replicas ${JSON.stringify(replicas)}`);
                if (!result.ok) assert.ok(result.problems.every((p) => p.startsWith(`${source}: platform:components.kyverno.replicas: `)));
            }),
            { numRuns: 300 },
        );
    });

    it("malformed host names are always refused with the key named", () => {
        fc.assert(
            fc.property(
                fc.string({ maxLength: 80 }).filter((s) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(s)),
                (domain) => {
                    const values = { ...base.values, "platform:domain": domain };
                    const result = parseStackConfig({ values, secretKeys: [], source });
                    assert.equal(result.ok, false);
                    assert.ok(!result.ok && result.problems.some((p) => p.startsWith(`${source}: platform:domain: `)));
                },
            ),
            { numRuns: 300 },
        );
    });

    it("a wrong value at an app's union-typed key is reported at that key of the app, by name", () => {
        const app = {
            name: "api",
            namespace: "core",
            team: "payments",
            partOf: "shop",
            image: { repository: "ghcr.io/acme/api", tag: "1.0.0" },
            sbom: "https://sbom.example.com/api.spdx.json",
            port: 8080,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        };
        fc.assert(
            fc.property(fc.constantFrom("metrics", "pdb", "autoscaling"), json, (key, value) => {
                const values = { ...base.values, "platform:apps": JSON.stringify([{ ...app, [key]: value }]) };
                const result = parseStackConfig({ values, secretKeys: [], source });
                if (result.ok) return;
                for (const p of result.problems) assert.ok(p.startsWith(`${source}: platform:apps[api].${key}`), p);
            }),
            { numRuns: 300 },
        );
    });
});
