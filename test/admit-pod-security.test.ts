import { strict as assert } from "assert";
import { PodLike, checkPodSecurity, checksFor, enforcedLevel } from "../engine/admit/pod-security";

/** A pod Baseline admits: what `kubectl run` would create. */
const plainPod: PodLike = { spec: { containers: [{ name: "app", image: "registry.example/app:1" }] } };

/** A pod Restricted admits, with the least each rule needs. */
const restrictedPod: PodLike = {
    spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "app",
                image: "registry.example/app:1",
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
        ],
    },
};

/** A copy of `pod` changed by `change` (the originals stay untouched). */
function edit(pod: PodLike, change: (copy: PodLike & { spec: Required<PodLike["spec"]> }) => void): PodLike {
    const copy = structuredClone(pod) as PodLike & { spec: Required<PodLike["spec"]> };
    change(copy);
    return copy;
}

const ids = (pod: PodLike, level: "baseline" | "restricted", version?: string) => checkPodSecurity(pod, level, version).map((f) => f.check);

interface Case {
    check: string;
    /** Violates only `check`. */
    fails: PodLike;
    /** Sets the same field to a value the check allows. */
    passes: PodLike;
    /** Part of the finding's message. */
    says: string;
}

const app = (pod: PodLike) => pod.spec.containers![0];

