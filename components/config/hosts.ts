import type { AppConfig } from "./apps";
import type { ComponentsConfig } from "./platform";

/** A host the platform publishes, and the stack-file key that declares it (for messages). */
export interface PublicHost {
    host: string;
    /** `ui` for a platform UI (Argo CD, Grafana), `app` for an app's ingress. */
    kind: "app" | "ui";
    /** Key path in the stack file (`apps[0].ingress.host`, `components.argocd.host`). */
    path: (string | number)[];
}

/** The platform UIs that can be exposed, with their default host label. */
const uis = [
    { label: "argocd", path: ["components", "argocd"], of: (c: ComponentsConfig) => c.argocd },
    {
        label: "grafana",
        path: ["components", "kubePrometheusStack", "grafana"],
        of: (c: ComponentsConfig) => c.kubePrometheusStack.grafana,
    },
] as const;

/**
 * Every public host of a stack: each exposed app's ingress host and each exposed platform UI
 * (its `host`, or `<name>.<domain>`). Works on whatever parts of the config parsed.
 */
export function publicHosts(cfg: {
    domain?: string;
    components?: ComponentsConfig;
    apps?: { index: number; app: AppConfig }[];
}): PublicHost[] {
    const hosts: PublicHost[] = (cfg.apps ?? []).flatMap(({ index, app }) =>
        app.ingress ? [{ host: app.ingress.host, kind: "app" as const, path: ["apps", index, "ingress", "host"] }] : [],
    );
    if (cfg.components) {
        for (const ui of uis) {
            const c = ui.of(cfg.components);
            const enabled =
                ui.label === "argocd" ? cfg.components.argocd.enabled !== false : cfg.components.kubePrometheusStack.enabled !== false;
            if (!c.expose || !enabled) continue;
            const host = c.host ?? (cfg.domain ? `${ui.label}.${cfg.domain}` : undefined);
            if (host) hosts.push({ host, kind: "ui", path: [...ui.path, c.host ? "host" : "expose"] });
        }
    }
    return hosts;
}

/** How many labels `host` sits below `zone` (`api.example.com` in `example.com`: 1). */
export function levelsBelow(host: string, zone: string): number {
    return host.split(".").length - zone.split(".").length;
}

/** Whether `host` is `domain` or sits below it. */
export function isUnder(host: string, domain: string): boolean {
    return host === domain || host.endsWith(`.${domain}`);
}
