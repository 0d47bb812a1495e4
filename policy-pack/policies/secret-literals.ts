/**
 * Judges a literal by its content: whether it looks like a credential, whatever the variable is
 * called. Shared by the pack (container env values) and config validation (`apps[].env`). Never
 * returns or prints the value itself.
 */

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
    return bits;
}

const patterns: [RegExp, string][] = [
    [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, "a connection string with a password"],
    [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key ID"],
    [/-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/, "a private key"],
    [/\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/, "a GitHub token"],
    [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
    [/\b[rs]k_live_[A-Za-z0-9]{16,}/, "a Stripe live key"],
    [/\bglpat-[A-Za-z0-9_-]{20,}/, "a GitLab token"],
    [/^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$/, "a JSON Web Token"],
];

/**
 * What kind of secret `value` looks like, or undefined. Random tokens are recognised by length
 * (24+), an unbroken token alphabet, a mix of upper case, lower case and digits, and high
 * entropy: enough to pass hostnames, paths, URLs, versions and PromQL, and to catch API keys.
 */
export function secretLiteralKind(value: string): string | undefined {
    for (const [pattern, kind] of patterns) if (pattern.test(value)) return kind;
    const mixed = /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
    if (value.length >= 24 && /^[A-Za-z0-9+/=_-]+$/.test(value) && mixed && entropy(value) >= 4) return "a high-entropy token";
    return undefined;
}
