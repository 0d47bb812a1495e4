import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { platformMocks } from "../synth/mocks";

/**
 * The bench's floor: a bare program registering `count` plain resources (one provider plus
 * ConfigMaps) through the same SDK, provider and mocks as the platform, as flat as it gets.
 */
export function bareProgram(count: number): () => Record<string, never> {
    return () => {
        const provider = new k8s.Provider("cluster", { context: "bench" });
        for (let i = 0; i < count - 1; i++) {
            new k8s.core.v1.ConfigMap(
                `plain-${i}`,
                { metadata: { name: `plain-${i}`, namespace: "bench" }, data: { index: String(i) } },
                { provider },
            );
        }
        return {};
    };
}

/**
 * The bare program as a process of its own (`node -r ./ts-require.js engine/bench/bare.ts <count>`,
 * started the way npm starts `npm run synth`): the SDK, the mocks and the registrations, nothing
 * of the platform's engine, config or components.
 */
async function main(count: number): Promise<void> {
    await pulumi.runtime.setMocks(platformMocks(), "platform", "bench", false);
    await pulumi.runtime.runInPulumiStack(async () => bareProgram(count)());
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

if (require.main === module) {
    main(Number(process.argv[2])).then(
        () => process.exit(0),
        (err: Error) => {
            process.stderr.write(`${err.message}\n`);
            process.exit(1);
        },
    );
}
