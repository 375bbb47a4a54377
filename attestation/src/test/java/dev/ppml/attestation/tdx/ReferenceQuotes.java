package dev.ppml.attestation.tdx;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The real quotes under {@code src/test/resources/tdx}, as a TD produces them: go-tdx-guest appends
 * a test marker to its production quote and zero-pads its COS quote to 8000 bytes, which a
 * canonical parser rejects, so {@link #canonical} cuts those off (and checks that only they are
 * cut).
 */
public final class ReferenceQuotes {
    public static final Path DIR = Path.of("src/test/resources/tdx");

    /** The marker go-tdx-guest appends to {@code tdx_prod_quote_SPR_E4.dat}. */
    static final byte[] GO_TDX_GUEST_MARKER =
            "\nextra bytes(only for testing purpose)\n".getBytes(StandardCharsets.US_ASCII);

    private ReferenceQuotes() {}

    /** The file's bytes, unchanged. */
    public static byte[] raw(String name) throws Exception {
        return Files.readAllBytes(DIR.resolve(name));
    }

    /** The file's quote without go-tdx-guest's test marker or zero padding. */
    public static byte[] canonical(String name) throws Exception {
        byte[] b = raw(name);
        int end = b.length;
        int markerAt = end - GO_TDX_GUEST_MARKER.length;
        if (markerAt > 0
                && Arrays.equals(Arrays.copyOfRange(b, markerAt, end), GO_TDX_GUEST_MARKER)) {
            end = markerAt;
        } else {
            while (end > 0 && b[end - 1] == 0 && name.endsWith("cos-113-tdx-quote.dat")) {
                end--;
            }
        }
        return Arrays.copyOf(b, end);
    }
}