const baselineCases: Case[] = [
    {
        check: "windowsHostProcess",
        fails: edit(plainPod, (p) => (p.spec.securityContext = { windowsOptions: { hostProcess: true } })),
        passes: edit(plainPod, (p) => (p.spec.securityContext = { windowsOptions: { hostProcess: false } })),
        says: "hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)",
    },
    {
        check: "hostNamespaces",
        fails: edit(plainPod, (p) => Object.assign(p.spec, { hostNetwork: true, hostPID: true })),
        passes: edit(plainPod, (p) => Object.assign(p.spec, { hostNetwork: false, hostPID: false, hostIPC: false })),
        says: "host namespaces (hostNetwork=true, hostPID=true)",
    },
    {
        check: "privileged",
        fails: edit(plainPod, (p) => (app(p).securityContext = { privileged: true })),
        passes: edit(plainPod, (p) => (app(p).securityContext = { privileged: false })),
        says: 'privileged (container "app" must not set securityContext.privileged=true)',
    },
    {
        check: "capabilities_baseline",
        fails: edit(plainPod, (p) => (app(p).securityContext = { capabilities: { add: ["NET_RAW", "SYS_ADMIN", "CHOWN"] } })),
        passes: edit(plainPod, (p) => (app(p).securityContext = { capabilities: { add: ["CHOWN", "NET_BIND_SERVICE", "SYS_CHROOT"] } })),
        says: 'non-default capabilities (container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add)',
    },
    {
        check: "hostPathVolumes",
        fails: edit(plainPod, (p) => (p.spec.volumes = [{ name: "root", hostPath: { path: "/" } }])),
        passes: edit(plainPod, (p) => (p.spec.volumes = [{ name: "scratch", emptyDir: {} }])),
        says: 'hostPath volumes (volume "root")',
    },
    {
        check: "hostPorts",
        fails: edit(plainPod, (p) => (app(p).ports = [{ containerPort: 80, hostPort: 8080 }])),
        passes: edit(plainPod, (p) => (app(p).ports = [{ containerPort: 80, hostPort: 0 }, { containerPort: 81 }])),
        says: 'hostPort (container "app" uses hostPort 8080)',
    },
    {
        check: "appArmorProfile",
        fails: edit(plainPod, (p) => (app(p).securityContext = { appArmorProfile: { type: "Unconfined" } })),
        passes: edit(plainPod, (p) => (app(p).securityContext = { appArmorProfile: { type: "Localhost", localhostProfile: "k8s-app" } })),
        says: 'forbidden AppArmor profile (container "app" must not set AppArmor profile type to "Unconfined")',
    },
    {
        check: "appArmorProfile",
        fails: edit(
            plainPod,
            (p) => (p.metadata = { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } }),
        ),
        passes: edit(plainPod, (p) => {
            // Upstream reads every annotation with the prefix, whether or not the container exists.
            const prefix = "container.apparmor.security.beta.kubernetes.io/";
            p.metadata = {
                annotations: { [`${prefix}app`]: "runtime/default", [`${prefix}init`]: "", [`${prefix}sidecar`]: "localhost/k8s-app" },
            };
        }),
        says: 'annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""',
    },
    {
        check: "seLinuxOptions",
        fails: edit(plainPod, (p) => (p.spec.securityContext = { seLinuxOptions: { type: "spc_t", user: "system_u" } })),
        passes: edit(plainPod, (p) => (p.spec.securityContext = { seLinuxOptions: { type: "container_init_t", level: "s0:c123,c456" } })),
        says: 'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
    },
    {
        check: "procMount",
        fails: edit(plainPod, (p) => (app(p).securityContext = { procMount: "Unmasked" })),
        passes: edit(plainPod, (p) => (app(p).securityContext = { procMount: "Default" })),
        says: 'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
    },
    {
        check: "seccompProfile_baseline",
        fails: edit(plainPod, (p) => (app(p).securityContext = { seccompProfile: { type: "Unconfined" } })),
        passes: edit(plainPod, (p) => (app(p).securityContext = { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } })),
        says: 'seccompProfile (container "app" must not set securityContext.seccompProfile.type to "Unconfined")',
    },
    {
        check: "sysctls",
        fails: edit(plainPod, (p) => (p.spec.securityContext = { sysctls: [{ name: "kernel.msgmax", value: "1" }] })),
        passes: edit(plainPod, (p) => (p.spec.securityContext = { sysctls: [{ name: "net.ipv4.tcp_wmem", value: "4096 16384 4194304" }] })),
        says: "forbidden sysctls (kernel.msgmax)",
    },
    {
        check: "hostProbesAndHostLifecycle",
        fails: edit(plainPod, (p) => (app(p).livenessProbe = { httpGet: { host: "169.254.169.254", port: 80 } })),
        passes: edit(plainPod, (p) => (app(p).livenessProbe = { httpGet: { host: "", port: 80 } })),
        says: 'probe or lifecycle host (container "app" uses probe or lifecycle host "169.254.169.254")',
    },
    {
        check: "hostProbesAndHostLifecycle",
        fails: edit(plainPod, (p) => (app(p).lifecycle = { preStop: { tcpSocket: { host: "10.0.0.1", port: 9 } } })),
        passes: edit(plainPod, (p) => (app(p).lifecycle = { preStop: { exec: { command: ["sleep", "5"] } } })),
        says: 'uses probe or lifecycle host "10.0.0.1"',
    },
];

