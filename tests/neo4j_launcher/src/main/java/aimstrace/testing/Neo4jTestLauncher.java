package aimstrace.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.config.Setting;

/**
 * Runs Neo4j Community embedded with a Bolt connector on 127.0.0.1, authentication on, for the test suite.
 *
 * <p>Usage: {@code java -jar neo4j-test-launcher.jar --port 7687 --home /tmp/x [--page-cache 256m]
 * [--exit-on-stdin-eof]}. The password of the {@code neo4j} user comes from the environment variable
 * {@code AIMSTRACE_NEO4J_LAUNCHER_PASSWORD}, never from the command line (which other users can read).
 * Prints {@code NEO4J-TEST-LAUNCHER READY bolt://127.0.0.1:PORT} once Bolt accepts connections with that
 * password, and shuts the database down cleanly on SIGTERM.
 */
public final class Neo4jTestLauncher {
    static final String PASSWORD_ENV = "AIMSTRACE_NEO4J_LAUNCHER_PASSWORD";
    static final String READY_PREFIX = "NEO4J-TEST-LAUNCHER READY ";
    private static final String LOOPBACK = "127.0.0.1";

    private Neo4jTestLauncher() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.length() < 8) {
            fail("environment variable " + PASSWORD_ENV + " must hold the neo4j password (8+ characters)");
        }
        Files.createDirectories(options.home);

        Map<Setting<?>, Object> config = new HashMap<>();
        config.put(GraphDatabaseSettings.auth_enabled, true);
        config.put(GraphDatabaseSettings.pagecache_memory, options.pageCacheBytes);
        // Test databases are throwaway: do not reserve disk up front.
        config.put(GraphDatabaseSettings.preallocate_logical_logs, false);
        config.put(GraphDatabaseSettings.preallocate_store_files, false);
        config.put(BoltConnector.enabled, true);
        config.put(BoltConnector.listen_address, new SocketAddress(LOOPBACK, options.port));
        config.put(BoltConnector.advertised_address, new SocketAddress(LOOPBACK, options.port));
        config.put(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED);
        config.put(HttpConnector.enabled, false);
        config.put(HttpsConnector.enabled, false);
        // Netty's graceful-shutdown defaults keep a stopping test server alive ~10 s; nobody is
        // left to drain when the test session ends, so stop promptly.
        config.put(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        config.put(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(2));
        DatabaseManagementService service =
                new DatabaseManagementServiceBuilder(options.home).setConfig(config).build();

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shutdownStarted = new AtomicBoolean(false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (shutdownStarted.compareAndSet(false, true)) {
                System.out.println("NEO4J-TEST-LAUNCHER STOPPING");
                service.shutdown();
                System.out.println("NEO4J-TEST-LAUNCHER STOPPED");
                System.out.flush();
            }
            stopped.countDown();
        }, "neo4j-test-launcher-shutdown"));

        setInitialPassword(service, password);
        waitForBolt(options.port, Duration.ofSeconds(60));
        System.out.println(READY_PREFIX + "bolt://" + LOOPBACK + ":" + options.port);
        System.out.flush();

        if (options.exitOnStdinEof) {
            // When the parent test process dies without stopping us, its end of our stdin closes:
            // exit then instead of lingering as an orphan holding memory and a port.
            Thread watcher = new Thread(() -> {
                drain(System.in);
                System.exit(0);
            }, "neo4j-test-launcher-stdin-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }

    /** Sets the built-in neo4j user's password and clears its "must change" flag, as neo4j-admin would. */
    private static void setInitialPassword(DatabaseManagementService service, String password) {
        GraphDatabaseService system = service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        system.executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
    }

    private static void waitForBolt(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    fail("Bolt did not accept connections on " + LOOPBACK + ":" + port + " within " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Discard: stdin only signals that the parent is alive.
            }
        } catch (IOException closed) {
            // A broken pipe means the parent is gone, same as end of stream.
        }
    }

    static void fail(String message) {
        System.err.println("NEO4J-TEST-LAUNCHER ERROR " + message);
        System.exit(2);
    }

    /** Command-line options; unknown or missing ones end the program with a message naming them. */
    private record Options(int port, Path home, long pageCacheBytes, boolean exitOnStdinEof) {
        static Options parse(String[] args) {
            Integer port = null;
            Path home = null;
            long pageCache = 256L * 1024 * 1024;
            boolean exitOnStdinEof = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--port" -> port = parsePort(value(args, ++i, arg));
                    case "--home" -> home = Path.of(value(args, ++i, arg)).toAbsolutePath();
                    case "--page-cache" -> pageCache = parseBytes(value(args, ++i, arg));
                    case "--exit-on-stdin-eof" -> exitOnStdinEof = true;
                    default -> fail("unknown argument " + arg
                            + " (expected --port N --home DIR [--page-cache 256m] [--exit-on-stdin-eof])");
                }
            }
            if (port == null || home == null) {
                fail("--port and --home are required");
            }
            return new Options(port, home, pageCache, exitOnStdinEof);
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) {
                fail(flag + " needs a value");
            }
            return args[index];
        }

        private static int parsePort(String text) {
            try {
                int port = Integer.parseInt(text);
                if (port > 0 && port < 65536) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // Reported below with the offending value.
            }
            fail("--port must be a TCP port number 1-65535, got " + text);
            return -1;
        }

        private static long parseBytes(String text) {
            String lower = text.trim().toLowerCase();
            long unit = 1;
            if (lower.endsWith("k")) {
                unit = 1024L;
            } else if (lower.endsWith("m")) {
                unit = 1024L * 1024;
            } else if (lower.endsWith("g")) {
                unit = 1024L * 1024 * 1024;
            }
            String digits = unit == 1 ? lower : lower.substring(0, lower.length() - 1);
            try {
                return Long.parseLong(digits) * unit;
            } catch (NumberFormatException bad) {
                fail("--page-cache must be a size like 256m, got " + text);
                return -1;
            }
        }
    }
}
