/**
 * CRD `pattern`s are Go (RE2) regular expressions; JavaScript's differ in one way CRDs use:
 * a flag group `(?i)` that applies to the rest of the enclosing group. JavaScript (V8 12.5+,
 * Node 24) has the scoped form `(?i:...)`, so `(?i)rest` inside a group becomes `(?i:rest)`.
 * Anything else JavaScript cannot compile is left to the caller to report as not evaluated.
 * (Go's syntax: https://pkg.go.dev/regexp/syntax, "Grouping": `(?flags)` sets flags for the
 * current group.)
 */
export function goToJsPattern(pattern: string): string {
    let out = "";
    // For each open group: how many `(?i:` were opened in it, to close where the group closes.
    const opened: number[] = [0];
    let inClass = false;
    for (let i = 0; i < pattern.length; i++) {
        const ch = pattern[i];
        if (ch === "\\") {
            out += pattern.slice(i, i + 2);
            i++;
            continue;
        }
        if (inClass) {
            if (ch === "]") inClass = false;
            out += ch;
            continue;
        }
        if (ch === "[") {
            inClass = true;
            out += ch;
        } else if (pattern.startsWith("(?i)", i)) {
            out += "(?i:";
            opened[opened.length - 1]++;
            i += 3;
        } else if (ch === "(") {
            opened.push(0);
            out += ch;
        } else if (ch === ")") {
            out += ")".repeat(opened.pop() ?? 0) + ch;
        } else if (ch === "|" && opened[opened.length - 1] > 0) {
            // An alternation ends the flag's scope in JavaScript but not in Go: the flag carries on
            // into the next alternative.
            const n = opened[opened.length - 1];
            out += `${")".repeat(n)}|${"(?i:".repeat(n)}`;
        } else {
            out += ch;
        }
    }
    return out + ")".repeat(opened[0] ?? 0);
}
