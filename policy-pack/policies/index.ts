import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { availabilityPolicies } from "./availability";
import { cloudflarePolicies } from "./cloudflare";
import { dataPolicies } from "./data";
import { exposurePolicies } from "./exposure";
import { platformFloor } from "./floor";
import { helmPolicies } from "./helm";
import { namespacePolicies } from "./namespaces";
import { secretPolicies } from "./secrets";
import { workloadPolicies } from "./workloads";

export type PlatformPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Every policy of the pack, grouped by concern. */
export const policies: PlatformPolicy[] = [
    ...workloadPolicies,
    ...availabilityPolicies,
    ...namespacePolicies,
    ...exposurePolicies,
    ...helmPolicies,
    ...dataPolicies,
    ...secretPolicies,
    ...cloudflarePolicies,
    platformFloor,
];
