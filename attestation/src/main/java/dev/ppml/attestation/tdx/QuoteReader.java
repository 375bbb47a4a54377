package dev.ppml.attestation.tdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Little-endian reads of named fields, failing with the field's name and offset. */
final class QuoteReader {
    private final byte[] data;
    private final int end;
    private int pos;

    QuoteReader(byte[] data, int start, int end) {
        this.data = data;
        this.pos = start;
        this.end = end;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    byte[] bytes(String field, int n) throws QuoteFormatException {
        need(field, n);
        byte[] b = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return b;
    }

    int u16(String field) throws QuoteFormatException {
        need(field, 2);
        int v = ByteBuffer.wrap(data, pos, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
        pos += 2;
        return v;
    }

    long u32(String field) throws QuoteFormatException {
        need(field, 4);
        long v =
                ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        pos += 4;
        return v;
    }

    /** A u32 length whose value must fit what follows it. */
    int lengthPrefix32(String field) throws QuoteFormatException {
        int at = pos;
        return fits(field, at, u32(field));
    }

    /** A u16 length whose value must fit what follows it. */
    int lengthPrefix16(String field) throws QuoteFormatException {
        int at = pos;
        return fits(field, at, u16(field));
    }

    private int fits(String field, int at, long value) throws QuoteFormatException {
        if (value > remaining()) {
            throw new QuoteFormatException(
                    String.format(
                            "truncated quote: field '%s' at offset %d declares %d bytes, %d left",
                            field, at, value, remaining()));
        }
        return (int) value;
    }

    private void need(String field, int n) throws QuoteFormatException {
        if (remaining() < n) {
            throw new QuoteFormatException(
                    String.format(
                            "truncated quote: field '%s' at offset %d needs %d bytes, %d left",
                            field, pos, n, Math.max(0, remaining())));
        }
    }
}
