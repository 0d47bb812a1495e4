/**
 * Live smoke check: `npm run verify -- --stack <name> [--json] [--context <kube context>]`.
 * Reads what the stack should run from its offline synth, then asks the cluster whether it does:
 * Helm releases at their pinned versions, pods Ready, certificates, databases and their backups,
 * Kafka, admission policies in the stack's mode, and each public host's certificate.
 */
import {
    ClusterError,
    expectationsFromSynth,
    formatJson,
    formatTable,
    kubeCluster,
    loadKubeConfig,
    verifyCluster,
    VerifyOptions,
} from "../engine/verify";
import { defineCommand, main, UsageError } from "../engine/cli";
import { stackResources } from "../engine/synth/load";

/** The command, with what tests replace: the resolver, the TLS connector, the clock and where the report goes. */
export function verifyCommand(deps: VerifyOptions & { write?: (text: string) => void } = {}) {
    const write = deps.write ?? ((text: string) => process.stdout.write(text));
    return defineCommand({
        name: "verify",
        summary:
            "Checks a deployed stack's cluster against the stack: releases, pods, certificates, databases, Kafka, policies, public hosts.",
        options: {
            stack: { type: "string", value: "name", required: true, description: "stack whose cluster to check" },
            context: {
                type: "string",
                value: "kube context",
                description:
                    "kubeconfig context (default: the stack's platform:cluster.context if your kubeconfig has it, else the current one)",
            },
            json: { type: "boolean", description: "print the report as JSON (for CI)" },
            from: { type: "string", value: "dir", description: "an earlier synth of the same stack (default: synthesise now)" },
        },
        details: [
            "reads: namespaces, pods, Helm release secrets, deployments and the platform's custom resources (a read-only role suffices)",
            "exit codes: 0 every check passed, 1 a check failed or the cluster is unreachable, 2 usage mistake",
        ],
        async run({ stack, context, json, from }) {
            const expectations = expectationsFromSynth(stack!, await stackResources(stack!, from));
            let kubeconfig;
            try {
                kubeconfig = loadKubeConfig({ context, preferred: expectations.context });
            } catch (err) {
                if (err instanceof ClusterError) throw new UsageError(err.message);
                throw err;
            }
            const report = await verifyCluster(expectations, kubeCluster(kubeconfig), deps);
            write(json ? formatJson(report) : formatTable(report));
            return report.ok ? 0 : 1;
        },
    });
}

export const command = verifyCommand();

if (require.main === module) main(command);