const restrictedCases: Case[] = [
    {
        check: "restrictedVolumes",
        fails: edit(restrictedPod, (p) => (p.spec.volumes = [{ name: "share", nfs: { server: "nfs", path: "/" } }])),
        passes: edit(restrictedPod, (p) => {
            const sources = [
                "configMap",
                "csi",
                "downwardAPI",
                "emptyDir",
                "ephemeral",
                "image",
                "persistentVolumeClaim",
                "projected",
                "secret",
            ];
            p.spec.volumes = [...sources.map((source) => ({ name: source.toLowerCase(), [source]: {} })), { name: "defaulted" }];
        }),
        says: 'restricted volume types (volume "share" uses restricted volume type "nfs")',
    },
    {
        check: "allowPrivilegeEscalation",
        fails: edit(restrictedPod, (p) => delete app(p).securityContext!.allowPrivilegeEscalation),
        passes: restrictedPod,
        says: 'allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
    },
    {
        check: "runAsNonRoot",
        fails: edit(restrictedPod, (p) => delete p.spec.securityContext.runAsNonRoot),
        passes: edit(restrictedPod, (p) => {
            delete p.spec.securityContext.runAsNonRoot;
            app(p).securityContext!.runAsNonRoot = true;
        }),
        says: 'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
    },
    {
        check: "runAsNonRoot",
        fails: edit(restrictedPod, (p) => (app(p).securityContext!.runAsNonRoot = false)),
        passes: edit(restrictedPod, (p) => (app(p).securityContext!.runAsNonRoot = true)),
        says: 'runAsNonRoot != true (container "app" must not set securityContext.runAsNonRoot=false)',
    },
    {
        check: "runAsUser",
        fails: edit(restrictedPod, (p) => (p.spec.securityContext.runAsUser = 0)),
        passes: edit(restrictedPod, (p) => (p.spec.securityContext.runAsUser = 65532)),
        says: "runAsUser=0 (pod must not set runAsUser=0)",
    },
    {
        check: "seccompProfile_restricted",
        fails: edit(restrictedPod, (p) => delete p.spec.securityContext.seccompProfile),
        passes: edit(restrictedPod, (p) => {
            delete p.spec.securityContext.seccompProfile;
            app(p).securityContext!.seccompProfile = { type: "RuntimeDefault" };
        }),
        says: 'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    },
    {
        check: "capabilities_restricted",
        fails: edit(restrictedPod, (p) => (app(p).securityContext!.capabilities = { drop: ["NET_RAW"], add: ["CHOWN"] })),
        passes: edit(restrictedPod, (p) => (app(p).securityContext!.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })),
        says:
            'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]; ' +
            'container "app" must not include "CHOWN" in securityContext.capabilities.add)',
    },
    {
        check: "procMount_restricted",
        fails: edit(restrictedPod, (p) => {
            p.spec.hostUsers = false;
            app(p).securityContext!.procMount = "Unmasked";
        }),
        passes: edit(restrictedPod, (p) => (app(p).securityContext!.procMount = "Default")),
        says: 'procMount (container "app" must not set securityContext.procMount to "Unmasked")',
    },
];

