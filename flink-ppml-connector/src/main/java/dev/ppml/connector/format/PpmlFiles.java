package dev.ppml.connector.format;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Key;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingKey;
import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServices;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Writes and reads the ppml file format (version 2; version 1 is still read): a header holding the
 * per-file data key wrapped by the master key, then a Tink streaming AEAD body whose segments each
 * end with a trailer marking where a record starts (see {@link SegmentLayout}), so that a large
 * file can be read in splits.
 *
 * <p>Security guarantees: every file gets a fresh data key, so no nonce is reused across files or
 * writers. The body's associated data is the exact header prefix, so an edited header fails
 * authentication; each segment is authenticated before any of its plaintext is returned, and the
 * last-segment flag makes truncation and appended data fail. A file written under another master
 * key fails when its data key is unwrapped.
 *
 * <p>Restrictions: authentication is per segment (1 MiB by default). A reader that streams returns
 * the plaintext of the segments before a corrupted one; use {@link #verify} first when nothing of a
 * damaged file may be used.
 */
@PublicEvolving
public final class PpmlFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    private PpmlFiles() {}

    /**
     * Starts a ppml file on {@code out}: writes the header, returns the stream to write plaintext
     * to. Closing the returned stream writes the last segment and flushes, but does not close
     * {@code out}.
     */
    public static PlaintextOutput encrypt(
            OutputStream out,
            MasterKey masterKey,
            StreamingParameters streaming,
            String innerFormat)
            throws IOException {
        return encrypt(out, masterKey, streaming, innerFormat, null);
    }

    /**
     * Like {@link #encrypt(OutputStream, MasterKey, StreamingParameters, String)}, binding the file
     * to the table {@code tableId} (null: no table): the id is part of the authenticated header,
     * and readers configured with a table id refuse files of any other table.
     */
    public static PlaintextOutput encrypt(
            OutputStream out,
            MasterKey masterKey,
            StreamingParameters streaming,
            String innerFormat,
            @Nullable String tableId)
            throws IOException {
        Body body =
                startBody(out, masterKey, streaming, innerFormat, tableId, PpmlFileHeader.VERSION);
        try {
            return new PlaintextOutput(
                    body.aead.newStreamSegmentEncrypter(body.prefix),
                    out,
                    SegmentLayout.of(streaming));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the encrypted body: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the header of format {@code version} and returns the body's encrypting stream as Tink
     * writes it: raw plaintext, without the version-2 trailers. Only tests write version 1, to
     * prove that files of earlier releases stay readable.
     */
    static OutputStream encrypt(
            OutputStream out,
            MasterKey masterKey,
            StreamingParameters streaming,
            String innerFormat,
            @Nullable String tableId,
            int version)
            throws IOException {
        Body body = startBody(out, masterKey, streaming, innerFormat, tableId, version);
        try {
            return body.aead.newEncryptingStream(new NonClosingOutputStream(out), body.prefix);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the encrypted body: " + e.getMessage(), e);
        }
    }

    /** A body about to be written: its fresh data key's AEAD and the header it is bound to. */
    private record Body(AesGcmHkdfStreaming aead, byte[] prefix) {}

    /** Creates and wraps a fresh data key, writes the header of format {@code version}. */
    private static Body startBody(
            OutputStream out,
            MasterKey masterKey,
            StreamingParameters streaming,
            String innerFormat,
            @Nullable String tableId,
            int version)
            throws IOException {
        Aead master = masterKey.unlock();
        KeyServices.registerTink();
        AesGcmWarmUp.ensure();
        byte[] fileId = new byte[16];
        RANDOM.nextBytes(fileId);
        byte[] wrapped;
        AesGcmHkdfStreaming aead;
        try {
            KeysetHandle dataKey = KeysetHandle.generateNew(streaming.tinkParameters());
            wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, fileId);
            aead = segmentAead(dataKey);
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "cannot create a data key under master key '"
                            + masterKey.keyUri()
                            + "': "
                            + e.getClass().getSimpleName(),
                    e);
        }
        PpmlFileHeader header =
                new PpmlFileHeader(
                        version,
                        masterKey.keyUri().toString(),
                        wrapped,
                        streaming,
                        fileId,
                        innerFormat,
                        Instant.now(),
                        tableId);
        byte[] prefix = header.toBytes();
        out.write(prefix);
        return new Body(aead, prefix);
    }

    /**
     * The data key's streaming AEAD as Tink's own AES-GCM-HKDF class, whose segment encrypter the
     * writer drives directly: Tink's stream would copy every byte into its segment buffer, since
     * the trailers make every write end short of a segment.
     */
    private static AesGcmHkdfStreaming segmentAead(KeysetHandle dataKey)
            throws GeneralSecurityException {
        Key key = dataKey.getPrimary().getKey();
        if (key instanceof AesGcmHkdfStreamingKey aesGcmKey
                && AesGcmHkdfStreaming.create(aesGcmKey) instanceof AesGcmHkdfStreaming aead) {
            return aead;
        }
        throw new GeneralSecurityException(
                "a ppml data key must be an AES-GCM-HKDF streaming key, not "
                        + key.getClass().getSimpleName());
    }

    /**
     * Opens a ppml file for reading: parses the header, unwraps the data key with {@code
     * masterKey}, returns a stream of authenticated plaintext. Every failure, including a failed
     * segment authentication while reading, is a {@link PpmlFormatException} naming {@code
     * fileName}. Closing the returned stream closes {@code in}.
     */
    public static InputStream decrypt(InputStream in, MasterKey masterKey, String fileName)
            throws IOException {
        return open(in, masterKey, fileName).plaintext();
    }

    /**
     * Like {@link #decrypt}, also returning the file's header, so that a reader can check what the
     * header says (table, file id) before it reads the body. The header is authenticated together
     * with the body's first segment: a header that was edited fails that segment.
     */
    public static Decrypted open(InputStream in, MasterKey masterKey, String fileName)
            throws IOException {
        PpmlFileHeader.Parsed parsed;
        try {
            parsed = PpmlFileHeader.read(in, fileName);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        try {
            PpmlFileHeader header = parsed.header;
            InputStream plaintext =
                    header.version() >= 2
                            ? new SegmentedBodyStream(
                                    in,
                                    dataKeyPrimitive(header, masterKey, fileName),
                                    parsed.prefix,
                                    SegmentLayout.of(header.streaming()),
                                    fileName)
                            : body(in, parsed, masterKey, fileName);
            return new Decrypted(header, plaintext);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /**
     * Opens the part of a ppml file that a split of file bytes {@code [splitStart, splitEnd)}
     * covers: the records that start in the segments the split owns (see {@link
     * SegmentLayout#firstSegmentOwned}), read on to the end of the last one. Every segment read is
     * authenticated before its plaintext is returned, and a split that reads to the end of the file
     * authenticates its last segment as the last. A version-1 file cannot be split: the split
     * holding its first byte reads all of it, the others nothing.
     *
     * @param in the file, positioned anywhere; closed when the returned stream is closed
     * @param fileLength the file's length in bytes
     */
    public static SplitRead openSplit(
            FSDataInputStream in,
            long fileLength,
            MasterKey masterKey,
            String fileName,
            long splitStart,
            long splitEnd)
            throws IOException {
        PpmlFileHeader.Parsed parsed;
        try {
            in.seek(0);
            parsed = PpmlFileHeader.read(in, fileName);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        PpmlFileHeader header = parsed.header;
        try {
            if (header.version() < 2) {
                if (splitStart > 0) {
                    in.close();
                    return new SplitRead(header, InputStream.nullInputStream(), false);
                }
                return new SplitRead(header, body(in, parsed, masterKey, fileName), true);
            }
            SegmentLayout layout = SegmentLayout.of(header.streaming());
            long bodyStart = parsed.prefix.length;
            long first = layout.firstSegmentOwned(splitStart, bodyStart);
            long end =
                    splitEnd >= fileLength
                            ? Long.MAX_VALUE
                            : layout.firstSegmentOwned(splitEnd, bodyStart);
            AesGcmHkdfStreaming aead = dataKeyPrimitive(header, masterKey, fileName);
            BodyChannel source = new BodyChannel(in, bodyStart, fileLength - bodyStart);
            SeekableByteChannel channel;
            try {
                channel = aead.newSeekableDecryptingChannel(source, parsed.prefix);
            } catch (GeneralSecurityException e) {
                throw new PpmlFormatException(
                        String.format(
                                "cannot start decrypting file %s: %s", fileName, e.getMessage()));
            }
            SplitPlaintextStream plaintext =
                    new SplitPlaintextStream(
                            channel,
                            layout,
                            first,
                            end,
                            layout.rawLength(fileLength - bodyStart),
                            (e, segment) -> splitFailure(e, source, fileName, segment));
            return new SplitRead(header, plaintext, first == 0);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static IOException splitFailure(
            IOException e, BodyChannel source, String fileName, long segment) {
        IOException ioError = source.failure;
        if (ioError != null) {
            return new IOException(
                    String.format(
                            "reading file %s failed in segment %d: %s",
                            fileName, segment, ioError.getMessage()),
                    ioError);
        }
        return new PpmlFormatException(
                String.format(
                        "authentication of file %s failed in segment %d: the file was modified,"
                                + " truncated, extended or written incompletely",
                        fileName, segment));
    }

    /** The records of one split of a ppml file. */
    public static final class SplitRead {
        private final PpmlFileHeader header;
        private final InputStream plaintext;
        private final boolean fileStart;

        private SplitRead(PpmlFileHeader header, InputStream plaintext, boolean fileStart) {
            this.header = header;
            this.plaintext = plaintext;
            this.fileStart = fileStart;
        }

        public PpmlFileHeader header() {
            return header;
        }

        /** The split's record data; closing it closes the file stream. */
        public InputStream plaintext() {
            return plaintext;
        }

        /**
         * Whether the data starts at the file's start (so header records, if the inner format has
         * any, come first), rather than at a record boundary inside the file.
         */
        public boolean fileStart() {
            return fileStart;
        }
    }

    /** A ppml file opened for reading: its header and its authenticated plaintext. */
    public static final class Decrypted {
        private final PpmlFileHeader header;
        private final InputStream plaintext;

        private Decrypted(PpmlFileHeader header, InputStream plaintext) {
            this.header = header;
            this.plaintext = plaintext;
        }

        public PpmlFileHeader header() {
            return header;
        }

        /** The plaintext; closing it closes the file stream. */
        public InputStream plaintext() {
            return plaintext;
        }
    }

    private static InputStream body(
            InputStream in, PpmlFileHeader.Parsed parsed, MasterKey masterKey, String fileName)
            throws IOException {
        PpmlFileHeader header = parsed.header;
        AesGcmHkdfStreaming aead = dataKeyPrimitive(header, masterKey, fileName);
        InputStream plaintext;
        SourceStream source;
        try {
            source = new SourceStream(in);
            plaintext = aead.newDecryptingStream(source, parsed.prefix);
        } catch (GeneralSecurityException e) {
            throw new PpmlFormatException(
                    String.format("cannot start decrypting file %s: %s", fileName, e.getMessage()));
        }
        return new AuthenticatingInputStream(plaintext, source, fileName);
    }

    static AesGcmHkdfStreaming dataKeyPrimitive(
            PpmlFileHeader header, MasterKey masterKey, String fileName) throws IOException {
        if (!header.keyUri().equals(masterKey.keyUri().toString())) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s was encrypted under master key '%s', but the reader is"
                                    + " configured with '%s'; configure the matching key URI",
                            fileName, header.keyUri(), masterKey.keyUri()));
        }
        Aead master = masterKey.unlock();
        KeyServices.registerTink();
        AesGcmWarmUp.ensure();
        try {
            KeysetHandle dataKey =
                    TinkProtoKeysetFormat.parseEncryptedKeyset(
                            header.encryptedDataKey(), master, header.fileId());
            return segmentAead(dataKey);
        } catch (GeneralSecurityException e) {
            throw new PpmlFormatException(
                    String.format(
                            "cannot unwrap the data key of file %s with master key '%s': the file"
                                    + " was encrypted under a different master key, or its header"
                                    + " was altered",
                            fileName, masterKey.keyUri()));
        }
    }

    /**
     * Reads the whole file and checks every segment, returning the plaintext length; throws {@link
     * PpmlFormatException} naming the file if any check fails. Nothing is returned of the
     * plaintext.
     */
    public static long verify(InputStream in, MasterKey masterKey, String fileName)
            throws IOException {
        try (InputStream plaintext = decrypt(in, masterKey, fileName)) {
            // room for a whole segment: each is decrypted straight into it, uncopied
            byte[] buffer = new byte[1 << 20];
            long total = 0;
            for (int n; (n = plaintext.read(buffer)) >= 0; ) {
                total += n;
            }
            return total;
        }
    }

    /** Reads the header of a ppml file without unlocking any key (for inspection tools). */
    public static PpmlFileHeader readHeader(InputStream in, String fileName) throws IOException {
        return PpmlFileHeader.read(in, fileName).header;
    }

    /** Turns Tink's bare authentication failures into errors that name the file. */
    private static final class AuthenticatingInputStream extends FilterInputStream {
        private final SourceStream source;
        private final String fileName;
        private long position;

        AuthenticatingInputStream(InputStream in, SourceStream source, String fileName) {
            super(in);
            this.source = source;
            this.fileName = fileName;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) {
                    position++;
                }
                return b;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                long skipped = super.skip(n);
                position += skipped;
                return skipped;
            } catch (IOException e) {
                throw failure(e);
            }
        }

        private IOException failure(IOException e) {
            if (e instanceof PpmlFormatException) {
                return e;
            }
            // Tink's keyset wrapper reports any exception as "no matching key", so the file's
            // own I/O errors are recognised by what the source stream saw, not by type.
            IOException ioError = source.failure;
            if (ioError != null) {
                return new IOException(
                        String.format(
                                "reading file %s failed after %d plaintext bytes: %s",
                                fileName, position, ioError.getMessage()),
                        ioError);
            }
            // Tink's own message ("no matching key found") would mislead: the key matched, the
            // ciphertext did not authenticate.
            return new PpmlFormatException(
                    String.format(
                            "authentication of file %s failed after %d plaintext bytes: the file"
                                    + " was modified, truncated, extended or written incompletely",
                            fileName, position));
        }
    }

    /** Remembers the file's own I/O errors, so they are not reported as tampering. */
    private static final class SourceStream extends FilterInputStream {
        volatile IOException failure;

        SourceStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /**
     * The body of a file as the seekable ciphertext channel Tink reads: position 0 is the first
     * byte after the header. Reads fill the buffer (Tink loads a segment with one read); a seek to
     * where the stream already is costs nothing, so sequential segments stream through one range
     * request on an object store. The file's own I/O errors are remembered, so they are not
     * reported as tampering.
     */
    private static final class BodyChannel implements SeekableByteChannel {
        private final FSDataInputStream in;
        private final long bodyStart;
        private final long size;
        private long position;
        private boolean open = true;
        volatile IOException failure;

        BodyChannel(FSDataInputStream in, long bodyStart, long size) {
            this.in = in;
            this.bodyStart = bodyStart;
            this.size = size;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (position >= size) {
                return -1;
            }
            int want = (int) Math.min(dst.remaining(), size - position);
            try {
                if (in.getPos() != bodyStart + position) {
                    in.seek(bodyStart + position);
                }
                int total = 0;
                byte[] array = dst.hasArray() ? dst.array() : new byte[want];
                int offset = dst.hasArray() ? dst.arrayOffset() + dst.position() : 0;
                while (total < want) {
                    int n = in.read(array, offset + total, want - total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                if (dst.hasArray()) {
                    dst.position(dst.position() + total);
                } else {
                    dst.put(array, 0, total);
                }
                position += total;
                return total == 0 ? -1 : total;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = newPosition;
            return this;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() throws IOException {
            open = false;
            in.close();
        }
    }

    /** Lets the encrypting stream finish the body without closing the file stream under it. */
    private static final class NonClosingOutputStream extends FilterOutputStream {
        NonClosingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
