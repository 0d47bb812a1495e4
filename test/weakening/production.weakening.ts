import { strict as assert } from "assert";
import * as fc from "fast-check";
import { stackConfigShape } from "../../components/config/schema";
import { applyEdit, describeEdit, productionFile, refusals, weakeningEdits } from "../harness/weakening";

/**
 * Weakening edits of production's stack file, drawn from the schema: each must be refused by
 * config validation, by a mandatory policy (the production floor among them) or by the admission
 * twin. This runs the whole program per edit, so it lives outside `npm test` (in .ci/run:
 * `npm run test:weakening`).
 */

describe("weakening edits of production's stack file (drawn from the schema)", () => {
    const edits = weakeningEdits(stackConfigShape, productionFile());

    it("offers edits on every floor setting", () => {
        const paths = new Set(edits.map((e) => String(e.path[0]) + (e.path[1] !== undefined ? `.${String(e.path[1])}` : "")));
        for (const p of [
            "environment",
            "guardrails.policyMode",
            "guardrails.excludedNamespaces",
            "guardrails.denyExec",
            "guardrails.mtlsMode",
            "components.kyverno",
            "namespaces.core",
            "cloudflare",
            "cloudflare.ddosSensitivity",
            "compliance.profiles",
            "backup.endpointCidrs",
            "apps.0",
            "alerting",
            "alerting.receivers",
        ])
            assert.ok(paths.has(p), `no edit on ${p} (have ${[...paths].join(", ")})`);
    });

    it("refuses every one of them", async () => {
        await fc.assert(
            fc.asyncProperty(fc.integer({ min: 0, max: edits.length - 1 }), async (i) => {
                const edit = edits[i];
                const found = await refusals(applyEdit(productionFile(), edit));
                assert.ok(found.length > 0, `nothing refuses ${describeEdit(edit)}`);
            }),
            { numRuns: Number(process.env.WEAKENING_RUNS ?? 20) },
        );
    });
});
