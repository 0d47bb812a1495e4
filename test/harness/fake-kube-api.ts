import * as fs from "fs";
import * as https from "https";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { repoRoot } from "../../engine/synth/stack-files";

/**
 * A Kubernetes API server for tests: real HTTPS on 127.0.0.1 (random port), answering the list
 * and get endpoints the way the API server does (List kinds, `items`, Status objects on 404),
 * from a set of objects the test swaps at will. The real client talks to it through a generated
 * kubeconfig, so nothing of the client is mocked.
 */
export interface LiveObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
    [key: string]: unknown;
}

const tlsDir = path.join(repoRoot, "test", "fixtures", "tls");
/** The throwaway test certificate (for *.platform.example.com and 127.0.0.1) and its key. */
export const testCert = fs.readFileSync(path.join(tlsDir, "platform-example.crt"));
export const testKey = fs.readFileSync(path.join(tlsDir, "platform-example.key"));

/** Kubernetes' resource (plural) name of a kind; Gatekeeper constraint kinds are only lowercased. */
function pluralOf(obj: LiveObject): string {
    const lower = obj.kind.toLowerCase();
    if (obj.apiVersion.startsWith("constraints.gatekeeper.sh/")) return lower;
    return lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

function matchesSelector(obj: LiveObject, selector: string | null): boolean {
    if (!selector) return true;
    return selector.split(",").every((term) => {
        const [k, v] = term.split(/==?/);
        return obj.metadata.labels?.[k.trim()] === v?.trim();
    });
}

export class FakeKubeApi {
    private objects: LiveObject[] = [];
    /** `group/version/plural` the server answers 404 for, as for a CRD that is not installed. */
    unserved = new Set<string>();
    /** Every request path (with query), for assertions on what the client asked. */
    readonly requests: string[] = [];
    private server?: https.Server;
    private dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-kube-"));

    setObjects(objects: LiveObject[]): void {
        this.objects = objects;
        this.unserved.clear();
    }

    async start(): Promise<void> {
        this.server = https.createServer({ cert: testCert, key: testKey }, (req, res) => {
            const url = new URL(req.url ?? "/", "https://127.0.0.1");
            this.requests.push(url.pathname + url.search);
            const { status, body } = this.answer(req.method ?? "GET", url);
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    get url(): string {
        return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    /** A kubeconfig file with one context, `name`, trusting the test certificate. */
    writeKubeconfig(name = "fake", server = this.url): string {
        const file = path.join(this.dir, `${name}.kubeconfig`);
        const config = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name, cluster: { server, "certificate-authority-data": testCert.toString("base64") } }],
            users: [{ name, user: { token: "test-token" } }],
            contexts: [{ name, context: { cluster: name, user: name } }],
            "current-context": name,
        };
        fs.writeFileSync(file, stringify(config));
        return file;
    }

    private answer(method: string, url: URL): { status: number; body: unknown } {
        if (method !== "GET") return this.status(405, "MethodNotAllowed", `${method} is not served by the fake`);
        if (url.pathname === "/version")
            return { status: 200, body: { major: "1", minor: "34", gitVersion: "v1.34.0", platform: "linux/amd64" } };
        const core = /^\/api\/(v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
        const grouped = /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
        const route = core
            ? { apiVersion: core[1], namespace: core[2], plural: core[3], name: core[4] }
            : grouped
              ? { apiVersion: `${grouped[1]}/${grouped[2]}`, namespace: grouped[3], plural: grouped[4], name: grouped[5] }
              : undefined;
        if (!route) return this.status(404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
        if (this.unserved.has(`${route.apiVersion}/${route.plural}`)) {
            return this.status(404, "NotFound", "the server could not find the requested resource");
        }
        const matching = this.objects.filter(
            (o) =>
                o.apiVersion === route.apiVersion &&
                pluralOf(o) === route.plural &&
                (route.namespace === undefined || o.metadata.namespace === route.namespace) &&
                matchesSelector(o, url.searchParams.get("labelSelector")),
        );
        if (route.name !== undefined) {
            const found = matching.find((o) => o.metadata.name === route.name);
            return found ? { status: 200, body: found } : this.status(404, "NotFound", `${route.plural} "${route.name}" not found`);
        }
        const kind = matching[0]?.kind ?? route.plural;
        return {
            status: 200,
            body: { apiVersion: route.apiVersion, kind: `${kind}List`, metadata: { resourceVersion: "1" }, items: matching },
        };
    }

    private status(code: number, reason: string, message: string) {
        return { status: code, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code } };
    }
}
