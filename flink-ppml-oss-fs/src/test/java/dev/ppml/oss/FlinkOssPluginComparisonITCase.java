package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.oss.testing.OssTestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.junit.jupiter.api.Test;

/**
 * The same faults against our oss:// writer and Flink's own OSS plugin (flink-oss-fs-hadoop, loaded
 * in isolation through a PluginManager, as a cluster would), both on the OSS test server. Each
 * scenario's outcome is recorded as observed and printed as the README's table; the test asserts
 * our writer's outcomes, and that every baseline scenario actually ran.
 */
class FlinkOssPluginComparisonITCase {

    /** Flink's OSS plugin requires parts of at least 10 MiB; both writers use that size here. */
    private static final int PART = 10 << 20;

    private static final Path BASELINE = Path.of("target/baseline-plugins");

    private interface Scenario {
        String run(FileSystem fs, OssTestServer server, String key) throws Exception;
    }

    @Test
    void sameFaultsOursVersusFlinksOssPlugin() throws Exception {
        Map<String, Scenario> scenarios = new LinkedHashMap<>();
        scenarios.put(
                "bit flipped on the wire in part 2",
                (fs, s, key) -> {
                    s.flipBitInNextUploadOfPart(2);
                    return writeAndCommit(fs, s, key);
                });
        scenarios.put(
                "part 2 answered 200 without being stored",
                (fs, s, key) -> {
                    s.dropPart(2);
                    return writeAndCommit(fs, s, key);
                });
        scenarios.put(
                "3 x 503 on the next requests",
                (fs, s, key) -> {
                    s.failNextRequests(3, 503);
                    return writeAndCommit(fs, s, key);
                });
        scenarios.put(
                "commit after recovery, object gone",
                (fs, s, key) -> {
                    RecoverableWriter w = fs.createRecoverableWriter();
                    RecoverableFsDataOutputStream out =
                            w.open(new org.apache.flink.core.fs.Path("oss://bkt/" + key));
                    byte[] data = random(PART * 2 + 10);
                    for (int at = 0; at < data.length; at += 1 << 20) {
                        out.write(data, at, Math.min(1 << 20, data.length - at));
                    }
                    RecoverableFsDataOutputStream.Committer c = out.closeForCommit();
                    RecoverableWriter.CommitRecoverable r = c.getRecoverable();
                    byte[] state = w.getCommitRecoverableSerializer().serialize(r);
                    c.commit();
                    fs.delete(new org.apache.flink.core.fs.Path("oss://bkt/" + key), false);
                    try {
                        w.recoverForCommit(
                                        w.getCommitRecoverableSerializer()
                                                .deserialize(
                                                        w.getCommitRecoverableSerializer()
                                                                .getVersion(),
                                                        state))
                                .commitAfterRecovery();
                        return "returned normally; object "
                                + (s.objectBytes("bkt", key) == null
                                        ? "missing (data silently lost)"
                                        : "present");
                    } catch (Exception e) {
                        return "failed: " + brief(e);
                    }
                });

        Map<String, String> ours = new LinkedHashMap<>();
        Map<String, String> flink = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Scenario> e : scenarios.entrySet()) {
            i++;
            ours.put(e.getKey(), runOn(this::ours, e.getValue(), "ours-" + i));
            flink.put(e.getKey(), runOn(this::baseline, e.getValue(), "flink-" + i));
        }

        StringBuilder table =
                new StringBuilder(
                        "| scenario | flink-ppml oss:// | flink-oss-fs-hadoop 2.3.0 |\n|---|---|---|\n");
        scenarios
                .keySet()
                .forEach(
                        k ->
                                table.append("| ")
                                        .append(k)
                                        .append(" | ")
                                        .append(ours.get(k))
                                        .append(" | ")
                                        .append(flink.get(k))
                                        .append(" |\n"));
        System.out.println("OSS comparison (copy into README):\n" + table);
        Files.writeString(Path.of("target/oss-comparison.md"), table.toString());

