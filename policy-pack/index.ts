import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

/**
 * The platform's CrossGuard pack. Every policy is mandatory unless a stack's policy config
 * (`config/<stack>.json`, passed with `--policy-pack-config`) says otherwise; environment
 * differences (digests and PDBs only in production, for example) live in those files.
 */
new PolicyPack("platform-policies", { enforcementLevel: "mandatory", policies });
