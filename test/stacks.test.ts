import { strict as assert } from "assert";
import { stackRun } from "../engine/synth/run-program";
import { cliConfigForStack, listStacks } from "../engine/synth/stack-files";

/** Whole-stack invariants: every file in stacks/ is run the moment it exists. */
describe("every stack", () => {
    it("has the three environments committed", () => {
        assert.deepEqual(
            listStacks().filter((s) => ["dev", "staging", "production"].includes(s)),
            ["dev", "production", "staging"],
        );
    });

    for (const stack of listStacks()) {
        describe(`stack ${stack}`, () => {
            it("disables the default Kubernetes and Cloudflare providers", () => {
                const values = cliConfigForStack(stack).values;
                assert.deepEqual(JSON.parse(values["pulumi:disable-default-providers"]), ["kubernetes", "cloudflare"]);
            });

            it("runs to completion under mocks", async () => {
                const run = await stackRun(stack);
                assert.equal(run.error, undefined);
                assert.ok(run.resources.length > 0);
            });

            it("gives every Kubernetes and Cloudflare resource an explicit provider", async () => {
                const run = await stackRun(stack);
                const unprovided = run.resources.filter(
                    (r) =>
                        r.custom &&
                        /^(kubernetes|cloudflare):/.test(r.type) &&
                        !r.type.startsWith("pulumi:providers:") &&
                        r.provider === null,
                );
                assert.deepEqual(
                    unprovided.map((r) => r.urn),
                    [],
                );
            });

            it("registers unique URNs", async () => {
                const run = await stackRun(stack);
                const urns = run.resources.map((r) => r.urn);
                assert.equal(new Set(urns).size, urns.length);
            });

            it("names every child after its component and parents it to one", async () => {
                const run = await stackRun(stack);
                const components = new Map(run.resources.filter((r) => !r.custom).map((r) => [r.urn, r]));
                for (const r of run.resources.filter((r) => r.parent && components.has(r.parent))) {
                    const parent = components.get(r.parent!)!;
                    assert.ok(r.name.startsWith(`${parent.name}-`), `${r.urn} is not named '${parent.name}-<role>'`);
                }
            });
        });
    }
});
