// Consistency of the deployment manifests with the code: docker-compose.yml, deploy/Dockerfile,
// deploy/postgres and the kustomize base deploy/k8s/base are checked against the service
// catalog and topics (@fulfil/contracts) and the environment the services read
// (@fulfil/service-kit). No Docker engine or cluster is needed: the files are only read.
//
// Each check collects readable problems and expects the list to be empty, so a failure names
// the file, the service and what differs.
import { PROVISIONED_TOPICS, SERVICE_CATALOG, SERVICE_NAMES } from '@fulfil/contracts';
import { MALLOC_TUNABLES } from '@fulfil/local-infra';
import { SERVICE_ENVIRONMENT } from '@fulfil/service-kit';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(__dirname, '..');
const DEPLOY = join(ROOT, 'deploy');
const K8S_BASE = join(DEPLOY, 'k8s', 'base');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const DOCKERFILE = join(DEPLOY, 'Dockerfile');
const POSTGRES_INIT = join(DEPLOY, 'postgres', 'init-databases.sql');

type Json = Record<string, unknown>;

const KNOWN_VARIABLES = new Set(SERVICE_ENVIRONMENT.map((variable) => variable.name));
const REQUIRED_VARIABLES = SERVICE_ENVIRONMENT.filter((v) => v.required).map((v) => v.name);
const SECRET_VARIABLES = new Set(SERVICE_ENVIRONMENT.filter((v) => v.secret).map((v) => v.name));
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Small helpers over parsed YAML (unknown values).

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Json => (isObject(value) ? value : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
/** `get(x, 'spec', 'template')` — undefined when any step is missing. */
const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((current, key) => (isObject(current) ? current[key] : undefined), value);

const rel = (path: string): string => relative(ROOT, path);
const sameSet = (a: Iterable<string>, b: Iterable<string>): boolean => {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((item, i) => item === right[i]);
};
const list = (items: Iterable<string>): string => `[${[...items].sort().join(', ')}]`;

function walk(dir: string, accept: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(path, accept));
    else if (entry.isFile() && accept(entry.name)) found.push(path);
  }
  return found.sort();
}

const isYaml = (name: string): boolean => /\.ya?ml$/.test(name);

interface ParsedYaml {
  readonly documents: unknown[];
  readonly errors: string[];
}

/** Every document of a (multi-document) YAML file, with `<<` merge keys resolved. */
function parseYamlFile(path: string): ParsedYaml {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'), { merge: true });
  const all = Array.isArray(documents) ? documents : [documents];
  const errors = all.flatMap((doc) =>
    [...doc.errors, ...doc.warnings].map((e) => `${rel(path)}: ${e.message}`),
  );
  return { documents: all.map((doc) => doc.toJS()).filter((doc) => doc != null), errors };
}

/** The documents of a file; syntax errors are reported by the 'parses every document' test. */
function loadYaml(path: string): unknown[] {
  return parseYamlFile(path).documents;
}

/**
 * Compose variable interpolation, enough for checking values: `$$` → `$`,
 * `${X:-d}`/`${X-d}` → d, any other `${X…}` or `$X` → `<X>`.
 */
function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (match === '$$') return '$';
      if (operator === ':-' || operator === '-') return argument ?? '';
      return `<${braced ?? bare}>`;
    },
  );
}

/** A database name from a postgres:// URL, or a problem description. */
function databaseOf(url: string): string | Error {
  try {
    const parsed = new URL(url);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) return new Error(`not a postgres:// URL`);
    return decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  } catch {
    return new Error(`not a URL`);
  }
}

/** Checks the variables one service is given: all known, every required one present. */
function checkVariables(where: string, provided: Iterable<string>): string[] {
  const names = new Set(provided);
  const problems: string[] = [];
  for (const name of names) {
    if (!KNOWN_VARIABLES.has(name)) {
      problems.push(
        `${where}: sets ${name}, which is not in SERVICE_ENVIRONMENT ${list(KNOWN_VARIABLES)}`,
      );
    }
  }
  for (const name of REQUIRED_VARIABLES) {
    if (!names.has(name)) problems.push(`${where}: does not provide required variable ${name}`);
  }
  return problems;
}

