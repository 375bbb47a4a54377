package dev.ppml.jobs.bench;

import dev.ppml.connector.format.PpmlFiles;
import dev.ppml.connector.format.StreamingParameters;
import dev.ppml.connector.keys.MasterKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * ppml file encryption and decryption (Tink AES-256-GCM-HKDF streaming AEAD, 1 MiB segments, the
 * header and data-key wrapping included) against raw JCE AES-256-GCM over the same bytes in the
 * same 1 MiB segments, each with a fresh IV: the floor any AES-GCM file format pays.
 */
final class AeadCase implements BenchCase {
    private static final int SEGMENT = 1 << 20;
    private static final int GCM_TAG_BITS = 128;

    private final byte[] plaintext;
    private final MasterKey masterKey;
    private final SecretKey jceKey;
    private final SecureRandom random = new SecureRandom();
    private byte[] ppmlCiphertext;
    private byte[] jceCiphertext;

    AeadCase(long bytes, MasterKey masterKey) throws Exception {
        plaintext = new byte[BenchSizes.toInt(bytes, "aead --size")];
        new Random(11).nextBytes(plaintext);
        this.masterKey = masterKey;
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        jceKey = generator.generateKey();
    }

    @Override
    public String name() {
        return "aead";
    }

    @Override
    public String title() {
        return String.format(
                "ppml file encryption and decryption vs raw JCE AES-256-GCM in 1 MiB segments on"
                        + " %s, one thread",
                BenchSizes.format(plaintext.length));
    }

    @Override
    public List<Variant> variants() {
        return List.of(new Variant("ppml file", this::ppml), new Variant("JCE AES-GCM", this::jce));
    }

    @Override
    public double minWarmupSeconds() {
        return 5;
    }

    @Override
    public List<Goal> goals() {
        return List.of(Goal.atLeast("encrypt MB/s", 0.8), Goal.atLeast("decrypt MB/s", 0.8));
    }

    private Metrics ppml() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream(plaintext.length + (1 << 20));
        long start = System.nanoTime();
        try (OutputStream out =
                PpmlFiles.encrypt(sink, masterKey, StreamingParameters.DEFAULT, "bench")) {
            out.write(plaintext);
        }
        double encrypt = seconds(start);
        ppmlCiphertext = sink.toByteArray();
        // read into a segment-sized buffer, as the JCE side decrypts into one
        byte[] buffer = new byte[SEGMENT];
        long read = 0;
        start = System.nanoTime();
        try (InputStream in =
                PpmlFiles.decrypt(
                        new ByteArrayInputStream(ppmlCiphertext), masterKey, "bench.ppml")) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                read += n;
            }
        }
        double decrypt = seconds(start);
        check(read);
        return metrics(encrypt, decrypt);
    }

    private Metrics jce() throws Exception {
        int segments = (plaintext.length + SEGMENT - 1) / SEGMENT;
        byte[] out = new byte[plaintext.length + segments * (12 + GCM_TAG_BITS / 8)];
        long start = System.nanoTime();
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        int o = 0;
        for (int off = 0; off < plaintext.length; off += SEGMENT) {
            int len = Math.min(SEGMENT, plaintext.length - off);
            byte[] iv = new byte[12];
            random.nextBytes(iv);
            System.arraycopy(iv, 0, out, o, 12);
            o += 12;
            cipher.init(Cipher.ENCRYPT_MODE, jceKey, new GCMParameterSpec(GCM_TAG_BITS, iv));
            o += cipher.doFinal(plaintext, off, len, out, o);
        }
        double encrypt = seconds(start);
        jceCiphertext = out;
        byte[] back = new byte[SEGMENT];
        long read = 0;
        start = System.nanoTime();
        int i = 0;
        for (int off = 0; off < plaintext.length; off += SEGMENT) {
            int len = Math.min(SEGMENT, plaintext.length - off) + GCM_TAG_BITS / 8;
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    jceKey,
                    new GCMParameterSpec(GCM_TAG_BITS, jceCiphertext, i, 12));
            i += 12;
            read += cipher.doFinal(jceCiphertext, i, len, back, 0);
            i += len;
        }
        double decrypt = seconds(start);
        check(read);
        return metrics(encrypt, decrypt);
    }

    private void check(long read) {
        if (read != plaintext.length) {
            throw new IllegalStateException(
                    "decrypted "
                            + read
                            + " bytes of "
                            + plaintext.length
                            + ": the bench is broken");
        }
        Blackhole.consume(read);
    }

    private Metrics metrics(double encryptSeconds, double decryptSeconds) {
        double mb = plaintext.length / 1e6;
        return new Metrics()
                .higher("encrypt MB/s", mb / encryptSeconds)
                .higher("decrypt MB/s", mb / decryptSeconds);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
