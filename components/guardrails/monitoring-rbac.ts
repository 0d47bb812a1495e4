import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedBy } from "../shared/labels";

/** The group on-call engineers are in; bound to read-only access, never to cluster-admin. */
export const monitoringReadersGroup = "platform:monitoring-readers";

/**
 * A read-only ClusterRole for monitoring and on-call: see workloads, their status and the
 * monitoring objects, never Secrets, never write. Platform components keep the service
 * accounts and roles their charts define; the program creates no cluster-admin binding.
 */
export class MonitoringRbac extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:MonitoringRbac", name, {}, opts);
        const read = ["get", "list", "watch"];
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-role`,
            {
                metadata: { name: "platform-monitoring-read-only", labels: managedBy },
                rules: [
                    {
                        apiGroups: [""],
                        resources: [
                            "pods",
                            "pods/log",
                            "services",
                            "endpoints",
                            "nodes",
                            "namespaces",
                            "events",
                            "configmaps",
                            "persistentvolumeclaims",
                        ],
                        verbs: read,
                    },
                    { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], verbs: read },
                    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: read },
                    { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: read },
                    {
                        apiGroups: ["monitoring.coreos.com"],
                        resources: ["servicemonitors", "podmonitors", "prometheusrules", "prometheuses", "alertmanagers"],
                        verbs: read,
                    },
                    { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: read },
                ],
            },
            { parent: this },
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-binding`,
            {
                metadata: { name: "platform-monitoring-read-only", labels: managedBy },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: monitoringReadersGroup }],
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
