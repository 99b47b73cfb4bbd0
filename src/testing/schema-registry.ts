/**
 * A real Confluent-compatible schema registry for tests: Apicurio Registry (Red Hat, Apache-2.0) as a
 * process, serving the Confluent Schema Registry REST API at `/apis/ccompat/v7`.
 *
 *   1. Apicurio publishes its server to Maven Central only as a plain jar (`apicurio-registry-app`), not as a
 *      runnable distribution, so `ensureApicurio()` builds the Quarkus application from it once with Maven,
 *      as Apicurio's own build does: a small POM unpacks the app's classes and runs `quarkus-maven-plugin`.
 *      The result (two runner jars and `lib/`) is cached under
 *      `${XDG_CACHE_HOME:-~/.cache}/tsconnect/apicurio-registry-<version>`. Two fixes let it resolve from
 *      Maven Central alone: everit's JSON-schema library comes from `com.github.erosb` (the same classes;
 *      Apicurio's coordinates are only on Confluent's repository), and `config-index`, whose build-time half
 *      for 0.1.18 was never published, is pinned to 0.1.10.
 *   2. Basic auth: Apicurio's own authentication is OIDC (Keycloak). For a user and password the second
 *      runner is built with Quarkus' HTTP basic auth on `/apis/*` (embedded users, passed at start-up) and
 *      without Apicurio's OIDC mechanism. Quarkus fixes HTTP permissions at build time, hence two runners.
 *   3. Storage: H2 in a file of a temporary directory, so `kill()` + `restart()` keep every schema.
 *      The default compatibility level (BACKWARD unless told) is set with `PUT /config` once serving.
 *   4. `stop()` kills the process and removes its files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, cacheRoot, freePort, requireJavaAndMaven, stopChild } from './process-support.js';

export const APICURIO_VERSION = '2.4.2.Final';
/** The Quarkus release Apicurio 2.4.2.Final was built with (its parent POM's `quarkus.version`). */
const QUARKUS_VERSION = '2.16.4.Final';
/** The path of the Confluent-compatible API. */
const CCOMPAT_PATH = '/apis/ccompat/v7';

export interface SchemaRegistryOptions {
  /** Basic auth: a user allowed to read and write everything. */
  basicAuth?: { user: string; password: string };
  /** Default compatibility level (default BACKWARD, Confluent's default). */
  compatibility?: string;
  /** Max time to wait for the registry to serve (default 90 s). */
  startTimeoutMs?: number;
}

