package dev.ppml.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a real Flink 2.3 session cluster (one JobManager and one TaskManager process)
 * started from the Maven artifacts listed in {@code target/flink-lib-classpath.txt}, the way
 * Flink's scripts start them, and a {@code flink run} client.
 */
public final class FlinkProcesses implements AutoCloseable {

    /** Flink's usual module opens on Java 17 (the build's flink.test.jvm.opens). */
    static final List<String> JAVA_OPENS =
            List.of(System.getProperty("flink.jvm.opens").trim().split("\\s+"));

    private final Path home;
    private final Path conf;
    private final String libClasspath;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();

    private FlinkProcesses(Path home, String libClasspath, int restPort) {
        this.home = home;
        this.conf = home.resolve("conf");
        this.libClasspath = libClasspath;
        this.restPort = restPort;
    }

    /** Starts a JobManager and a TaskManager with two slots; waits until the TM registered. */
    public static FlinkProcesses start(Path home, Path libClasspathFile) throws Exception {
        return start(home, libClasspathFile, Map.of());
    }

    /**
     * Like {@link #start(Path, Path)}, with extra configuration; plugins are loaded from {@code
     * home/plugins} (put plugin jars in {@code home/plugins/<name>/} first).
     */
    public static FlinkProcesses start(Path home, Path libClasspathFile, Map<String, String> extra)
            throws Exception {
        String cp = Files.readString(libClasspathFile).strip();
        FlinkProcesses flink = new FlinkProcesses(home, cp, freePort());
        flink.writeConfig(freePort());
        if (!extra.isEmpty()) {
            StringBuilder more = new StringBuilder();
            extra.forEach((k, v) -> more.append(k).append(": ").append(v).append('\n'));
            Files.writeString(
                    flink.conf.resolve("config.yaml"), more.toString(), StandardOpenOption.APPEND);
        }
        flink.processes.add(
                flink.java(
                        "jobmanager",
                        List.of(),
                        List.of(
                                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                                "--configDir",
                                flink.conf.toString())));
        List<String> tmParams = flink.taskManagerResourceParams();
        List<String> jvm = Arrays.asList(tmParams.get(0).trim().split("\\s+"));
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                                "--configDir",
                                flink.conf.toString()));
        args.addAll(Arrays.asList(tmParams.get(1).trim().split("\\s+")));
        flink.processes.add(flink.java("taskmanager", jvm, args));
        flink.awaitTaskManager(Duration.ofSeconds(90));
        return flink;
    }

    /** Runs {@code flink run <jar> <args>} against the cluster; returns the client's output. */
    public Result run(Path jar, String... jobArgs) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "org.apache.flink.client.cli.CliFrontend",
                                "run",
                                "-m",
                                "localhost:" + restPort,
                                jar.toString()));
        args.addAll(Arrays.asList(jobArgs));
        Process client = java("client", List.of(), args);
        if (!client.waitFor(180, TimeUnit.SECONDS)) {
            client.destroyForcibly();
            throw new IllegalStateException("flink run did not finish in 180 s: " + log("client"));
        }
        return new Result(client.exitValue(), log("client"));
    }

    /** What a client run printed. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    public String log(String name) throws IOException {
        Path file = home.resolve(name + ".out");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private void writeConfig(int rpcPort) throws IOException {
        Files.createDirectories(conf);
        Files.writeString(
                conf.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: localhost",
                        "jobmanager.rpc.port: " + rpcPort,
                        "jobmanager.bind-host: localhost",
                        "taskmanager.bind-host: localhost",
                        "taskmanager.host: localhost",
                        "rest.address: localhost",
                        "rest.bind-address: localhost",
                        "rest.port: " + restPort,
                        "jobmanager.memory.process.size: 1024m",
                        "taskmanager.memory.process.size: 1280m",
                        "taskmanager.numberOfTaskSlots: 2",
                        "parallelism.default: 1",
                        ""));
        Files.writeString(
                conf.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = WARN",
                        "rootLogger.appenderRef.out.ref = out",
                        "appender.out.type = Console",
                        "appender.out.name = out",
                        "appender.out.layout.type = PatternLayout",
                        "appender.out.layout.pattern = %d %-5p %c{1} - %m%n",
                        ""));
    }

    private List<String> taskManagerResourceParams() throws Exception {
        Process p =
                java(
                        "bash-java-utils",
                        List.of(),
                        List.of(
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                "GET_TM_RESOURCE_PARAMS",
                                "--configDir",
                                conf.toString()));
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("BashJavaUtils failed: " + log("bash-java-utils"));
        }
        List<String> results = new ArrayList<>();
        for (String line : log("bash-java-utils").split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
            }
        }
        if (results.size() != 2) {
            throw new IllegalStateException(
                    "unexpected BashJavaUtils output: " + log("bash-java-utils"));
        }
        return results;
    }

    private Process java(String name, List<String> jvmArgs, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JAVA_OPENS);
        cmd.addAll(jvmArgs);
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties").toUri());
        cmd.add("-cp");
        cmd.add(libClasspath);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        pb.environment().put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(home.resolve(name + ".out").toFile());
        pb.directory(home.toFile());
        return pb.start();
    }

    private void awaitTaskManager(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            "a Flink process exited: " + log("jobmanager") + log("taskmanager"));
                }
            }
            try {
                HttpURLConnection c =
                        (HttpURLConnection)
                                URI.create("http://localhost:" + restPort + "/overview")
                                        .toURL()
                                        .openConnection();
                c.setConnectTimeout(1000);
                if (c.getResponseCode() == 200) {
                    String body =
                            new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (body.contains("\"taskmanagers\":1")) {
                        return;
                    }
                }
            } catch (IOException notUpYet) {
                // keep polling
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                "no TaskManager registered within "
                        + timeout
                        + ": "
                        + log("jobmanager")
                        + log("taskmanager"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String classpathOf(File... files) {
        return String.join(File.pathSeparator, Arrays.stream(files).map(File::toString).toList());
    }
}
