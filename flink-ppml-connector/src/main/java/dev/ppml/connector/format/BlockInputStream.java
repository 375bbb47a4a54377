package dev.ppml.connector.format;

import java.io.IOException;
import java.io.InputStream;

/** A stream that reads in blocks: the single-byte read goes through the block read. */
abstract class BlockInputStream extends InputStream {
    private final byte[] one = new byte[1];

    @Override
    public final int read() throws IOException {
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
