import { CelFunc, CelInput, CelValue, isCelError, isCelList, isCelMap, parse, plan, celEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/**
 * CEL, evaluated by a real engine (`@bufbuild/cel`, with its strings extension) over the exact
 * expressions the program emits. Kubernetes hands CEL its objects as JSON, where whole numbers
 * are CEL `int`s: convert them the same way so comparisons like `runAsUser > 0` type-check as
 * they do in the API server.
 */

/** JSON to CEL input: objects become maps, whole numbers `int` (bigint), everything else as is. */
export function toCel(value: unknown): CelInput {
    if (Array.isArray(value)) return value.map(toCel);
    if (value !== null && typeof value === "object") {
        return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toCel(v)]));
    }
    if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
    return value as CelInput;
}

/** CEL results back to plain JS (lists to arrays, maps to objects, ints to numbers). */
export function fromCel(value: CelValue): unknown {
    if (typeof value === "bigint") return Number(value);
    if (isCelList(value)) return [...value].map((v) => fromCel(v as CelValue));
    if (isCelMap(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value.entries()) out[String(k)] = fromCel(v as CelValue);
        return out;
    }
    return value;
}

export class CelEvaluationError extends Error {
    constructor(
        readonly expression: string,
        message: string,
    ) {
        super(`${message} (in: ${expression})`);
        this.name = "CelEvaluationError";
    }
}

type Program = (bindings: Record<string, CelInput>) => CelValue;

/**
 * Compiles expressions once and evaluates them many times. `funcs` adds functions a policy
 * engine provides on top of standard CEL (Kyverno's image verification, for one).
 */
export class CelEngine {
    private readonly programs = new Map<string, Program>();
    private readonly env;

    constructor(funcs: CelFunc[] = []) {
        this.env = celEnv({ funcs: [...strings, ...funcs] });
    }

    compile(expression: string): Program {
        let program = this.programs.get(expression);
        if (!program) {
            let planned: ReturnType<typeof plan>;
            try {
                planned = plan(this.env, parse(expression));
            } catch (err) {
                throw new CelEvaluationError(expression, `does not compile: ${(err as Error).message}`);
            }
            program = (bindings) => {
                const result = planned(bindings);
                if (isCelError(result)) throw new CelEvaluationError(expression, result.message);
                return result as CelValue;
            };
            this.programs.set(expression, program);
        }
        return program;
    }

    evaluate(expression: string, bindings: Record<string, CelInput>): unknown {
        return fromCel(this.compile(expression)(bindings));
    }

    /** The engine's own value (to bind as a variable of a later expression). */
    evaluateRaw(expression: string, bindings: Record<string, CelInput>): CelValue {
        return this.compile(expression)(bindings);
    }

    /** A boolean expression; anything but `true`/`false` is an error, as in admission. */
    test(expression: string, bindings: Record<string, CelInput>): boolean {
        const result = this.compile(expression)(bindings);
        if (typeof result !== "boolean") throw new CelEvaluationError(expression, `expected a bool, got ${typeof result}`);
        return result;
    }
}