describe("admit: Pod Security Standards (v1.35 semantics)", () => {
    it("admits the plain pod at Baseline and the hardened pod at Restricted", () => {
        assert.deepEqual(checkPodSecurity(plainPod, "baseline"), []);
        assert.deepEqual(checkPodSecurity(restrictedPod, "restricted"), []);
        assert.deepEqual(ids(plainPod, "restricted"), [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted",
        ]);
    });

    /** Baseline checks Restricted replaces with its own (tested under "replaces Baseline checks" below). */
    const replacedUnderRestricted = new Set(["capabilities_baseline", "hostPathVolumes", "seccompProfile_baseline", "procMount"]);
    for (const level of ["baseline", "restricted"] as const) {
        describe(`Baseline checks at level ${level}`, () => {
            for (const c of baselineCases) {
                if (level === "restricted" && replacedUnderRestricted.has(c.check)) continue;
                // Under Restricted, start from the hardened pod so only the Baseline rule is at stake.
                const onto = (pod: PodLike) => (level === "baseline" ? pod : merge(restrictedPod, pod));
                it(`${c.check}: refuses "${c.says.slice(0, 60)}…", admits the allowed value`, () => {
                    const findings = checkPodSecurity(onto(c.fails), level);
                    assert.deepEqual(
                        findings.map((f) => [f.check, f.level]),
                        [[c.check, "baseline"]],
                    );
                    assert.ok(findings[0].message.includes(c.says), findings[0].message);
                    assert.deepEqual(checkPodSecurity(onto(c.passes), level), []);
                });
            }
        });
    }

    describe("Restricted checks", () => {
        for (const c of restrictedCases) {
            it(`${c.check}: refuses at restricted, not at baseline; admits the allowed value`, () => {
                const findings = checkPodSecurity(c.fails, "restricted");
                assert.deepEqual(
                    findings.map((f) => [f.check, f.level]),
                    [[c.check, "restricted"]],
                );
                assert.equal(findings[0].message, c.says);
                assert.deepEqual(checkPodSecurity(c.fails, "baseline"), []);
                assert.deepEqual(checkPodSecurity(c.passes, "restricted"), []);
            });
        }
    });

    it("admits anything at privileged", () => {
        const worst = edit(plainPod, (p) => {
            Object.assign(p.spec, { hostNetwork: true, volumes: [{ name: "root", hostPath: { path: "/" } }] });
            app(p).securityContext = { privileged: true, capabilities: { add: ["SYS_ADMIN"] } };
        });
        assert.deepEqual(checkPodSecurity(worst, "privileged"), []);
        assert.equal(ids(worst, "baseline").length, 4);
    });

    it("visits init, regular and ephemeral containers, naming each culprit", () => {
        const pod = edit(plainPod, (p) => {
            const bad = { securityContext: { privileged: true } };
            p.spec.initContainers = [{ name: "init", ...bad }];
            p.spec.ephemeralContainers = [{ name: "debugger", ...bad }];
            app(p).securityContext = bad.securityContext;
        });
        const [finding] = checkPodSecurity(pod, "baseline");
        assert.equal(finding.message, 'privileged (containers "init", "app", "debugger" must not set securityContext.privileged=true)');
    });

    it("reports an explicit Unconfined seccomp profile before containers that set none", () => {
        const pod = edit(restrictedPod, (p) => {
            delete p.spec.securityContext.seccompProfile;
            p.spec.initContainers = [
                { name: "init", securityContext: { ...app(p).securityContext, seccompProfile: { type: "Unconfined" } } },
            ];
        });
        assert.deepEqual(
            checkPodSecurity(pod, "restricted").map((f) => f.message),
            ['seccompProfile (container "init" must not set securityContext.seccompProfile.type to "Unconfined")'],
        );
    });

    it("replaces Baseline checks by their Restricted counterparts instead of reporting twice", () => {
        const pod = edit(restrictedPod, (p) => {
            p.spec.volumes = [{ name: "root", hostPath: { path: "/" } }];
            p.spec.securityContext.seccompProfile = { type: "Unconfined" };
            app(p).securityContext!.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] };
        });
        assert.deepEqual(ids(pod, "baseline"), ["capabilities_baseline", "hostPathVolumes", "seccompProfile_baseline"]);
        assert.deepEqual(ids(pod, "restricted"), ["capabilities_restricted", "restrictedVolumes", "seccompProfile_restricted"]);
    });

    describe("versions", () => {
        const sysctl = (name: string) => edit(plainPod, (p) => (p.spec.securityContext = { sysctls: [{ name }] }));
        const cases: { what: string; pod: PodLike; level: "baseline" | "restricted"; admitted: string[]; refused: string[] }[] = [
            {
                what: "probe hosts are checked from v1.34",
                pod: baselineCases.find((c) => c.check === "hostProbesAndHostLifecycle")!.fails,
                level: "baseline",
                admitted: ["v1.33", "v1.0"],
                refused: ["v1.34", "v1.35", "latest"],
            },
            {
                what: "net.ipv4.tcp_rmem is safe from v1.32",
                pod: sysctl("net.ipv4.tcp_rmem"),
                level: "baseline",
                admitted: ["v1.32", "latest"],
                refused: ["v1.31"],
            },
            {
                what: "net.ipv4.tcp_keepalive_time is safe from v1.29",
                pod: sysctl("net.ipv4.tcp_keepalive_time"),
                level: "baseline",
                admitted: ["v1.29"],
                refused: ["v1.28"],
            },
            {
                what: "net.ipv4.ip_local_reserved_ports is safe from v1.27",
                pod: sysctl("net.ipv4.ip_local_reserved_ports"),
                level: "baseline",
                admitted: ["v1.27"],
                refused: ["v1.26"],
            },
            {
                what: "SELinux type container_engine_t is allowed from v1.31",
                pod: edit(plainPod, (p) => (p.spec.securityContext = { seLinuxOptions: { type: "container_engine_t" } })),
                level: "baseline",
                admitted: ["v1.31"],
                refused: ["v1.30"],
            },
            {
                what: "an unmasked /proc in a user namespace is Baseline from v1.35",
                pod: edit(plainPod, (p) => {
                    p.spec.hostUsers = false;
                    app(p).securityContext = { procMount: "Unmasked" };
                }),
                level: "baseline",
                admitted: ["v1.35", "latest"],
                refused: ["v1.34"],
            },
            {
                what: "root in a user namespace is Restricted from v1.35",
                pod: edit(restrictedPod, (p) => {
                    p.spec.hostUsers = false;
                    p.spec.securityContext = { runAsNonRoot: false, runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } };
                }),
                level: "restricted",
                admitted: ["v1.35"],
                refused: ["v1.34"],
            },
            {
                what: "runAsUser=0 is checked from v1.23",
                pod: edit(restrictedPod, (p) => (app(p).securityContext!.runAsUser = 0)),
                level: "restricted",
                admitted: ["v1.22"],
                refused: ["v1.23"],
            },
            {
                what: "drop ALL is required from v1.22",
                pod: edit(restrictedPod, (p) => delete app(p).securityContext!.capabilities),
                level: "restricted",
                admitted: ["v1.21"],
                refused: ["v1.22"],
            },
            {
                what: "allowPrivilegeEscalation=false is required from v1.8",
                pod: edit(restrictedPod, (p) => delete app(p).securityContext!.allowPrivilegeEscalation),
                level: "restricted",
                admitted: ["v1.7"],
                refused: ["v1.8"],
            },
            {
                what: "a seccomp profile is required from v1.19",
                pod: edit(restrictedPod, (p) => delete p.spec.securityContext.seccompProfile),
                level: "restricted",
                admitted: ["v1.18"],
                refused: ["v1.19"],
            },
            {
                what: "seccomp is read from fields from v1.19",
                pod: edit(plainPod, (p) => (p.spec.securityContext = { seccompProfile: { type: "Unconfined" } })),
                level: "baseline",
                admitted: ["v1.18"],
                refused: ["v1.19"],
            },
            {
                what: "seccomp is read from annotations up to v1.18",
                pod: edit(
                    plainPod,
                    (p) => (p.metadata = { annotations: { "container.seccomp.security.alpha.kubernetes.io/app": "unconfined" } }),
                ),
                level: "baseline",
                admitted: ["v1.19", "latest"],
                refused: ["v1.18", "v1.0"],
            },
            {
                what: "Windows pods skip the Linux-only Restricted checks from v1.25",
                pod: edit(plainPod, (p) => {
                    p.spec.os = { name: "windows" };
                    p.spec.securityContext = { runAsNonRoot: true };
                }),
                level: "restricted",
                admitted: ["v1.25", "latest"],
                refused: ["v1.24"],
            },
        ];
        for (const c of cases) {
            it(c.what, () => {
                for (const v of c.admitted) assert.deepEqual(checkPodSecurity(c.pod, c.level, v), [], `${v} should admit`);
                for (const v of c.refused) assert.notDeepEqual(checkPodSecurity(c.pod, c.level, v), [], `${v} should refuse`);
            });
        }

        it("evaluates a version newer than v1.35 as v1.35 and refuses a malformed one", () => {
            const probe = baselineCases.find((c) => c.check === "hostProbesAndHostLifecycle")!.fails;
            assert.deepEqual(checkPodSecurity(probe, "baseline", "v1.40"), checkPodSecurity(probe, "baseline", "latest"));
            assert.throws(() => checkPodSecurity(probe, "baseline", "1.35"), /must be "latest" or "v1.x"/);
            assert.throws(() => checkPodSecurity(probe, "baseline", "v1.035"), /must be "latest" or "v1.x"/);
        });

        it("runs 12 Baseline checks, and 15 at Restricted (8 of them Baseline's) at v1.35, in upstream's order", () => {
            assert.equal(checksFor("baseline").length, 12);
            const restricted = checksFor("restricted").map((c) => c.id);
            assert.deepEqual(restricted.slice(0, 3), ["appArmorProfile", "hostNamespaces", "hostPorts"]);
            assert.deepEqual(restricted.slice(-7), [
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]);
            assert.equal(restricted.length, 15);
        });
    });

    it("admits a realistic hardened Deployment template at Restricted for every version", () => {
        const template: PodLike = {
            metadata: {
                labels: { app: "orders" },
                annotations: { "container.apparmor.security.beta.kubernetes.io/orders": "runtime/default" },
            },
            spec: {
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 10001,
                    fsGroup: 10001,
                    seccompProfile: { type: "RuntimeDefault" },
                    sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }],
                },
                initContainers: [
                    {
                        name: "migrate",
                        image: "registry.example/orders-migrate:2.3.1",
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    },
                ],
                containers: [
                    {
                        name: "orders",
                        image: "registry.example/orders:2.3.1",
                        ports: [{ name: "http", containerPort: 8080 }],
                        readinessProbe: { httpGet: { path: "/ready", port: "http" } },
                        livenessProbe: { tcpSocket: { port: 8080 } },
                        lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                            seLinuxOptions: { level: "s0:c1,c2" },
                        },
                    },
                ],
                volumes: [
                    { name: "tmp", emptyDir: { medium: "Memory" } },
                    { name: "config", configMap: { name: "orders" } },
                    { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
                    { name: "data", persistentVolumeClaim: { claimName: "orders" } },
                ],
            },
        };
        for (let minor = 0; minor <= 36; minor++)
            assert.deepEqual(checkPodSecurity(template, "restricted", `v1.${minor}`), [], `v1.${minor}`);
        assert.deepEqual(checkPodSecurity(template, "restricted"), []);
    });

    describe("enforcedLevel", () => {
        it("is privileged/latest for an unlabelled namespace, or the cluster's defaults", () => {
            assert.deepEqual(enforcedLevel({}), { level: "privileged", version: "latest", problems: [] });
            assert.deepEqual(enforcedLevel({}, { level: "baseline", version: "v1.34" }), {
                level: "baseline",
                version: "v1.34",
                problems: [],
            });
        });

        it("reads the enforce level and version labels, ignoring audit and warn", () => {
            const labels = {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "v1.33",
                "pod-security.kubernetes.io/warn": "privileged",
            };
            assert.deepEqual(enforcedLevel(labels), { level: "restricted", version: "v1.33", problems: [] });
            assert.deepEqual(enforcedLevel({ "pod-security.kubernetes.io/enforce": "baseline" }).version, "latest");
        });

        it("fails closed on an invalid level and falls back to latest on an invalid version, saying so", () => {
            const result = enforcedLevel({
                "pod-security.kubernetes.io/enforce": "strict",
                "pod-security.kubernetes.io/enforce-version": "1.30",
            });
            assert.equal(result.level, "restricted");
            assert.equal(result.version, "latest");
            assert.equal(result.problems.length, 2);
            assert.match(result.problems[0], /enforce="strict": must be one of privileged, baseline, restricted/);
        });
    });
});

/** `base` with `over`'s spec fields and containers' fields layered on (for putting a Baseline violation on a hardened pod). */
function merge(base: PodLike, over: PodLike): PodLike {
    const copy = structuredClone(base);
    const top = structuredClone(over);
    copy.metadata = { ...copy.metadata, ...top.metadata };
    const { containers, securityContext, ...rest } = top.spec;
    Object.assign(copy.spec, rest);
    copy.spec.securityContext = { ...copy.spec.securityContext, ...securityContext };
    const [baseApp] = copy.spec.containers!;
    const [topApp] = containers ?? [];
    const { securityContext: topContext, ...topRest } = topApp ?? { name: "app" };
    Object.assign(baseApp, topRest);
    baseApp.securityContext = { ...baseApp.securityContext, ...topContext };
    return copy;
}
