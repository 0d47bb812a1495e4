import * as zlib from "zlib";
import type { Cluster } from "./cluster";
import type { ReleaseExpectation } from "./expectations";
import type { CheckResult } from "./report";

/**
 * Helm 3 (and 4) keep each release revision in a Secret `sh.helm.release.v1.<name>.v<revision>`
 * labelled `owner=helm,name=<name>,version=<revision>`; its `release` key holds the release as
 * base64(gzip(JSON)) (helm pkg/storage/driver/util.go), base64-encoded once more by the API.
 */
export interface HelmRelease {
    name: string;
    revision: number;
    status: string;
    chart: string;
    chartVersion: string;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** Decodes the `release` value of a Helm release Secret as the API returns it (`data.release`). */
export function decodeHelmRelease(apiValue: string): HelmRelease {
    const helmEncoded = Buffer.from(apiValue, "base64").toString("utf8");
    const bytes = Buffer.from(helmEncoded, "base64");
    const json = bytes.subarray(0, 3).equals(GZIP_MAGIC) ? zlib.gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
    const release = JSON.parse(json) as {
        name?: string;
        version?: number;
        info?: { status?: string };
        chart?: { metadata?: { name?: string; version?: string } };
    };
    return {
        name: release.name ?? "",
        revision: release.version ?? 0,
        status: release.info?.status ?? "unknown",
        chart: release.chart?.metadata?.name ?? "",
        chartVersion: release.chart?.metadata?.version ?? "",
    };
}

const sameVersion = (a: string, b: string) => a.replace(/^v/, "") === b.replace(/^v/, "");

/** Every release at its newest revision: status `deployed`, the pinned chart and version. */
export async function checkReleases(cluster: Cluster, releases: ReleaseExpectation[]): Promise<CheckResult[]> {
    const all = await cluster.secrets("owner=helm");
    return releases.map((expected): CheckResult => {
        const target = `${expected.namespace}/${expected.name}`;
        const fail = (detail: string): CheckResult => ({ check: "release", target, status: "fail", detail });
        const secrets = all.filter((s) => s.metadata?.namespace === expected.namespace && s.metadata?.labels?.name === expected.name);
        const revisions = secrets
            .map((s) => ({ secret: s, revision: revisionOf(s.metadata?.name ?? "", s.metadata?.labels?.version) }))
            .sort((a, b) => b.revision - a.revision);
        const newest = revisions[0];
        if (!newest) return fail(`not installed: no Helm release secret (stack pins ${expected.chart} ${expected.version})`);
        const data = newest.secret.data?.release;
        if (!data) return fail(`revision ${newest.revision}: release secret has no 'release' data`);
        let release: HelmRelease;
        try {
            release = decodeHelmRelease(data);
        } catch (err) {
            return fail(`revision ${newest.revision}: cannot decode the release (${(err as Error).message})`);
        }
        const live = `${release.chart} ${release.chartVersion}, revision ${newest.revision}, ${release.status}`;
        if (release.status !== "deployed") return fail(`${live}: status is '${release.status}', not 'deployed'`);
        if (!sameVersion(release.chartVersion, expected.version) || (release.chart && release.chart !== expected.chart)) {
            return fail(`${live}: the stack pins ${expected.chart} ${expected.version}`);
        }
        return { check: "release", target, status: "ok", detail: live };
    });
}

function revisionOf(secretName: string, label: string | undefined): number {
    const fromName = /\.v(\d+)$/.exec(secretName)?.[1];
    return Number(label ?? fromName ?? 0);
}
