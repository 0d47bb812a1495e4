/**
 * The chart versions each model was read at. A chart bump that is not matched here fails the
 * twin with a message naming the model file to re-read, instead of silently modelling the old
 * behaviour.
 */
export const modelsReadAt: Record<string, { chart: string; versions: string[]; file: string; appVersion?: Record<string, string> }> = {
    istio: { chart: "istiod", versions: ["1.30.3"], file: "engine/admit/models/istio.ts" },
    cnpg: {
        chart: "cloudnative-pg",
        versions: ["0.29.0"],
        file: "engine/admit/models/cloudnative-pg.ts",
        appVersion: { "0.29.0": "1.30.0" },
    },
    barman: {
        chart: "plugin-barman-cloud",
        versions: ["0.7.0"],
        file: "engine/admit/models/cloudnative-pg.ts",
        appVersion: { "0.7.0": "v0.13.0" },
    },
    strimzi: { chart: "strimzi-kafka-operator", versions: ["1.2.0"], file: "engine/admit/models/strimzi.ts" },
    certManager: { chart: "cert-manager", versions: ["v1.21.1"], file: "engine/admit/models/cert-manager.ts" },
    rollouts: { chart: "argo-rollouts", versions: ["2.41.0"], file: "engine/admit/models/argo-rollouts.ts" },
    kyverno: { chart: "kyverno", versions: ["3.9.0"], file: "engine/admit/models/kyverno.ts" },
    prometheusOperator: { chart: "kube-prometheus-stack", versions: ["88.5.3"], file: "engine/admit/models/prometheus-operator.ts" },
};