function durationMs(value: unknown): number | undefined {
  const text = str(value);
  const match = text?.match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!match) return undefined;
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * factor;
}

const catalogEntries = SERVICE_NAMES.map((name) => SERVICE_CATALOG[name]);

// ---------------------------------------------------------------------------------------------

describe('deployment manifests', () => {
  describe('YAML', () => {
    const files = [COMPOSE_FILE, ...walk(DEPLOY, isYaml)];

    it('finds the compose file and the kustomize base', () => {
      expect(files.map(rel)).toEqual(
        expect.arrayContaining(['docker-compose.yml', 'deploy/k8s/base/kustomization.yaml']),
      );
    });

    it('parses every document of every .yml/.yaml file under deploy/ and docker-compose.yml', () => {
      const problems = files.flatMap((file) => {
        const { documents, errors } = parseYamlFile(file);
        return documents.length === 0 ? [...errors, `${rel(file)}: no document`] : errors;
      });
      expect(problems).toEqual([]);
    });
  });

  describe('docker-compose.yml', () => {
    const compose = obj(loadYaml(COMPOSE_FILE)[0]);
    const services = obj(compose.services);

    const environmentOf = (service: unknown): Map<string, string> => {
      const env = get(service, 'environment');
      const entries: [string, string][] = Array.isArray(env)
        ? env.map((item) => {
            const [name, ...value] = String(item).split('=');
            return [name ?? '', value.join('=')];
          })
        : Object.entries(obj(env)).map(([name, value]) => [name, str(value) ?? '']);
      return new Map(entries.map(([name, value]) => [name, interpolate(value)]));
    };

    /** [published, target] pairs from short ("3001:3001") and long ({published, target}) syntax. */
    const portsOf = (service: unknown): [string, string][] =>
      arr(get(service, 'ports')).map((port) => {
        if (isObject(port)) return [str(port.published) ?? '', str(port.target) ?? ''];
        const parts = String(port)
          .replace(/\/tcp$/, '')
          .split(':');
        return [parts.at(-2) ?? '', parts.at(-1) ?? ''];
      });

    it('runs every catalog service, built from deploy/Dockerfile, on its catalog port', () => {
      const problems: string[] = [];
      for (const { name, defaultPort } of catalogEntries) {
        const service = services[name];
        const where = `docker-compose.yml service "${name}"`;
        if (!isObject(service)) {
          problems.push(`${where}: missing (services: ${list(Object.keys(services))})`);
          continue;
        }
        const build = obj(service.build);
        if (str(build.context) !== '.') problems.push(`${where}: build.context must be "."`);
        if (str(build.dockerfile) !== 'deploy/Dockerfile') {
          problems.push(
            `${where}: build.dockerfile is ${str(build.dockerfile)}, not deploy/Dockerfile`,
          );
        }
        const args = obj(build.args);
        if (str(args.SERVICE) !== name) {
          problems.push(`${where}: build.args.SERVICE is ${str(args.SERVICE)}, expected ${name}`);
        }
        if (args.PORT !== undefined && str(args.PORT) !== String(defaultPort)) {
          problems.push(`${where}: build.args.PORT is ${str(args.PORT)}, expected ${defaultPort}`);
        }
        const ports = portsOf(service);
        if (!ports.some(([p, t]) => p === String(defaultPort) && t === String(defaultPort))) {
          problems.push(
            `${where}: does not publish ${defaultPort}:${defaultPort} (ports: ${JSON.stringify(ports)})`,
          );
        }
        const port = environmentOf(service).get('PORT');
        if (port !== String(defaultPort)) {
          problems.push(`${where}: PORT is ${port}, expected the catalog port ${defaultPort}`);
        }
        const test = arr(get(service, 'healthcheck', 'test'))
          .map(String)
          .join(' ');
        if (!test.includes(`:${defaultPort}/health/ready`)) {
          problems.push(`${where}: healthcheck does not probe :${defaultPort}/health/ready`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives every service known variables, all required ones, and its own database', () => {
      const problems: string[] = [];
      for (const { name, database } of catalogEntries) {
        const where = `docker-compose.yml service "${name}"`;
        const env = environmentOf(services[name]);
        problems.push(...checkVariables(where, env.keys()));
        for (const [variable, value] of env) {
          if (value.trim() === '') problems.push(`${where}: ${variable} is empty`);
        }
        const url = env.get('DATABASE_URL');
        if (url !== undefined) {
          const found = databaseOf(url);
          if (found instanceof Error) problems.push(`${where}: DATABASE_URL ${found.message}`);
          else if (found !== database) {
            problems.push(`${where}: DATABASE_URL names database "${found}", not "${database}"`);
          }
        }
        const brokers = env.get('KAFKA_BROKERS') ?? '';
        const advertised = environmentOf(services.kafka).get('KAFKA_ADVERTISED_LISTENERS') ?? '';
        for (const broker of brokers.split(',').filter(Boolean)) {
          if (!advertised.includes(`//${broker}`)) {
            problems.push(
              `${where}: KAFKA_BROKERS ${broker} is not an advertised listener of kafka (${advertised})`,
            );
          }
        }
        const authTokens = env.get('AUTH_TOKENS') ?? '';
        if (authTokens !== '' && !/^<AUTH_TOKENS>$/.test(authTokens)) {
          problems.push(
            `${where}: AUTH_TOKENS must come from the environment (\${AUTH_TOKENS:?…}), not be committed`,
          );
        }
      }
      expect(problems).toEqual([]);
    });

    it('starts the services after PostgreSQL, Kafka and the topics, and stops them gracefully', () => {
      const problems: string[] = [];
      const expected: Record<string, string> = {
        postgres: 'service_healthy',
        kafka: 'service_healthy',
        'kafka-topics': 'service_completed_successfully',
      };
      for (const { name } of catalogEntries) {
        const service = services[name];
        const where = `docker-compose.yml service "${name}"`;
        for (const [dependency, condition] of Object.entries(expected)) {
          const actual = str(get(service, 'depends_on', dependency, 'condition'));
          if (actual !== condition) {
            problems.push(
              `${where}: depends_on.${dependency}.condition is ${actual}, not ${condition}`,
            );
          }
        }
        const grace = Number(
          environmentOf(service).get('SHUTDOWN_GRACE_MS') ?? DEFAULT_SHUTDOWN_GRACE_MS,
        );
        const stop = durationMs(get(service, 'stop_grace_period')) ?? 10_000;
        if (stop <= grace) {
          problems.push(
            `${where}: stop_grace_period ${stop} ms is not above SHUTDOWN_GRACE_MS ${grace}`,
          );
        }
      }
      for (const infra of ['postgres', 'kafka']) {
        if (!isObject(get(services[infra], 'healthcheck'))) {
          problems.push(`docker-compose.yml service "${infra}": needs a healthcheck`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('runs Apache Kafka in KRaft mode without topic auto-creation, reachable on 9092', () => {
      const kafka = services.kafka;
      const env = environmentOf(kafka);
      expect(str(get(kafka, 'image'))).toMatch(/^apache\/kafka:/);
      expect(env.get('KAFKA_PROCESS_ROLES')).toBe('broker,controller');
      expect(env.get('KAFKA_AUTO_CREATE_TOPICS_ENABLE')).toBe('false');
      expect(env.get('KAFKA_ADVERTISED_LISTENERS')).toContain('//localhost:9092');
      expect(portsOf(kafka)).toContainEqual(['9092', '9092']);
    });

    it('creates exactly the Topics of @fulfil/contracts, with 3 partitions, in kafka-topics', () => {
      const init = services['kafka-topics'];
      const env = environmentOf(init);
      const script = [...arr(get(init, 'entrypoint')), ...arr(get(init, 'command'))]
        .map(String)
        .join(' ');
      const topics = (env.get('TOPICS') ?? '').split(/\s+/).filter(Boolean);
      const problems: string[] = [];
      if (!sameSet(topics, PROVISIONED_TOPICS)) {
        problems.push(
          `kafka-topics TOPICS ${list(topics)} differ from Topics ${list(PROVISIONED_TOPICS)}`,
        );
      }
      if (topics.length !== new Set(topics).size)
        problems.push(`kafka-topics TOPICS has duplicates`);
      if (env.get('PARTITIONS') !== '3') problems.push(`kafka-topics PARTITIONS is not 3`);
      if (str(get(init, 'image')) !== str(get(services.kafka, 'image'))) {
        problems.push(`kafka-topics must use the kafka service's image`);
      }
      for (const needed of ['kafka-topics.sh', '--create', '$$TOPICS', '$$PARTITIONS']) {
        if (!script.includes(needed)) problems.push(`kafka-topics command does not use ${needed}`);
      }
      const literalTopics = [...script.matchAll(/--topic\s+("?)([^\s"$]+)\1/g)].map((m) => m[2]);
      if (literalTopics.length > 0) {
        problems.push(
          `kafka-topics creates topics outside TOPICS: ${list(literalTopics as string[])}`,
        );
      }
      expect(problems).toEqual([]);
    });

    it('runs PostgreSQL 17 with the init script that creates every catalog database', () => {
      const postgres = services.postgres;
      expect(str(get(postgres, 'image'))).toMatch(/^postgres:17(\b|$)/);
      const volumes = arr(get(postgres, 'volumes')).map(String);
      expect(volumes).toContainEqual(
        expect.stringMatching(
          /^\.\/deploy\/postgres\/init-databases\.sql:\/docker-entrypoint-initdb\.d\/[^:]+\.sql(:ro)?$/,
        ),
      );
      const sql = readFileSync(POSTGRES_INIT, 'utf8').replace(/--.*$/gm, '');
      const created = [...sql.matchAll(/CREATE\s+DATABASE\s+"?([A-Za-z0-9_]+)"?/gi)].map(
        (m) => m[1],
      );
      expect({ createdDatabases: [...created].sort() }).toEqual({
        createdDatabases: catalogEntries.map((entry) => entry.database).sort(),
      });
    });

    it("gives PostgreSQL the embedded server's malloc tunables", () => {
      const environment = obj(get(services.postgres, 'environment'));
      expect(str(environment.GLIBC_TUNABLES)?.split(':')).toEqual([...MALLOC_TUNABLES]);
    });
  });

  describe('kustomize base deploy/k8s/base', () => {
    const kustomizationFile = join(K8S_BASE, 'kustomization.yaml');
    const kustomization = obj(loadYaml(kustomizationFile)[0]);
    const resources = arr(kustomization.resources).map(String);
    const listedFiles = resources.map((resource) => join(K8S_BASE, resource));
    const manifests = listedFiles
      .filter((file) => existsSync(file))
      .flatMap((file) => loadYaml(file).map((doc) => ({ file, doc: obj(doc) })));
    const ofKind = (kind: string) => manifests.filter(({ doc }) => doc.kind === kind);
    const named = (kind: string, name: string) =>
      ofKind(kind).find(({ doc }) => get(doc, 'metadata', 'name') === name);

    const exampleFile = join(K8S_BASE, 'secret.example.yaml');
    const exampleSecrets = existsSync(exampleFile)
      ? loadYaml(exampleFile)
          .map(obj)
          .filter((doc) => doc.kind === 'Secret')
      : [];

    it('lists every manifest file of the base, each of which exists; the Secret example is not listed', () => {
      const problems: string[] = [];
      for (const file of listedFiles) {
        if (!existsSync(file))
          problems.push(`kustomization.yaml lists ${rel(file)}, which does not exist`);
      }
      const onDisk = walk(K8S_BASE, isYaml).filter(
        (file) => file !== kustomizationFile && !file.endsWith('.example.yaml'),
      );
      for (const file of onDisk) {
        if (!listedFiles.includes(file))
          problems.push(`${rel(file)} is not listed in kustomization.yaml`);
      }
      if (!existsSync(exampleFile)) problems.push(`${rel(exampleFile)} is missing`);
      if (listedFiles.some((file) => file.endsWith('.example.yaml'))) {
        problems.push('kustomization.yaml must not list an *.example.yaml file');
      }
      expect(problems).toEqual([]);
    });

    it('has a Deployment and a Service on the catalog port for every catalog service, and no other', () => {
      const problems: string[] = [];
      const catalogNames = new Set<string>(SERVICE_NAMES);
      for (const { doc } of ofKind('Deployment')) {
        const name = str(get(doc, 'metadata', 'name')) ?? '?';
        if (!catalogNames.has(name)) problems.push(`Deployment "${name}" is not a catalog service`);
      }
      for (const { name, defaultPort } of catalogEntries) {
        const deployment = named('Deployment', name)?.doc;
        const service = named('Service', name)?.doc;
        if (!deployment) problems.push(`no Deployment "${name}" in the base`);
        if (!service) problems.push(`no Service "${name}" in the base`);
        if (!deployment || !service) continue;
        const where = `Deployment "${name}"`;

        for (const [label, value] of [
          ['app.kubernetes.io/name', name],
          ['app.kubernetes.io/part-of', 'fulfil'],
        ]) {
          for (const [path, labels] of [
            ['metadata.labels', get(deployment, 'metadata', 'labels')],
            [
              'spec.template.metadata.labels',
              get(deployment, 'spec', 'template', 'metadata', 'labels'),
            ],
            ['Service metadata.labels', get(service, 'metadata', 'labels')],
          ] as const) {
            if (str(get(labels, label)) !== value)
              problems.push(`${where}: ${path} lacks ${label}: ${value}`);
          }
        }
        const podLabels = obj(get(deployment, 'spec', 'template', 'metadata', 'labels'));
        const matches = (selector: unknown) =>
          Object.keys(obj(selector)).length > 0 &&
          Object.entries(obj(selector)).every(([k, v]) => podLabels[k] === v);
        if (!matches(get(deployment, 'spec', 'selector', 'matchLabels'))) {
          problems.push(`${where}: spec.selector.matchLabels do not match the pod labels`);
        }
        if (!matches(get(service, 'spec', 'selector'))) {
          problems.push(
            `Service "${name}": selector does not match the pods of Deployment "${name}"`,
          );
        }

        const containers = arr(get(deployment, 'spec', 'template', 'spec', 'containers')).map(obj);
        const container = containers.find((c) => c.name === name) ?? containers[0];
        if (!container) {
          problems.push(`${where}: has no container`);
          continue;
        }
        const image = str(container.image) ?? '';
        if (!new RegExp(`^fulfil/${name}(:[\\w.-]+|@sha256:[0-9a-f]+)?$`).test(image)) {
          problems.push(`${where}: image is "${image}", expected fulfil/${name}`);
        }
        const containerPorts = arr(container.ports).map(obj);
        const portNumber = (port: unknown): number | undefined =>
          typeof port === 'number'
            ? port
            : (containerPorts.find((p) => p.name === port)?.containerPort as number | undefined);
        if (!containerPorts.some((p) => p.containerPort === defaultPort)) {
          problems.push(`${where}: no containerPort ${defaultPort}`);
        }
        for (const [probe, path] of [
          ['livenessProbe', '/health/live'],
          ['readinessProbe', '/health/ready'],
        ] as const) {
          const httpGet = get(container, probe, 'httpGet');
          if (
            str(get(httpGet, 'path')) !== path ||
            portNumber(get(httpGet, 'port')) !== defaultPort
          ) {
            problems.push(`${where}: ${probe} must GET ${path} on port ${defaultPort}`);
          }
        }
        const startupGet = get(container, 'startupProbe', 'httpGet');
        if (startupGet !== undefined && portNumber(get(startupGet, 'port')) !== defaultPort) {
          problems.push(`${where}: startupProbe must use port ${defaultPort}`);
        }

        const servicePorts = arr(get(service, 'spec', 'ports')).map(obj);
        if (
          !servicePorts.some(
            (p) => p.port === defaultPort && portNumber(p.targetPort ?? p.port) === defaultPort,
          )
        ) {
          problems.push(
            `Service "${name}": no port ${defaultPort} targeting container port ${defaultPort}`,
          );
        }
      }
      expect(problems).toEqual([]);
    });

    it('gives every Deployment known variables, all required ones, secrets from Secrets', () => {
      const problems: string[] = [];
      const configMaps = new Map(
        ofKind('ConfigMap').map(({ doc }) => [str(get(doc, 'metadata', 'name')), obj(doc.data)]),
      );
      for (const { name, defaultPort, database } of catalogEntries) {
        const deployment = named('Deployment', name)?.doc;
        if (!deployment) continue; // reported above
        const where = `Deployment "${name}"`;
        const podSpec = obj(get(deployment, 'spec', 'template', 'spec'));
        const container = obj(
          arr(podSpec.containers)
            .map(obj)
            .find((c) => c.name === name),
        );
        const provided = new Map<string, { value?: string; from: string }>();

        for (const source of arr(container.envFrom).map(obj)) {
          const configMap = str(get(source, 'configMapRef', 'name'));
          if (configMap !== undefined) {
            const data = configMaps.get(configMap);
            if (!data)
              problems.push(`${where}: envFrom ConfigMap "${configMap}" is not in the base`);
            for (const [key, value] of Object.entries(data ?? {})) {
              provided.set(key, { value: str(value), from: `ConfigMap ${configMap}` });
            }
          } else {
            problems.push(`${where}: envFrom other than configMapRef: ${JSON.stringify(source)}`);
          }
        }
        for (const variable of arr(container.env).map(obj)) {
          const variableName = str(variable.name) ?? '?';
          const secretRef = get(variable, 'valueFrom', 'secretKeyRef');
          if (isObject(secretRef)) {
            const secretName = str(secretRef.name);
            const key = str(secretRef.key);
            provided.set(variableName, { from: `Secret ${secretName}` });
            const example = exampleSecrets.find((s) => get(s, 'metadata', 'name') === secretName);
            const exampleValue =
              str(get(example, 'stringData', key ?? '')) ?? str(get(example, 'data', key ?? ''));
            if (exampleValue === undefined) {
              problems.push(
                `${where}: ${variableName} reads Secret ${secretName} key ${key}, which secret.example.yaml does not show`,
              );
            } else if (variableName === 'DATABASE_URL') {
              const found = databaseOf(exampleValue);
              if (found !== database) {
                problems.push(
                  `secret.example.yaml ${secretName}: DATABASE_URL names "${String(found)}", not "${database}"`,
                );
              }
            }
          } else {
            provided.set(variableName, { value: str(variable.value), from: 'env' });
          }
        }

        problems.push(...checkVariables(where, provided.keys()));
        for (const secret of SECRET_VARIABLES) {
          const source = provided.get(secret);
          if (source && !source.from.startsWith('Secret ')) {
            problems.push(
              `${where}: ${secret} is secret and must come from a Secret, not ${source.from}`,
            );
          }
        }
        if (provided.get('PORT')?.value !== String(defaultPort)) {
          problems.push(
            `${where}: PORT is ${provided.get('PORT')?.value}, expected ${defaultPort}`,
          );
        }

        const graceMs = Number(
          provided.get('SHUTDOWN_GRACE_MS')?.value ?? DEFAULT_SHUTDOWN_GRACE_MS,
        );
        const preStop = arr(get(container, 'lifecycle', 'preStop', 'exec', 'command')).map(String);
        const preStopMs = preStop[0] === 'sleep' ? Number(preStop[1] ?? 0) * 1000 : 0;
        const terminationMs = Number(podSpec.terminationGracePeriodSeconds ?? 30) * 1000;
        if (terminationMs <= graceMs + preStopMs) {
          problems.push(
            `${where}: terminationGracePeriodSeconds (${terminationMs} ms) must exceed preStop (${preStopMs} ms) + SHUTDOWN_GRACE_MS (${graceMs} ms)`,
          );
        }
        const runAsNonRoot =
          get(container, 'securityContext', 'runAsNonRoot') ??
          get(podSpec, 'securityContext', 'runAsNonRoot');
        if (runAsNonRoot !== true)
          problems.push(`${where}: securityContext.runAsNonRoot is not true`);
        if (get(container, 'securityContext', 'readOnlyRootFilesystem') !== true) {
          problems.push(`${where}: securityContext.readOnlyRootFilesystem is not true`);
        }
        for (const [bound, resource] of [
          ['requests', 'cpu'],
          ['requests', 'memory'],
          ['limits', 'memory'],
        ]) {
          if (str(get(container, 'resources', bound, resource)) === undefined) {
            problems.push(`${where}: resources.${bound}.${resource} is not set`);
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('declares exactly the Topics of @fulfil/contracts as Strimzi KafkaTopics', () => {
      const problems: string[] = [];
      const topics = ofKind('KafkaTopic').map(({ doc }) => {
        const topicName =
          str(get(doc, 'spec', 'topicName')) ?? str(get(doc, 'metadata', 'name')) ?? '?';
        const where = `KafkaTopic ${topicName}`;
        if (doc.apiVersion !== 'kafka.strimzi.io/v1beta2')
          problems.push(`${where}: apiVersion ${str(doc.apiVersion)}`);
        if (get(doc, 'metadata', 'labels', 'strimzi.io/cluster') !== 'fulfil') {
          problems.push(`${where}: label strimzi.io/cluster is not "fulfil"`);
        }
        if (get(doc, 'spec', 'partitions') !== 3) problems.push(`${where}: partitions is not 3`);
        if (get(doc, 'spec', 'replicas') !== 3) problems.push(`${where}: replicas is not 3`);
        if (str(get(doc, 'spec', 'config', 'retention.ms')) === undefined) {
          problems.push(`${where}: no retention.ms config`);
        }
        return topicName;
      });
      if (topics.length !== new Set(topics).size)
        problems.push(`duplicate KafkaTopics: ${list(topics)}`);
      if (!sameSet(topics, PROVISIONED_TOPICS)) {
        problems.push(`KafkaTopics ${list(topics)} differ from Topics ${list(PROVISIONED_TOPICS)}`);
      }
      expect(problems).toEqual([]);
    });
  });

  describe('examples', () => {
    /** The same shape loadServiceConfig accepts: a non-empty array of {caller, token ≥ 16, scopes}. */
    const authTokensProblems = (where: string, raw: string | undefined): string[] => {
      try {
        const callers: unknown = JSON.parse(raw ?? '');
        if (!Array.isArray(callers) || callers.length === 0) return [`${where}: not a JSON array`];
        return callers.flatMap((entry, i) =>
          typeof get(entry, 'caller') === 'string' &&
          (str(get(entry, 'token')) ?? '').length >= 16 &&
          Array.isArray(get(entry, 'scopes'))
            ? []
            : [`${where}: entry ${i + 1} needs caller, a token of ≥ 16 characters and scopes`],
        );
      } catch {
        return [`${where}: AUTH_TOKENS is not valid JSON`];
      }
    };

    it('show well-formed AUTH_TOKENS in secret.example.yaml and compose.env.example', () => {
      const problems: string[] = [];
      const secrets = loadYaml(join(K8S_BASE, 'secret.example.yaml')).map(obj);
      for (const secret of secrets) {
        const name = str(get(secret, 'metadata', 'name'));
        problems.push(
          ...authTokensProblems(
            `secret.example.yaml ${name}`,
            str(get(secret, 'stringData', 'AUTH_TOKENS')),
          ),
        );
      }
      const envExample = readFileSync(join(DEPLOY, 'compose.env.example'), 'utf8');
      const line = envExample.match(/^AUTH_TOKENS='(.*)'$/m)?.[1];
      problems.push(...authTokensProblems('deploy/compose.env.example', line));
      expect(problems).toEqual([]);
    });
  });

  describe('deploy/Dockerfile', () => {
    /** Instructions with continuation lines joined and comments dropped. */
    const instructions = readFileSync(DOCKERFILE, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*#/.test(line))
      .join('\n')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [, keyword = '', rest = ''] = line.match(/^(\w+)\s*(.*)$/) ?? [];
        return { keyword: keyword.toUpperCase(), rest };
      });
    const globalArgs = new Map<string, string>();
    for (const { keyword, rest } of instructions) {
      if (keyword === 'FROM') break;
      if (keyword === 'ARG') {
        const [name = '', value = ''] = rest.split('=');
        globalArgs.set(name, value);
      }
    }
    const resolveArgs = (text: string) =>
      text.replace(/\$\{?(\w+)\}?/g, (match, name: string) => globalArgs.get(name) ?? match);

    const stages: { image: string; name?: string; body: { keyword: string; rest: string }[] }[] =
      [];
    for (const instruction of instructions) {
      if (instruction.keyword === 'FROM') {
        const words = resolveArgs(instruction.rest)
          .split(/\s+/)
          .filter((word) => !word.startsWith('--'));
        stages.push({ image: words[0] ?? '', name: words[2], body: [] });
      } else {
        stages.at(-1)?.body.push(instruction);
      }
    }
    const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
    const runtime = stages.at(-1);
    const runtimeBody = (keyword: string) =>
      (runtime?.body ?? []).filter((i) => i.keyword === keyword).map((i) => i.rest);

    it('uses one even (LTS) Node.js major, at least 22, in every stage', () => {
      const problems: string[] = [];
      const external = stages.map((s) => s.image).filter((image) => !stageNames.has(image));
      const majors = new Set<number>();
      for (const image of external) {
        const major = image.match(/^(?:docker\.io\/(?:library\/)?)?node:(\d+)\b/)?.[1];
        if (major === undefined) problems.push(`FROM ${image}: not a node:<major>… image`);
        else majors.add(Number(major));
      }
      if (majors.size > 1) {
        problems.push(`stages use different Node majors: ${list([...majors].map(String))}`);
      }
      for (const major of majors) {
        if (major < 22 || major % 2 !== 0) {
          problems.push(`Node ${major} is not an even (LTS) major of at least 22`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('builds with npm ci and npm run build, and runs the SERVICE chosen at build time', () => {
      const allRuns = stages.flatMap((s) =>
        s.body.filter((i) => i.keyword === 'RUN').map((i) => i.rest),
      );
      const problems: string[] = [];
      if (!allRuns.some((run) => /\bnpm ci\b/.test(run) && !/--omit=dev/.test(run))) {
        problems.push('no RUN installs with `npm ci` (from the lockfile)');
      }
      if (!allRuns.some((run) => /\bnpm (ci|prune) --omit=dev\b/.test(run))) {
        problems.push(
          'no RUN drops dev dependencies (`npm ci --omit=dev` or `npm prune --omit=dev`)',
        );
      }
      if (!allRuns.some((run) => /\bnpm run build\b/.test(run))) {
        problems.push('no RUN runs `npm run build`');
      }
      expect(problems).toEqual([]);

      expect(runtimeBody('ARG')).toContain('SERVICE');
      expect(runtimeBody('ENV').join(' ')).toMatch(/\bSERVICE=\$\{SERVICE\}/);
      expect(runtimeBody('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
      expect(runtimeBody('USER')).toEqual([expect.stringMatching(/^(node|1000)(:\S+)?$/)]);
      const cmd = runtimeBody('CMD').at(-1) ?? '';
      expect(cmd).toMatch(/(exec node|"node",) *"?dist\/services\/\$\{?SERVICE\}?\/src\/main\.js/);
      expect(runtimeBody('HEALTHCHECK').join(' ')).toContain('/health/live');
      expect(runtimeBody('EXPOSE')).toHaveLength(1);
    });
  });
});
