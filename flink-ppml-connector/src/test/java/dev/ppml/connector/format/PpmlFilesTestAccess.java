package dev.ppml.connector.format;

import dev.ppml.connector.keys.MasterKey;
import java.io.IOException;
import java.io.OutputStream;

/** Test access to package-private parts of the format, for tests in other packages. */
public final class PpmlFilesTestAccess {
    private PpmlFilesTestAccess() {}

    /** Starts a file of format version 1, as releases before version 2 wrote them. */
    public static OutputStream encryptVersion1(
            OutputStream out, MasterKey key, StreamingParameters streaming) throws IOException {
        return PpmlFiles.encrypt(out, key, streaming, "csv", null, 1);
    }

    public static SegmentLayout layout(StreamingParameters streaming) {
        return SegmentLayout.of(streaming);
    }
}
