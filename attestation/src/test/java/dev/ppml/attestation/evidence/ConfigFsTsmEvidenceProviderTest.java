package dev.ppml.attestation.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.tdx.TdxQuote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * configfs-tsm as a TaskManager on an ACK TDX-VM node sees it: the node's {@code
 * /sys/kernel/config/tsm} mounted by hostPath at {@code /host/sys/kernel/config/tsm} (the mount
 * path of k8s/overlays/ack-tdx, which passes it as {@code kbs.evidence-location}; the k8s module's
 * RenderedManifestsITCase checks that side). The fake tree has what a Linux 6.7+ TD guest kernel
 * creates; the test plays the kernel's part on mkdir and on writing {@code inblob}, answering with
 * a real TDX quote whose REPORTDATA is the inblob.
 */
class ConfigFsTsmEvidenceProviderTest {
    /** The ack-tdx overlay's mountPath, below the container root. */
    static final String ACK_TDX_MOUNT = "host/sys/kernel/config/tsm";

    @TempDir Path container;
    private Path root;

    @BeforeEach
    void layOutTheNodesConfigFs() throws IOException {
        root = container.resolve(ACK_TDX_MOUNT);
        Files.createDirectories(root.resolve("report"));
    }

    /** What the tdx_guest provider's configfs-tsm does, on a plain directory. */
    private static final ConfigFsTsmEvidenceProvider.KernelHooks TDX_GUEST_KERNEL =
            new ConfigFsTsmEvidenceProvider.KernelHooks() {
                @Override
                public void created(Path dir) throws IOException {
                    Files.writeString(dir.resolve("provider"), "tdx_guest\n");
                    Files.writeString(dir.resolve("generation"), "0\n");
                    Files.writeString(dir.resolve("privlevel"), "0\n");
                    Files.writeString(dir.resolve("privlevel_floor"), "0\n");
                    Files.write(dir.resolve("auxblob"), new byte[0]);
                    Files.write(dir.resolve("inblob"), new byte[0]);
                    Files.write(dir.resolve("outblob"), new byte[0]);
                }

                @Override
                public void inblobWritten(Path dir) throws IOException {
                    byte[] in = Files.readAllBytes(dir.resolve("inblob"));
                    if (in.length != 64) {
                        throw new IOException("Invalid argument"); // EINVAL, as the kernel
                    }
                    byte[] quote =
                            Files.readAllBytes(
                                    Path.of("src/test/resources/tdx/trustee/tdx_quote_4.dat"));
                    System.arraycopy(in, 0, quote, 48 + 520, 64);
                    Files.write(dir.resolve("outblob"), quote);
                    Files.writeString(dir.resolve("generation"), "1\n");
                }
            };

    private static byte[] reportData() {
        byte[] b = new byte[64];
        for (int i = 0; i < 48; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    @Test
    void aQuoteFromTheMountedNodeTreeBindsTheReportData() throws Exception {
        ConfigFsTsmEvidenceProvider provider =
                new ConfigFsTsmEvidenceProvider(root, TDX_GUEST_KERNEL);
        JsonNode evidence = provider.evidence(reportData());
        byte[] quote = Base64.getDecoder().decode(evidence.get("quote").asText());
        TdxQuote parsed = TdxQuote.parse(quote);
        assertThat(parsed.teeType()).isEqualTo(TdxQuote.TEE_TYPE_TDX);
        assertThat(parsed.body().reportData()).isEqualTo(reportData());
        try (Stream<Path> left = Files.list(root.resolve("report"))) {
            assertThat(left).as("the report entry is removed after use").isEmpty();
        }
    }

    @Test
    void everyCallGetsItsOwnReportEntry() throws Exception {
        ConfigFsTsmEvidenceProvider provider =
                new ConfigFsTsmEvidenceProvider(root, TDX_GUEST_KERNEL);
        byte[] other = reportData();
        other[0] ^= 1;
        byte[] first = TdxQuote.parse(provider.quote(reportData())).body().reportData();
        byte[] second = TdxQuote.parse(provider.quote(other)).body().reportData();
        assertThat(first).isEqualTo(reportData());
        assertThat(second).isEqualTo(other);
        assertThat(Arrays.equals(first, second)).isFalse();
    }

    @Test
    void theOverlaysEvidenceLocationSelectsThisTree() {
        // without the kernel's report/ directory the provider names the root it was given
        Path notMounted = container.resolve("elsewhere");
        assertThatThrownBy(
                        () ->
                                EvidenceProviders.fromName(
                                                EvidenceProviders.TDX, notMounted.toString())
                                        .evidence(reportData()))
                .hasMessageContaining(notMounted.resolve("report").toString())
                .hasMessageContaining("not a TDX guest with configfs-tsm");
        assertThat(ConfigFsTsmEvidenceProvider.DEFAULT_ROOT)
                .as("the hostPath of the overlay is the kernel's default mount point")
                .isEqualTo(Path.of("/", ACK_TDX_MOUNT.substring("host/".length())));
    }

    @Test
    void aNodeWhoseProviderIsNotTdxIsRefused() throws Exception {
        ConfigFsTsmEvidenceProvider provider =
                new ConfigFsTsmEvidenceProvider(
                        root,
                        new ConfigFsTsmEvidenceProvider.KernelHooks() {
                            @Override
                            public void created(Path dir) throws IOException {
                                Files.writeString(
                                        dir.resolve("provider"),
                                        "sev_guest\n",
                                        StandardCharsets.US_ASCII);
                                Files.writeString(dir.resolve("generation"), "0\n");
                            }
                        });
        assertThatThrownBy(() -> provider.evidence(reportData()))
                .hasMessageContaining("provider is 'sev_guest', expected 'tdx_guest'");
    }
}