        assertThat(ours.get("bit flipped on the wire in part 2"))
                .startsWith("committed; object intact");
        assertThat(ours.get("part 2 answered 200 without being stored"))
                .startsWith("failed before completion");
        assertThat(ours.get("3 x 503 on the next requests")).startsWith("committed; object intact");
        assertThat(ours.get("commit after recovery, object gone")).startsWith("failed:");
        assertThat(flink.values()).allSatisfy(v -> assertThat(v).doesNotStartWith("not run"));
    }

    private String runOn(Function<OssTestServer, FileSystem> fsFor, Scenario scenario, String key) {
        try (OssTestServer server = OssTestServer.start()) {
            server.createBucket("bkt");
            String outcome;
            try {
                outcome = scenario.run(fsFor.apply(server), server, key);
            } catch (Exception e) {
                outcome = "not run: " + brief(e);
            }
            return outcome
                    + " [requests: "
                    + server.requests("PutObject")
                    + " PutObject, "
                    + server.requests("InitiateMultipartUpload")
                    + " Initiate, "
                    + server.requests("UploadPart")
                    + " UploadPart, "
                    + server.requests("CompleteMultipartUpload")
                    + " Complete, "
                    + server.requests("ListObjects")
                    + " List]";
        } catch (Exception e) {
            return "not run: " + brief(e);
        }
    }

    private static String writeAndCommit(FileSystem fs, OssTestServer s, String key) {
        byte[] data = random(PART * 3);
        try {
            RecoverableFsDataOutputStream out =
                    fs.createRecoverableWriter()
                            .open(new org.apache.flink.core.fs.Path("oss://bkt/" + key));
            // in 1 MiB writes, as a sink writes records; part boundaries follow the writer's rules
            for (int at = 0; at < data.length; at += 1 << 20) {
                out.write(data, at, Math.min(1 << 20, data.length - at));
            }
            out.closeForCommit().commit();
        } catch (Exception e) {
            byte[] stored = s.objectBytes("bkt", key);
            return (stored == null
                            ? "failed before completion"
                            : "failed, but a "
                                    + (Arrays.equals(stored, data) ? "correct" : "CORRUPTED")
                                    + " object was published")
                    + ": "
                    + brief(e);
        }
        byte[] stored = s.objectBytes("bkt", key);
        if (stored == null) {
            return "returned normally; no object published";
        }
        return Arrays.equals(stored, data)
                ? "committed; object intact"
                : "committed; object CORRUPTED ("
                        + stored.length
                        + " of "
                        + data.length
                        + " bytes, content differs)";
    }

    private static String brief(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ");
        return root.getClass().getSimpleName()
                + (m.isEmpty()
                        ? ""
                        : " (" + (m.length() > 90 ? m.substring(0, 90) + "…" : m) + ")");
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static Configuration conf(OssTestServer server) {
        Configuration conf = new Configuration();
        conf.setString("fs.oss.endpoint", server.endpoint());
        conf.setString("fs.oss.accessKeyId", OssTestServer.ACCESS_KEY_ID);
        conf.setString("fs.oss.accessKeySecret", OssTestServer.ACCESS_KEY_SECRET);
        return conf;
    }

    private FileSystem ours(OssTestServer server) {
        try {
            Configuration conf = conf(server);
            conf.set(OssOptions.PART_SIZE, MemorySize.parse("10mb"));
            OssFileSystemFactory f = new OssFileSystemFactory();
            f.configure(conf);
            return f.create(URI.create("oss://bkt/"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private FileSystem baseline(OssTestServer server) {
        return baselineFileSystem(conf(server));
    }

    /** Flink's own OSS file system, loaded in isolation from the copied plugin jar. */
    static FileSystem baselineFileSystem(Configuration conf) {
        try {
            DefaultPluginManager plugins =
                    new DefaultPluginManager(
                            new DirectoryBasedPluginFinder(BASELINE).findPlugins(),
                            new String[] {
                                "java.",
                                "org.apache.flink.",
                                "javax.annotation.",
                                "org.slf4j",
                                "org.apache.log4j",
                                "org.apache.logging"
                            });
            Iterator<FileSystemFactory> it = plugins.load(FileSystemFactory.class);
            while (it.hasNext()) {
                FileSystemFactory f = it.next();
                if ("oss".equals(f.getScheme())) {
                    f.configure(conf);
                    return f.create(URI.create("oss://bkt/"));
                }
            }
            throw new IllegalStateException("no oss factory in " + BASELINE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
