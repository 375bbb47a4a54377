package dev.ppml.connector.format;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import dev.ppml.connector.keys.MasterKey;
import dev.ppml.keys.KeyServices;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Writes and reads the ppml file format (version 1): a header holding the per-file data key wrapped
 * by the master key, then a Tink streaming AEAD body.
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
    public static OutputStream encrypt(
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
    public static OutputStream encrypt(
            OutputStream out,
            MasterKey masterKey,
            StreamingParameters streaming,
            String innerFormat,
            @Nullable String tableId)
            throws IOException {
        Aead master = masterKey.unlock();
        KeyServices.registerTink();
        byte[] fileId = new byte[16];
        RANDOM.nextBytes(fileId);
        KeysetHandle dataKey;
        byte[] wrapped;
        StreamingAead aead;
        try {
            dataKey = KeysetHandle.generateNew(streaming.tinkParameters());
            wrapped = TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, fileId);
            aead = dataKey.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
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
                        masterKey.keyUri().toString(),
                        wrapped,
                        streaming,
                        fileId,
                        innerFormat,
                        Instant.now(),
                        tableId);
        byte[] prefix = header.toBytes();
        out.write(prefix);
        try {
            return aead.newEncryptingStream(new NonClosingOutputStream(out), prefix);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start the encrypted body: " + e.getMessage(), e);
        }
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
            return new Decrypted(parsed.header, body(in, parsed, masterKey, fileName));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
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
        if (!header.keyUri().equals(masterKey.keyUri().toString())) {
            throw new PpmlFormatException(
                    String.format(
                            "file %s was encrypted under master key '%s', but the reader is"
                                    + " configured with '%s'; configure the matching key URI",
                            fileName, header.keyUri(), masterKey.keyUri()));
        }
        Aead master = masterKey.unlock();
        KeyServices.registerTink();
        StreamingAead aead;
        try {
            KeysetHandle dataKey =
                    TinkProtoKeysetFormat.parseEncryptedKeyset(
                            header.encryptedDataKey(), master, header.fileId());
            aead = dataKey.getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
        } catch (GeneralSecurityException e) {
            throw new PpmlFormatException(
                    String.format(
                            "cannot unwrap the data key of file %s with master key '%s': the file"
                                    + " was encrypted under a different master key, or its header"
                                    + " was altered",
                            fileName, masterKey.keyUri()));
        }
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

    /**
     * Reads the whole file and checks every segment, returning the plaintext length; throws {@link
     * PpmlFormatException} naming the file if any check fails. Nothing is returned of the
     * plaintext.
     */
    public static long verify(InputStream in, MasterKey masterKey, String fileName)
            throws IOException {
        try (InputStream plaintext = decrypt(in, masterKey, fileName)) {
            byte[] buffer = new byte[64 * 1024];
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
