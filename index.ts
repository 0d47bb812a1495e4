import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./components/config";
import { otherStackZones } from "./components/config/other-stacks";
import { buildPlatform } from "./components/program";

/**
 * Entry point: validate the stack's config at the edge (every problem at once, nothing
 * registered when it is invalid), then build the platform and export its outputs.
 */
// The SDK's own test for `secure:` keys; exported by the runtime, though not in its typings.
const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

export = async () => {
    const values = pulumi.runtime.allConfig();
    let config;
    try {
        config = loadStackConfig({
            values,
            secretKeys: Object.keys(values).filter((key) => isConfigSecret(key)),
            source: `stacks/Pulumi.${pulumi.getStack()}.yaml`,
            // One owner per Cloudflare zone: the other stack files of the project say which zones are taken.
            otherStackZones: otherStackZones(process.env.PLATFORM_STACKS_DIR ?? path.join(__dirname, "stacks"), pulumi.getStack()),
        });
    } catch (err) {
        // RunError prints the message without a stack trace: the problems are the whole story.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
    return buildPlatform(config);
};
