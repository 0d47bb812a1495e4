/** Where each alert's runbook lives: one anchor per alert (its name, lower-cased) in docs/runbooks.md. */
export const runbookBaseUrl = "https://github.com/acme-platform/platform/blob/main/docs/runbooks.md";

export const runbookUrl = (alert: string) => `${runbookBaseUrl}#${alert.toLowerCase()}`;
