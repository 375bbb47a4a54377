package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ppml encrypt} with {@code kbs://} keys that cannot work, in a fresh process as a user
 * runs it: what the first line of stderr says.
 */
class KbsKeyUriITCase {
    @TempDir Path dir;

    private Path input() throws Exception {
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "name,age,job\nann,30,Developer\n", StandardCharsets.UTF_8);
        return csv;
    }

    /** {@code bin/ppml encrypt} with the key URI, the sample TEE over plain HTTP and more -D. */
    private BinPpml encrypt(String keyUri, String... flinkOptions) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "encrypt",
                                "--key-uri",
                                keyUri,
                                "-D",
                                "ppml.key-service.kbs.tee=sample",
                                "-D",
                                "ppml.key-service.kbs.plaintext-http=true"));
        for (String option : flinkOptions) {
            args.add("-D");
            args.add(option);
        }
        args.addAll(
                List.of("--input", input().toString(), "--output", dir.resolve("out").toString()));
        return BinPpml.run(dir, args.toArray(new String[0]));
    }

    private static int closedLoopbackPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aBrokerThatIsDownIsNamedWithWhatWasTriedAndWhatToCheck() throws Exception {
        int port = closedLoopbackPort();
        BinPpml ppml =
                encrypt(
                        "kbs://127.0.0.1:" + port + "/default/key/people",
                        "ppml.key-service.kbs.max-attempts=2",
                        "ppml.key-service.kbs.retry-backoff=10 ms");
        assertThat(ppml.exitCode).as(ppml.toString()).isEqualTo(1);
        // The first line may be the client's WARN of a retried attempt or the error itself:
        // either way it names the broker and the request, never a bare ClosedChannelException.
        assertThat(ppml.errFirstLine())
                .as(ppml.toString())
                .contains("cannot reach the KBS at http://127.0.0.1:" + port)
                .contains("POST /kbs/v0/auth")
                .doesNotContain("ClosedChannelException");
        assertThat(ppml.err.lines().filter(l -> l.startsWith("ppml encrypt: error: ")))
                .as(ppml.toString())
                .singleElement(as(InstanceOfAssertFactories.STRING))
                .contains("cannot reach the KBS at http://127.0.0.1:" + port)
                .contains("POST /kbs/v0/auth failed")
                .contains("after 2 attempts")
                .contains("broker is running")
                .doesNotContain("ClosedChannelException");
    }

    @Test
    void aPortOutOfRangeFailsBeforeAnyJobStarts() throws Exception {
        BinPpml ppml = encrypt("kbs://127.0.0.1:99999/a/b/c");
        assertThat(ppml.exitCode).as(ppml.toString()).isNotZero();
        assertThat(ppml.errFirstLine())
                .as(ppml.toString())
                .contains("kbs://127.0.0.1:99999/a/b/c")
                .contains("its port '99999' is not a TCP port");
        assertThat(ppml.err).doesNotContainIgnoringCase("job has been submitted");
        assertThat(ppml.err).doesNotContain("MiniCluster");
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