export interface SchemaRegistry {
  /** `http://127.0.0.1:<port>/apis/ccompat/v7` — the value for `schema.registry.url`. */
  url: string;
  logFile: string;
  /** Stops the process, keeping its storage (the registry becomes unreachable). */
  kill(): Promise<void>;
  /** Starts it again after `kill`, same port and storage. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function pom(version: string): string {
  const app = `<groupId>io.apicurio</groupId><artifactId>apicurio-registry-app</artifactId><version>${version}</version>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tsconnect.testing</groupId>
  <artifactId>apicurio-registry</artifactId>
  <version>${version}</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <quarkus.version>${QUARKUS_VERSION}</quarkus.version>
    <quarkus.http.auth.basic>true</quarkus.http.auth.basic>
    <quarkus.security.users.embedded.enabled>true</quarkus.security.users.embedded.enabled>
    <quarkus.arc.exclude-types>io.apicurio.common.apps.auth.authn.AppAuthenticationMechanism</quarkus.arc.exclude-types>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-bom</artifactId><version>\${quarkus.version}</version><type>pom</type><scope>import</scope></dependency>
      <dependency><groupId>io.apicurio</groupId><artifactId>apicurio-common-app-components-config-index</artifactId><version>0.1.10.Final</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- The app's dependencies (type pom: its classes are unpacked below and become the application). -->
    <dependency>${app}<type>pom</type>
      <exclusions><exclusion><groupId>com.github.everit-org.json-schema</groupId><artifactId>org.everit.json.schema</artifactId></exclusion></exclusions>
    </dependency>
    <dependency><groupId>com.github.erosb</groupId><artifactId>everit-json-schema</artifactId><version>1.14.2</version></dependency>
    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-elytron-security-properties-file</artifactId></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.6.1</version>
        <executions><execution><id>unpack-app</id><phase>generate-resources</phase><goals><goal>unpack</goal></goals>
          <configuration>
            <artifactItems><artifactItem>${app}</artifactItem></artifactItems>
            <outputDirectory>\${project.build.outputDirectory}</outputDirectory>
            <excludes>META-INF/MANIFEST.MF,META-INF/maven/**</excludes>
          </configuration>
        </execution></executions>
      </plugin>
      <plugin>
        <groupId>io.quarkus</groupId><artifactId>quarkus-maven-plugin</artifactId><version>\${quarkus.version}</version>
        <executions><execution><goals><goal>build</goal></goals></execution></executions>
      </plugin>
    </plugins>
  </build>
</project>
`;
}

function mvn(cwd: string, args: string[]): void {
  const r = spawnSync('mvn', ['-q', '-B', ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `mvn ${args.join(' ')} could not build Apicurio Registry ${APICURIO_VERSION} from Maven Central ` +
        `(exit ${r.status}):\n${(r.stdout ?? '').slice(-3000)}${(r.stderr ?? '').slice(-3000)}`,
    );
  }
}

function buildApicurio(dir: string, version: string): void {
  const work = mkdtempSync(join(cacheRoot(), 'apicurio-build-'));
  try {
    writeFileSync(join(work, 'pom.xml'), pom(version));
    mvn(work, ['package']);
    // Same classes and lib/, another runner: basic auth required on the API (a build-time setting in Quarkus 2).
    mvn(work, ['package', '-Dquarkus.package.runner-suffix=-auth-runner',
      '-Dquarkus.http.auth.permission.registry.paths=/apis/*', '-Dquarkus.http.auth.permission.registry.policy=authenticated']);
    const target = join(work, 'target');
    const out = join(work, 'out');
    mkdirSync(out);
    renameSync(join(target, 'lib'), join(out, 'lib'));
    renameSync(join(target, `apicurio-registry-${version}-runner.jar`), join(out, 'registry-runner.jar'));
    renameSync(join(target, `apicurio-registry-${version}-auth-runner.jar`), join(out, 'registry-auth-runner.jar'));
    writeFileSync(join(out, '.complete'), new Date().toISOString());
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Builds Apicurio Registry once (about two minutes on a fresh machine, mostly downloads; under a minute with
 * a warm ~/.m2) and returns the directory holding `registry-runner.jar`, `registry-auth-runner.jar` and
 * their `lib/`. A lock directory keeps test processes running side by side from building it twice.
 */
export async function ensureApicurio(version: string = APICURIO_VERSION): Promise<string> {
  const dir = join(cacheRoot(), `apicurio-registry-${version}`);
  const done = join(dir, '.complete');
  if (existsSync(done)) return dir;
  requireJavaAndMaven("build and run Apicurio Registry (the tests' schema registry)", 'default-jdk-headless maven');
  mkdirSync(cacheRoot(), { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Another process builds: wait for it, or take over when it died.
      const owner = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      if (Number.isInteger(owner) && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 1000));
      if (existsSync(done)) return dir;
    }
  }
  try {
    if (!existsSync(done)) buildApicurio(dir, version);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return dir;
}

export async function startSchemaRegistry(options: SchemaRegistryOptions = {}): Promise<SchemaRegistry> {
  const home = await ensureApicurio();
  const dir = mkdtempSync(join(tmpdir(), 'tsconnect-apicurio-'));
  const port = await freePort();
  const logFile = join(dir, 'registry.log');
  const auth = options.basicAuth;
  const args = [
    '-Xmx384m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dquarkus.http.host=127.0.0.1`,
    `-Dquarkus.http.port=${port}`,
    `-DREGISTRY_DATASOURCE_URL=jdbc:h2:file:${join(dir, 'registry')}`,
    '-Dquarkus.datasource.jdbc.min-size=2',
    '-Dquarkus.datasource.jdbc.initial-size=2',
    '-Dquarkus.log.level=WARN',
  ];
  if (auth) {
    if (/[\s=:]/.test(auth.user)) throw new Error(`basic auth user ${JSON.stringify(auth.user)}: no spaces, ':' or '='`);
    args.push('-Dquarkus.security.users.embedded.plain-text=true', `-Dquarkus.security.users.embedded.users.${auth.user}=${auth.password}`);
  }
  args.push('-jar', join(home, auth ? 'registry-auth-runner.jar' : 'registry-runner.jar'));

  const base = `http://127.0.0.1:${port}`;
  const url = base + CCOMPAT_PATH;
  const headers: Record<string, string> = { 'Content-Type': 'application/vnd.schemaregistry.v1+json' };
  if (auth) headers.Authorization = 'Basic ' + Buffer.from(`${auth.user}:${auth.password}`).toString('base64');
  const logTail = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '');
  let child: ChildProcess | null = null;
  let configured = false;

  const start = async (): Promise<void> => {
    const out = openSync(logFile, 'a');
    try {
      child = spawn('java', args, { cwd: dir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out); // the child has its own copy
    }
    const proc = child;
    let exited = false;
    proc.once('exit', () => (exited = true));
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    for (;;) {
      if (exited) throw new Error(`Apicurio Registry exited during start-up; log ${logFile}:\n${logTail()}`);
      try {
        const res = await fetch(url + '/subjects', { headers, signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`Apicurio Registry did not answer GET ${CCOMPAT_PATH}/subjects within the start timeout; log ${logFile}:\n${logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!configured) {
      // Apicurio has no global compatibility rule by default (anything goes); Confluent's default is BACKWARD.
      const res = await fetch(url + '/config', { method: 'PUT', headers, body: JSON.stringify({ compatibility: options.compatibility ?? 'BACKWARD' }) });
      if (!res.ok) throw new Error(`PUT ${CCOMPAT_PATH}/config answered ${res.status}: ${await res.text()}`);
      configured = true;
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc) await stopChild(proc, 10_000);
  };

  // A test process that ends without stop() (a failed before(), a timeout) must not leave a JVM behind.
  const exitHandler = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', exitHandler);
  const stop = async (): Promise<void> => {
    await kill();
    process.removeListener('exit', exitHandler);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, logFile, kill, restart: start, stop };
}
