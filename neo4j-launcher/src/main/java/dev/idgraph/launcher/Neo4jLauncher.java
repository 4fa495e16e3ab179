package dev.idgraph.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j Community DBMS with a Bolt listener, for local development and tests only
 * (auth is off). Remote/shared servers are reached through NEO4J_URI instead and never use this.
 *
 * <p>Environment:
 *
 * <ul>
 *   <li>DATA_DIR (default ".data"): the store lives in DATA_DIR/neo4j (made absolute); Neo4j keeps
 *       its data/ and logs/ (debug.log) below it.
 *   <li>NEO4J_BOLT_PORT (default 7687): Bolt listens on 127.0.0.1:port only.
 *   <li>NEO4J_PAGECACHE (default 2g): page cache size, e.g. 512m, 2g.
 *   <li>NEO4J_TX_TIMEOUT (default 120s), NEO4J_LOCK_TIMEOUT (default 30s): see below.
 *   <li>NEO4J_EXIT_ON_STDIN_EOF=1: shut down when stdin reaches end of file, so a test runner that
 *       dies without cleaning up cannot leave a multi-gigabyte JVM behind.
 * </ul>
 *
 * <p>Heap size is not set here: the caller passes -Xmx/-Xms (scripts/local-services.mjs uses
 * NEO4J_HEAP), together with the --add-opens flags that Neo4j's own server launcher adds.
 *
 * <p>Protocol with the caller: exactly one line on stdout, {@code idgraph-neo4j ready
 * bolt://127.0.0.1:<port>}, once the default database is available and the Bolt port accepts TCP
 * connections. Everything else (Neo4j's user log, errors) goes to stderr. A start-up failure exits
 * with a non-zero status. SIGTERM/SIGINT run the shutdown hook, which shuts the DBMS down cleanly
 * (checkpoint, no recovery needed on the next start).
 */
public final class Neo4jLauncher {

    // 127.0.0.1, never "localhost": "localhost" may resolve to ::1 first (Node >= 17 prefers the
    // resolver's order), so a client dialling localhost could miss an IPv4-only listener, and
    // binding to whatever "localhost" resolves to could expose a different interface than intended.
    // A literal IPv4 loopback address on both sides means exactly one, local-only, endpoint.
    private static final String HOST = "127.0.0.1";

    private static final Duration AVAILABLE_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration PORT_TIMEOUT = Duration.ofSeconds(60);

    private Neo4jLauncher() {}

    public static void main(String[] args) {
        Path dataDir = Path.of(env("DATA_DIR", ".data")).toAbsolutePath().normalize();
        Path home = dataDir.resolve("neo4j");
        Path debugLog = home.resolve("logs").resolve("debug.log");
        PrintStream err = System.err;

        int port;
        long pageCache;
        Duration txTimeout;
        Duration lockTimeout;
        try {
            port = Integer.parseInt(env("NEO4J_BOLT_PORT", "7687"));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("NEO4J_BOLT_PORT out of range: " + port);
            }
            pageCache = ByteUnit.parse(env("NEO4J_PAGECACHE", "2g"));
            txTimeout = parseDuration(env("NEO4J_TX_TIMEOUT", "120s"));
            lockTimeout = parseDuration(env("NEO4J_LOCK_TIMEOUT", "30s"));
        } catch (RuntimeException e) {
            err.println("idgraph-neo4j: invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }

        DatabaseManagementService managementService;
        try {
            Files.createDirectories(home);
            managementService = new DatabaseManagementServiceBuilder(home)
                    // Neo4j's user log (neo4j.log in a server install) -> stderr; stdout is reserved
                    // for the single "ready" line that the caller waits for.
                    .setUserLogProvider(new Log4jLogProvider(err, Level.INFO))
                    // Bolt is off by default in embedded mode.
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    // Only a handful of concurrent sessions on a 2-core dev box/CI; the default max
                    // (400 threads) would only let a runaway client exhaust memory.
                    .setConfig(BoltConnector.thread_pool_min_size, 2)
                    .setConfig(BoltConnector.thread_pool_max_size, 64)
                    // Netty waits a 5 s "quiet period" per Bolt event loop group (two of them) on
                    // shutdown, which made every stop take ~10 s longer. Nothing is in flight by
                    // then (databases are already stopped), so 0 s is safe. Internal setting:
                    // re-check it when bumping the Neo4j version (strict config validation fails
                    // start-up loudly if it disappears).
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    // Local dev/test only (loopback, throwaway data). Never expose this instance.
                    .setConfig(GraphDatabaseSettings.auth_enabled, false)
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                    // Transactions: bounded so a stuck test or a lock cycle between requests fails
                    // fast instead of hanging the suite; a cap on concurrent transactions well
                    // above what 2 cores can usefully run, but far below the default 1000.
                    .setConfig(GraphDatabaseSettings.transaction_timeout, txTimeout)
                    .setConfig(GraphDatabaseSettings.lock_acquisition_timeout, lockTimeout)
                    .setConfig(GraphDatabaseSettings.max_concurrent_transactions, 256)
                    // Transaction logs: keep little and rotate small so repeated test runs and
                    // many temporary stores don't fill the disk (default keeps 2 days, 256M files).
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "100M size")
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                    .build();
        } catch (Throwable e) {
            err.println("idgraph-neo4j: failed to start embedded Neo4j (store " + home + "): " + describe(e));
            err.println("idgraph-neo4j: details in " + debugLog);
            e.printStackTrace(err);
            err.flush();
            // halt(), not exit(): Neo4j may have left non-daemon threads behind after a failed start.
            Runtime.getRuntime().halt(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    err.println("idgraph-neo4j: shutting down");
                    try {
                        managementService.shutdown();
                        err.println("idgraph-neo4j: stopped");
                    } catch (Throwable t) {
                        err.println("idgraph-neo4j: error during shutdown: " + describe(t));
                    } finally {
                        err.flush();
                        stopped.countDown();
                    }
                },
                "idgraph-neo4j-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            GraphDatabaseService db = managementService.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            if (!db.isAvailable(AVAILABLE_TIMEOUT.toMillis())) {
                throw new IllegalStateException("database '" + GraphDatabaseSettings.DEFAULT_DATABASE_NAME
                        + "' not available after " + AVAILABLE_TIMEOUT.toSeconds() + " s");
            }
            waitForPort(HOST, port, PORT_TIMEOUT);
        } catch (Throwable e) {
            err.println("idgraph-neo4j: Neo4j did not become ready (store " + home + "): " + describe(e));
            err.println("idgraph-neo4j: details in " + debugLog);
            err.flush();
            System.exit(1); // runs the shutdown hook, which shuts the DBMS down
            return;
        }

        System.out.println("idgraph-neo4j ready bolt://" + HOST + ":" + port);
        System.out.flush();

        if ("1".equals(System.getenv("NEO4J_EXIT_ON_STDIN_EOF"))) {
            Thread watcher = new Thread(Neo4jLauncher::exitOnStdinEof, "idgraph-neo4j-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }

        // Block until the shutdown hook has finished (SIGTERM, SIGINT, System.exit).
        while (true) {
            try {
                stopped.await();
                return;
            } catch (InterruptedException ignored) {
                // keep waiting
            }
        }
    }

    private static void exitOnStdinEof() {
        byte[] buf = new byte[256];
        try (InputStream in = System.in) {
            while (in.read(buf) >= 0) {
                // discard; we only care about EOF (parent process gone)
            }
        } catch (IOException ignored) {
            // treat a broken stdin like EOF
        }
        System.err.println("idgraph-neo4j: stdin closed (parent gone), exiting");
        System.exit(0);
    }

    /** Polls until something accepts TCP connections on host:port (Bolt binds asynchronously). */
    private static void waitForPort(String host, int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("Bolt port " + host + ":" + port + " not accepting connections after "
                + timeout.toSeconds() + " s" + (last == null ? "" : " (" + last.getMessage() + ")"));
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v.trim();
    }

    /** "120s", "2m", "500ms", "1h", or a bare number of seconds. */
    private static Duration parseDuration(String s) {
        String v = s.toLowerCase();
        if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        if (v.endsWith("h")) return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /** The message chain, so the root cause (e.g. "Address already in use") is on one line. */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sb.length() > 0) sb.append(" <- ");
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) sb.append(": ").append(t.getMessage());
            if (t.getCause() == t) break;
        }
        return sb.toString();
    }
}
