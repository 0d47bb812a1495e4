import { parser } from "@prometheus-io/lezer-promql";

/**
 * The metric names a PromQL expression reads, from Prometheus's own grammar (the Lezer parser
 * Prometheus's UI uses): every vector selector's name, written either as `name{...}` or as
 * `{__name__="name"}`. An expression that does not parse is reported, never skipped.
 */
export interface ParsedExpr {
    metrics: string[];
    errors: string[];
}

const unquote = (s: string) => s.slice(1, -1).replace(/\\(.)/g, "$1");

export function metricNames(expr: string): ParsedExpr {
    const tree = parser.parse(expr);
    const metrics = new Set<string>();
    const errors: string[] = [];
    const cursor = tree.cursor();
    do {
        const node = cursor.node;
        if (node.type.isError) errors.push(`syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
        if (node.name !== "VectorSelector") continue;
        const identifier = node.getChild("Identifier");
        if (identifier) metrics.add(expr.slice(identifier.from, identifier.to));
        for (const matcher of node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
            const label = matcher.getChild("LabelName");
            const op = matcher.getChild("MatchOp");
            const value = matcher.getChild("StringLiteral");
            if (label && value && expr.slice(label.from, label.to) === "__name__") {
                if (op && expr.slice(op.from, op.to) === "=") metrics.add(unquote(expr.slice(value.from, value.to)));
                else errors.push(`'${expr.slice(matcher.from, matcher.to)}': a __name__ pattern cannot be checked against a catalog`);
            }
        }
    } while (cursor.next());
    return { metrics: [...metrics].sort(), errors };
}
