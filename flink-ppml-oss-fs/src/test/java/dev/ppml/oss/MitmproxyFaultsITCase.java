package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.testing.OssTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-path experiment of Alibaba's published JindoSDK study, reproduced with the same real
 * tool: mitmproxy's {@code mitmdump} in reverse-proxy mode between the real OSS SDK and the OSS
 * test server, with an addon that alters the last byte of an UploadPart body, and one that answers
 * part 2 with a 200 without forwarding it. {@code .ci/run} installs Debian's mitmproxy.
 */
class MitmproxyFaultsITCase {

    private static final int PART = 100 * 1024;

    @TempDir Path dir;
    private OssTestServer server;
    private Process mitm;

    @BeforeEach
    void startServer() throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/mitmdump")),
                "mitmdump is not installed (.ci/run installs Debian's mitmproxy)");
        server = OssTestServer.start();
        server.createBucket("bkt");
    }

    @AfterEach
    void stop() throws Exception {
        if (mitm != null) {
            mitm.destroy();
            if (!mitm.waitFor(10, TimeUnit.SECONDS)) {
                mitm.destroyForcibly();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private FileSystem throughProxy(String addon) throws Exception {
        return throughProxy(addon, false);
    }

    private FileSystem throughProxy(String addon, boolean baseline) throws Exception {
        Path script = dir.resolve("addon.py");
        Files.writeString(script, addon);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        mitm =
                new ProcessBuilder(
                                List.of(
                                        "/usr/bin/mitmdump",
                                        "--mode",
                                        "reverse:" + server.endpoint(),
                                        "--listen-host",
                                        "127.0.0.1",
                                        "--listen-port",
                                        Integer.toString(port),
                                        "--set",
                                        "keep_host_header=true",
                                        "-q",
                                        "-s",
                                        script.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("mitmdump.log").toFile())
                        .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (!mitm.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "mitmdump did not start: "
                                    + Files.readString(dir.resolve("mitmdump.log")));
                }
                Thread.sleep(200);
            }
        }
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, "http://127.0.0.1:" + port);
        conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
        conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);
        if (baseline) {
            return FlinkOssPluginComparisonITCase.baselineFileSystem(conf);
        }
        conf.set(OssOptions.PART_SIZE, MemorySize.parse("100kb"));
        OssFileSystemFactory factory = new OssFileSystemFactory();
        factory.configure(conf);
        return factory.create(URI.create("oss://bkt/"));
    }

    /** Flink's OSS plugin through the same proxy; 10 MiB is its smallest part. */
    @Test
    void flinksOssPluginThroughTheSameProxy() throws Exception {
        String flip =
                String.join(
                        "\n",
                        "flipped = set()",
                        "def request(flow):",
                        "    n = flow.request.query.get('partNumber')",
                        "    if flow.request.method == 'PUT' and n == '2' and n not in flipped:",
                        "        flipped.add(n)",
                        "        body = bytearray(flow.request.content)",
                        "        body[-1] ^= 0x01",
                        "        flow.request.content = bytes(body)",
                        "");
        String outcome = baselineWrite(throughProxy(flip, true), "flip");
        System.out.println(
                "flink-oss-fs-hadoop, last byte of part 2 altered in flight: " + outcome);
        assertThat(outcome).isNotEmpty();
        assertThat(server.requests("UploadPart"))
                .as("the baseline's parts went through the proxy")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void flinksOssPluginWithPart2AnsweredByTheProxy() throws Exception {
        String drop =
                String.join(
                        "\n",
                        "from mitmproxy import http",
                        "def request(flow):",
                        "    if flow.request.method == 'PUT' and flow.request.query.get('partNumber') == '2':",
                        "        flow.response = http.Response.make(200, b'Hello World', {'Content-Type': 'text/html'})",
                        "");
        String outcome = baselineWrite(throughProxy(drop, true), "drop");
        System.out.println("flink-oss-fs-hadoop, part 2 answered without forwarding: " + outcome);
        assertThat(server.keys("bkt")).as("nothing published").doesNotContain("drop");
        assertThat(server.requests("CompleteMultipartUpload")).isZero();
    }

    private String baselineWrite(FileSystem fs, String key) {
        byte[] data = random(3 * (10 << 20));
        try {
            RecoverableFsDataOutputStream out =
                    fs.createRecoverableWriter()
                            .open(new org.apache.flink.core.fs.Path("oss://bkt/" + key));
            for (int at = 0; at < data.length; at += 1 << 20) {
                out.write(data, at, Math.min(1 << 20, data.length - at));
            }
            out.closeForCommit().commit();
        } catch (Exception e) {
            return "failed: " + e;
        }
        byte[] stored = server.objectBytes("bkt", key);
        return stored == null
                ? "no object"
                : Arrays.equals(stored, data)
                        ? "committed; object intact"
                        : "committed; object CORRUPTED";
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void aLastByteAlteredInFlightIsDetectedAndThePartUploadedAgain() throws Exception {
        FileSystem fs =
                throughProxy(
                        String.join(
                                "\n",
                                "flipped = set()",
                                "def request(flow):",
                                "    q = flow.request.query",
                                "    n = q.get('partNumber')",
                                "    if flow.request.method == 'PUT' and n == '2' and n not in flipped:",
                                "        flipped.add(n)",
                                "        body = bytearray(flow.request.content)",
                                "        body[-1] ^= 0x01",
                                "        flow.request.content = bytes(body)",
                                ""));
        long mismatches = OssMetrics.crcMismatches();
        byte[] data = random(PART * 3);
        RecoverableFsDataOutputStream out =
                fs.createRecoverableWriter().open(new org.apache.flink.core.fs.Path("oss://bkt/f"));
        out.write(data);
        out.closeForCommit().commit();

        assertThat(server.objectBytes("bkt", "f")).isEqualTo(data);
        assertThat(server.requests("UploadPart")).as("part 2 was sent twice").isEqualTo(4);
        assertThat(OssMetrics.crcMismatches()).isEqualTo(mismatches + 1);
    }

    @Test
    void aPartAnsweredWithoutBeingForwardedIsNeverCompleted() throws Exception {
        FileSystem fs =
                throughProxy(
                        String.join(
                                "\n",
                                "from mitmproxy import http",
                                "def request(flow):",
                                "    if flow.request.method == 'PUT' and flow.request.query.get('partNumber') == '2':",
                                "        flow.response = http.Response.make(200, b'Hello World', {'Content-Type': 'text/html'})",
                                ""));
        RecoverableFsDataOutputStream out =
                fs.createRecoverableWriter().open(new org.apache.flink.core.fs.Path("oss://bkt/f"));
        out.write(random(PART * 3));
        assertThatThrownBy(out::closeForCommit)
                .hasMessageContaining("part 2 of oss://bkt/f was acknowledged without an ETag");
        assertThat(server.requests("CompleteMultipartUpload")).isZero();
        assertThat(server.keys("bkt")).doesNotContain("f");
    }
}
