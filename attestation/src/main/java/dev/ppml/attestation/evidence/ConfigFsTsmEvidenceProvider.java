package dev.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.attestation.AttestationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TDX quotes from the Linux configfs-tsm interface (kernel 6.7 and later): create a report
 * directory, check the provider is {@code tdx_guest}, write exactly 64 bytes to {@code inblob},
 * read the quote from {@code outblob}, require {@code generation} to be 1 (else another writer
 * raced us and the quote may bind their data), and remove the directory.
 */
public final class ConfigFsTsmEvidenceProvider implements EvidenceProvider {
    /** Where configfs-tsm is mounted on a TDX guest. */
    public static final Path DEFAULT_ROOT = Path.of("/sys/kernel/config/tsm");

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFsTsmEvidenceProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final KernelHooks kernel;

    public ConfigFsTsmEvidenceProvider(Path root) {
        this(root, KernelHooks.NONE);
    }

    /** For tests on a plain directory tree: stands in for what the kernel does in configfs. */
    ConfigFsTsmEvidenceProvider(Path root, KernelHooks kernel) {
        this.root = root;
        this.kernel = kernel;
    }

    /** What configfs-tsm does by itself; a fake tree has the test do it. */
    interface KernelHooks {
        KernelHooks NONE = new KernelHooks() {};

        /** After mkdir: the kernel creates provider, inblob, outblob and generation. */
        default void created(Path dir) throws IOException {}

        /** After inblob is written: the kernel makes the quote and bumps generation. */
        default void inblobWritten(Path dir) throws IOException {}
    }

    @Override
    public String tee() {
        return "tdx";
    }

    @Override
    public JsonNode evidence(byte[] reportData) throws AttestationException {
        ObjectNode n = JSON.createObjectNode();
        n.put("quote", Base64.getEncoder().encodeToString(quote(reportData)));
        return n;
    }

    /** The raw TDX quote binding {@code reportData}. */
    public byte[] quote(byte[] reportData) throws AttestationException {
        if (reportData.length != 64) {
            throw new AttestationException(
                    "configfs-tsm needs exactly 64 bytes of report data, got " + reportData.length);
        }
        Path reports = root.resolve("report");
        if (!Files.isDirectory(reports)) {
            throw new AttestationException(
                    String.format(
                            "%s does not exist: not a TDX guest with configfs-tsm (Linux 6.7+, mounted at"
                                    + " %s)",
                            reports, root));
        }
        Path dir = reports.resolve("ppml-" + UUID.randomUUID());
        try {
            Files.createDirectory(dir);
            kernel.created(dir);
            try {
                String provider =
                        Files.readString(dir.resolve("provider"), StandardCharsets.US_ASCII).trim();
                if (!"tdx_guest".equals(provider)) {
                    throw new AttestationException(
                            String.format(
                                    "configfs-tsm provider is '%s', expected 'tdx_guest'",
                                    provider));
                }
                Files.write(dir.resolve("inblob"), reportData);
                kernel.inblobWritten(dir);
                byte[] quote = Files.readAllBytes(dir.resolve("outblob"));
                String generation =
                        Files.readString(dir.resolve("generation"), StandardCharsets.US_ASCII)
                                .trim();
                if (!"1".equals(generation)) {
                    throw new AttestationException(
                            String.format(
                                    "configfs-tsm report generation is %s, expected 1: another writer used %s"
                                            + " concurrently, so the quote may bind their data; retry",
                                    generation, dir));
                }
                if (quote.length == 0) {
                    throw new AttestationException(
                            "configfs-tsm returned an empty quote from " + dir);
                }
                LOG.debug("Got a {}-byte TDX quote from configfs-tsm", quote.length);
                return quote;
            } finally {
                try {
                    if (kernel != KernelHooks.NONE) {
                        // a plain directory: configfs removes the attributes with the directory
                        try (Stream<Path> attributes = Files.list(dir)) {
                            for (Path f : (Iterable<Path>) attributes::iterator) {
                                Files.deleteIfExists(f);
                            }
                        }
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    LOG.warn("Could not remove the configfs-tsm report directory {}", dir, e);
                }
            }
        } catch (IOException e) {
            throw new AttestationException("configfs-tsm at " + root + " failed: " + e, e);
        }
    }
}
