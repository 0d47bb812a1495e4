import { strict as assert } from "assert";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { runProgram } from "../engine/synth/run-program";

/** The offline harness refuses what `pulumi preview` refuses, though Pulumi's mock monitor accepts it. */
describe("offline harness fidelity", () => {
    it("refuses a URN registered twice, as the engine does", async () => {
        const run = await runProgram("harness", () => {
            new k8s.core.v1.ConfigMap("settings", {});
            new k8s.core.v1.ConfigMap("settings", {});
            return {};
        });
        assert.equal(
            run.error?.message,
            "Duplicate resource URN 'urn:pulumi:harness::platform::kubernetes:core/v1:ConfigMap::settings'; try giving it a unique name",
        );
    });

    it("refuses a child whose parent was never registered", async () => {
        const run = await runProgram("harness", () => {
            const ghost = new pulumi.DependencyResource("urn:pulumi:harness::platform::platform:test:Ghost::ghost");
            new k8s.core.v1.ConfigMap("orphan", {}, { parent: ghost });
            return {};
        });
        assert.match(
            String(run.error?.message),
            /ConfigMap::orphan: could not find parent resource urn:pulumi:harness::platform::platform:test:Ghost::ghost/,
        );
    });

    it("refuses a resource handed a provider of another package", async () => {
        const run = await runProgram("harness", () => {
            const edge = new cloudflare.Provider("edge", {});
            new k8s.core.v1.ConfigMap("misrouted", {}, { provider: edge as unknown as pulumi.ProviderResource });
            return {};
        });
        assert.match(
            String(run.error?.message),
            /ConfigMap::misrouted: provider of package 'cloudflare' cannot manage a 'kubernetes' resource/,
        );
    });

    it("accepts a program that breaks none of these rules", async () => {
        const run = await runProgram("harness", () => {
            const cluster = new k8s.Provider("cluster", {});
            new k8s.core.v1.ConfigMap("a", {}, { provider: cluster });
            new k8s.core.v1.ConfigMap("b", {}, { provider: cluster });
            return {};
        });
        assert.equal(run.error, undefined);
        assert.equal(run.resources.length, 3);
    });
});
